"""Chart images drawn in a helper process, not in the web process.

vl-convert (the offline Vega renderer behind the slides' SVG and the PNG/SVG downloads) keeps
Python's interpreter lock while it draws: measured here, a pure-Python page run took 7× longer
while another thread drew charts. In the web process every slide or download drawn then stalled
every visitor's click, and a first visitor after a start waited 1,7–3,9 s instead of 0,35 s
while the talk's slides were prepared in the background. So the server hands each drawing to one
helper process (`HelperProcess`, installed by nyap/ui/launch.py through
`nyap.present.export.draw_elsewhere`); the web thread waits for the result without holding the
lock. A report worker keeps a helper of its own and draws half of a report's charts there
(nyap/serving/report_jobs.py); the command line and the tests draw in their own process.

A helper that dies (killed, out of memory) is started again on the next drawing; if that fails
too, the drawing is made in the web process (slower for others, but the visitor gets it).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import multiprocessing.util
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from nyap.serving.report_jobs import worker_init

DRAW_TIMEOUT_S = 120.0


def _helper_ready() -> bool:
    # the libraries and the shipped fonts, before the first slide needs them
    from nyap.present.fonts import register_for_export

    register_for_export()
    return True


class HelperProcess:
    """One helper process that draws (a callable for nyap.present.export.draw_elsewhere). It runs
    at the priority of the process that starts it: beside the web process as the web process (a
    visitor waits for the drawing), beside a report worker at the worker's lower priority."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        atexit.register(self.shutdown)  # stopped before the interpreter tears its modules down
        # and in a worker process (a report worker's helper), where atexit does not run: such a
        # process joins its children when it ends, and would wait for a helper never told to stop;
        # before the pool's own queues are closed (a higher priority runs first)
        multiprocessing.util.Finalize(None, self.shutdown, kwargs={"wait": True}, exitpriority=100)

    def shutdown(self, wait: bool = False) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            with contextlib.suppress(Exception):
                pool.shutdown(wait=wait, cancel_futures=True)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: a clean interpreter, not a fork of a threaded web server; it ends with
                # the process that started it (the report workers' watch on the parent)
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=worker_init, initargs=(os.getpid(), 0))
            return self._pool

    def start(self) -> None:
        """Start the helper and load its libraries (in the background: returns at once)."""
        self._executor().submit(_helper_ready)

    def _reset(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        with contextlib.suppress(Exception):
            pool.shutdown(wait=False, cancel_futures=True)

    def submit(self, fn, *args, **kwargs) -> Future:
        """Start fn in the helper; a helper found dead is started again first."""
        pool = self._executor()
        try:
            return pool.submit(fn, *args, **kwargs)
        except BrokenProcessPool:
            self._reset(pool)
            return self._executor().submit(fn, *args, **kwargs)

    def reset_if_broken(self) -> None:
        """After a drawing failed because the helper died: the next one starts a new helper."""
        with self._lock:
            pool = self._pool
        if pool is not None and getattr(pool, "_broken", False):
            self._reset(pool)

    def __call__(self, fn, *args, **kwargs):
        for _ in range(2):
            try:
                return self.submit(fn, *args, **kwargs).result(timeout=DRAW_TIMEOUT_S)
            except BrokenProcessPool:
                logging.getLogger("nyap").warning("ritprocessen avslutades; startar en ny")
                self.reset_if_broken()
        # last resort: here (fn is the drawing itself; the export module runs it directly)
        return fn(*args, _here=True, **kwargs)
