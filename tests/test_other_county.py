"""The region is data: the same project set up for another county (Örebro län, 0018: twelve
municipalities, no Kolada county group) works end to end — demo cache, check, refresh against
the fake Kolada server, every page — and no Värmland name or code shows anywhere."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from nyap import DEFAULT_GOALS_FILE, PROJECT_ROOT
from nyap.data.cache import load_cache
from nyap.rules.goals import GoalsError, load_goals
from nyap.ingest.kolada import KoladaClient
from nyap.ingest.refresh import refresh
from nyap.data.region import counties, region_for

from .fake_kolada import Faults, fake_kolada

# every Värmland name the code could leak: the county, its municipalities, its group
VARMLAND = region_for("0017", "G33624")
FORBIDDEN = re.compile("|".join(re.escape(n) for n in [*VARMLAND.municipalities.values(), "Värmland", "G33624",
                                                         "16 kommuner", "Region Värmland"]))


def orebro_goals(tmp_path):
    """goals.toml as a user would adapt it (README "Ett annat län"): the county code, no group,
    and the prose that names the county."""
    text = DEFAULT_GOALS_FILE.read_text(encoding="utf-8")
    text = text.replace('county = "0017"', 'county = "0018"').replace('county_group = "G33624"', "")
    text = text.replace("Region Värmland", "Region Örebro län").replace("Värmland", "Örebro län")
    path = tmp_path / "goals.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_table_knows_every_county():
    assert len(counties()) == 21
    orebro = region_for("0018")
    assert orebro.size == 12 and orebro.county_name == "Region Örebro län" and orebro.group is None
    assert set(orebro.municipalities) == {"1814", "1860", "1861", "1862", "1863", "1864", "1880", "1881", "1882",
                                          "1883", "1884", "1885"}
    assert region_for("0017", "G33624").size == 16
    assert region_for("0009").municipalities == {"0980": "Gotland"}


def test_an_unknown_county_is_a_swedish_message(tmp_path):
    path = tmp_path / "goals.toml"
    path.write_text(DEFAULT_GOALS_FILE.read_text(encoding="utf-8").replace('county = "0017"', 'county = "0099"'),
                    encoding="utf-8")
    with pytest.raises(GoalsError) as err:
        load_goals(path)
    assert "0099" in str(err.value) and "regioner" in str(err.value)


def test_orebro_end_to_end(tmp_path, monkeypatch):
    goals = orebro_goals(tmp_path)
    cache_dir = tmp_path / "cache"
    env = dict(os.environ, NYAP_GOALS_FILE=str(goals), NYAP_CACHE_DIR=str(cache_dir))

    # demo cache and check, through the command line as a user runs them
    run = subprocess.run([sys.executable, "-m", "nyap", "demo-cache"], cwd=PROJECT_ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    demo = load_cache(cache_dir)
    assert set(demo.areas.loc[demo.areas["kind"] == "municipality", "code"]) == set(region_for("0018").municipalities)
    assert not FORBIDDEN.search(demo.areas.to_string())
    check = subprocess.run([sys.executable, "-m", "nyap", "check"], cwd=PROJECT_ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stderr
    assert not FORBIDDEN.search(check.stdout + check.stderr)

    # refresh from the fake Kolada server: Örebro's codes answered with replayed real figures
    config = load_goals(goals)
    faults = Faults()
    varmland = list(VARMLAND.municipalities)
    faults.remap = {code: varmland[i] for i, code in enumerate(config.region.municipalities)} | {"0018": "0017"}
    with fake_kolada(faults) as (base, _), open(os.devnull, "w") as quiet:
        cache, report = refresh(config, cache_dir, KoladaClient(base, timeout=3.0, max_per_second=100, retries=2,
                                                                backoff=0.01), 2010, 2024, progress_stream=quiet)
    assert not cache.is_demo
    assert set(cache.observations["area_code"].astype(str)) <= set(config.region.names())
    # names come from Kolada's municipality list
    assert dict(zip(cache.areas["code"], cache.areas["name"]))["1880"] == "Örebro"
    assert not any("G33624" in w for w in report.warnings)
    assert not FORBIDDEN.search("\n".join(report.summary_lines()))

    # every page, rendered as a visitor sees it
    import json

    from .apptest_helpers import CHALLENGES, assert_clean, chart_datasets, chart_spec, charts, open_app, page_text

    monkeypatch.setenv("NYAP_GOALS_FILE", str(goals))
    monkeypatch.setenv("NYAP_CACHE_DIR", str(cache_dir))
    from nyap.ui.safe import paragraphs

    # Kolada's own KPI definitions may name any county ("Uppsala, Sörmland, Västmanland, Värmland och
    # Örebro (den sk. CDUST-regionen)"): they are quoted, not written by us
    quoted = [paragraphs(d) for d in cache.indicators["definition"].astype(str) if d]
    for page in ["Översikt", *CHALLENGES, "Om data"]:
        for query in ({}, {"kommun": "1880"}, {"kommun": "1880", "kon": "KM"}):
            at = open_app(page, query)
            assert_clean(at)
            text = page_text(at)
            for q in quoted:
                text = text.replace(q, "")
            assert not FORBIDDEN.search(text), (page, query, FORBIDDEN.search(text).group(0))
            for chart in charts(at):
                spec = {k: v for k, v in chart_spec(chart).items() if k != "datasets"}
                assert not FORBIDDEN.search(json.dumps(spec, ensure_ascii=False)), (page, query)
                for frame in chart_datasets(chart):
                    assert not FORBIDDEN.search(frame.to_string()), (page, query)
    at = open_app("Vuxenlivet", {"kommun": "1880", "mal": "stillasittande"})
    text = page_text(at)
    assert "Region Örebro län" in text or "Örebro" in text
