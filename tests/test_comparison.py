"""The profile that compares: rank among the county's municipalities (direction-aware), the
difference to the county in words, and the profile's sorting and filtering."""

from __future__ import annotations


from nyap.present.tables import profile_html, profile_rows
from nyap.rules.comparison import ranks_in_year, versus_county
from nyap.serving.page_registry import page_for_challenge
from nyap.serving.store import ResultStore


def _ranks(values: dict[str, float | None], goal, year: int = 2022) -> dict[str, str]:
    import pandas as pd

    frame = pd.DataFrame({"area_code": list(values), "gender": "T", "age_group": "", "year": year,
                          "value": [float("nan") if v is None else v for v in values.values()]})
    out = ranks_in_year(frame, list(values), goal.sign)
    return {a: f"{r} av {n}" for a, r, n in zip(out["area_code"], out["rank"], out["rank_n"])}


def test_for_a_goal_that_shall_decrease_the_lowest_value_ranks_first(config):
    smoke = config.goal("tobaksrok")  # fewer children exposed to smoke: lower is better
    assert smoke.sign < 0
    latest = {"1715": 4.0, "1780": 6.5, "1782": 9.1, "1784": None}
    ranks = _ranks(latest, smoke)
    assert ranks["1715"] == "1 av 3" and ranks["1782"] == "3 av 3"
    assert "1784" not in ranks  # missing is not ranked (never 0)
    school = config.goal("behorighet")  # more pupils eligible: higher is better
    assert _ranks(latest, school)["1782"] == "1 av 3"
    tied = _ranks({"a": 5.0, "b": 5.0, "c": 7.0}, smoke)
    assert tied["b"] == "1 av 3" and tied["c"] == "3 av 3"
    # ties at the precision the page shows: 33,333333 and 33,33333333 both read 33,3
    shown_tie = _ranks({"a": 33.333333, "b": 33.33333333, "c": 10.0}, school)
    assert shown_tie["a"] == shown_tie["b"] == "1 av 3"


def test_better_or_worse_than_the_county_follows_the_goals_direction(config):
    smoke = config.goal("tobaksrok")
    assert versus_county(4.0, 6.0, smoke, 2022) == (-2.0, "bättre")
    assert versus_county(8.0, 6.0, smoke, 2022) == (2.0, "sämre")
    assert versus_county(6.05, 6.0, smoke, 2022)[1] == "som länet"  # within the goal's tolerance
    assert versus_county(None, 6.0, smoke, 2022) == (None, "")


def test_real_ranks_of_behorighet_in_the_profile(config, real_cache_dir):
    """Real Kolada N15428 2022 (tests/fixtures/kolada): Storfors highest, so rank 1 of 16."""
    from nyap.data.cache import load_cache

    store = ResultStore(load_cache(real_cache_dir), config)
    ev = store.overview_evaluations(2022)
    rows = {r.item.key: r for r in profile_rows(config, ev, "1760", ("T",), 2022)}
    latest = {c: ev.row("behorighet", "", c, "T", "Ungdomslivet").get("current") for c in config.region.municipalities}
    expected = 1 + sum(1 for v in latest.values() if v > latest["1760"])
    assert rows["behorighet"].rank.text == f"{expected} av 16"


def test_the_profile_sorts_and_filters(config, demo_cache):
    store = ResultStore(demo_cache, config)
    year = max(store.years)
    ev = store.overview_evaluations(year)
    worst = profile_rows(config, ev, "1715", ("T",), year, order="worst")
    order = ("wrong_way", "unchanged", "break", "at_limit", "right_way", "reached", "no_data")
    keys = [order.index("no_data" if r.own is None else r.own["status"]) for r in worst]
    assert keys == sorted(keys) and keys[0] == 0
    wrong = profile_rows(config, ev, "1715", ("T",), year, statuses=frozenset({"wrong_way"}))
    assert wrong and all(r.own["status"] == "wrong_way" for r in wrong)
    only = profile_rows(config, ev, "1715", ("T",), year, challenge="Äldrelivet")
    assert {r.challenge for r in only} == {"Äldrelivet"}
    km = profile_html(config, ev, "1715", "Kil", ("K", "M"), {}, page_for_challenge(config), year)
    assert "Kvinnor − män" in km and km.count("– kvinnor") == km.count("– män") > 10  # side by side in one table


def test_compared_municipalities_are_drawn_and_named(config, demo_cache):
    import json

    from nyap.present.views import source_line

    store = ResultStore(demo_cache, config)
    year = max(store.years)
    view = store.goal_view(store.items["behorighet"], year)
    names = store.region.names()
    charts = store.goal_charts(view, "1715", ("T",), names, source_line(view, True), ("1780", "1782"))
    spec = json.dumps(charts.trend.layout, ensure_ascii=False)
    for code in ("1780", "1782"):
        assert f'"{names[code]}"' in spec  # in the legend's domain, with its own colour
        drawn = set().union(*(set(f["name"]) for f in charts.trend.data.values() if "name" in f))
        assert names[code] in drawn
    bars = next(f for f in charts.bars.data.values() if "compared" in f)
    assert set(bars.loc[bars["compared"], "name"]) == {names["1780"], names["1782"]}
    # women and men side by side: colour means sex, so no extra lines (the page says so)
    km = store.goal_charts(view, "1715", ("K", "M"), names, source_line(view, True), ("1780",))
    assert f'"{names["1780"]}"' not in json.dumps(km.trend.layout, ensure_ascii=False)


def test_the_small_trend_line_breaks_at_a_missing_year_and_says_its_numbers():
    import base64

    from nyap.present.sparkline import sparkline

    uri, alt = sparkline([(2017, 70.0), (2018, 72.5), (2019, None), (2020, 75.0), (2021, 74.0)])
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert svg.count("<polyline") == 2  # two runs: 2017–2018 and 2020–2021, nothing drawn across 2019
    assert "<text" not in svg  # no text in the image: its words are the alt text
    assert alt == "Utveckling 2017–2021: 70,0 → 74,0, med luckor"
    assert sparkline([(2020, 1.0), (2021, None)]) is None  # one value is not a trend


def test_the_profile_shows_a_trend_line_per_goal(config, demo_cache):
    from nyap.present.tables import profile_html
    from nyap.serving.page_registry import page_for_challenge

    store = ResultStore(demo_cache, config)
    year = max(store.years)
    html = profile_html(config, store.overview_evaluations(year), "1715", "Kil", ("T",), {},
                        page_for_challenge(config), year, "goals", None, None,
                        trends=store.profile_trends(year, None, "1715", ("T",)))
    assert html.count('class="nyap-spark"') >= 15 and 'alt="Utveckling ' in html
