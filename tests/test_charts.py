"""Chart specs: Swedish locale inside the spec, titles, units, source lines, colours, alt text."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from nyap import DEFAULT_GOALS_FILE
from nyap.rules.goals import load_goals
from nyap.present.charts import goal_gap_chart, municipalities_chart, trend_chart
from nyap.present.export import chart_png, chart_svg, table_csv
from nyap.present.formatting import (
    COUNTRY_COLOUR, COUNTY_COLOUR, GENDER_COLOURS, HIGHLIGHT, STATUS_STYLE, contrast_ratio, fmt_number,
    fmt_signed,
)
from nyap.present.views import all_focus_items, goal_view, source_line

NAMES = load_goals(DEFAULT_GOALS_FILE).region.names()


@pytest.fixture(scope="module")
def items(config):
    return {i.key: i for i in all_focus_items(config)}


def build(demo_cache, config, item, area="1780", genders=("T",), year=2022, demo=True, age=None):
    view = goal_view(demo_cache, config, item, year, age)
    src = source_line(view, demo)
    return view, [
        trend_chart(view, area, genders, NAMES, src, demo),
        municipalities_chart(view, year, area, genders, NAMES, src, demo),
        goal_gap_chart(view, area, genders, NAMES, src, demo),
    ]


def test_swedish_locale_titles_units_and_demo_label(demo_cache, config, items):
    _, results = build(demo_cache, config, items["behorighet"])
    for r in results:
        spec = r.spec
        assert spec["config"]["locale"]["number"]["decimal"] == ","
        assert spec["config"]["locale"]["time"]["months"][0] == "januari"  # lowercase Swedish
        assert spec["title"]["text"]
        assert "DEMODATA" in " ".join(spec["title"]["subtitle"])
        assert r.alt_text and "behöriga" in r.alt_text
    trend = json.dumps(results[0].spec)
    assert '"title": "Andel (%)"' in trend and '"title": "\\u00c5r"' in trend or '"title": "År"' in trend


def test_source_line_only_attributes_kolada_numbers_to_kolada(demo_cache, config, items):
    view, _ = build(demo_cache, config, items["behorighet"])
    assert source_line(view, is_demo=False) .startswith("Källa: Kolada (N15428)")
    view_mean, _ = build(demo_cache, config, items["placerade"])
    line = source_line(view_mean, is_demo=False)
    assert "egen beräkning" in line and view_mean.reference_kind == "mean"
    survey, _ = build(demo_cache, config, items["god_halsa"])
    assert source_line(survey, is_demo=False).startswith("Källa: Liv & Hälsa")
    assert "Kolada" not in source_line(survey, is_demo=False)
    assert source_line(view, is_demo=True).startswith("DEMODATA")


def test_palette_passes_3_to_1_against_white():
    for colour in [HIGHLIGHT, COUNTY_COLOUR, COUNTRY_COLOUR, *GENDER_COLOURS.values()]:
        assert contrast_ratio(colour) >= 3.0, colour
    for key, (_, colour, _) in STATUS_STYLE.items():
        assert contrast_ratio(colour) >= 3.0, key


def test_series_break_is_marked_and_lines_split(demo_cache, config, items):
    view, (trend, *_) = build(demo_cache, config, items["trygg5"], year=2024)
    assert view.series_breaks == [2022]
    spec = json.dumps(trend.spec)
    assert "Seriebrott" in spec and "series_id" in spec


def test_survey_chart_has_intervals_and_suppressed_marks(demo_cache, config, items):
    view, (trend, bars, gap) = build(demo_cache, config, items["god_halsa"], area="1762", genders=("K", "M"),
                                     age="65-84")
    assert view.has_ci and view.age_group == "65-84"
    spec = trend.spec
    assert "ci_low" in json.dumps(spec)
    munkfors = bars.table[bars.table["Område"] == "Munkfors"]
    assert set(munkfors["Värde (%)"]) == {".."}
    assert set(munkfors["KI nedre"]) == {".."} and (munkfors["Anmärkning"] != "").all()
    # the suppressed value is nowhere in the chart's data
    hidden = view.values[view.values["suppressed"] & (view.values["area_code"] == "1762")]
    assert hidden["value"].isna().all()


def test_l_type_goal_has_no_municipality_chart(demo_cache, config, items):
    view, (trend, bars, gap) = build(demo_cache, config, items["karies"])
    assert not view.has_municipalities and bars is None
    assert "Region Värmland" in " ".join(trend.spec["title"]["text"])


def test_direction_only_goal_has_no_target(demo_cache, config, items):
    view, (trend, bars, gap) = build(demo_cache, config, items["sjalvmord"], area="0017")
    assert "Mål " not in json.dumps(trend.spec)


def test_png_export_carries_the_demo_label(demo_cache, config, items):
    _, (trend, *_) = build(demo_cache, config, items["behorighet"])
    png = chart_png(trend.spec, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert "DEMODATA" in trend.spec["title"]["subtitle"][0]


def test_csv_is_swedish_excel_and_labelled_demo(demo_cache, config, items):
    _, (trend, *_) = build(demo_cache, config, items["behorighet"])
    raw = table_csv(trend.table, "DEMODATA").decode("utf-8-sig")
    assert raw.startswith("# DEMODATA") and ";" in raw.splitlines()[1]
    assert "," in raw.splitlines()[2]  # decimal comma


def test_swedish_number_format():
    assert fmt_number(89.126) == "89,1"
    assert fmt_number(6315.9) == "6\u00a0315,9"
    assert fmt_number(float("nan")) == "–"
    assert fmt_signed(2.04) == "+2,0" and fmt_signed(-0.5) == "\u22120,5"


def test_a_missing_year_is_a_gap_in_every_line_on_real_figures(config, demo_cache, real_observations, items):
    """Real Kolada: stillasittande (U01425) in Kil has values for 2018 and 2021 and null for 2020.
    The null stays in the line data (the line breaks there), no point is drawn for it, and the
    grey lines of the other municipalities break the same way."""
    from nyap.data.cache import Cache

    cache = Cache(real_observations, demo_cache.indicators, demo_cache.areas, {"demo": False})
    view = goal_view(cache, config, items["stillasittande"], 2022)
    result = trend_chart(view, "1715", ("T",), NAMES, source_line(view, False), False)
    spec = result.spec
    kil = [r for rows in spec["datasets"].values() for r in rows if r.get("name") == "Kil"]
    by_year = {r["year"]: r["value"] for r in kil}
    assert by_year[2018] is not None and by_year[2021] is not None and by_year[2020] is None
    lines = [layer for layer in spec["layer"] if (layer.get("mark") or {}).get("type") == "line"]
    assert lines and all(layer["mark"].get("invalid") == "break-paths-show-domains" for layer in lines)
    # the baseline marker is inside the axis even when the series starts later
    domain = next(layer["encoding"]["x"]["scale"]["domain"] for layer in spec["layer"]
                  if "scale" in layer.get("encoding", {}).get("x", {}))
    assert domain[0] <= view.goal.period_for(2022).baseline_year <= domain[1]


def test_remaining_distance_never_rounds_to_zero_before_the_goal_is_reached(config, real_observations):
    """Real Kolada: Karlstad (1780), behörighet, women, as of 2018: 0,04 percentage points left."""
    from nyap.present.formatting import fmt_remaining
    from nyap.rules.goal_arithmetic import evaluate_one, goal_values
    from nyap.present.tables import status_html

    goal = next(g for g in config.goals if g.id == "behorighet")
    ev = evaluate_one(goal_values(real_observations, goal), goal, 2018, "1780", "K")
    assert ev.status != "reached" and 0 < ev.remaining < 0.05
    assert "0,0 kvar" not in status_html(ev.status, ev.remaining)
    assert "&lt;\u00a00,1 kvar" in status_html(ev.status, ev.remaining)  # "< 0,1", HTML-escaped
    assert fmt_remaining(0.0) == "0,0" and fmt_remaining(0.04) == "<\u00a00,1" and fmt_remaining(0.05) == "0,1"


def test_goal_gap_rows_from_an_older_year_carry_that_year(config, demo_cache, items):
    """Real Kolada (U23505): Forshaga's latest value is from 2019, Torsby's from 2020. In the 2022
    goal-gap chart their statuses say so ("Uppnått (2019)"), the caption explains the year, and
    the title names the years of the latest values; rows from 2022 carry no year."""
    from .full_extract import full_cache

    cache = full_cache(demo_cache)
    view = goal_view(cache, config, items["aldreomsorg.2"], 2022)
    result = goal_gap_chart(view, "1715", ("T",), NAMES, source_line(view, False), False)
    rows = {r["name"]: r for rows in result.spec["datasets"].values() for r in rows if "status_text" in r}
    forshaga = view.evaluation("1763", "T")
    assert rows["Forshaga"]["status_text"] == f"{STATUS_STYLE[forshaga['status']][2]} (2019)"
    assert rows["Torsby"]["status_text"].endswith("(2020)")
    assert rows["Eda"]["status_text"] == STATUS_STYLE[view.evaluation("1730", "T")["status"]][2]
    table = result.table.set_index("Område")
    assert table.loc["Forshaga", "Status"].endswith("(2019)") and table.loc["Forshaga", "Senaste år"] == 2019
    subtitle = " ".join(result.spec["title"]["subtitle"])
    assert "inte från 2022" in subtitle and "2019" in subtitle
    assert "senaste 2018–2022" in result.spec["title"]["text"][-1]


def test_every_exported_chart_names_the_year_of_its_figures(config, demo_cache, items):
    """Title lines of the trend, all-municipalities, goal-gap and map charts (an exported image
    carries its title): the tobacco goal's figures end in 2021, and each chart says 2021."""
    from nyap.data.geometry import county_features
    from nyap.present.charts import map_chart

    from .full_extract import full_cache

    view = goal_view(full_cache(demo_cache), config, items["tobaksrok"], 2022)
    src = source_line(view, False, "2024-08-30")
    charts = {"trend": trend_chart(view, "1715", ("T",), NAMES, src, False),
              "kommuner": municipalities_chart(view, 2022, "1715", ("T",), NAMES, src, False),
              "malgap": goal_gap_chart(view, "1715", ("T",), NAMES, src, False),
              "karta": map_chart(view, 2022, "1715", "T", NAMES, src, False, county_features("0017"), "status")}
    for name, result in charts.items():
        last_line = result.spec["title"]["text"][-1]
        assert "2021" in last_line, (name, last_line)
    assert re.search(r"över tid 20\d\d–2021$", charts["trend"].spec["title"]["text"][-1])
    svg = chart_svg(charts["malgap"].spec)
    assert "senaste 2021" in svg


def _params(result) -> dict:
    return {p["name"]: p["value"] for p in result.layout.get("params", [])}


def test_another_municipality_reuses_the_bars_and_the_goal_gap_and_marks_it(config, default_cache):
    """On real figures: the bars and the goal gap are drawn once per goal view; choosing another
    municipality only sets which row is marked (the same rows, the same Arrow bytes), and the
    marked row is that municipality's, or the county's in the county view."""
    from nyap.serving.store import ResultStore

    store = ResultStore(default_cache, config)
    view = store.goal_view(store.items["behorighet"], 2022)
    src = source_line(view, False)
    kil = store.goal_charts(view, "1715", ("T",), NAMES, src)
    torsby = store.goal_charts(view, "1737", ("T",), NAMES, src)
    county = store.goal_charts(view, "0017", ("K", "M"), NAMES, src)
    for a, b in ((kil.bars, torsby.bars), (kil.gap, torsby.gap)):
        assert a.data is b.data and a.table is b.table  # built once, shared
        assert a.prepared["shared"] is b.prepared["shared"]
    assert _params(kil.bars) == {"nyap_chosen": "1715", "nyap_chosen_name": "Kil"}
    assert _params(torsby.gap) == {"nyap_chosen": "1737", "nyap_chosen_name": "Torsby"}
    assert _params(county.gap) == {"nyap_chosen": view.reference_code, "nyap_chosen_name": view.short_reference_label}
    assert _params(county.bars)["nyap_chosen_name"] == ""  # the county has no bar of its own
    # the bar colour and the shaded row follow the parameter, not a column per municipality
    spec = json.dumps(kil.bars.layout)
    assert "datum.area_code === nyap_chosen" in spec and "chosen" not in set(kil.bars.data[next(iter(kil.bars.data))])
    # Kil's own bar is there, with Kil's real 2022 value (80,1 % behöriga, Kolada N15428)
    bars = pd.concat(kil.bars.data.values())
    assert round(float(bars.loc[bars["area_code"] == "1715", "value"].iloc[0]), 1) == 80.1


def test_the_goal_gap_names_the_chosen_municipality_first_when_it_has_no_comparison(config, default_cache):
    """Real figures: where several municipalities lack a comparison, the chosen one is named first
    in that list (its absence from the chart is explained), from the same shared chart."""
    from nyap.serving.store import ResultStore

    store = ResultStore(default_cache, config)
    codes = {name: code for code, name in NAMES.items()}
    for item in store.items.values():
        view = store.goal_view(item, 2022)
        if not view.has_municipalities:
            continue
        county = goal_gap_chart(view, "0017", ("T",), NAMES, "Källa", False)
        lists = [n.split(": ", 1)[1].rstrip(".").split(", ") for n in (county.layout["usermeta"]["notes"] if county else [])
                 if n.startswith("Ingen jämförelse")]
        lists = [names for names in lists if len(names) > 1 and names[-1] in codes]
        if not lists:
            continue
        last = lists[0][-1]
        chosen = goal_gap_chart(view, codes[last], ("T",), NAMES, "Källa", False)
        line = next(n for n in chosen.layout["usermeta"]["notes"] if n.startswith("Ingen jämförelse") and last in n)
        assert line.split(": ", 1)[1].startswith(last), line
        assert last in " ".join(chosen.layout["title"]["subtitle"])  # the exported image says it too
        assert chosen.data is county.data
        return
    pytest.skip("no goal with two municipalities lacking a comparison in 2022")
