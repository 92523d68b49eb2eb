"""The whole real Kolada extract for Värmland (tests/fixtures/kolada/varmland_values_2024-08.csv,
Källa: Kolada) as a cache, without the fake server: tests that need KPIs outside the eight of the
subset (the tobacco goal U01901, whose series ended with 2021 data; äldreomsorg's U23505, where
Forshaga's latest value is from 2019) read it directly."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from nyap.data.cache import NO_AGE_GROUP, Cache

from .conftest import KOLADA_FIXTURES

FULL_EXTRACT = KOLADA_FIXTURES / "varmland_values_2024-08.csv"


@functools.cache
def full_observations() -> pd.DataFrame:
    raw = pd.read_csv(FULL_EXTRACT, dtype={"municipality_id": str})
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


def full_cache(demo_cache) -> Cache:
    """The real figures with the shipped cache's indicator and area tables; not demo data."""
    return Cache(full_observations(), demo_cache.indicators, demo_cache.areas, {"demo": False, "created": "2024-08-30"})
