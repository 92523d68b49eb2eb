"""Background preparation gives way to visitors.

A server prepares a data version's pages in background threads (nyap/ui/loaders.py,
nyap/ui/launch.py). In CPython those threads share one interpreter lock with the visitors' page
runs: a first visitor who arrived while the preparation ran waited 5–8 s for a page that takes
0,7 s alone (scripts/load.py --cold-start). So the page runs say when they run
(`GATE.visitor()`), and the preparation, between two small pieces of work, waits while any run
is in progress (`GATE.give_way()`). A visitor then waits at most for the piece in progress.

Waiting is bounded: under a workshop's steady clicks the preparation still goes on (slowly), and
what it has not prepared yet a visitor computes as before.
"""

from __future__ import annotations

import contextlib
import threading
import time


class Gate:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._visitors = 0
        self._last_end = 0.0
        self._closed_until_open = False

    @contextlib.contextmanager
    def visitor(self):
        with self._cond:
            self._visitors += 1
        try:
            yield
        finally:
            with self._cond:
                self._visitors -= 1
                self._last_end = time.monotonic()
                if not self._visitors:
                    self._cond.notify_all()

    def arrived(self) -> None:
        """A visitor connected or clicked: their page run starts in a moment (the preparation
        waits QUIET_S, as after a run)."""
        with self._cond:
            self._last_end = max(self._last_end, time.monotonic())

    def hold(self) -> None:
        """Preparation waits (as if a visitor ran) until `release`: the server starting up."""
        with self._cond:
            self._closed_until_open = True

    def release(self) -> None:
        with self._cond:
            self._closed_until_open = False
            self._cond.notify_all()

    def give_way(self, max_wait_s: float = 3.0) -> None:
        """Called by background preparation between two pieces of work: returns when no page run
        is in progress and none ended in the last QUIET_S (Streamlit still sends the page, and the
        same visitor's next click often follows), or after max_wait_s (so that steady traffic
        cannot starve the preparation)."""
        deadline = time.monotonic() + max_wait_s
        with self._cond:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    return
                if self._visitors or self._closed_until_open:
                    self._cond.wait(deadline - now)
                elif now - self._last_end < QUIET_S:
                    self._cond.wait(min(QUIET_S - (now - self._last_end), deadline - now))
                else:
                    return


# after a page run, the preparation waits this long for the next one (sending a page takes Streamlit
# a few tenths of a second more)
QUIET_S = 0.3

GATE = Gate()
