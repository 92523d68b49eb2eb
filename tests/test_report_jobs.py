"""Reports are made by worker processes, once per report and data version, and a flood of presses
is bounded (nyap/serving/report_jobs.py) — the web process only waits and hands the file over."""

from __future__ import annotations

import os
import time

import pytest

from nyap import DEFAULT_CACHE_DIR, DEFAULT_GOALS_FILE
from nyap.data.cache import version_token
from nyap.serving.report_jobs import ReportBusy, ReportJobs, ReportKey
from tests.apptest_helpers import assert_clean, open_app

# generous: a slow or loaded machine waits longer, it does not fail
PATIENCE = 600


def _key(area: str, kind: str = "html", cache_dir=DEFAULT_CACHE_DIR) -> ReportKey:
    return ReportKey(str(cache_dir), version_token(cache_dir), str(DEFAULT_GOALS_FILE), "test", area, 2022, kind)


def _wait(jobs: ReportJobs, key: ReportKey):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        state = jobs.status(key)
        if state is not None and (state.done or state.error):
            return state
        time.sleep(0.1)
    raise AssertionError(f"no report after {PATIENCE} s")


@pytest.fixture
def jobs():
    jobs = ReportJobs(workers=1, max_queued=2)
    yield jobs
    pids = jobs.worker_pids()
    jobs.shutdown(wait=True)
    # no worker outlives the pool (a killed test run left report workers behind before)
    for pid in pids:
        assert not _alive(pid), f"report worker {pid} still running"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_report_is_made_in_a_worker_once_and_shared(jobs):
    kil = _key("1715")
    first = jobs.request(kil)
    assert not first.done
    state = _wait(jobs, kil)
    assert state.error is None
    page = state.data.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Kil" in page and "Aktuellt perspektiv 2022" in page
    workers = jobs.worker_pids()
    assert workers and os.getpid() not in workers  # made beside the web process, not in it
    # a second press (or another visitor's) takes the same file at once
    again = jobs.request(kil)
    assert again.done and again.data is state.data


@pytest.fixture
def queue():
    """A queue whose worker makes stand-in reports (tests/stand_in_reports.py)."""
    from .stand_in_reports import made_after_a_moment

    jobs = ReportJobs(workers=1, max_queued=2, build=made_after_a_moment)
    yield jobs
    jobs.shutdown(wait=True)


def test_too_many_different_reports_waiting_are_refused_in_swedish(queue):
    jobs = queue
    jobs.request(_key("1715"))
    jobs.request(_key("1780"))
    with pytest.raises(ReportBusy, match="Servern gör redan 2 rapporter"):
        jobs.request(_key("1784"))
    # a press of a report already on its way is not a new one: it waits with the others
    assert jobs.request(_key("1780")).ahead == 1
    assert _wait(jobs, _key("1780")).error is None


def test_ten_presses_from_three_visitors_make_each_report_once_and_one_visitor_cannot_fill_the_queue():
    from .stand_in_reports import made_after_a_moment

    jobs = ReportJobs(workers=1, max_queued=6, build=made_after_a_moment)
    try:
        kil, torsby, arvika = _key("1715"), _key("1737"), _key("1784")
        presses = [("A", kil), ("A", kil), ("B", kil), ("C", kil), ("A", torsby), ("A", arvika),
                   ("B", torsby), ("C", arvika), ("B", kil), ("C", torsby)]
        refused = []
        for visitor, key in presses:
            try:
                jobs.request(key, visitor=visitor)
            except ReportBusy as exc:
                refused.append((visitor, key.area, str(exc)))
        # A already waits for two (Kil, Torsby): a third of A's own is refused, in Swedish…
        assert [(v, a) for v, a, _ in refused] == [("A", "1784")] and "Du har redan 2 rapporter" in refused[0][2]
        # …and C can still start Arvika: one visitor does not fill the room's queue
        states = {k: _wait(jobs, k) for k in (kil, torsby, arvika)}
        assert all(s.error is None for s in states.values())
        assert jobs.builds == 3  # one build per report and data version, for ten presses
        assert jobs.request(kil, visitor="D").data is states[kil].data
        assert jobs.builds == 3
    finally:
        jobs.shutdown(wait=True)


def test_a_report_that_cannot_be_made_says_so_and_the_next_press_tries_again(jobs, tmp_path):
    broken = _key("1715", cache_dir=tmp_path)  # no cache there
    jobs.request(broken)
    state = _wait(jobs, broken)
    assert state.done and state.data is None and "Rapporten kunde inte skapas" in state.error
    assert not jobs.request(broken).done  # started again, not the old failure served forever
    _wait(jobs, broken)


def test_the_overview_makes_the_report_on_a_press_and_hands_it_over(monkeypatch):
    monkeypatch.setenv("NYAP_REPORT_WORKERS", "1")
    at = open_app("Översikt", {"kommun": "1715"})
    assert_clean(at)
    press = [b for b in at.button if b.label == "Skapa rapport (HTML)"]
    assert press, [b.label for b in at.button]
    at.default_timeout = PATIENCE
    press[0].click().run()
    assert_clean(at)
    labels = [d.label for d in at.get("download_button")]
    assert "Ladda ner rapport (HTML)" in labels, labels
    # another visitor of the same municipality gets the made report without pressing
    other = open_app("Översikt", {"kommun": "1715"})
    assert "Ladda ner rapport (HTML)" in [d.label for d in other.get("download_button")]
    from nyap.ui.loaders import report_jobs
    report_jobs().shutdown(wait=True)


class _SomeoneElsesReport:
    """Report workers where another visitor's report is being made until this visitor presses."""

    def __init__(self):
        from nyap.serving.report_jobs import ReportState

        self.state, self.requests = ReportState(done=False, ahead=0), []

    def status(self, key):
        return self.state

    def request(self, key, visitor=""):
        from nyap.serving.report_jobs import ReportState

        self.requests.append((key.kind, visitor))
        self.state = ReportState(done=True, data=b"<html>rapport</html>")
        return self.state


def test_a_report_someone_else_asked_for_does_not_hold_up_the_page(monkeypatch):
    """A visitor who opens a municipality whose report another visitor is having made gets the
    whole page at once (before, their page run waited until the report was done: 14 s in
    scripts/load.py with 5 presses), a line saying it is being made and a button that joins it."""
    from nyap.ui.pages import reports

    workers = _SomeoneElsesReport()
    monkeypatch.setattr(reports, "report_jobs", lambda: workers)
    at = open_app("Översikt", {"kommun": "1715"})  # would time out waiting for a report never done
    assert_clean(at)
    words = " ".join(c.value for c in at.caption)
    assert "skapas redan på en annans begäran" in words, words
    assert not at.get("download_button") or "Ladda ner rapport" not in [d.label for d in at.get("download_button")]
    press = [b for b in at.button if b.label.startswith("Skapa rapport")]
    assert press and not workers.requests
    press[0].click().run()
    assert_clean(at)
    assert len(workers.requests) == 1
    assert any(d.label.startswith("Ladda ner rapport") for d in at.get("download_button"))


def _what_this_process_loaded() -> tuple[int, bool]:
    """(data versions loaded, whether a background preparation runs) in this process."""
    import threading

    from nyap.ui import loaders

    return len(loaders._STORES), any(t.name == "nyap-warm" for t in threading.enumerate())


def test_a_worker_started_from_a_page_does_not_run_the_page(monkeypatch):
    """Streamlit runs a page as `__main__`, and a process started with "spawn" first runs its
    parent's `__main__`: the report worker and its drawing helper, started by a press on the
    overview, each ran the overview and prepared the whole data version in the background (the
    first of five reports waited 62 s; each process held 700 MB). A child process runs no page."""
    import multiprocessing
    import sys
    import types
    from concurrent.futures import ProcessPoolExecutor

    from nyap import PROJECT_ROOT

    from .processes import GENEROUS

    page = types.ModuleType("__main__")
    page.__file__ = str(PROJECT_ROOT / "app.py")  # as Streamlit's script runner sets it
    monkeypatch.setitem(sys.modules, "__main__", page)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        loaded, preparing = pool.submit(_what_this_process_loaded).result(timeout=GENEROUS)
    assert (loaded, preparing) == (0, False)


def test_a_worker_ends_when_the_web_process_dies_without_stopping_it(tmp_path):
    """A kill -9 of the server leaves no one to stop the pool: its worker notices and ends."""
    import signal
    import subprocess
    import sys

    from nyap import PROJECT_ROOT

    from .processes import GENEROUS

    script = ("import os, time\n"
              "from nyap.serving.report_jobs import ReportJobs\n"
              "if __name__ == '__main__':\n"
              "    jobs = ReportJobs(); jobs.start(); time.sleep(1)\n"
              "    while not jobs.worker_pids(): time.sleep(0.1)\n"
              "    print(jobs.worker_pids()[0], flush=True)\n"
              "    os._exit(0)\n")
    # not in a process group of its own: a group kill would stop the worker and prove nothing
    # (output to a file: an orphaned worker holding a pipe would keep the test waiting, not failing)
    out = tmp_path / "worker.txt"
    with open(out, "w") as f:
        subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, stdout=f, stderr=subprocess.DEVNULL,
                       timeout=GENEROUS)
    worker = int(out.read_text().split()[0])
    try:
        deadline = time.monotonic() + PATIENCE
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker)
    finally:
        if _alive(worker):
            os.kill(worker, signal.SIGKILL)


def test_a_reports_charts_drawn_in_two_processes_are_those_drawn_in_one(default_store):
    """The report worker draws half of a report's charts in a helper process: every chart comes
    back in its place (the same bytes as drawn one after the other here)."""
    from nyap.present.report import draw_report_charts, report_page
    from nyap.serving.drawing import HelperProcess
    from nyap.serving.report_jobs import _draw_in_two

    specs: list[dict] = []
    report_page(default_store, "1715", draw=lambda s: specs.extend(s) or [b""] * len(s))
    assert len(specs) >= 4
    helper = HelperProcess()
    try:
        two = _draw_in_two(specs, helper)
    finally:
        helper.shutdown(wait=True)
    one = draw_report_charts(specs)
    assert len(set(one)) == len(one)  # each chart its own picture, so a swap would show
    assert two == one

