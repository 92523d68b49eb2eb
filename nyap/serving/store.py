"""Everything the pages compute from one data version, computed once and shared by every session.

A workshop of 10–30 people clicks through the same goals, years and municipalities: the goal
arithmetic, the goal tables and the chart specifications are the same for all of them. Profiling a
click under load (docs/BENCHMARKS.md) showed the server spending its time recomputing exactly these
per session and per rerun. The store computes each piece once per data version:

* every goal measure prepared once per age group, and evaluated for every as-of year in one
  vectorised pass (goal_arithmetic.evaluate_measure) — a year switch is then a lookup;
* the evaluation tables of each page (with dictionary lookups for the HTML tables);
* each goal's detail view and its three chart specifications, per selection, in bounded memos.

No Streamlit here: the UI keeps one store per data version (nyap/ui/loaders.py), the command line
and the tests can use it directly, and the numbers are those of the plain functions it wraps
(tests/test_store.py compares them).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from nyap.data.cache import Cache
from nyap.serving.background import GATE
from nyap.serving.kept_evaluations import KeptEvaluations
from nyap.serving.memo import Memo
from nyap.present.charts.registry import kinds_for
from nyap.rules.comparison import distances_by_year, gap_to_county_over_time
from nyap.rules.equality import gender_gap_over_time, spread_over_time
from nyap.rules.evaluation_table import CombinedEvaluations, EvaluationTable
from nyap.rules.goal_arithmetic import Measure, evaluate_all, evaluate_measure, prepare_measure
from nyap.rules.goals import Goal, GoalsConfig
from nyap.present.sparkline import sparkline
from nyap.present.views import (
    FocusItem, GoalView, all_focus_items, challenge_age_groups, focus_age_group, focus_items, goal_view,
)


@dataclass(frozen=True)
class EvaluatedMeasure:
    measure: Measure
    evaluations: pd.DataFrame  # every as-of year of the store, column as_of

    # Indexes built once per data version: a click on a new municipality or year looks its rows
    # up instead of boolean-filtering every row of the measure (under a workshop's load, those
    # filters and Arrow's `take` behind them were about a fifth of the server's busy time).

    @functools.cached_property
    def by_as_of(self) -> dict[int, pd.DataFrame]:
        """One as-of year's evaluation rows (without the as_of column), per year."""
        if self.evaluations.empty:
            return {}
        return {int(y): part.drop(columns="as_of").reset_index(drop=True)
                for y, part in self.evaluations.groupby("as_of", sort=False)}

    @functools.cached_property
    def values_by_area(self) -> dict[str, pd.DataFrame]:
        """The measure's rows per area code (every year, sex and age group)."""
        values = self.measure.values
        if values.empty:
            return {}
        return {str(a): part for a, part in values.groupby("area_code", sort=False)}

    @functools.cached_property
    def by_gender(self) -> dict[str, tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]]:
        """Per sex: the county's series, the municipalities' rows, and each area's rows – what a
        municipality's distance to the county and to the best municipality read (a click looks
        them up instead of filtering every row of the measure)."""
        m = self.measure
        out = {}
        for g, vals in m.values.groupby("gender", sort=False):
            ref = m.reference[m.reference["gender"] == g] if not m.reference.empty else m.reference
            munis = vals[vals["area_code"].isin(list(m.municipalities))]
            out[str(g)] = (ref, munis, {str(a): part for a, part in vals.groupby("area_code", sort=False)})
        return out

    @functools.cached_property
    def published_years(self) -> frozenset[int]:
        """The years in which any area has a value (a gap in a series is drawn only there)."""
        values = self.measure.values
        return frozenset(int(y) for y in values.loc[values["value"].notna(), "year"].unique())


class GoalCharts(dict):
    """A goal view's charts for one selection, by chart kind (nyap/present/charts/registry.py):
    `charts.trend`, `charts.bars`, … (None where the kind is not drawn)."""

    def __getattr__(self, key: str):
        if key.startswith("__"):
            raise AttributeError(key)
        return self.get(key)


class ResultStore:
    """The shared results of one data version (cache + goals.toml)."""

    def __init__(self, cache: Cache, config: GoalsConfig, kept: KeptEvaluations | None = None):
        """`kept`: where this data version's goal evaluations are kept on disk (the app's and the
        report workers' stores, nyap/serving/kept_evaluations.py); None computes every one."""
        self.cache = cache
        self.config = config
        self.kept = kept
        obs = cache.observations
        # the as-of years a user can choose (years with a value), evaluated all at once
        self.years: tuple[int, ...] = tuple(sorted(int(y) for y in obs.loc[obs["value"].notna(), "year"].unique()))
        self.age_groups: tuple[str, ...] = tuple(sorted(set(obs["age_group"].astype(str)) - {""}))
        self.items = {i.key: i for i in all_focus_items(config)}
        self.overview_ready = threading.Event()  # set when warm() has evaluated every goal and the overview
        self.ready = threading.Event()  # set when warm() has prepared the defaults
        self.pages_ready = threading.Event()  # set when the server has also prepared the goal pages
        # bounded by goals × age groups (a few dozen): kept for the life of the data version
        self._measures = Memo()
        # per selection: bounded, least recently used first out (memory stays flat under load).
        # Each holds what the background prepares for every year (nyap/serving/page_content.py:
        # the pages' tables, every goal's view with its charts and maps, every municipality's
        # profile) plus room for a workshop's other choices (sizes from scripts/load.py: a
        # workshop of 30 stays within the room, and the server's memory returns close to its
        # warm level when the room leaves)
        years, items, pages = len(self.years), len(self.items), len(config.challenges) + 1
        areas = len(config.region.municipalities)
        self._evaluations = Memo(pages * years + 40)  # 4 pages + the overview per year and age group
        self._views = Memo(items * years + 48)
        # the county's charts and the first municipality's (from which every municipality's are
        # set) per view, as prepared (and for women, men and both at the latest year); a
        # municipality's own are cheap to set again
        self._charts = Memo(2 * items * (years + 3) + 32)
        # per view and year: two maps, its spreads and other sources; per year: the overview's lines
        self._extra = Memo(4 * items * (years + 2) + 4 * years + 256)
        # small per-municipality results (distances, profile lines): every municipality's, for
        # every goal and sex, fit here without pushing the pages' tables out of _extra
        self._per_area = Memo(max(4096, 2 * areas * years * (items + 2)))

    @functools.cached_property
    def region(self):
        """The configured county with the names the cache carries (a refresh takes Kolada's)."""
        areas = self.cache.areas
        names = dict(zip(areas["code"].astype(str), areas["name"].astype(str))) if not areas.empty else {}
        return self.config.region.with_names(names)

    # ------------------------------------------------------------------ goal arithmetic

    def measure(self, goal: Goal, track: str, age_group: str | None) -> EvaluatedMeasure:
        meta = self.config.meta

        def compute() -> EvaluatedMeasure:
            region = self.config.region
            m = prepare_measure(self.cache.observations, goal, track, age_group, region, meta.source_preference)
            if not self.years:
                return EvaluatedMeasure(m, pd.DataFrame())
            # everything the evaluation is computed from (with the data version in kept's directory)
            inputs = (goal, track, age_group, region, meta.source_preference, self.years)
            evaluations = self.kept.load(inputs) if self.kept is not None else None
            if evaluations is None:
                evaluations = evaluate_measure(m, self.years)
                if self.kept is not None:
                    self.kept.keep(inputs, evaluations)
            return EvaluatedMeasure(m, evaluations)

        return self._measures.get((goal.id, track, age_group), compute)

    def age_group_on(self, challenge: str, item: FocusItem, chosen: str | None = None) -> str | None:
        """The age group a goal measure shows on a challenge page (and in the report, a presentation
        step, the profile's trend line): the chosen one where the data has it, else the page's
        default; None when the data has no age groups."""
        probe = self.measure(item.goal, item.track, None).measure
        if not probe.age_groups:
            return None
        return chosen if chosen in probe.age_groups else focus_age_group(self.config, challenge, item, probe)

    def _evaluated(self, goal: Goal, track: str, age_group: str | None, as_of: int):
        """evaluate_all's building block, answered from the all-years evaluation."""
        em = self.measure(goal, track, age_group)
        return self._as_of(em, as_of), em.measure

    def _as_of(self, em: EvaluatedMeasure, as_of: int) -> pd.DataFrame:
        """One as-of year's rows of a measure's all-years evaluation."""
        ev = em.evaluations
        if ev.empty:
            return ev
        if as_of not in self.years:  # a year outside the data (tests, command line): compute it
            return evaluate_measure(em.measure, (as_of,)).drop(columns="as_of")
        return em.by_as_of.get(as_of, ev.iloc[0:0].drop(columns="as_of"))

    def challenge_evaluations(self, challenge: str, as_of: int, age_group: str | None = None) -> EvaluationTable:
        """Every goal of one challenge page, every area and sex (same as views.challenge_evaluations)."""
        def compute() -> EvaluationTable:
            ev = evaluate_all(self.cache.observations, self.config, as_of,
                              challenge_age_groups(self.config, challenge, age_group),
                              goals=self.config.goals_for(challenge), evaluated=self._evaluated)
            return EvaluationTable(ev.assign(challenge=challenge) if not ev.empty else ev,
                                   self.config.region.municipalities)

        return self._evaluations.get(("challenge", challenge, as_of, age_group), compute)

    def overview_evaluations(self, as_of: int, age_group: str | None = None) -> CombinedEvaluations:
        """Every challenge's table (same as views.overview_evaluations). Memoised too, although it
        only refers to the challenge pages' entries: its combined frame and what is derived from
        it (e.g. the goals repeated on several pages) are then computed once, not per click."""
        def compute() -> CombinedEvaluations:
            return CombinedEvaluations({c.name: self.challenge_evaluations(c.name, as_of, age_group)
                                        for c in self.config.challenges})

        return self._evaluations.get(("overview", as_of, age_group), compute)

    # ------------------------------------------------------------------ goal detail

    def goal_view(self, item: FocusItem, as_of: int, age_group: str | None = None) -> GoalView:
        def compute() -> GoalView:
            em = self.measure(item.goal, item.track, age_group)
            return goal_view(self.cache, self.config, item, as_of, age_group, measure=em.measure,
                             evaluations=self._as_of(em, as_of))

        return self._views.get((item.key, as_of, age_group), compute)

    def goal_charts(self, view: GoalView, area: str, genders: tuple[str, ...], names: dict[str, str],
                    source: str, compare: tuple[str, ...] = ()) -> GoalCharts:
        """The goal in focus's charts for one selection (every kind in the chart registry with a
        builder), built once for everyone."""
        is_demo = self.cache.is_demo
        key = (view.item.key, view.as_of, view.age_group, area, genders, source, compare)

        def compute() -> GoalCharts:
            return GoalCharts({kind.key: kind.build(view, area, genders, names, source, is_demo, compare)
                               for kind in kinds_for(view.has_municipalities) if kind.build is not None})

        return self._charts.get(key, compute)

    def spreads(self, item: FocusItem, as_of: int, age_group: str | None = None) -> dict:
        """The spread between the municipalities over time, per shown sex (nyap/rules/equality.py)."""
        def compute():
            m = self.measure(item.goal, item.track, age_group).measure
            genders = ("K", "M") if item.goal.measured_by_sex else ("T",)
            return {g: spread_over_time(m.values, item.goal, self.region.municipalities, as_of, g) for g in genders}

        return self._extra.get(("spreads", item.key, as_of, age_group), compute)

    def gender_gap(self, item: FocusItem, as_of: int, age_group: str | None, area: str):
        """The women–men gap of one area over time (only the area a page shows is computed)."""
        def compute():
            m = self.measure(item.goal, item.track, age_group).measure
            # the county as a mean of its municipalities: the gap over the same ones both years
            mean = area == m.reference_code and m.reference_kind in ("mean", "group")
            return gender_gap_over_time(m.with_reference, item.goal, area, as_of,
                                        municipalities=m.municipalities if mean else None)

        return self._per_area.get(("gender_gap", item.key, as_of, age_group, area), compute)

    def county_gap(self, item: FocusItem, as_of: int, age_group: str | None, area: str, gender: str):
        """The municipality's distance to the county over time (nyap/rules/comparison.py)."""
        def compute():
            em = self.measure(item.goal, item.track, age_group)
            ref, munis, by_area = self._gender_rows(em, gender)
            own = by_area.get(area, munis.iloc[:0])
            # a county that is a mean of municipalities: the rule takes it over the same ones both years
            mean = em.measure.reference_kind in ("mean", "group")
            return gap_to_county_over_time(own, ref, item.goal, as_of, municipalities=munis if mean else None)

        return self._per_area.get(("county_gap", item.key, as_of, age_group, area, gender), compute)

    def distances(self, item: FocusItem, as_of: int, age_group: str | None, area: str, gender: str):
        """The municipality's distance to the county and to the best municipality per year
        (nyap/rules/comparison.distances_by_year)."""
        def compute():
            ref, munis, by_area = self._gender_rows(self.measure(item.goal, item.track, age_group), gender)
            return distances_by_year(by_area.get(area, munis.iloc[:0]), ref, munis, item.goal, as_of)

        return self._per_area.get(("distances", item.key, as_of, age_group, area, gender), compute)

    def opening_item(self, challenge: str) -> FocusItem | None:
        """The goal measure a challenge page opens on: the first that has data (on real figures
        the first goal of a page may have none, e.g. självmord)."""
        for item in focus_items(self.config, challenge):
            if not self.measure(item.goal, item.track, None).measure.with_reference.empty:
                return item
        return None

    @staticmethod
    def _gender_rows(em: EvaluatedMeasure, gender: str):
        found = em.by_gender.get(gender)
        if found is None:  # no rows for that sex: empty frames of the same shape
            m = em.measure
            empty = m.values.iloc[:0]
            return (m.reference.iloc[:0] if not m.reference.empty else m.reference), empty, {}
        return found

    def profile_county_gaps(self, year: int, age_group: str | None, area: str, genders: tuple[str, ...]) -> dict:
        """'Närmar sig kommunen länet?' for every goal measure and sex of the profile:
        {(challenge, focus item key, sex): CountyGap} ('no_data' where either has no values)."""
        def compute() -> dict:
            out = {}
            for ch in self.config.challenges:
                for item in focus_items(self.config, ch.name):
                    age = self.age_group_on(ch.name, item, age_group)
                    for g in genders:
                        out[(ch.name, item.key, g)] = self.county_gap(item, year, age, area, g)
            return out

        return self._per_area.get(("profile_county_gaps", year, age_group, area, genders), compute)

    def profile_trends(self, year: int, age_group: str | None, area: str, genders: tuple[str, ...]) -> dict:
        """The area's series per goal measure and sex up to the year, as the profile's small trend
        lines: {(challenge, focus item key, sex): (image data URI, text)}. A hidden value stays
        hidden and a year without a value is a gap (sparkline)."""
        def compute() -> dict:
            out = {}
            for ch in self.config.challenges:
                for item in focus_items(self.config, ch.name):
                    em = self.measure(item.goal, item.track, self.age_group_on(ch.name, item, age_group))
                    mine = em.values_by_area.get(area)
                    if mine is None:
                        continue
                    mine = mine[mine["year"] <= year]
                    for g in genders:
                        rows = mine[mine["gender"] == g]
                        if rows.empty:
                            continue
                        by_year = rows.groupby("year")["value"].last()
                        by_year = by_year.where(~rows.groupby("year")["suppressed"].any())
                        years = range(int(by_year.index.min()), int(by_year.index.max()) + 1)
                        points = [(y, None if pd.isna(by_year.get(y)) else float(by_year[y]))
                                  for y in years if y in em.published_years]
                        spark = sparkline(points)
                        if spark:
                            out[(ch.name, item.key, g)] = spark
            return out

        return self._per_area.get(("profile_trends", year, age_group, area, genders), compute)

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """A shared, bounded memo for other per-selection results (e.g. rendered tables)."""
        return self._extra.get(key, compute)

    def call(self, fn: Callable[..., Any], *args: Hashable) -> Any:
        """fn(store, *args), computed once per data version for everyone: the key is the function
        and its own arguments, so it cannot drift from the inputs (scripts/load.py: rendering the
        overview's tables per session was most of a click before they were shared)."""
        return self._extra.get((fn.__module__, fn.__qualname__, *args), lambda: fn(self, *args))

    def warm(self) -> None:
        """Prepare and evaluate every measure for its default age group, and the overview of the
        latest year (a few seconds), so that the first visitors after a start or a refresh don't
        wait for it. `ready` is set when done (the benchmark waits for it before it measures)."""
        try:
            for goal in self.config.goals:
                for track in goal.tracks:
                    GATE.give_way()  # a visitor's page run goes first (nyap/serving/background.py)
                    self.measure(goal, track, None)
            if self.years:
                latest = max(self.years)
                self.overview_evaluations(latest)
                self.overview_ready.set()
                # each municipality's profile (its distances to the county and its trend lines):
                # the first click on a municipality then costs what a rerun costs
                openings = [i for i in (self.opening_item(ch.name) for ch in self.config.challenges) if i]
                for area in self.region.municipalities:
                    GATE.give_way()
                    self.profile_county_gaps(latest, None, area, ("T",))
                    self.profile_trends(latest, None, area, ("T",))
                    # and the equality lines of the goal each challenge page opens on
                    for item in openings:
                        GATE.give_way()
                        self.gender_gap(item, latest, None, area)
                        self.distances(item, latest, None, area, "T")
        finally:
            self.overview_ready.set()
            self.ready.set()
