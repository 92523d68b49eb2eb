"""A bounded, thread-safe memo shared by every session of the server."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class Memo:
    """A bounded, thread-safe memo. Sessions that ask for the same key at the same time wait for
    one computation instead of each repeating it (a room that opens one link at once)."""

    def __init__(self, max_entries: int | None = None):
        self.max_entries = max_entries
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]
                event = self._pending.get(key)
                if event is None:
                    event = self._pending[key] = threading.Event()
                    break
            event.wait()  # another session computes it; take its result (or retry if it failed)
        try:
            value = compute()
            with self._lock:
                self._values[key] = value
                if self.max_entries is not None:
                    while len(self._values) > self.max_entries:
                        self._values.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(key, None)
            event.set()

    def __len__(self) -> int:
        return len(self._values)
