"""The loaded data at the I/O edge, keyed by the cache's data version (manifest hash) and the
goals file's content. At most two versions are kept (the current one and the one it replaced,
while sessions switch over), so memory doesn't grow with every refresh.

A plain module-level holder, not st.cache_resource: Streamlit's "clear_cache" websocket message
(which any visitor's browser can send, menu item or not) empties st.cache_resource, and the store
is everyone's prepared work — one visitor must not be able to throw it away for the room.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from pathlib import Path

from nyap import cache_dir as configured_cache_dir, comments_dir, goals_file
from nyap.data.cache import load_cache_or_backup, version_token
from nyap.rules.commentary import CommentaryError, commentary_digest, load_commentary
from nyap.rules.goals import load_goals
from nyap.serving.kept_evaluations import KeptEvaluations
from nyap.serving.memo import Memo
from nyap.serving.page_content import (
    OTHER_SEXES, prepare_earlier_years, prepare_goal_pages, prepare_overview, prepare_profiles_by_sex,
)
from nyap.serving.report_jobs import ReportJobs, ReportKey
from nyap.serving.store import ResultStore

_STORES = Memo(max_entries=2)

# Each data version's pages are prepared in the background (below) for the visitors to come. A
# process with no visitors of its own – the test suite's in-process app (Streamlit's AppTest,
# tests/conftest.py) – turns this off: its pages compute what they show when asked, the same
# results, instead of every goal page for every cache a test makes (about 16 s of CPU each).
PREPARE_IN_BACKGROUND = True

# The server's log says when a data version is loaded and prepared (an operator sees a refresh
# arrive, and that a visitor's "clear cache" did not throw the prepared work away).
_LOG = logging.getLogger("nyap")
if not _LOG.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s nyap %(levelname)s %(message)s"))
    _LOG.addHandler(_handler)
    _LOG.setLevel(logging.INFO)
    _LOG.propagate = False


def _load(cache_dir: str, token: str, goals_path: str, goals_digest: str) -> tuple[ResultStore, str | None]:
    started = time.monotonic()
    cache, notice = load_cache_or_backup(Path(cache_dir))
    store = ResultStore(cache, load_goals(Path(goals_path)),
                        kept=KeptEvaluations.beside(cache_dir, cache))
    _LOG.info("dataversion inläst: %s (%s)", cache.origin_text, token[:12])

    if not PREPARE_IN_BACKGROUND:
        for ready in (store.overview_ready, store.ready, store.pages_ready):
            ready.set()  # nothing is prepared: whoever waits goes on and computes on demand
        return store, notice

    def warm() -> None:
        # what the pages and the shipped talk need, prepared beside the first requests
        try:
            store.warm()
            prepare_overview(store)
            prepare_goal_pages(store)
        finally:
            store.pages_ready.set()
        # then what a switch of Kön on the overview and the goal pages needs (after the pages:
        # those come first), and last what a change of year shows (the years before the latest)
        level = preparation()
        if level != "start":
            try:
                prepare_profiles_by_sex(store)
                prepare_goal_pages(store, sexes=OTHER_SEXES)  # and each goal's charts and map by sex
            except Exception:  # noqa: BLE001 - the page computes it when asked, and says what is wrong
                _LOG.warning("profilerna och målen per kön kunde inte förberedas", exc_info=True)
        _LOG.info("dataversion förberedd på %.1f s", time.monotonic() - started)
        if level != "all":
            return
        try:
            prepare_earlier_years(store)
            _LOG.info("tidigare år förberedda på %.1f s", time.monotonic() - started)
        except Exception:  # noqa: BLE001 - as above
            _LOG.warning("tidigare år kunde inte förberedas", exc_info=True)

    threading.Thread(target=warm, name="nyap-warm", daemon=True).start()
    return store, notice


PREPARATIONS = ("all", "latest", "start")


def preparation() -> str:
    """How much a server prepares in the background (NYAP_PREPARE): `all` (default) every year,
    both sexes; `latest` the latest year only, by sex too (a server with little memory: the earlier
    years take about 120 MB and half a minute of CPU per data version on the real figures); `start`
    only the latest year's pages and profiles for Totalt (the test suite's servers, which live for
    seconds). What is not prepared is computed when a visitor asks for it."""
    value = os.environ.get("NYAP_PREPARE", "all").strip().lower()
    return value if value in PREPARATIONS else "all"


def _goals_digest(path: Path) -> str:
    """The goals file's content as a key (its bytes, not its modification time): an edit that
    keeps the mtime, or a copy with another one, still gives the right store."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def _version() -> tuple[str, str, str, str]:
    cache_dir, path = configured_cache_dir(), goals_file()
    return str(cache_dir), version_token(cache_dir), str(path), _goals_digest(path)


def get_data() -> tuple[ResultStore, str | None]:
    """The shared results of the current data version (nyap/serving/store.py, with its cache and goals)
    and, when the backup is in use, a notice saying why. One manifest read per run: a new cache
    version or an edited goals.toml gives a new store; a broken one raises CacheError/GoalsError
    (not kept, so fixing the file is picked up on the next run)."""
    version = _version()
    return _STORES.get(version, lambda: _load(*version))


# ------------------------------------------------------------------ reports (off the web process)

_JOBS: ReportJobs | None = None
_JOBS_LOCK = threading.Lock()


def report_jobs() -> ReportJobs:
    """The server's report workers (NYAP_REPORT_WORKERS, default 1: a 2-core server keeps a core
    for the pages)."""
    global _JOBS
    with _JOBS_LOCK:
        if _JOBS is None:
            _JOBS = ReportJobs(workers=max(1, int(os.environ.get("NYAP_REPORT_WORKERS") or 1)))
        return _JOBS


def report_key(area: str, year: int, kind: str) -> ReportKey:
    """One report of the current data version (the same version get_data serves)."""
    cache_dir, token, goals_path, digest = _version()
    return ReportKey(cache_dir, token, goals_path, digest, area, int(year), kind,
                     commentary_digest(comments_dir(), area))


def commentary(store: ResultStore, area: str):
    """The area's commentary file (nyap/rules/commentary.py), read once per content: (commentary,
    None), or (None, the Swedish problems) for a file that cannot be used."""
    directory = comments_dir()
    digest = commentary_digest(directory, area)
    if not digest:
        return None, None

    def read():
        try:
            return load_commentary(directory, store.config, area), None
        except CommentaryError as exc:
            return None, exc.problems

    return store.memo(("commentary", area, digest), read)
