"""Equality over time on real Kolada figures (tests/fixtures/kolada, Källa: Kolada): the spread
between Värmland's municipalities and the women–men gap, checked against values computed by hand
from the raw fixture rows (statistics.stdev, max − min), and the noise rules."""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pytest

from nyap.rules.equality import gender_gap_over_time, spread_at, spread_over_time
from nyap.rules.goal_arithmetic import prepare_measure


@pytest.fixture(scope="module")
def raw(kolada_dir) -> pd.DataFrame:
    return pd.read_csv(kolada_dir / "varmland_values_2024-08.csv", dtype={"municipality_id": str})


def measure(config, real_observations, goal_id):
    goal = config.goal(goal_id)
    return goal, prepare_measure(real_observations, goal, goal.tracks[0], None, config.region, ("kolada",))


def by_hand(raw, kpi, year, gender, municipalities):
    rows = raw[(raw["kpi"] == kpi) & (raw["year"] == year) & (raw["gender"] == gender)
               & raw["municipality_id"].str.zfill(4).isin(municipalities)].dropna(subset=["value"])
    return dict(zip(rows["municipality_id"].str.zfill(4), rows["value"].astype(float)))


def test_spread_between_municipalities_equals_the_hand_computed_values(config, real_observations, raw):
    """Behörighet (N15428): 2017 against 2022, all 16 municipalities both years."""
    goal, m = measure(config, real_observations, "behorighet")
    munis = list(config.region.municipalities)
    change = spread_over_time(m.values, goal, munis, 2022)
    for spread, year in ((change.baseline, 2017), (change.latest, 2022)):
        values = by_hand(raw, "N15428", year, "T", munis)
        assert spread.n == len(values) == 16
        assert spread.sd == pytest.approx(statistics.stdev(values.values()), abs=1e-9)
        assert spread.range == pytest.approx(max(values.values()) - min(values.values()), abs=1e-9)
        assert spread.high_area == max(values, key=values.get) and spread.low_area == min(values, key=values.get)
        assert spread.noise_sd == 0 and spread.true_sd == spread.sd  # register data: no sampling noise
    # the range falls 24,3 -> 18,3 and the SD 6.51 -> 5.23: complete register counts of all 16
    # municipalities have no sampling error, so the goal's tolerance (0,2) decides: shrinking
    assert change.change == pytest.approx(statistics.stdev(by_hand(raw, "N15428", 2022, "T", munis).values())
                                          - statistics.stdev(by_hand(raw, "N15428", 2017, "T", munis).values()))
    assert round(change.baseline.range, 1) == 24.3 and round(change.latest.range, 1) == 18.3
    assert change.uncertainty == "register"
    assert change.threshold == pytest.approx(goal.tolerance_at(2022)) == 0.2
    assert change.verdict == "shrinking"


def test_the_same_municipalities_are_compared(config, real_observations, raw):
    """Hemtjänst (U21454): Storfors has no 2017 value, so 2022 is compared on the same 15."""
    goal, m = measure(config, real_observations, "aldreomsorg")
    munis = list(config.region.municipalities)
    change = spread_over_time(m.values, goal, munis, 2022)
    base = by_hand(raw, "U21454", 2017, "T", munis)
    latest = {k: v for k, v in by_hand(raw, "U21454", 2022, "T", munis).items() if k in base}
    assert change.baseline.n == change.latest.n == len(base) == 15
    assert change.latest.sd == pytest.approx(statistics.stdev(latest.values()))


def test_gender_gap_over_time_by_hand(config, real_observations, raw):
    goal, m = measure(config, real_observations, "behorighet")
    gap = gender_gap_over_time(m.values, goal, "1780", 2022)
    k17, m17 = by_hand(raw, "N15428", 2017, "K", ["1780"])["1780"], by_hand(raw, "N15428", 2017, "M", ["1780"])["1780"]
    k22, m22 = by_hand(raw, "N15428", 2022, "K", ["1780"])["1780"], by_hand(raw, "N15428", 2022, "M", ["1780"])["1780"]
    assert gap.baseline == pytest.approx(abs(k17 - m17)) and gap.latest == pytest.approx(abs(k22 - m22))
    expected = "unchanged" if abs(abs(k22 - m22) - abs(k17 - m17)) <= gap.threshold else (
        "shrinking" if abs(k22 - m22) < abs(k17 - m17) else "growing")
    assert gap.verdict == expected


def test_survey_noise_is_not_sold_as_difference():
    """Five municipalities whose true values are equal: the spread is all sampling noise."""
    rows = pd.DataFrame({"area_code": list("abcde"), "value": [40.0, 44.0, 36.0, 42.0, 38.0],
                         "ci_low": [30.0, 34.0, 26.0, 32.0, 28.0], "ci_high": [50.0, 54.0, 46.0, 52.0, 48.0]})
    s = spread_at(rows, 2022)
    assert s.sd == pytest.approx(np.std(rows["value"], ddof=1))
    assert s.noise_sd == pytest.approx(10 / statistics.NormalDist().inv_cdf(0.975), rel=1e-6)  # half-width / z
    assert s.true_sd == 0.0  # SD 3.16 is smaller than the noise 5.1


def test_too_few_municipalities_cannot_be_judged(config, real_observations):
    goal, m = measure(config, real_observations, "behorighet")
    change = spread_over_time(m.values, goal, ["1780", "1715"], 2022)
    assert change.verdict == "no_data" and "tre kommuner" in change.reason
