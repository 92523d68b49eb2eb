"""The cached loader at the I/O edge, keyed by the cache's data version (manifest hash) and the
goals file's content. At most two versions are kept (the current one and the one it
replaced, while sessions switch over), so memory doesn't grow with every refresh."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import streamlit as st

from nyap import cache_dir as configured_cache_dir, goals_file
from nyap.data.cache import load_cache_or_backup, version_token
from nyap.rules.goals import load_goals
from nyap.serving.store import ResultStore


@st.cache_resource(show_spinner=False, max_entries=2)
def _load(cache_dir: str, token: str, goals_path: str, goals_digest: str) -> tuple[ResultStore, str | None]:
    cache, notice = load_cache_or_backup(Path(cache_dir))
    store = ResultStore(cache, load_goals(Path(goals_path)))
    # the default evaluations for everyone, prepared beside the first visitor's own request
    threading.Thread(target=store.warm, name="nyap-warm", daemon=True).start()
    return store, notice


def _goals_digest(path: Path) -> str:
    """The goals file's content as a key (its bytes, not its modification time): an edit that
    keeps the mtime, or a copy with another one, still gives the right store."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def get_data() -> tuple[ResultStore, str | None]:
    """The shared results of the current data version (nyap/serving/store.py, with its cache and goals)
    and, when the backup is in use, a notice saying why. One manifest read per run: a new cache
    version or an edited goals.toml gives a new store; a broken one raises CacheError/GoalsError
    (not cached, so fixing the file is picked up on the next run)."""
    cache_dir, path = configured_cache_dir(), goals_file()
    return _load(str(cache_dir), version_token(cache_dir), str(path), _goals_digest(path))
