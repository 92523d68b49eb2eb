"""The demo cache: deterministic, the real schema, and the realities of Kolada and the survey."""

from __future__ import annotations

import pandas as pd

from nyap import DEFAULT_GOALS_FILE
from nyap.rules.goals import load_goals

REGION = load_goals(DEFAULT_GOALS_FILE).region
COUNTY, COUNTRY, COUNTY_GROUP, MUNICIPALITIES = REGION.county, REGION.country, REGION.group, REGION.municipalities
from nyap.ingest.demo import SPECS, build_demo_cache


def test_generator_is_deterministic_and_matches_the_shipped_cache(config, demo_cache):
    a = build_demo_cache(config).observations
    b = build_demo_cache(config).observations
    pd.testing.assert_frame_equal(a, b)
    shipped = demo_cache.observations
    key = ["indicator_id", "source", "area_code", "gender", "age_group", "year"]
    a = a.astype({c: str for c in key}).sort_values(key).reset_index(drop=True)
    shipped = shipped.astype({c: str for c in key}).sort_values(key).reset_index(drop=True)
    assert len(a) == len(shipped)
    pd.testing.assert_series_equal(a["value"], shipped["value"], check_names=False)


def test_every_goal_indicator_is_in_the_demo(config, demo_cache):
    assert set(config.indicator_ids()) <= set(demo_cache.indicators["id"])
    assert set(config.indicator_ids()) <= set(demo_cache.observations["indicator_id"].astype(str))


def test_areas_and_kpi_types_are_respected(demo_cache):
    obs = demo_cache.observations
    assert set(MUNICIPALITIES) | {COUNTY, COUNTRY, COUNTY_GROUP} == set(demo_cache.areas["code"])
    for kpi, spec in SPECS.items():
        areas = set(obs.loc[(obs["indicator_id"] == kpi) & (obs["source"] != "livhalsa"), "area_code"].astype(str))
        if spec.kpi_type == "K":
            assert COUNTY not in areas, kpi  # no region value for municipality-only KPIs
            assert set(MUNICIPALITIES) <= areas
        if spec.kpi_type == "L":
            assert areas == {COUNTY, COUNTRY}, kpi  # no municipality values for region KPIs
        if not spec.by_gender:
            assert set(obs.loc[obs["indicator_id"] == kpi, "gender"].astype(str)) == {"T"}, kpi
    group = set(obs.loc[obs["area_code"] == COUNTY_GROUP, "indicator_id"].astype(str))
    assert group and all(SPECS[k].kpi_type == "K" for k in group)


def test_years_series_break_and_ended_series(demo_cache):
    obs = demo_cache.observations
    years = obs.groupby("indicator_id", observed=True)["year"].agg(["min", "max"])
    assert years["min"].min() <= 2010 and years["max"].max() >= 2024
    assert years.loc["N15557", "max"] == 2021 and years.loc["N15613", "min"] == 2022
    ended = demo_cache.indicators.set_index("id")["ended"]
    assert ended["U71455"] and not ended["N15428"]


def test_noise_grows_as_population_shrinks(demo_cache):
    obs = demo_cache.observations
    rows = obs[(obs["indicator_id"] == "N15428") & (obs["gender"] == "T")]
    wobble = rows.groupby("area_code", observed=True)["value"].apply(lambda s: s.diff().abs().median())
    assert wobble["1762"] > 2 * wobble["1780"]  # Munkfors jumps more than Karlstad


def test_survey_has_age_groups_intervals_answers_and_suppression(demo_cache):
    obs = demo_cache.observations
    survey = obs[obs["source"] == "livhalsa"]
    assert set(survey["age_group"].astype(str)) == {"18-29", "30-44", "45-64", "65-84", "18-84"}
    shown = survey[~survey["suppressed"]]
    assert (shown["ci_low"] <= shown["value"]).all() and (shown["value"] <= shown["ci_high"]).all()
    assert (shown["n"] >= 100).all()
    hidden = survey[survey["suppressed"]]
    assert len(hidden) > 0 and hidden["value"].isna().all() and hidden["ci_low"].isna().all()
    # when one sex is suppressed, the other sex of the same group is too
    sexes = hidden[hidden["gender"].isin(["K", "M"])]
    per_group = sexes.groupby(["indicator_id", "area_code", "year", "age_group"], observed=True)["gender"].nunique()
    assert (per_group == 2).all()
    # Munkfors' young men are too few; Karlstad's are not
    munkfors = survey[(survey["area_code"] == "1762") & (survey["age_group"] == "18-29") & (survey["gender"] == "M")]
    karlstad = survey[(survey["area_code"] == "1780") & (survey["age_group"] == "18-29") & (survey["gender"] == "M")]
    assert munkfors["suppressed"].all() and not karlstad["suppressed"].any()
