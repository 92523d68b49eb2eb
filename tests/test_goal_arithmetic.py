"""The goal rules with concrete numbers, many of them real Kolada values for Värmland."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nyap.data.cache import NO_AGE_GROUP
from nyap.rules.equality import gender_gap_over_time
from nyap.rules.goal_arithmetic import (
    COMPUTED_MEAN_CODE, baseline_year_among, county_reference, evaluate_all, evaluate_goal,
    evaluate_one, gender_gap, goal_values,
)
from nyap.rules.goals import parse_goals


def obs(rows, indicator="X00001", source="kolada", series=None):
    """Build observations from (area, year, gender, value[, ci_low, ci_high, n, suppressed])."""
    out = []
    for r in rows:
        area, year, gender, value, *rest = r
        lo, hi, n, sup = (rest + [np.nan, np.nan, np.nan, False][len(rest):])[:4]
        out.append(dict(source=source, indicator_id=indicator, area_code=area, year=year, period=str(year),
                        gender=gender, age_group=NO_AGE_GROUP, value=value, ci_low=lo, ci_high=hi, n=n,
                        suppressed=sup, series_id=series or indicator))
    return pd.DataFrame(out)


GOALS_HEAD = """
[meta]
baseline_year = 2017
target_year = 2022
[[challenge]]
name = "Vuxenlivet"
"""


def one_goal(body: str):
    return parse_goals(GOALS_HEAD + "[[goal]]\n" + body).goals[0]


INCREASE_2 = one_goal('''id = "g"
text = "t"
dimension = "H"
direction = "increase"
change = 2
challenges = ["Vuxenlivet"]
[[goal.indicator]]
id = "X00001"
''')


# --------------------------------------------------------------------- real Karlstad N15428

def test_karlstad_behorighet_2017_2022_is_unchanged(config, real_observations):
    goal = config.goal("behorighet")
    values = goal_values(real_observations, goal)
    ev = evaluate_one(values, goal, 2022, "1780", "T")
    assert ev.baseline_year == 2017 and ev.baseline == pytest.approx(89.17345751)
    assert ev.latest_year == 2022 and ev.latest == pytest.approx(89.12601626)
    assert ev.target == pytest.approx(91.17345751)
    assert ev.achieved == pytest.approx(-0.04744125)
    assert ev.remaining == pytest.approx(2.04744125)
    assert ev.progress == pytest.approx(-0.0237206, abs=1e-6)
    # |−0.05| < tolerance 0.2 (10 % of the 2-point goal): unchanged, not "wrong way"
    assert ev.status == "unchanged"


def test_latest_as_of_an_earlier_year(config, real_observations):
    goal = config.goal("behorighet")
    ev = evaluate_one(goal_values(real_observations, goal), goal, 2020, "1780", "T")
    assert (ev.latest_year, ev.latest) == (2020, pytest.approx(86.04143948))
    assert ev.status == "wrong_way" and ev.remaining == pytest.approx(5.13201803)


def test_baseline_falls_back_to_nearest_year_earlier_on_tie(config, real_observations):
    goal = config.goal("behorighet")
    values = goal_values(real_observations, goal)
    no_2017 = values[~((values["area_code"] == "1780") & (values["year"] == 2017))]
    ev = evaluate_one(no_2017, goal, 2022, "1780", "T")
    # 2016 (89.99) and 2018 (88.35) are both one year away: the earlier year is used and reported
    assert ev.baseline_year == 2016 and ev.baseline == pytest.approx(89.98808105)
    gap = no_2017[~((no_2017["area_code"] == "1780") & (no_2017["year"].between(2015, 2019)))]
    ev = evaluate_one(gap, goal, 2022, "1780", "T")
    assert ev.status == "no_data" and ev.baseline is None


def test_trust_is_100_minus_lack_of_trust_with_baseline_fallback(config, real_observations):
    goal = config.goal("tillit")
    ev = evaluate_one(goal_values(real_observations, goal), goal, 2022, "0017", "T")
    # Region Värmland has no 2017 value of U01413: 2016 (27.0) is used, trust = 73.0
    assert ev.baseline_year == 2016 and ev.baseline == pytest.approx(73.0)
    assert ev.latest == pytest.approx(100 - 26.45622091)
    assert ev.status == "right_way" and ev.remaining == pytest.approx(2 - 0.54377909)


def test_fall_injuries_per_100000_become_per_1000(config, real_observations):
    goal = config.goal("fallskador")
    ev = evaluate_one(goal_values(real_observations, goal), goal, 2022, "0017", "T")
    assert ev.baseline == pytest.approx(63.159) and ev.latest == pytest.approx(65.826)
    assert ev.target == pytest.approx(53.159)  # a decrease of 10 per 1000
    assert ev.status == "wrong_way" and ev.remaining == pytest.approx(12.667)


def test_county_reference_for_k_type_is_a_labelled_own_mean(config, real_observations):
    goal = config.goal("aldreomsorg")
    values = goal_values(real_observations, goal, "Hemtjänst")
    assert values[values["area_code"] == "0017"].empty  # K-type: Kolada has no county value
    ref = county_reference(values, config.region)
    row = ref[(ref["year"] == 2022) & (ref["gender"] == "T")].iloc[0]
    assert row["reference_kind"] == "mean" and row["area_code"] == COMPUTED_MEAN_CODE
    assert row["reference_label"] == "Länets kommuner, ovägt medel (egen beräkning)"
    assert row["value"] == pytest.approx(73.5625) and row["n_municipalities"] == 16


def test_county_reference_prefers_county_then_kolada_group(config):
    rows = [("1780", 2022, "T", 60.0), ("1715", 2022, "T", 80.0), ("G33624", 2022, "T", 70.5)]
    ref = county_reference(obs(rows), config.region)
    assert list(ref["reference_kind"]) == ["group"] and ref["value"].iloc[0] == 70.5
    ref = county_reference(obs(rows + [("0017", 2022, "T", 66.0)]), config.region)
    assert list(ref["reference_kind"]) == ["county"] and ref["value"].iloc[0] == 66.0
    # the computed mean only uses municipalities that have a value; a missing one is not a zero
    ref = county_reference(obs([("1780", 2022, "T", 60.0), ("1715", 2022, "T", np.nan)]), config.region)
    assert ref["value"].iloc[0] == 60.0 and ref["n_municipalities"].iloc[0] == 1


def test_life_expectancy_gap_between_women_and_men(config, real_observations):
    goal = config.goal("medellivslangd")
    values = goal_values(real_observations, goal)
    assert set(values["gender"]) == {"K", "M"}  # N00925 = women, N00923 = men
    gap = gender_gap(values)
    k22 = gap[(gap["area_code"] == "1780") & (gap["year"] == 2022)]["value"].iloc[0]
    assert k22 == pytest.approx(85.14 - 81.7)
    change = gender_gap_over_time(values, goal, "1780", 2022)
    # gap 3.09 years (2017) -> 3.44 (2022): the gap grows, the goal moves the wrong way
    assert change.baseline == pytest.approx(3.09) and change.latest == pytest.approx(3.44)
    assert change.verdict == "growing" and change.status == "wrong_way"
    women = evaluate_one(values, goal, 2022, "1780", "K")
    assert women.status == "right_way" and women.target is None and women.remaining is None


def test_life_expectancy_total_status_is_the_worse_of_women_and_men(config, real_observations):
    ev = evaluate_all(real_observations, config, 2022)
    rows = ev[(ev["goal_id"] == "medellivslangd") & (ev["area_code"] == "1780")].set_index("gender")
    assert set(rows.index) == {"K", "M", "T"}
    order = ["no_data", "wrong_way", "unchanged", "right_way", "reached"]
    assert rows.loc["T", "status"] == min(rows.loc["K", "status"], rows.loc["M", "status"], key=order.index)


def test_direction_only_goal_uses_the_sign_and_its_tolerance():
    goal = one_goal('''id = "d"
text = "t"
dimension = "H"
direction = "decrease"
direction_only = true
tolerance = 0.5
challenges = ["Vuxenlivet"]
[[goal.indicator]]
id = "X00001"
''')
    values = obs([("0017", 2017, "T", 18.0), ("0017", 2022, "T", 16.0),
                  ("0000", 2017, "T", 15.0), ("0000", 2022, "T", 15.3),
                  ("1780", 2017, "T", 15.0), ("1780", 2022, "T", 16.0)])
    ev = evaluate_goal(values, goal, 2022).set_index("area_code")
    assert ev.loc["0017", "status"] == "right_way"  # never "reached": no numeric target
    assert ev.loc["0000", "status"] == "unchanged"  # +0.3 < tolerance 0.5
    assert ev.loc["1780", "status"] == "wrong_way"
    assert np.isnan(ev.loc["0017", "target"]) and np.isnan(ev.loc["0017", "remaining"])


def test_reached_and_progress():
    values = obs([("1780", 2017, "T", 80.0), ("1780", 2020, "T", 81.0), ("1780", 2022, "T", 82.5)])
    ev = evaluate_one(values, INCREASE_2, 2022, "1780")
    assert ev.status == "reached" and ev.remaining == 0.0 and ev.progress == pytest.approx(1.25)
    ev = evaluate_one(values, INCREASE_2, 2021, "1780")
    assert ev.status == "right_way" and ev.progress == pytest.approx(0.5) and ev.remaining == pytest.approx(1.0)
    ev = evaluate_one(values, INCREASE_2, 2016, "1780")  # before the baseline year
    assert ev.status == "no_data"


def test_missing_and_suppressed_values_are_never_used():
    values = obs([("1780", 2017, "T", 80.0), ("1780", 2021, "T", 79.0), ("1780", 2022, "T", np.nan)])
    ev = evaluate_one(values, INCREASE_2, 2022, "1780")
    assert ev.latest_year == 2021 and ev.latest == 79.0  # 2022 is missing, not 0
    values = obs([("1780", 2017, "T", 80.0, 75.0, 85.0, 300, False),
                  ("1780", 2022, "T", np.nan, np.nan, np.nan, 40, True)])
    assert evaluate_one(values, INCREASE_2, 2022, "1780").status == "no_data"


def test_survey_change_inside_confidence_interval_is_unchanged():
    values = obs([("1780", 2017, "T", 70.0, 66.0, 74.0, 500, False),
                  ("1780", 2022, "T", 72.0, 68.0, 76.0, 500, False)])
    ev = evaluate_goal(values, INCREASE_2, 2022).iloc[0]
    # Δ = 2.0, se of the difference = √2·(4/1.96) = 2.89 → 1.96·se = 5.66 > 2: not significant
    assert ev["status"] == "reached"  # the point estimates reach the goal; the target is a point
    values.loc[1, ["value", "ci_low", "ci_high"]] = [71.5, 67.5, 75.5]
    ev = evaluate_goal(values, INCREASE_2, 2022).iloc[0]
    assert ev["status"] == "unchanged" and ev["uncertainty_rule"] == "ci"
    values.loc[1, ["ci_low", "ci_high"]] = [np.nan, np.nan]  # the same numbers without intervals
    assert evaluate_goal(values, INCREASE_2, 2022).iloc[0]["status"] == "right_way"


def test_series_break_is_kept_apart_and_flagged(config):
    rows = obs([("1780", 2017, "T", 90.0), ("1780", 2021, "T", 91.0)], indicator="N15557")
    rows = pd.concat([rows, obs([("1780", 2022, "T", 84.0), ("1780", 2023, "T", 85.0)], indicator="N15613")])
    goal = config.goal("trygg5")
    values = goal_values(rows, goal)
    assert set(values["series_id"]) == {"N15557", "N15613"}
    ev = evaluate_one(values, goal, 2023, "1780")
    assert ev.across_break and ev.latest == 85.0
    # a changed survey question is not a fall of six points: no movement is claimed
    assert ev.status == "break"
    assert not evaluate_one(values, goal, 2021, "1780").across_break


def test_year_windows_of_a_series_chain_are_respected(config):
    # N15557 is only used up to 2021 even if a 2022 value exists
    rows = obs([("1780", 2021, "T", 91.0), ("1780", 2022, "T", 99.0)], indicator="N15557")
    values = goal_values(rows, config.goal("trygg5"))
    assert list(values["year"]) == [2021]


def test_survey_source_is_preferred_over_kolada(config):
    kolada = obs([("0017", 2017, "T", 60.0), ("0017", 2022, "T", 61.0)], indicator="U01405")
    survey = obs([("0017", 2017, "T", 70.0, 68.0, 72.0, 2000), ("0017", 2022, "T", 74.0, 72.0, 76.0, 2000)],
                 indicator="U01405", source="livhalsa", series="U01405-LH")
    values = goal_values(pd.concat([kolada, survey]), config.goal("god_halsa"))
    assert set(values["source"]) == {"livhalsa"} and list(values["value"]) == [70.0, 74.0]


def test_a_raised_goal_period_is_used_once_it_has_started():
    goal = one_goal('''id = "g"
text = "t"
dimension = "H"
direction = "increase"
change = 2
challenges = ["Vuxenlivet"]
[[goal.period]]
baseline_year = 2022
target_year = 2026
change = 3
[[goal.indicator]]
id = "X00001"
''')
    values = obs([("1780", 2017, "T", 80.0), ("1780", 2022, "T", 83.0), ("1780", 2024, "T", 84.0)])
    first = evaluate_one(values, goal, 2021, "1780")
    assert first.baseline_year == 2017 and first.target == 82.0
    second = evaluate_one(values, goal, 2024, "1780")
    assert second.baseline_year == 2022 and second.target == 86.0 and second.remaining == pytest.approx(2.0)


def test_every_goal_evaluates_on_the_demo_cache(config, demo_cache):
    ev = evaluate_all(demo_cache.observations, config, 2022)
    assert set(ev["goal_id"]) == {g.id for g in config.goals}
    county = ev[(ev["area_code"] == ev["reference_code"]) & (ev["gender"] == "T")]
    assert set(county["goal_id"]) == {g.id for g in config.goals}
    # L-type goals have no municipality rows; K-type goals use a group or our own mean
    assert ev[(ev["goal_id"] == "karies") & ev["area_code"].str.startswith("17")].empty
    kinds = county.set_index(["goal_id", "track"])["reference_kind"]
    assert kinds[("behorighet", "")] == "county"
    assert kinds[("aldreomsorg", "Hemtjänst")] == "group"
    assert kinds[("placerade", "")] == "mean"


def test_overlapping_kpi_and_successor_use_the_successor(config):
    old = obs([("0017", 2016, "T", 17.0), ("0017", 2017, "T", 16.8)], indicator="N61602")
    new = obs([("0017", 2017, "T", 18.5), ("0017", 2022, "T", 18.0)], indicator="N61603")
    values = goal_values(pd.concat([old, new]), config.goal("sjalvmord"))
    assert list(zip(values["year"], values["series_id"])) == [(2016, "N61602"), (2017, "N61603"), (2022, "N61603")]
    ev = evaluate_one(values, config.goal("sjalvmord"), 2022, "0017")
    assert ev.baseline == 18.5 and not ev.across_break and ev.status == "right_way"


def test_a_change_equal_to_the_tolerance_is_not_unchanged_whatever_the_float_noise():
    # 50.0 → 50.2 and 45.1 → 45.3 are both +0.2 on a 2-point goal (tolerance 0.2): same status
    a = evaluate_one(obs([("1780", 2017, "T", 50.0), ("1780", 2022, "T", 50.2)]), INCREASE_2, 2022, "1780")
    b = evaluate_one(obs([("1780", 2017, "T", 45.1), ("1780", 2022, "T", 45.3)]), INCREASE_2, 2022, "1780")
    assert a.status == b.status == "right_way"
    c = evaluate_one(obs([("1780", 2017, "T", 45.1), ("1780", 2022, "T", 45.29)]), INCREASE_2, 2022, "1780")
    assert c.status == "unchanged"


def test_percentage_targets_are_capped_at_100():
    ev = evaluate_one(obs([("1780", 2017, "T", 99.0), ("1780", 2022, "T", 99.5)]), INCREASE_2, 2022, "1780")
    assert ev.target == 100.0 and ev.remaining == pytest.approx(0.5) and ev.progress == pytest.approx(0.5)
    ev = evaluate_one(obs([("1780", 2017, "T", 99.0), ("1780", 2022, "T", 100.0)]), INCREASE_2, 2022, "1780")
    assert ev.status == "reached"


def test_a_null_successor_value_does_not_hide_the_predecessor(config):
    old = obs([("0017", 2017, "T", 16.8), ("0017", 2018, "T", 16.5)], indicator="N61602")
    new = obs([("0017", 2017, "T", np.nan), ("0017", 2022, "T", 16.0)], indicator="N61603")
    values = goal_values(pd.concat([old, new]), config.goal("sjalvmord"))
    row = values[values["year"] == 2017].iloc[0]
    assert row["value"] == 16.8 and row["series_id"] == "N61602"


def test_a_raised_period_uses_its_own_tolerance():
    goal = one_goal('''id = "g"
text = "t"
dimension = "H"
direction = "increase"
change = 2
challenges = ["Vuxenlivet"]
period = [{ baseline_year = 2022, target_year = 2026, change = 6 }]
[[goal.indicator]]
id = "X00001"
''')
    values = obs([("1780", 2022, "T", 80.0), ("1780", 2024, "T", 80.5)])
    # tolerance 10 % of 6 = 0.6 in the second period: +0.5 is unchanged
    assert evaluate_one(values, goal, 2024, "1780").status == "unchanged"


def test_the_baseline_year_is_the_nearest_within_two_years_earlier_on_a_tie():
    assert baseline_year_among([2014, 2016, 2018, 2020], 2017) == 2016  # 2016 and 2018 tie: the earlier
    assert baseline_year_among([2019, 2020], 2017) == 2019
    assert baseline_year_among([2012, 2020], 2017) is None  # nothing within ±2: no baseline
