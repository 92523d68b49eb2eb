"""The evaluations shown on a page, with the lookups the goal tables make.

The overview matrix asks for ~450 cells (goal × area × sex); filtering a DataFrame for each cell
cost most of a click under load (docs/BENCHMARKS.md). The rows are indexed once here instead.
"""

from __future__ import annotations

import pandas as pd

from .areas import MUNICIPALITIES


class EvaluationTable:
    """evaluate_all's frame (optionally with a `challenge` column) plus dictionary lookups.

    Every lookup answers what a boolean filter on the frame followed by `.iloc[0]` answered: the
    first matching row, as a dict.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._rows: dict[tuple, dict] = {}
        self._refs: dict[tuple, dict] = {}
        self._areas: dict[tuple, set[str]] = {}
        self._ages: dict[tuple, set[str]] = {}
        if frame.empty:
            return
        has_challenge = "challenge" in frame
        for row in frame.to_dict("records"):
            measure = (row["goal_id"], row["track"])
            for ch in ((row["challenge"], None) if has_challenge else (None,)):
                self._rows.setdefault((ch, *measure, row["area_code"], row["gender"]), row)
                if row["area_code"] == row["reference_code"]:
                    self._refs.setdefault((ch, *measure, row["gender"]), row)
                if row["reference_kind"] != "none":  # "none": no data at all, not county-only
                    self._areas.setdefault((ch, *measure), set()).add(row["area_code"])
                self._ages.setdefault((ch, *measure), set()).add(str(row["age_group"]))

    @property
    def empty(self) -> bool:
        return self.frame.empty

    def row(self, goal_id: str, track: str, area: str, gender: str, challenge: str | None = None) -> dict | None:
        return self._rows.get((challenge, goal_id, track, area, gender))

    def reference_row(self, goal_id: str, track: str, gender: str, challenge: str | None = None) -> dict | None:
        return self._refs.get((challenge, goal_id, track, gender))

    def county_only(self, goal_id: str, track: str, challenge: str | None = None) -> bool:
        """The measure has data, but only for the county (Kolada type L)."""
        areas = self._areas.get((challenge, goal_id, track))
        return bool(areas) and not (areas & set(MUNICIPALITIES))

    def age_groups(self, goal_id: str, track: str, challenge: str | None = None) -> set[str]:
        return self._ages.get((challenge, goal_id, track), set()) - {""}
