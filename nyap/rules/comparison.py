"""A municipality against the county and the other municipalities: the difference to the county
(direction-aware: better or worse, given the goal's direction) and the rank among the county's
municipalities ("3 av 16": 1 is the best, so for a goal that shall decrease the lowest value ranks
first). One home for the profile, its download and the tests."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nyap.rules.goals import Goal


@dataclass(frozen=True)
class Rank:
    rank: int  # 1 = best; tied values share the best rank of the tie
    n: int  # municipalities with a value

    @property
    def text(self) -> str:
        return f"{self.rank} av {self.n}"


def rank_among(latest: dict[str, float], area: str, goal: Goal) -> Rank | None:
    """The area's rank by its latest value among the municipalities that have one."""
    values = {a: v for a, v in latest.items() if v is not None and not pd.isna(v)}
    if area not in values:
        return None
    own = values[area]
    # better = higher for a goal that shall increase, lower for one that shall decrease
    better = sum(1 for v in values.values() if (v - own) * goal.sign > 0)
    return Rank(better + 1, len(values))


def versus_county(own, county, goal: Goal, as_of: int) -> tuple[float | None, str]:
    """own − county and a word: 'bättre', 'sämre' or 'som länet' (within the goal's tolerance)."""
    if own is None or county is None or pd.isna(own) or pd.isna(county):
        return None, ""
    diff = float(own) - float(county)
    if abs(diff) <= goal.tolerance_at(as_of):
        return diff, "som länet"
    return diff, "bättre" if diff * goal.sign > 0 else "sämre"
