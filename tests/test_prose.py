"""The Swedish sentences about a goal come from one place (nyap/present/prose.py) for pages, tables and
charts: the aim for the period in force, the remaining distance, an area's key numbers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nyap.rules.goals import GoalPeriod
from nyap.present.prose import aim_sentence, aim_short, key_numbers, remaining_phrase


def test_the_aim_follows_the_period_in_force(config):
    goal = replace(config.goal("behorighet"), periods=(GoalPeriod(2017, 2022, 2.0), GoalPeriod(2023, 2030, 3.0)))
    assert aim_sentence(goal, 2022) == "Mål: öka med 2,0\u00a0procentenheter från 2017 till 2022."
    assert aim_sentence(goal, 2024) == "Mål: öka med 3,0\u00a0procentenheter från 2023 till 2030."
    # the compact list says the same period's change
    assert aim_short(goal, 2024) == "ökning med 3 procentenheter"
    life = config.goal("medellivslangd")
    assert not life.has_target and life.measured_by_sex
    assert aim_sentence(life, 2022).startswith("Mål: värdet ska öka över tid (ingen siffra)")


def test_remaining_words():
    assert remaining_phrase("right_way", 0.02, True) == "<\u00a00,1 kvar"
    assert remaining_phrase("reached", 0.0, True) == "målet nått"
    assert remaining_phrase("at_limit", float("nan"), True) == ""
    assert remaining_phrase("right_way", 1.0, False) == ""  # direction-only goals have no distance


def test_key_numbers_in_words(config):
    goal = config.goal("behorighet")
    ev = {"status": "wrong_way", "remaining": 2.5, "baseline": 89.2, "baseline_year": 2017, "latest": 88.0,
          "latest_year": 2022, "target": 91.2, "across_break": False, "uncertainty_rule": "tolerance"}
    k = key_numbers(goal, ev, "Karlstad", "K", 2022, 16)
    assert k.heading == "Karlstad – kvinnor" and k.status_label == "Rör sig åt fel håll" and k.remaining == "2,5 kvar"
    assert "Basvärde 89,2\u00a0% (2017) · senaste 88,0\u00a0% (2022)" in k.lines
    assert "Målvärde 91,2\u00a0%" in k.lines
    none = key_numbers(goal, None, "Kil", "T", 2022, 16)
    assert none.status == "no_data" and none.lines == ()


def test_a_tie_names_every_municipality_at_the_shown_precision(config, demo_cache, full_store):
    """Real Kolada (N00973, nyanlända i arbete eller studier, 2022): Hammarö and Torsby both read
    0,0. "lägst: Torsby (0,0)" would single out one of them; both are named, in the spread
    sentence and in the all-municipalities chart's text alternative."""
    from nyap.present.views import source_line

    store = full_store
    item = store.items["nyanlanda"]
    view = store.goal_view(item, 2022)
    names = store.region.names()
    latest = view.values[(view.values["year"] == 2022) & (view.values["gender"] == "T")
                         & view.values["area_code"].isin(["1761", "1737"])]
    assert sorted(latest["value"].round(1)) == [0.0, 0.0]  # the real figures tie
    from nyap.present.prose import spread_sentences

    lines = spread_sentences(store.spreads(item, 2022)["T"], view.goal.value_unit, names, 16, view.values, "T")
    assert "lägst: Hammarö och Torsby (0,0)" in lines[1]
    bars = store.goal_charts(view, "1715", ("T",), names, source_line(view, False)).bars
    assert "lägst Hammarö och Torsby 0,0" in bars.alt_text


def test_a_value_in_years_is_not_followed_by_another_year(config, demo_cache, full_store):
    """Life expectancy is in years: the trend's text says "84,4 år (2022)", never "år år 2022"."""
    from nyap.present.charts import trend_chart
    from nyap.present.views import source_line

    store = full_store
    view = store.goal_view(store.items["medellivslangd"], 2022)
    result = trend_chart(view, "1715", ("K", "M"), store.region.names(), source_line(view, False), False)
    assert view.goal.value_unit == "år"
    assert "år år" not in result.alt_text
    assert "år (2022)" in result.alt_text and "år (2017)" in result.alt_text


@pytest.mark.parametrize("own, county, verdict, answer", [
    ((70.0, 75.0), (80.0, 80.0), "closing", "Ja, avståndet till länet minskar"),
    ((70.0, 80.0), (80.0, 80.0), "caught_up", "Ja, X har kommit ikapp länet"),
    ((78.0, 70.0), (80.0, 80.0), "widening", "Nej, avståndet till länet ökar"),
    ((85.0, 75.0), (80.0, 80.0), "fell_behind", "Nej, X har hamnat efter länet"),
    ((85.0, 80.0), (80.0, 80.0), "lost_lead", "X har tappat sitt försprång"),
    ((70.0, 85.0), (80.0, 80.0), "ahead", "X ligger bättre än länet"),
    ((70.0, 70.1), (80.0, 80.0), "unchanged", "i stort sett oförändrat"),
])
def test_are_we_closing_in_on_the_county(config, own, county, verdict, answer):
    """The answer to "närmar vi oss länet?" by the goal's tolerance (behörighet: 0,2 procentenheter),
    2017 against 2022, a missing year in between left out (never 0)."""
    import pandas as pd

    from nyap.present.prose import county_gap_sentence
    from nyap.rules.comparison import gap_to_county_over_time

    goal = config.goal("behorighet")
    years = [2017, 2019, 2022]
    mine = pd.DataFrame({"year": years, "value": [own[0], None, own[1]]})
    theirs = pd.DataFrame({"year": years, "value": [county[0], 81.0, county[1]]})
    gap = gap_to_county_over_time(mine, theirs, goal, 2022)
    assert gap.verdict == verdict and (gap.baseline_year, gap.latest_year) == (2017, 2022)
    assert gap.gap_in(2019) is None  # no own value that year: a gap, not a zero
    assert answer in county_gap_sentence(gap, "X", goal)
