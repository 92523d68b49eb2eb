"""The Kolada refresh against a fake v3 server on 127.0.0.1 that replays real data, with faults."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from nyap.data.cache import load_cache
from nyap.ingest.kolada import KoladaClient, KoladaError, chunks
from nyap.ingest.refresh import refresh

from .fake_kolada import fake_kolada
from .processes import GENEROUS, started

@pytest.fixture
def cache_dir(tmp_path, demo_cache_dir):
    """A copy of the demo cache (what a refresh or an import replaces or joins)."""
    target = tmp_path / "cache"
    shutil.copytree(demo_cache_dir, target)
    return target


def client(base, **kw):
    opts = dict(timeout=3.0, max_per_second=100, retries=3, backoff=0.01)
    opts.update(kw)
    return KoladaClient(base, **opts)


def run_refresh(config, cache_dir, base, **kw):
    return refresh(config, cache_dir, client(base, **kw), 2010, 2024, progress_stream=open(os.devnull, "w"))


def value(cache, kpi, area, year, gender="T"):
    o = cache.observations
    rows = o[(o["indicator_id"] == kpi) & (o["area_code"] == area) & (o["year"] == year) & (o["gender"] == gender)
             & (o["source"] == "kolada")]
    return rows["value"].tolist()


def test_refresh_replaces_the_demo_cache_with_real_kolada_numbers(config, cache_dir):
    old_version = load_cache(cache_dir).data_version
    with fake_kolada() as (base, faults):
        faults.page_size = 400  # several pages per KPI: next_url must be followed
        cache, report = run_refresh(config, cache_dir, base)
    assert not cache.is_demo
    assert value(cache, "N15428", "1780", 2022) == [pytest.approx(89.12601626)]
    assert value(cache, "N15428", "1780", 2017) == [pytest.approx(89.17345751)]
    # Kolada's null is missing, never 0
    eda = value(cache, "U01425", "1730", 2022)
    assert len(eda) == 1 and np.isnan(eda[0])
    # every gender, county and country; area codes stay strings
    assert set(cache.observations["gender"]) == {"T", "K", "M"}
    assert {"0017", "0000"} <= set(cache.observations["area_code"])
    m = cache.manifest
    assert m["api_base"] == base and m["sources"][0]["name"] == "kolada" and m["row_counts"]["N15428"] > 500
    assert "N15557" in report.vanished and report.ended.get("U71455") == 2024
    assert any("N15557" in w for w in m["warnings"])
    # demo survey rows are not mixed into real data
    assert "livhalsa" not in set(cache.observations["source"].astype(str))
    backup = load_cache(cache_dir.with_name("cache.backup"))
    assert backup.is_demo and backup.data_version == old_version
    lines = "\n".join(report.summary_lines())
    assert "N15428" in lines and "1998" not in lines and "2010–2022" in lines and "Utan värden" in lines


def test_pagination_gives_the_same_rows_as_one_page(config, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    with fake_kolada() as (base, faults):
        faults.page_size = 97
        small, _ = run_refresh(config, a, base)
        pages = len(faults.log)
        faults.page_size = None
        faults.log.clear()
        big, _ = run_refresh(config, b, base)
        assert pages > len(faults.log)
    assert len(small.observations) == len(big.observations)


def test_server_errors_are_retried(config, cache_dir):
    with fake_kolada() as (base, faults):
        faults.fail_500 = 2
        cache, _ = run_refresh(config, cache_dir, base)
        assert [s for _, _, s in faults.log].count(500) == 2
    assert value(cache, "N15428", "1780", 2022) == [pytest.approx(89.12601626)]


def test_429_waits_for_retry_after(config, cache_dir):
    with fake_kolada() as (base, faults):
        faults.rate_limit, faults.retry_after = 1, 1
        run_refresh(config, cache_dir, base)
        log = faults.log
    i = next(i for i, (_, _, s) in enumerate(log) if s == 429)
    assert log[i + 1][0] - log[i][0] >= 0.9  # waited as told, not just the backoff
    assert log[i + 1][1] == log[i][1]


def test_slow_server_times_out_and_leaves_the_cache_intact(config, cache_dir):
    before = load_cache(cache_dir).data_version
    with fake_kolada() as (base, faults):
        faults.slow_seconds = 1.5
        with pytest.raises(KoladaError, match="svarade inte inom|svarar inte"):
            run_refresh(config, cache_dir, base, timeout=0.3, retries=1)
    assert load_cache(cache_dir).data_version == before
    assert not list(cache_dir.parent.glob("cache.tmp-*"))


def test_truncated_json_is_retried_then_reported(config, cache_dir):
    with fake_kolada() as (base, faults):
        faults.truncate = 1
        cache, _ = run_refresh(config, cache_dir, base)
        assert value(cache, "N15428", "1780", 2022)
    before = load_cache(cache_dir).data_version
    with fake_kolada() as (base, faults):
        faults.truncate = 100
        with pytest.raises(KoladaError, match="trasigt svar"):
            run_refresh(config, cache_dir, base)
    assert load_cache(cache_dir).data_version == before


def test_vanished_kpi_is_reported_and_keeps_its_last_data(config, cache_dir):
    with fake_kolada() as (base, faults):
        run_refresh(config, cache_dir, base)  # a real cache first
        faults.vanished = {"N15428"}
        faults.empty_years = set(range(2010, 2030))  # and Kolada no longer serves its values
        cache, report = run_refresh(config, cache_dir, base)
    assert "N15428" in report.vanished
    assert any("N15428 finns inte längre" in w for w in cache.manifest["warnings"])
    assert value(cache, "N15428", "1780", 2022) == [pytest.approx(89.12601626)]  # last data kept
    assert bool(cache.indicator("N15428")["ended"])


def test_unpublished_year_is_not_an_error(config, cache_dir):
    with fake_kolada() as (base, faults):
        faults.empty_years = {2022}
        cache, report = run_refresh(config, cache_dir, base)
    assert report.years_per_indicator["N15428"][1] == 2021
    assert value(cache, "N15428", "1780", 2022) == []


def test_next_url_loop_is_detected(config, cache_dir):
    before = load_cache(cache_dir).data_version
    with fake_kolada() as (base, faults):
        faults.loop = True
        with pytest.raises(KoladaError, match="slinga"):
            run_refresh(config, cache_dir, base)
    assert load_cache(cache_dir).data_version == before


def test_deleted_entries_are_dropped(config, cache_dir):
    with fake_kolada() as (base, faults):
        faults.deleted = {("N15428", 2022, "1780")}
        cache, report = run_refresh(config, cache_dir, base)
    assert value(cache, "N15428", "1780", 2022) == [] and report.dropped_deleted == 3


def test_network_down_leaves_the_cache_intact(config, cache_dir):
    before = load_cache(cache_dir).data_version
    with fake_kolada() as (base, faults):
        faults.down = True
        with pytest.raises(KoladaError):
            run_refresh(config, cache_dir, base)
    assert load_cache(cache_dir).data_version == before


def test_comma_lists_never_exceed_25_ids():
    assert [len(c) for c in chunks([f"N{i:05d}" for i in range(60)])] == [25, 25, 10]
    with fake_kolada() as (base, faults):
        items = list(client(base).data([f"N{i:05d}" for i in range(40)] + ["N15428"], ["1780"], [2022]))
        assert items and all(s == 200 for _, _, s in faults.log)


def test_at_most_five_requests_per_second():
    """Kolada's politeness rule, on the client's own clock. A fake clock that only moves when the
    client waits: the test checks the rule, and a slow or loaded machine cannot fail it (the
    server's arrival times did, once, at 0,136 s)."""
    now = [1000.0]
    sent = []
    with fake_kolada() as (base, faults):
        c = KoladaClient(base, timeout=30, retries=1, backoff=0.01, on_request=lambda url: sent.append(now[0]))
        c.clock = lambda: now[0]
        c.sleep = lambda seconds: now.__setitem__(0, now[0] + seconds)
        for code in ("1780", "1781", "1782"):
            list(c.data(["N15428"], [code], [2022]))
        assert len(faults.log) == 3
    assert len(sent) == 3 and min(np.diff(sent)) >= 0.2 - 1e-9


def _refresh_process(cache_dir, base):
    """The refresh command, running for a with-block (and killed with its group afterwards)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return started([sys.executable, "-m", "nyap", "--cache", str(cache_dir), "refresh", "--base-url", base],
                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_requests(faults, n: int, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while len(faults.log) < n and time.monotonic() < deadline:
        time.sleep(0.05)


def test_kill_9_mid_refresh_leaves_the_old_cache_and_the_app_runs(cache_dir):
    before = load_cache(cache_dir).data_version
    with fake_kolada() as (base, faults):
        faults.slow_seconds = 0.3
        with _refresh_process(cache_dir, base) as proc:
            _wait_for_requests(faults, 4)
            assert proc.poll() is None, proc.communicate()
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=GENEROUS)
    cache = load_cache(cache_dir)
    assert cache.data_version == before and cache.is_demo


def test_ctrl_c_mid_refresh_says_so_and_changes_nothing(cache_dir):
    before = load_cache(cache_dir).data_version
    with fake_kolada() as (base, faults):
        faults.slow_seconds = 0.3
        with _refresh_process(cache_dir, base) as proc:
            _wait_for_requests(faults, 3)
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=GENEROUS)  # a loaded machine is slow, not wrong
    assert proc.returncode == 130 and "Den gamla cachen är orörd" in err and "Traceback" not in err
    assert load_cache(cache_dir).data_version == before


def test_cli_refresh_prints_progress_and_summary(cache_dir):
    with fake_kolada() as (base, _):
        with _refresh_process(cache_dir, base) as proc:
            out, err = proc.communicate(timeout=GENEROUS)
    assert proc.returncode == 0, err
    assert "Hämtar data N15428" in err and "[" in err  # progress bar
    assert "N15428" in out and "Klart:" in out and "Utan värden" in out


def test_end_to_end_the_app_shows_the_real_figure(config, cache_dir, monkeypatch):
    from .apptest_helpers import assert_clean, chart_spec, charts, open_app, page_text

    with fake_kolada() as (base, _):
        run_refresh(config, cache_dir, base)
    monkeypatch.setenv("NYAP_CACHE_DIR", str(cache_dir))
    at = open_app("Ungdomslivet", {"kommun": "1780", "ar": "2022", "mal": "behorighet"})
    assert_clean(at)
    text = page_text(at)
    assert "89,1\u00a0%" in text  # Karlstad, N15428, 2022, Totalt
    assert not any("Demodata" in w.value for w in at.warning)  # the demo notice is gone
    # the source line, set as text above the chart
    source = chart_spec(charts(at)[0])["usermeta"]["notes"][0]
    assert source.startswith("Källa: Kolada (N15428)") and "DEMODATA" not in source
    # goals whose KPIs have no values still count, as "utan data"
    overview = open_app("Översikt", {"ar": "2022"})
    assert_clean(overview)
    assert "av 24 mål rör sig åt rätt håll i länet" in page_text(overview)
    assert "utan data" in page_text(overview)


def test_connection_cut_mid_body_is_retried_then_reported(config, cache_dir):
    with fake_kolada() as (base, faults):
        faults.cut_connection = 1
        cache, _ = run_refresh(config, cache_dir, base)
        assert value(cache, "N15428", "1780", 2022)
    before = load_cache(cache_dir).data_version
    with fake_kolada() as (base, faults):
        faults.cut_connection = 100
        with pytest.raises(KoladaError, match="svaret avbröts"):
            run_refresh(config, cache_dir, base)
    assert load_cache(cache_dir).data_version == before


def test_a_real_survey_import_survives_a_refresh_of_the_demo_cache(config, cache_dir, tmp_path):
    from nyap.ingest.livhalsa import import_extract

    extract = tmp_path / "lh2022.csv"
    extract.write_text("indikator;omrade_kod;ar;kon;aldersgrupp;andel;ki_nedre;ki_ovre;antal_svar\n"
                       "U01405;1780;2022;T;18-84;71,4;69,9;72,9;3500\nU01405;1780;2017;T;18-84;72,0;70,5;73,5;3300\n",
                       encoding="utf-8")
    cache, report = import_extract(extract, cache_dir, config)
    assert cache.is_demo and cache.demo_sources == {"kolada", "regional"}  # demo survey rows are gone
    assert len(cache.observations[cache.observations["source"] == "livhalsa"]) == 2
    with fake_kolada() as (base, _):
        cache, _ = run_refresh(config, cache_dir, base)
    assert not cache.is_demo
    lh = cache.observations[cache.observations["source"] == "livhalsa"]
    assert sorted(lh["value"]) == [71.4, 72.0]
    assert "regional" not in set(cache.observations["source"].astype(str))  # demo regional rows dropped
    assert any(s.get("file") == "lh2022.csv" for s in cache.manifest["sources"])


def test_a_refused_group_id_only_costs_the_group(config, cache_dir):
    with fake_kolada() as (base, faults):
        faults.reject_groups = True
        cache, report = run_refresh(config, cache_dir, base)
    assert value(cache, "N15428", "1780", 2022) == [pytest.approx(89.12601626)]
    assert any("G33624 kunde inte hämtas" in w for w in report.warnings)


def test_an_ended_or_vanished_kpi_without_values_is_not_said_to_show_latest_data(config, real_cache_dir):
    """The refresh summary says "målet visar senaste data" only for a KPI that has values. The
    patient-survey KPIs (U71455 …) ended in 2024 and have no values for the county's areas: the
    summary says they have none, as "Om data" does."""
    import re

    cache = load_cache(real_cache_dir)
    warnings = cache.manifest["warnings"]
    about = [w for w in warnings if re.match(r"^[A-Z]\d{5} (finns inte längre|är en avslutad serie)", w)]
    assert any(w.startswith("U71455 är en avslutad serie") for w in about)
    checked = 0
    for w in about:
        kpi = w.split()[0]
        has_values = bool(cache.observations.loc[cache.observations["indicator_id"] == kpi, "value"].notna().any())
        assert ("visar senaste data" in w) == has_values, w
        checked += not has_values
    assert checked  # at least one KPI without values was said to have none
