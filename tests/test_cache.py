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
def cache_copy(tmp_path, demo_cache_dir):
    target = tmp_path / "cache"
    shutil.copytree(demo_cache_dir, target)
    return target


EXTRACT = DEFAULT_CACHE_DIR.parent.parent / "tests" / "fixtures" / "kolada" / "varmland_values_2024-08.csv"


def test_the_default_cache_is_the_real_kolada_extract(default_cache):
    """data/cache is real: never demo, labelled with the extract, every KPI of the extract, and
    every value exactly as in the extract (2010 on, the years the build asks for)."""
    cache = default_cache
    assert not cache.is_demo and not cache.demo_sources
    assert cache.source_label == "Kolada, uttag augusti 2024"
    assert cache.origin_text == "Kolada, uttag augusti 2024"
    assert cache.manifest["extract"]["date"] == "2024-08"
    raw = pd.read_csv(EXTRACT, dtype={"municipality_id": str})
    assert raw["kpi"].nunique() == 31
    obs = cache.observations
    assert set(obs["source"].astype(str)) == {"kolada"}
    assert set(raw["kpi"]) == set(obs["indicator_id"].astype(str))
    raw = raw[raw["year"] >= 2010]
    key = ["indicator_id", "area_code", "year", "gender"]
    mine = obs[key + ["value"]].astype({"indicator_id": str, "area_code": str, "gender": str, "year": int})
    theirs = pd.DataFrame({"indicator_id": raw["kpi"], "area_code": raw["municipality_id"].str.zfill(4),
                           "year": raw["year"].astype(int), "gender": raw["gender"], "value": raw["value"]})
    both = mine.merge(theirs, on=key, how="outer", suffixes=("", "_csv"), indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"].head()
    same = (both["value"] == both["value_csv"]) | (both["value"].isna() & both["value_csv"].isna())
    assert same.all(), both[~same].head()
    # missing is missing: the extract's nulls stay NaN, never 0
    assert obs["value"].isna().sum() == theirs["value"].isna().sum() > 0
    # the county's reference for K-type KPIs is not invented: no group rows, no 0017 rows for K
    assert not obs["area_code"].astype(str).str.startswith("G").any()
    k_type = set(cache.indicators.loc[cache.indicators["kpi_type"] == "K", "id"])
    assert not ((obs["area_code"] == "0017") & obs["indicator_id"].isin(k_type)).any()


def test_make_real_cache_rebuilds_the_shipped_cache(tmp_path, default_cache):
    """scripts/build_real_cache.py (make real-cache) gives the shipped cache again, beside an old
    cache that it swaps out atomically (kept as the backup)."""
    import subprocess
    import sys

    target = tmp_path / "cache"
    shutil.copytree(DEFAULT_CACHE_DIR, target)
    (target / "manifest.json").write_text((target / "manifest.json").read_text(encoding="utf-8")
                                          .replace('"created": "', '"created": "old-'), encoding="utf-8")
    script = DEFAULT_CACHE_DIR.parent.parent / "scripts" / "build_real_cache.py"
    done = subprocess.run([sys.executable, str(script), "--cache", str(target)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Kolada, uttag augusti 2024" in done.stdout
    built = load_cache(target)
    assert built.manifest["data_version"] == default_cache.manifest["data_version"]
    assert built.source_label == default_cache.source_label and not built.is_demo
    assert json.loads((target.with_name("cache.backup") / "manifest.json").read_text())["created"].startswith("old-")
    assert not list(tmp_path.glob("cache.tmp*"))


def test_the_demo_cache_is_demo_data_and_loads(demo_cache):
    assert demo_cache.is_demo and demo_cache.origin_text == "demodata" and not demo_cache.source_label
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
    with pytest.raises(CacheError, match=r"inte giltig JSON \(rad 1, kolumn 2\)") as err:
        load_cache(cache_copy)
    assert "Expecting" not in str(err.value)  # the parser's English stays in the log


def test_a_value_of_the_wrong_type_is_named_in_swedish(cache_copy):
    import pandas as pd

    from nyap.data.cache import OBSERVATION_COLUMNS, normalise_table

    frame = pd.read_parquet(cache_copy / "observations.parquet").astype({"year": "object"})
    frame.loc[frame.index[3], "year"] = "tjugohundra"
    with pytest.raises(CacheError) as err:
        normalise_table(frame, OBSERVATION_COLUMNS, "observations")
    assert "kolumn 'year': fel datatyp (värdet 'tjugohundra' är inte ett tal)" in str(err.value)
    assert "Unable to parse" not in str(err.value)


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
