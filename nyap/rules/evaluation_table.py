"""The evaluations shown on a page, with the lookups the goal tables make.

The overview matrix asks for ~450 cells (goal × area × sex); filtering a DataFrame for each cell
cost most of a click under load (docs/BENCHMARKS.md). The rows are indexed once here instead,
compactly (positions into a few columns, not a dict per row), because the shared store keeps
dozens of these for all sessions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any

import pandas as pd


# the columns the tables read
SHOWN = ("status", "remaining", "baseline", "baseline_year", "latest", "latest_year", "target", "no_data_reason",
         "baseline_n_areas", "latest_n_areas", "matched_n_areas", "matched", "across_break", "uncertainty_rule",
         "area_code", "gender", "current", "current_year", "county_current", "county_current_n", "rank", "rank_n")


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _year(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


class EvaluationRow:
    """One evaluation (a goal measure for one area and sex), the one row type the tables, the
    goal views, the key numbers and the status words read: typed attributes (row.status,
    row.latest_year), or like a dict (row["status"], row.get("remaining")) where a column is
    optional. Read-only: a view onto columns shared by every session."""

    __slots__ = ("_columns", "_i")

    def __init__(self, columns: dict, i: int):
        self._columns, self._i = columns, i

    def __getitem__(self, name: str):
        return self._columns[name][self._i]

    def get(self, name: str, default=None):
        column = self._columns.get(name)
        return default if column is None else column[self._i]

    def __contains__(self, name: str) -> bool:
        return name in self._columns

    @property
    def status(self) -> str:
        return str(self["status"])

    @property
    def remaining(self) -> float | None:
        return _number(self.get("remaining"))

    @property
    def baseline(self) -> float | None:
        return _number(self.get("baseline"))

    @property
    def latest(self) -> float | None:
        return _number(self.get("latest"))

    @property
    def target(self) -> float | None:
        return _number(self.get("target"))

    @property
    def baseline_year(self) -> int | None:
        return _year(self.get("baseline_year"))

    @property
    def latest_year(self) -> int | None:
        return _year(self.get("latest_year"))

    @property
    def current(self) -> float | None:
        """The most recent value up to the as-of year, with or without a baseline."""
        return _number(self.get("current"))

    @property
    def current_year(self) -> int | None:
        return _year(self.get("current_year"))

    @property
    def across_break(self) -> bool:
        return bool(self.get("across_break", False))


def rows_by(frame: pd.DataFrame, keys: tuple[str, ...]) -> dict[tuple, EvaluationRow]:
    """The first row for each key (what a boolean filter and `.iloc[0]` answered), as typed rows."""
    if frame.empty:
        return {}
    columns = {c: frame[c].to_numpy() for c in frame.columns}
    out: dict[tuple, EvaluationRow] = {}
    for i, key in enumerate(zip(*(columns[k] for k in keys))):
        out.setdefault(tuple(key), EvaluationRow(columns, i))
    return out


class _Derived:
    """Results that depend only on one table, computed once per table: the store keeps the table
    for everyone, so e.g. which goal measures repeat on several pages is worked out once per data
    version and year, not on every click of the profile (views.repeated_focus_items)."""

    def derived(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        cache = self.__dict__.setdefault("_derived", {})
        if key not in cache:  # two threads may both compute it: same answer, last one kept
            cache[key] = compute()
        return cache[key]


class EvaluationTable(_Derived):
    """evaluate_all's frame (with a `challenge` column on pages) plus dictionary lookups.

    Every lookup answers what a boolean filter on the frame followed by `.iloc[0]` answered: the
    first matching row.
    """

    def __init__(self, frame: pd.DataFrame, municipalities=()):
        self.frame = frame
        self.municipalities = frozenset(municipalities)  # the region's (county-only KPIs have none)
        self._columns = {c: frame[c].to_numpy() for c in SHOWN if c in frame}
        self._rows: dict[tuple, int] = {}
        self._refs: dict[tuple, int] = {}
        self._areas: dict[tuple, set[str]] = {}
        self._ages: dict[tuple, set[str]] = {}
        if frame.empty:
            return
        challenges = frame["challenge"] if "challenge" in frame else [None] * len(frame)
        for i, (ch, goal_id, track, area, gender, ref_code, kind, age) in enumerate(zip(
                challenges, frame["goal_id"], frame["track"], frame["area_code"], frame["gender"],
                frame["reference_code"], frame["reference_kind"], frame["age_group"].astype(str))):
            for c in ((ch, None) if ch is not None else (None,)):
                measure = (c, goal_id, track)
                self._rows.setdefault((*measure, area, gender), i)
                if area == ref_code:
                    self._refs.setdefault((*measure, gender), i)
                if kind != "none":  # "none": no data at all, not county-only
                    self._areas.setdefault(measure, set()).add(area)
                self._ages.setdefault(measure, set()).add(age)

    @property
    def empty(self) -> bool:
        return self.frame.empty

    def _row(self, i: int | None) -> EvaluationRow | None:
        return None if i is None else EvaluationRow(self._columns, i)

    def row(self, goal_id: str, track: str, area: str, gender: str, challenge: str | None = None):
        return self._row(self._rows.get((challenge, goal_id, track, area, gender)))

    def reference_row(self, goal_id: str, track: str, gender: str, challenge: str | None = None):
        return self._row(self._refs.get((challenge, goal_id, track, gender)))

    def county_only(self, goal_id: str, track: str, challenge: str | None = None) -> bool:
        """The measure has data, but only for the county (Kolada type L)."""
        areas = self._areas.get((challenge, goal_id, track))
        return bool(areas) and not (areas & self.municipalities)

    def age_groups(self, goal_id: str, track: str, challenge: str | None = None) -> set[str]:
        return self._ages.get((challenge, goal_id, track), set()) - {""}


class CombinedEvaluations(_Derived):
    """Several pages' tables as one (the overview shows every challenge): lookups by challenge go
    to that page's table, so the overview shares the challenge pages' entries in the store."""

    def __init__(self, tables: dict[str, EvaluationTable]):
        self.tables = tables

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        frames = [t.frame for t in self.tables.values() if not t.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @property
    def empty(self) -> bool:
        return all(t.empty for t in self.tables.values())

    def _table(self, challenge: str | None) -> EvaluationTable | None:
        return self.tables.get(challenge) if challenge is not None else None

    def row(self, goal_id: str, track: str, area: str, gender: str, challenge: str | None = None):
        t = self._table(challenge)
        return t.row(goal_id, track, area, gender) if t else None

    def reference_row(self, goal_id: str, track: str, gender: str, challenge: str | None = None):
        t = self._table(challenge)
        return t.reference_row(goal_id, track, gender) if t else None

    def county_only(self, goal_id: str, track: str, challenge: str | None = None) -> bool:
        t = self._table(challenge)
        return t.county_only(goal_id, track) if t else False

    def age_groups(self, goal_id: str, track: str, challenge: str | None = None) -> set[str]:
        t = self._table(challenge)
        return t.age_groups(goal_id, track) if t else set()


Evaluations = EvaluationTable | CombinedEvaluations
