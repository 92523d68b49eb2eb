"""The cache: schema validation with clear messages, atomic replacement, backup fallback."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from nyap import DEFAULT_CACHE_DIR
from nyap.data.cache import Cache, CacheError, load_cache, load_cache_or_backup, write_cache


@pytest.fixture
def cache_copy(tmp_path):
    target = tmp_path / "cache"
    shutil.copytree(DEFAULT_CACHE_DIR, target)
    return target


def test_shipped_cache_is_demo_data_and_loads(demo_cache):
    assert demo_cache.is_demo
    assert demo_cache.manifest["sources"][0]["name"] == "demo"
    assert len(demo_cache.observations) == demo_cache.manifest["tables"]["observations"]["rows"]
    assert str(demo_cache.observations["area_code"].dtype) == "category"
    assert all(len(c) == 4 for c in demo_cache.areas["code"] if not c.startswith("G"))


def test_missing_file_names_the_file(cache_copy):
    (cache_copy / "areas.parquet").unlink()
    with pytest.raises(CacheError, match=r"saknar filen .*areas\.parquet"):
        load_cache(cache_copy)


def test_truncated_parquet_is_reported_not_a_traceback(cache_copy):
    path = cache_copy / "observations.parquet"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(CacheError, match="observations.parquet"):
        load_cache(cache_copy, verify_checksums=False)
    with pytest.raises(CacheError, match="kontrollsumma"):
        load_cache(cache_copy)


def test_broken_manifest_is_reported(cache_copy):
    (cache_copy / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CacheError, match="inte giltig JSON"):
        load_cache(cache_copy)


def test_missing_column_is_named(cache_copy, demo_cache):
    bad = Cache(demo_cache.observations.drop(columns=["series_id"]), demo_cache.indicators, demo_cache.areas)
    with pytest.raises(CacheError, match="saknar kolumnerna: series_id"):
        write_cache(bad, cache_copy)
    load_cache(cache_copy)  # the old cache is untouched


def test_suppressed_value_can_never_be_written(cache_copy, demo_cache):
    obs = demo_cache.observations.copy()
    idx = obs.index[obs["suppressed"]][0]
    obs.loc[idx, "value"] = 42.0
    with pytest.raises(CacheError, match="undertryckta grupper har värden kvar"):
        write_cache(Cache(obs, demo_cache.indicators, demo_cache.areas), cache_copy)
    assert load_cache(cache_copy).observations["suppressed"].sum() == demo_cache.observations["suppressed"].sum()


def test_area_codes_stay_strings_with_leading_zeros(cache_copy, demo_cache):
    cache = write_cache(demo_cache, cache_copy, {"demo": True})
    assert "0017" in set(cache.observations["area_code"]) and "0000" in set(cache.areas["code"])


def test_write_replaces_atomically_and_keeps_a_backup(cache_copy, demo_cache):
    old_version = load_cache(cache_copy).data_version
    obs = demo_cache.observations.copy()
    obs.loc[obs.index[0], "value"] = 12.34
    new = write_cache(Cache(obs, demo_cache.indicators, demo_cache.areas), cache_copy, {"demo": False})
    assert not new.is_demo and new.data_version != old_version
    backup = cache_copy.with_name("cache.backup")
    assert load_cache(backup).data_version == old_version
    assert not list(cache_copy.parent.glob("cache.tmp-*"))


def test_interrupted_swap_falls_back_to_the_backup(cache_copy, demo_cache):
    write_cache(demo_cache, cache_copy, {"demo": True})  # creates cache.backup
    shutil.rmtree(cache_copy)  # as if killed between the two renames
    cache, notice = load_cache_or_backup(cache_copy)
    assert cache.is_demo and "säkerhetskopian" in notice


def test_duplicate_observations_are_rejected(cache_copy, demo_cache):
    obs = demo_cache.observations
    doubled = pd.concat([obs, obs.iloc[[0]]], ignore_index=True)
    with pytest.raises(CacheError, match="dubbletter"):
        write_cache(Cache(doubled, demo_cache.indicators, demo_cache.areas), cache_copy)


def test_manifest_records_what_when_and_checksums(demo_cache):
    m = demo_cache.manifest
    assert {"created", "demo", "sources", "tables", "warnings", "data_version"} <= set(m)
    assert all(len(t["sha256"]) == 64 and t["rows"] > 0 for t in m["tables"].values())
    json.dumps(m)  # plain JSON


def test_missing_is_nan_never_zero(demo_cache):
    obs = demo_cache.observations
    assert obs["value"].isna().sum() > 0
    assert not np.any(obs.loc[obs["suppressed"], "value"].notna())
