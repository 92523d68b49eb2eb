"""Shared fixtures: the project's goals, the demo cache, and the real Kolada data in ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nyap import DEFAULT_CACHE_DIR, DEFAULT_GOALS_FILE, PROJECT_ROOT
from nyap.cache import NO_AGE_GROUP, load_cache
from nyap.goals import load_goals

SHARED_KOLADA = PROJECT_ROOT.parent / "shared" / "data" / "kolada"
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def config():
    return load_goals(DEFAULT_GOALS_FILE)


@pytest.fixture(scope="session")
def demo_cache():
    return load_cache(DEFAULT_CACHE_DIR)


def _require_shared() -> Path:
    if not SHARED_KOLADA.is_dir():
        if IN_CI:
            pytest.fail(f"Real Kolada test data missing at {SHARED_KOLADA}")
        pytest.skip("../shared/data/kolada is not beside this checkout")
    return SHARED_KOLADA


@pytest.fixture(scope="session")
def kolada_dir() -> Path:
    return _require_shared()


@pytest.fixture(scope="session")
def real_observations(kolada_dir) -> pd.DataFrame:
    """The real Värmland values as observations (source kolada), nulls kept as NaN."""
    raw = pd.read_csv(kolada_dir / "varmland_values_subset.csv", dtype={"municipality_id": str})
    return pd.DataFrame({
        "source": "kolada",
        "indicator_id": raw["kpi"],
        "area_code": raw["municipality_id"].str.zfill(4),
        "year": raw["year"].astype(int),
        "period": raw["year"].astype(str),
        "gender": raw["gender"],
        "age_group": NO_AGE_GROUP,
        "value": raw["value"].astype(float),
        "ci_low": np.nan, "ci_high": np.nan, "n": np.nan,
        "suppressed": False,
        "series_id": raw["kpi"],
    })
