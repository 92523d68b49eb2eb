"""Honest displays on real Kolada figures (tests/fixtures/kolada, replayed by the fake server):
gaps stay gaps, statuses say why, captions name what is drawn, the county's own mean shows its
coverage, and the refresh report tells the truth."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from nyap.data.cache import Cache
from nyap.present.catalogue import indicator_catalogue
from nyap.present.charts import municipalities_chart, trend_chart
from nyap.rules.goal_arithmetic import COMPUTED_MEAN_CODE, evaluate_goal, goal_values
from nyap.rules.goals import GoalPeriod
from nyap.present.status import coverage_text, coverage_warning, status_label, status_reason
from nyap.serving.store import ResultStore
from nyap.present.tables import status_html
from nyap.present.views import all_focus_items, caveats, source_line

from .fake_kolada import Faults, refresh_from_fake

NAMES = {"1780": "Karlstad", "1760": "Storfors", "1715": "Kil", "1730": "Eda", "1784": "Arvika"}


def _refresh(config, target, faults: Faults | None = None):
    return refresh_from_fake(config, target, faults)


@pytest.fixture(scope="module")
def real(config, real_refresh):
    _, cache, report = real_refresh  # the session's refresh (read only here)
    return cache, report, ResultStore(cache, config)


def _item(config, key):
    return next(i for i in all_focus_items(config) if i.key == key)


def _spec_rows(result, name_contains: str = "") -> list[dict]:
    rows = []
    for frame in result.data.values():
        rows += frame.to_dict("records")
    return rows


def _own_rows(result) -> list[dict]:
    """The highlighted line's rows (tests/apptest_helpers.highlighted)."""
    from .apptest_helpers import highlighted

    return [r for frame in result.data.values() for r in highlighted(frame, result.layout).to_dict("records")]


# ------------------------------------------------------------------ 1. gaps

def test_a_real_null_year_breaks_the_line_and_an_absent_entry_does_too(real, config):
    cache, _, store = real
    view = store.goal_view(_item(config, "stillasittande"), 2022)
    # Kil (1715) has Kolada's explicit null for U01425 in 2020
    chart = trend_chart(view, "1715", ("T",), NAMES, "Källa", False)
    kil = _own_rows(chart)
    by_year = {int(r["year"]): r["value"] for r in kil}
    assert 2020 in by_year and by_year[2020] is None or np.isnan(by_year[2020])
    line = next(layer for layer in chart.layout["layer"] if layer["mark"]["type"] == "line"
                and "strokeDash" in layer.get("encoding", {}))
    assert line["mark"]["invalid"] == "break-paths-show-domains"

    # the same year absent from Kolada's answer (no entry at all) is still a gap: other areas
    # were published that year
    obs = cache.observations
    absent = obs[~((obs["indicator_id"] == "U01425") & (obs["area_code"] == "1715") & (obs["year"] == 2020))]
    store2 = ResultStore(Cache(absent.reset_index(drop=True), cache.indicators, cache.areas, cache.manifest), config)
    view2 = store2.goal_view(_item(config, "stillasittande"), 2022)
    chart2 = trend_chart(view2, "1715", ("T",), NAMES, "Källa", False)
    kil2 = {int(r["year"]): r["value"] for r in _own_rows(chart2)}
    assert 2020 in kil2 and (kil2[2020] is None or np.isnan(kil2[2020]))
    # the points on either side are still there
    assert kil2[2018] is not None and kil2[2021] is not None


def test_years_nobody_published_are_not_gaps(real, config):
    _, _, store = real
    view = store.goal_view(_item(config, "stillasittande"), 2022)
    chart = trend_chart(view, "1780", ("T",), NAMES, "Källa", False)
    years = {int(r["year"]) for r in _own_rows(chart)}
    # U01425 has no 2019 round for anyone: the line joins 2018 and 2020, no empty 2019 row
    assert 2019 not in years and {2018, 2020} <= years


def test_the_baseline_marker_never_widens_a_short_series(real, config):
    _, _, store = real
    view = store.goal_view(_item(config, "stillasittande"), 2022)  # starts 2018, baseline 2017
    chart = trend_chart(view, "1780", ("T",), NAMES, "Källa", False)
    x_scales = [layer["encoding"]["x"].get("scale", {}) for layer in chart.layout["layer"]
                if "x" in layer.get("encoding", {}) and "scale" in layer["encoding"]["x"]]
    low, high = x_scales[0]["domain"]
    assert low <= 2017 <= high and high - low < 8


# ------------------------------------------------------------------ 2. statuses say why

def test_a_share_at_100_percent_is_not_called_reached(real, config):
    """Storfors behörighet (N15428) was 100 % for girls in 2018 and again in 2020: with 2018 as
    baseline the goal cannot be reached by moving, and saying "Uppnått" would be false."""
    cache, _, _ = real
    goal = replace(config.goal("behorighet"), periods=(GoalPeriod(2018, 2022, 2.0),))
    values = goal_values(cache.observations, goal)
    values = values[values["area_code"] == "1760"]
    ev = evaluate_goal(values, goal, 2020).set_index("gender")
    assert ev.loc["K", "baseline"] == 100.0 and ev.loc["K", "latest"] == 100.0
    assert ev.loc["K", "status"] == "at_limit" and np.isnan(ev.loc["K", "remaining"])
    row = ev.loc["K"].to_dict()
    assert status_label(row, goal) == "Redan vid 100 %"
    assert "kan inte öka" in status_reason(row, goal, 2020)
    assert "kvar" not in status_html(row["status"], row["remaining"], False, label=status_label(row, goal))
    # and a fall from the ceiling is still the wrong way (Storfors girls 2022: 82,4 %)
    later = evaluate_goal(values, goal, 2022).set_index("gender")
    assert later.loc["K", "status"] == "wrong_way"


def test_no_baseline_is_not_no_data(real, config):
    """A series that starts after the baseline window has values but no baseline: the status
    says so, with the years searched (the chain-losing-its-baseline case of trygg5)."""
    cache, _, _ = real
    obs = cache.observations
    late = obs[~((obs["indicator_id"] == "N15428") & (obs["year"] < 2021))]
    goal = config.goal("behorighet")
    ev = evaluate_goal(goal_values(late, goal), goal, 2022)
    row = ev[(ev["area_code"] == "1780") & (ev["gender"] == "T")].iloc[0].to_dict()
    assert row["status"] == "no_data" and row["no_data_reason"] == "no_baseline"
    assert status_label(row, goal) == "Inget basvärde"
    assert "2015–2019" in status_reason(row, goal, 2022)
    before = evaluate_goal(goal_values(late, goal), goal, 2016)
    assert set(before["no_data_reason"]) == {"before_baseline"}


def test_remaining_never_reads_zero_before_the_goal_is_reached():
    assert "0,0 kvar" not in status_html("right_way", 0.02)
    assert "&lt; 0,1 kvar" in status_html("right_way", 0.02).replace("\u00a0", " ")
    assert "målet nått" in status_html("reached", 0.0)


# ------------------------------------------------------------------ 3. captions from what is drawn

def test_descriptions_and_legends_name_only_drawn_series(real, config):
    cache, _, store = real
    obs = cache.observations
    # the same real figures without the national series: nothing may mention Riket
    no_country = obs[~((obs["indicator_id"] == "U01425") & (obs["area_code"] == "0000"))].reset_index(drop=True)
    store2 = ResultStore(Cache(no_country, cache.indicators, cache.areas, cache.manifest), config)
    view = store2.goal_view(_item(config, "stillasittande"), 2022)
    for genders in (("T",), ("K", "M")):
        chart = trend_chart(view, "1780", genders, NAMES, "Källa", False)
        assert "riket" not in chart.alt_text.lower()
        assert "Riket" not in json.dumps(chart.layout)
    with_country = trend_chart(store.goal_view(_item(config, "stillasittande"), 2022), "1780", ("K", "M"),
                               NAMES, "Källa", False)
    assert "och riket" in with_country.alt_text and "Riket" in json.dumps(with_country.layout)
    bars = municipalities_chart(view, 2022, "1780", ("K", "M"), NAMES, "Källa", False)
    # with women and men, the highest and lowest are groups: the sex is named
    assert "(kvinnor)" in bars.alt_text or "(män)" in bars.alt_text
    assert "år år" not in bars.alt_text + chart.alt_text


# ------------------------------------------------------------------ 4. the county's own mean

def test_own_mean_shows_its_coverage_and_flags_a_change(real, config):
    """U21454 (hemtjänst) is K-type without G33624 in the extract: the county is our own mean,
    of 15 municipalities in 2017 and 16 in 2022 (Storfors' 2017 value is null)."""
    _, _, store = real
    view = store.goal_view(_item(config, "aldreomsorg"), 2022)
    assert view.reference_kind == "mean"
    ev = view.evaluation(COMPUTED_MEAN_CODE, "T")
    assert (int(ev["baseline_n_areas"]), int(ev["latest_n_areas"])) == (15, 16)
    assert coverage_text(ev, view.region.size) == "medel av 16 av 16 kommuner"
    assert "15 av 16 kommuner år 2017" in coverage_warning(ev, view.region.size)
    assert any("varierar mellan" in c for c in caveats(view))
    gap = store.goal_charts(view, "1780", ("T",), NAMES, source_line(view, False)).gap
    notes = gap.layout["usermeta"]["notes"]
    assert ("Länet (eget medel): Länets medel bygger på 15 av 16 kommuner år 2017 men 16 av 16 år 2022: läget bedöms "
            "på de 15 kommuner som har värden båda åren (eget medel).") in notes
    assert ev["matched_n_areas"] == 15 and bool(ev["matched"])
    assert "läget bedöms på de 15 kommuner som har värden båda åren" in " ".join(gap.layout["title"]["subtitle"])  # exported too
    trend = store.goal_charts(view, "1780", ("T",), NAMES, source_line(view, False)).trend
    assert "inte samma kommuner" in " ".join(trend.layout["title"]["subtitle"])


# ------------------------------------------------------------------ 5. the refresh report

def test_report_counts_values_and_explains_each_empty_kpi(config, tmp_path):
    faults = Faults()
    faults.nulled = {"N02797"}
    faults.years_of = {"N20402": (2010, 2019)}
    cache, report = _refresh(config, tmp_path / "cache", faults)
    raw = pd.read_csv(os.path.join(os.path.dirname(__file__), "fixtures", "kolada", "varmland_values_2024-08.csv"))
    u = raw[(raw["kpi"] == "U01425") & (raw["year"] >= 2010)]
    # U01425 has nulls: entries and values differ, and the report says values
    assert report.rows_per_indicator["U01425"] == len(u)
    assert report.values_per_indicator["U01425"] == int(u["value"].notna().sum()) < len(u)
    lines = "\n".join(report.summary_lines())
    assert "värden" in lines and "poster" in lines
    # why each KPI is empty
    assert "alla utan värde (null)" in report.empty_reasons["N02797"]
    assert "finns inte i Koladas katalog" in report.empty_reasons["N15557"]
    # N33871 (placerade) is in Kolada's catalogue but not in the extract: no entries at all
    assert "utan poster" in report.empty_reasons["N33871"]
    assert "N02797: " in lines
    # an ended series from its last year with data, not only from its title
    assert report.ended["N20402"] == 2019
    assert any("N20402: senaste värdet är från 2019" in w for w in report.warnings)
    assert bool(cache.indicator("N20402")["ended"])
    # Om data lists the KPI without values and why
    catalogue = indicator_catalogue(cache, config)
    row = catalogue[catalogue["Id"] == "N02797"].iloc[0]
    assert "alla utan värde" in row["Anmärkningar"]
    assert set(config.kolada_ids()) <= set(catalogue["Id"])
    # and the goal page's caveat says when the series ended
    store = ResultStore(cache, config)
    view = store.goal_view(_item(config, "fallskador"), 2022)
    assert any("senaste värdet är från 2019" in c for c in caveats(view))


def test_a_chain_that_loses_its_baseline_is_warned_per_goal(config, tmp_path):
    faults = Faults()
    faults.years_of = {"N15428": (2021, 2024)}
    cache, report = _refresh(config, tmp_path / "cache", faults)
    assert any("'behorighet'" in w and "saknar basvärde" in w and "2015–2019" in w for w in report.warnings)
    view = ResultStore(cache, config).goal_view(_item(config, "behorighet"), 2022)
    assert any("Inget område har ett basvärde" in c for c in caveats(view))
    # a KPI without any value is not called "an ended series whose latest value is shown"
    trygg = ResultStore(cache, config).goal_view(_item(config, "trygg5"), 2022)
    assert not any("senaste värdet visas" in c for c in caveats(trygg))


def test_goal_gap_csv_is_numbers_excel_can_compute_with(real, config):
    """Issue 12's CSV points that the goal-gap table decides: numeric change with an ordinary
    minus, area and sex in their own columns, the area's code, and (for real data) a source line."""
    from nyap.present.export import table_csv

    _, _, store = real
    view = store.goal_view(_item(config, "behorighet"), 2022)
    gap = store.goal_charts(view, "1780", ("K", "M"), NAMES, source_line(view, False, "2026-11-23")).gap
    t = gap.table
    assert {"Kod", "Område", "Kön", "Förändring"} <= set(t.columns)
    assert pd.api.types.is_float_dtype(t["Förändring"]) and pd.api.types.is_float_dtype(t["Basvärde"])
    karlstad = t[(t["Kod"] == "1780") & (t["Kön"] == "Kvinnor")].iloc[0]
    assert karlstad["Område"] == "Karlstad"
    text = table_csv(t, gap.layout["usermeta"]["notes"][0]).decode("utf-8-sig")
    first, header = text.splitlines()[:2]
    assert first.startswith("# Källa: Kolada (N15428), hämtad 2026-11-23")
    assert header.startswith("Kod;Område;Kön;Basår;Basvärde")
    assert "\u2212" not in text  # Excel reads "-1,5", not "−1,5"
    assert any(line.startswith("1780;Karlstad;Kvinnor;2017;") for line in text.splitlines())
