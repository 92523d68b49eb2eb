"""Shared fixtures: the project's goals, the shipped default cache (real Kolada figures, extract of
August 2024), the invented demo cache built into a temporary directory, and the real Kolada data in
tests/fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from nyap import DEFAULT_CACHE_DIR, DEFAULT_GOALS_FILE, PROJECT_ROOT
from nyap.data.cache import load_cache
from nyap.rules.goals import load_goals

# Real Kolada figures for Värmland (Källa: Kolada; origin in tests/fixtures/kolada/README.md)
KOLADA_FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "kolada"
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def config():
    return load_goals(DEFAULT_GOALS_FILE)


@pytest.fixture(scope="session")
def demo_cache_dir(config, tmp_path_factory) -> Path:
    """The invented demo cache (`python -m nyap demo-cache`, deterministic), built into a temporary
    directory: what tests of demo-only features use (suppression, survey intervals, age groups,
    Liv & Hälsa examples). data/cache holds real figures."""
    from nyap.data.demo import write_demo_cache

    target = tmp_path_factory.mktemp("demo-cache") / "cache"
    write_demo_cache(target, config)
    return target


@pytest.fixture(scope="session")
def demo_cache(demo_cache_dir):
    return load_cache(demo_cache_dir)


@pytest.fixture(scope="session")
def default_cache():
    """The shipped cache in data/cache: real Kolada figures (make real-cache)."""
    return load_cache(DEFAULT_CACHE_DIR)


@pytest.fixture
def on_demo_data(demo_cache_dir, monkeypatch):
    """The app (AppTest, a served app) reads the demo cache instead of data/cache."""
    monkeypatch.setenv("NYAP_CACHE_DIR", str(demo_cache_dir))
    return demo_cache_dir


@pytest.fixture(scope="session")
def kolada_dir() -> Path:
    return KOLADA_FIXTURES


@pytest.fixture(scope="session")
def real_observations() -> pd.DataFrame:
    """The real Värmland values (the whole extract) as observations (source kolada), nulls kept as NaN."""
    from .full_extract import full_observations

    return full_observations()


@pytest.fixture(scope="session")
def real_cache_dir(config, tmp_path_factory) -> Path:
    """A cache refreshed from the fake Kolada server (real figures), as a user's refresh makes it."""
    from .fake_kolada import refresh_from_fake

    target = tmp_path_factory.mktemp("real-cache") / "cache"
    refresh_from_fake(config, target)
    return target
