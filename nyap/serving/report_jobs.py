"""Reports made off the web process: a small, bounded pool of worker processes, one result per
report and data version, shared by everyone who asks for it.

A report is seconds of CPU (its charts drawn as bitmaps, the PDF laid out by WeasyPrint). Made in
the web process, as before, every press took a core from the other visitors' clicks, and five
presses at once made everyone's clicks several times slower (issue 19/20). Here:

* the work runs in `workers` processes (default 1, so a 2-core server keeps a core for the web);
* the same report (data version, goals file, area, year, kind) is made once: a second press, or
  another visitor's, waits for the same job or takes the finished file;
* at most `max_queued` different reports wait at a time, and at most `max_per_visitor` of them
  for one visitor (a browser session); beyond that a press is refused with a Swedish message
  instead of growing a queue no one will see the end of, or one tab filling it for the room.

Each worker loads the data version itself (the cache on disk, as the web process does) and keeps
it for the next report. No Streamlit here: the page polls `ReportJobs.status`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

KINDS = ("pdf", "html")


class ReportBusy(Exception):
    """Too many different reports are being made right now (said in Swedish)."""


@dataclass(frozen=True)
class ReportKey:
    cache_dir: str
    token: str  # the cache's data version (nyap.data.cache.version_token)
    goals_path: str
    goals_digest: str
    area: str
    year: int
    kind: str  # "pdf" or "html"
    comments_digest: str = ""  # the area's commentary file (an edit makes a new report)


@dataclass(frozen=True)
class ReportState:
    """What a page shows for one report: waiting (with the number of reports ahead), ready (the
    bytes) or failed (a Swedish message)."""

    done: bool
    data: bytes | None = None
    error: str | None = None
    ahead: int = 0


# ------------------------------------------------------------------ in the worker process

_worker_store: dict = {}


def _store_for(key: ReportKey):
    from nyap.data.cache import load_cache_or_backup
    from nyap.rules.goals import load_goals
    from nyap.serving.kept_evaluations import KeptEvaluations
    from nyap.serving.store import ResultStore

    version = (key.cache_dir, key.token, key.goals_path, key.goals_digest)
    if _worker_store.get("version") != version:
        _worker_store.clear()  # one data version per worker: the previous one is let go
        cache, _notice = load_cache_or_backup(Path(key.cache_dir))
        # what the web process evaluated and kept is read, not computed again
        kept = KeptEvaluations.beside(key.cache_dir, cache)
        store = ResultStore(cache, load_goals(Path(key.goals_path)), kept=kept)
        _worker_store.update(version=version, store=store)
    return _worker_store["store"]


_helper: list = []  # the worker's own drawing helper (nyap/serving/drawing.py), started on first use


def _worker_helper():
    from nyap.serving.drawing import HelperProcess

    if not _helper:  # at this worker's priority; it ends with this worker (it watches its parent)
        _helper.append(HelperProcess())
    return _helper[0]


def _draw_in_two(specs: list[dict], helper=None) -> list[bytes]:
    """A report's charts, half of them in a helper process while this one draws the other half.
    vl-convert draws one chart at a time per process, and the charts were 2,9 of a report's 6,5 s;
    both processes run at the report worker's low priority, so visitors' clicks still come first.
    A helper that fails leaves its half to this process."""
    from nyap.present.report import draw_report_charts

    if len(specs) < 2:
        return draw_report_charts(specs)
    helper = helper or _worker_helper()
    theirs = specs[1::2]
    try:
        far = helper.submit(draw_report_charts, theirs)
    except Exception:  # noqa: BLE001 - no helper: all of them here
        return draw_report_charts(specs)
    mine = draw_report_charts(specs[0::2])
    try:
        drawn = far.result(timeout=300)
    except Exception:  # noqa: BLE001 - the helper died or failed: its half here
        helper.reset_if_broken()
        drawn = draw_report_charts(theirs)
    out: list[bytes] = []
    for n in range(len(specs)):
        out.append(mine[n // 2] if n % 2 == 0 else drawn[n // 2])
    return out


def build_report(key: ReportKey, draw=None) -> bytes:
    """The report's bytes (runs in a worker; also callable directly, e.g. by tests, drawing in
    this process unless `draw` says otherwise)."""
    from nyap.present.report import commentaries, draw_report_charts, report_page, report_pdf

    store = _store_for(key)
    pages = _worker_store.setdefault("pages", OrderedDict())
    page = pages.get((key.area, key.year, key.comments_digest))
    if page is None:  # the PDF is made from the same page as the HTML: a press of both makes it once
        commentary = commentaries(store.config, [key.area])[key.area]
        page = pages[(key.area, key.year, key.comments_digest)] = report_page(
            store, key.area, key.year, commentary, draw=draw or draw_report_charts)
        while len(pages) > 4:
            pages.popitem(last=False)
    return report_pdf(page) if key.kind == "pdf" else page.inline().encode("utf-8")


def _build_in_worker(key: ReportKey) -> bytes:
    return build_report(key, draw=_draw_in_two)


def worker_init(parent: int, niceness: int = 10) -> None:
    """A worker ends when the web process is gone, however it ended (a kill -9 leaves no one to
    stop the pool): a thread watches the parent."""
    import time

    # below the web process: on a server with few cores a report waits for the clicks, not the
    # other way round (the load benchmark on one core: health and clicks slowed while a worker ran)
    if niceness:
        with contextlib.suppress(OSError):
            os.nice(niceness)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(2)
        os._exit(0)

    threading.Thread(target=watch, name="nyap-report-parent", daemon=True).start()


def _warm_worker(key: ReportKey | None = None) -> int:
    """Before the first press: import the report's libraries (WeasyPrint takes a second) and, for
    the data version in `key`, load the data and compute every goal view of the year (the first
    report's largest part)."""
    from nyap.present.report import goal_sections, pdf_available

    if pdf_available():
        import weasyprint  # noqa: F401
    _worker_helper().start()  # its libraries and fonts load while this one prepares the data
    if key is not None:
        store = _store_for(key)
        goal_sections(store, key.area, key.year)
        store.overview_evaluations(key.year, None)
    return os.getpid()


# ------------------------------------------------------------------ in the web process

class ReportJobs:
    def __init__(self, workers: int = 1, max_queued: int = 6, keep: int = 12, max_per_visitor: int = 2,
                 build=None):
        self.workers = workers
        # what a worker runs for a key (a module-level function): the report; the queue's own tests
        # give a stand-in that takes a moment instead of seconds of drawing
        self._build = build or _build_in_worker
        self.max_queued = max_queued
        self.max_per_visitor = max_per_visitor  # one municipality's PDF and HTML
        self._asked_by: dict[ReportKey, str] = {}  # who started each running report
        self.builds = 0  # reports started (a press that joins or takes a made one starts none)
        self._keep = keep
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._running: dict[ReportKey, Future] = {}
        self._order: list[ReportKey] = []  # submission order of the running ones (queue place)
        self._done: OrderedDict[ReportKey, ReportState] = OrderedDict()
        self._failed: dict[ReportKey, ReportState] = {}  # shown once; the next press tries again

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: workers start from a clean interpreter, not a fork of a threaded web server, and
            # no helper process outlives the pool (a forkserver would)
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=worker_init,
                                             initargs=(os.getpid(),))
        return self._pool

    def start(self, key: ReportKey | None = None) -> None:
        """Start the workers and prepare them for reports like `key` (its data version and year),
        once: the page calls this when it shows the report buttons."""
        with self._lock:
            if self._pool is not None:
                return
            pool = self._executor()
        for _ in range(self.workers):
            pool.submit(_warm_worker, key)

    def request(self, key: ReportKey, visitor: str = "") -> ReportState:
        """Start the report unless it is made or being made; its state now. `visitor`: who asks
        (the browser session); joining a report someone else started is never refused."""
        future = None
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            self._failed.pop(key, None)
            if key not in self._running:
                if len(self._running) >= self.max_queued:
                    raise ReportBusy(f"Servern gör redan {len(self._running)} rapporter. "
                                     "Försök igen om en minut.")
                mine = sum(1 for who in self._asked_by.values() if visitor and who == visitor)
                if mine >= self.max_per_visitor:
                    raise ReportBusy(f"Du har redan {mine} rapporter på väg. Vänta tills de är klara; "
                                     "sedan kan du skapa fler.")
                future = self._executor().submit(self._build, key)
                self.builds += 1
                self._running[key] = future
                self._order.append(key)
                self._asked_by[key] = visitor
        if future is not None:
            # outside the lock: a job already finished (a quick failure) calls back at once, here
            future.add_done_callback(lambda f, k=key: self._finished(k, f))
        return self.status(key)

    def status(self, key: ReportKey) -> ReportState | None:
        """The report's state, or None when it was never asked for (or forgotten)."""
        with self._lock:
            if key in self._done:
                return self._done[key]
            if key in self._running:
                return ReportState(done=False, ahead=self._order.index(key))
            return self._failed.get(key)

    def _finished(self, key: ReportKey, future: Future) -> None:
        from nyap.present.report import ReportError

        try:
            state = ReportState(done=True, data=future.result())
        except ReportError as exc:
            state = ReportState(done=True, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a worker that died, a full disk: said, not raised
            state = ReportState(done=True, error=f"Rapporten kunde inte skapas ({type(exc).__name__}). "
                                                  "Försök igen; hjälper det inte, kör make check på servern.")
        with self._lock:
            self._running.pop(key, None)
            self._asked_by.pop(key, None)
            if key in self._order:
                self._order.remove(key)
            if state.error is None:
                self._done[key] = state
                while len(self._done) > self._keep:
                    self._done.popitem(last=False)
            else:  # a failure is not kept as the result: the next press tries again
                self._failed[key] = state

    def worker_pids(self) -> list[int]:
        with self._lock:
            return list(self._pool._processes) if self._pool is not None else []

    def shutdown(self, wait: bool = False) -> None:
        """Stop the workers (queued reports are dropped); a later request starts new ones."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._running.clear()
            self._asked_by.clear()
            self._order.clear()
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)
