"""The shared result store gives exactly the numbers of the plain functions it speeds up, every
chart it builds is valid Vega-Lite, and its memo computes a shared result once."""

from __future__ import annotations

import threading
import time

import jsonschema
import pandas as pd
import pytest
from altair.vegalite.v6.schema import core as vl_core

from nyap import DEFAULT_GOALS_FILE
from nyap.rules.goals import load_goals
from nyap.data.cache import Cache
from nyap.rules.evaluation_table import EvaluationTable
from nyap.rules.goal_arithmetic import evaluate_goal, evaluate_goal_years, goal_values, with_county_reference
from nyap.data.geometry import county_features
from nyap.present.charts import KINDS, for_area, map_chart
from nyap.present.charts.registry import MAP
from nyap.serving.store import Memo, ResultStore
from nyap.present.views import challenge_evaluations, goal_view, overview_evaluations, source_line

NAMES = load_goals(DEFAULT_GOALS_FILE).region.names()


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Row order aside (the store concatenates per goal as evaluate_all does), the same table."""
    if frame.empty:
        return frame
    out = frame.astype(str)
    return out.sort_values(list(out.columns)).reset_index(drop=True)


@pytest.fixture(scope="module")
def store(demo_cache, config) -> ResultStore:
    return ResultStore(demo_cache, config)


# every year and every age group at least once, the latest year with each (a plain evaluation of the
# whole overview is seconds: the full 4 × 3 grid was two minutes of the suite for the same rule)
@pytest.mark.parametrize("year, age", [(2015, None), (2017, "18-29"), (2018, "65-84"), (2018, None),
                                       (2022, None), (2022, "18-29"), (2022, "65-84")])
def test_overview_is_the_plain_evaluation(store, demo_cache, config, year, age):
    plain = overview_evaluations(demo_cache, config, year, age)
    shared = store.overview_evaluations(year, age).frame
    pd.testing.assert_frame_equal(canonical(shared), canonical(plain))


def test_challenge_tables_answer_like_a_filter(store, demo_cache, config):
    ev = store.challenge_evaluations("Vuxenlivet", 2022)
    plain = challenge_evaluations(demo_cache, config, "Vuxenlivet", 2022)
    checked = 0
    for r in plain.itertuples(index=False):
        match = plain[(plain["goal_id"] == r.goal_id) & (plain["track"] == r.track)
                      & (plain["area_code"] == r.area_code) & (plain["gender"] == r.gender)].iloc[0]
        row = ev.row(r.goal_id, r.track, r.area_code, r.gender)
        assert row["status"] == match["status"]
        assert (pd.isna(row.get("remaining")) and pd.isna(match["remaining"])) or row["remaining"] == match["remaining"]
        checked += 1
    assert checked > 300


def test_a_year_outside_the_data_is_computed_not_missing(store, demo_cache, config):
    year = max(store.years) + 3
    plain = overview_evaluations(demo_cache, config, year)
    pd.testing.assert_frame_equal(canonical(store.overview_evaluations(year).frame), canonical(plain))


def test_all_years_at_once_equal_one_year_at_a_time(demo_cache, config):
    for goal in config.goals:
        for track in goal.tracks:
            values = goal_values(demo_cache.observations, goal, track, config.meta.source_preference)
            values, *_ = with_county_reference(values, config.region)
            if values.empty:
                continue
            years = list(range(2014, 2026))
            batch = evaluate_goal_years(values, goal, years)
            for year in (2014, 2017, 2018, 2020, 2023, 2025):
                one = evaluate_goal(values, goal, year)
                sliced = batch[batch["as_of"] == year].drop(columns="as_of")
                pd.testing.assert_frame_equal(canonical(sliced), canonical(one), obj=f"{goal.id} {year}")


def test_goal_views_are_the_plain_views(store, demo_cache, config):
    for key in ("behorighet", "god_halsa", "medellivslangd", "trygg5", "aldreomsorg.2"):
        item = store.items[key]
        for age in (None, "65-84"):
            shared = store.goal_view(item, 2022, age)
            plain = goal_view(demo_cache, config, item, 2022, age)
            assert shared.age_group == plain.age_group and shared.reference_code == plain.reference_code
            pd.testing.assert_frame_equal(canonical(shared.evaluations), canonical(plain.evaluations))


class _VegaLiteSchema:
    """The Vega-Lite schema as a compiled validator (jsonschema-rs: about a millisecond per chart
    where Python's jsonschema took a fifth of a second), with Python's jsonschema saying what is
    wrong when a chart fails. The schema's own references name definitions with characters a URI
    escapes ("MarkPropDef<(Gradient|string|null)>"), so they are escaped for the compiled one."""

    def __init__(self):
        import jsonschema_rs

        schema = vl_core.load_schema()
        self.fast = jsonschema_rs.Draft7Validator(_escaped_refs(schema))
        self.slow = jsonschema.Draft7Validator(schema)

    def errors(self, spec: dict) -> list[str]:
        if self.fast.is_valid(spec):
            return []
        return sorted(str(e) for e in self.slow.iter_errors(spec)) or ["jsonschema-rs: " + str(
            next(iter(self.fast.iter_errors(spec))))]


def _escaped_refs(node):
    from urllib.parse import quote

    prefix = "#/definitions/"
    if isinstance(node, dict):
        return {k: prefix + quote(v[len(prefix):], safe="") if k == "$ref" and isinstance(v, str)
                and v.startswith(prefix) else _escaped_refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_escaped_refs(v) for v in node]
    return node


def test_the_schema_check_finds_a_broken_chart():
    """The check below can fail: a wrong mark and a wrong property type are both errors."""
    schema = _VegaLiteSchema()
    chart = {"data": {"values": [{"a": 1}]}, "mark": "bar", "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    assert schema.errors(chart) == []
    assert schema.errors({**chart, "mark": "nonsense"})
    assert schema.errors({**chart, "encoding": {"x": {"field": "a", "type": "quantitative",
                                                      "axis": {"labelFontSize": "big"}}}})


def test_every_chart_of_every_goal_is_valid_vega_lite(store, demo_cache):
    """Charts are built without Altair's validation (a third of their build time): this checks
    every one against the Vega-Lite schema instead."""
    validator = _VegaLiteSchema()
    n = 0
    checked = set()
    for item in store.items.values():
        view = store.goal_view(item, 2022)
        src = source_line(view, demo_cache.is_demo)
        for area, genders in (("1780", ("T",)), ("0017", ("K", "M")), ("1762", ("K",))):
            charts = store.goal_charts(view, area, genders, NAMES, src)
            for kind in KINDS:
                if kind is MAP:
                    continue  # below: it has its own inputs (the shapes, the mode)
                result = getattr(charts, kind.key)
                if result is None:
                    continue
                checked.add(kind.key)
                spec = result.spec
                # the rows are plain records to the schema: two of each dataset say as much as all
                # of them, and validating every row was most of this test's minutes
                spec["datasets"] = {name: rows[:2] for name, rows in spec["datasets"].items()}
                errors = validator.errors(spec)
                assert not errors, (item.key, area, genders, errors[0][:300])
                # the browser gets only the columns a chart uses
                for frame in result.data.values():
                    assert not {"source", "indicator_id"} & set(frame.columns)
                    # the own mean's coverage is in the tooltip only where the county is that mean
                    assert view.reference_kind == "mean" or "n_municipalities" not in frame.columns
                n += 1
        # the map (its shapes are put into the finished spec, not handed to Altair): both modes,
        # with a municipality outlined; a few features say as much as all of them to the schema
        for mode in ("value", "status"):
            result = for_area(map_chart(view, 2022, "", "T", NAMES, src, demo_cache.is_demo,
                                        county_features(store.config.meta.county), mode), "1780")
            if result is None:
                continue
            spec = result.spec
            geo = [layer for layer in spec["layer"] if "values" in layer.get("data", {})]
            assert len(geo) == 2 and len(geo[0]["data"]["values"]) == 16, item.key  # fill and outline
            for layer in geo:
                layer["data"] = {"values": layer["data"]["values"][:2]}
            errors = validator.errors(spec)
            assert not errors, (item.key, mode, errors[0][:300])
            checked.add(MAP.key)
            n += 1
    assert n > 180
    assert checked == {k.key for k in KINDS}  # every kind in the chart registry


def test_memo_computes_a_shared_result_once_and_stays_bounded():
    memo = Memo(max_entries=3)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(memo.get("k", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(r) for r in results}) == 1
    for i in range(10):
        memo.get(i, lambda i=i: i)
    assert len(memo) == 3


def test_memo_recovers_when_a_computation_fails():
    memo = Memo()

    def boom():
        raise ValueError("trasig")

    with pytest.raises(ValueError):
        memo.get("k", boom)
    assert memo.get("k", lambda: 42) == 42


def test_an_empty_cache_gives_empty_tables(config, demo_cache):
    empty = Cache(demo_cache.observations.iloc[0:0], demo_cache.indicators, demo_cache.areas, demo_cache.manifest)
    store = ResultStore(empty, config)
    ev = store.overview_evaluations(2022)
    assert isinstance(store.challenge_evaluations("Vuxenlivet", 2022), EvaluationTable)
    assert set(ev.frame["status"]) == {"no_data"}


def test_each_municipalitys_profile_by_sex_is_prepared_once_for_everyone(default_store, monkeypatch):
    """After the background preparation, switching Kön on the overview computes nothing: every
    municipality's trend lines and distances to the county for women, men and both are there."""
    from nyap.serving import store as store_module
    from nyap.serving.page_content import PROFILE_SEXES, prepare_profiles_by_sex

    store = default_store
    prepare_profiles_by_sex(store)

    def computed(*args, **kwargs):
        raise AssertionError("computed on a click, not prepared")

    monkeypatch.setattr(store_module, "sparkline", computed)
    monkeypatch.setattr(store, "county_gap", computed)
    latest = max(store.years)
    for area in store.region.municipalities:
        for genders in PROFILE_SEXES:
            trends = store.profile_trends(latest, None, area, genders)
            gaps = store.profile_county_gaps(latest, None, area, genders)
            assert {g for (_ch, _key, g) in gaps} == set(genders)
            assert {g for (_ch, _key, g) in trends} <= set(genders)
    # and a year that is not prepared is computed (the check can fail)
    with pytest.raises(AssertionError, match="computed on a click"):
        store.profile_county_gaps(min(store.years), None, "1780", ("K",))


def test_a_change_of_year_or_sex_shows_what_was_prepared_for_everyone(default_store, config, monkeypatch):
    """After the background preparation, a visitor who changes "Läget per år" or "Kön" computes
    nothing: the overview's tables and line on equality, every municipality's profile, every
    challenge page's goals with their three charts (for the county and any municipality with
    values) and both maps, as the page asks for them (a goal measured for women and men apart
    shows both for Totalt). One earlier year prepared here (the background does every one, newest
    first) and every sex at the latest year; the year before it is not, and is computed (the check
    can fail)."""
    from nyap.present.charts import goal_gap, municipalities, trend
    from nyap.present.formatting import genders_of
    from nyap.present.views import cache_source_line, focus_items, shown_gender
    from nyap.serving import page_content
    from nyap.serving import store as store_module

    store = default_store
    latest = max(store.years)
    year, unprepared = page_content.earlier_years(store)[:2]
    page_content.prepare_earlier_years(store, years=(year,))
    store.overview_evaluations(latest)  # as store.warm() does first
    page_content.prepare_goal_pages(store, sexes=("T", *page_content.OTHER_SEXES))

    def computed(*args, **kwargs):
        raise AssertionError("computed on a click, not prepared")

    for module in (trend, municipalities, goal_gap):
        monkeypatch.setattr(module, "finish", computed)  # every chart's last step
    for name in ("evaluate_all", "goal_view", "sparkline", "spread_over_time"):
        monkeypatch.setattr(store_module, name, computed)
    monkeypatch.setattr(page_content, "map_chart", computed)
    monkeypatch.setattr(page_content, "equality_summary", computed)
    monkeypatch.setattr(store, "county_gap", computed)

    names = store.region.names()
    store.overview_evaluations(year)
    store.call(page_content.equality_line, year)
    for area in store.region.municipalities:
        assert store.profile_trends(year, None, area, ("T",))
        assert store.profile_county_gaps(year, None, area, ("T",))
    charts_seen = 0
    for as_of, sexes in ((year, ("T",)), (latest, ("T", *page_content.OTHER_SEXES))):
        for ch in config.challenges:
            store.challenge_evaluations(ch.name, as_of)
            for item in focus_items(config, ch.name):
                age = store.age_group_on(ch.name, item)
                view = store.goal_view(item, as_of, age)
                source = cache_source_line(view, store.cache)
                store.spreads(item, as_of, age)
                for sex in sexes:
                    genders = genders_of(shown_gender(view, sex)[0])  # as the page does
                    # the county (a page without a municipality) and municipalities with values (one
                    # without gets a chart of its own saying so, computed when asked; so does a
                    # municipality's line over time for women and men side by side)
                    v = view.values
                    drawn = set(v.loc[(v["year"] <= as_of) & v["gender"].isin(genders) & v["value"].notna(),
                                      "area_code"].astype(str)) if len(genders) == 1 else set()
                    for area in [config.meta.county, *(a for a in ("1715", "1780", "1737") if a in drawn)]:
                        charts = store.goal_charts(view, area, genders, names, source, ())
                        charts_seen += sum(c is not None for c in charts.values())
                    if view.has_municipalities:
                        for mode in page_content.MAP_MODES:
                            page_content.map_for_area(store, item.key, as_of, age, "1715", genders[0], source, mode)
    assert charts_seen > 5 * 3 * 20  # most goals draw their charts on the real figures
    with pytest.raises(AssertionError, match="computed on a click"):
        store.overview_evaluations(unprepared)
