"""The Swedish sentences about a goal come from one place (nyap/present/prose.py) for pages, tables and
charts: the aim for the period in force, the remaining distance, an area's key numbers."""

from __future__ import annotations

from dataclasses import replace

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
