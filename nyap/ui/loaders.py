"""Cached loaders at the I/O edge, keyed by the cache's data version (manifest hash) and the goals
file's modification time. At most two versions are kept (the current one and the one it replaced,
while sessions switch over), so memory doesn't grow with every refresh."""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from .. import cache_dir as configured_cache_dir, goals_file
from ..cache import Cache, load_cache_or_backup, version_token
from ..goals import GoalsConfig, load_goals
from ..store import ResultStore


def _cache_token(cache_dir: Path) -> str:
    return version_token(cache_dir)


@st.cache_resource(show_spinner=False, max_entries=2)
def _load_cache(cache_dir: str, token: str) -> tuple[Cache, str | None]:
    return load_cache_or_backup(Path(cache_dir))


def get_cache(cache_dir: Path | None = None) -> tuple[Cache, str | None]:
    cache_dir = cache_dir or configured_cache_dir()
    return _load_cache(str(cache_dir), _cache_token(cache_dir))


@st.cache_resource(show_spinner=False, max_entries=2)
def _load_goals(path: str, mtime: float) -> GoalsConfig:
    return load_goals(Path(path))


def get_goals(path: Path | None = None) -> GoalsConfig:
    path = path or goals_file()
    return _load_goals(str(path), path.stat().st_mtime if path.exists() else 0.0)


@st.cache_resource(show_spinner=False, max_entries=2)
def _store(cache_dir: str, token: str, goals_path: str, mtime: float) -> ResultStore:
    cache, _ = get_cache(Path(cache_dir))
    store = ResultStore(cache, get_goals(Path(goals_path)))
    # the default evaluations for everyone, prepared beside the first visitor's own request
    threading.Thread(target=store.warm, name="nyap-warm", daemon=True).start()
    return store


def get_store() -> ResultStore:
    """The shared results of the current data version (see nyap/store.py)."""
    cache_dir, path = configured_cache_dir(), goals_file()
    return _store(str(cache_dir), _cache_token(cache_dir), str(path), path.stat().st_mtime if path.exists() else 0.0)
