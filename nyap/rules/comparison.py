"""A municipality against the county and the other municipalities, always in the same year.

* Rank: among the county's municipalities with a value in the *same year* as the municipality's
  own most recent value ("6 av 16": N = those with a value that year; 1 is the best, so for a goal
  that shall decrease the lowest value ranks first). Values are compared at the precision the
  pages show (one decimal), so 33,333333 and 33,33333333 are a tie and share the better rank.
* Against the county: the municipality's most recent value minus the county's value in that
  same year, with a word by the goal's direction ('bättre', 'sämre', 'som länet' within the
  goal's tolerance); no county value that year, no comparison.

One home for the goal arithmetic's evaluation (ranks are computed once per data version there),
the profile, its download and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nyap.rules.goals import Goal

DISPLAY_DECIMALS = 1  # the precision every table shows; ranks are ties at this precision


@dataclass(frozen=True)
class Rank:
    rank: int  # 1 = best; tied values share the best rank of the tie
    n: int  # municipalities with a value in the same year
    year: int | None = None

    @property
    def text(self) -> str:
        return f"{self.rank} av {self.n}"

    @classmethod
    def of(cls, row) -> "Rank | None":
        """The rank stored on an evaluation row (columns rank, rank_n, current_year), if any."""
        if row is None:
            return None
        rank, n = row.get("rank"), row.get("rank_n")
        if rank is None or n is None or pd.isna(rank) or pd.isna(n):
            return None
        year = row.get("current_year")
        return cls(int(rank), int(n), None if year is None or pd.isna(year) else int(year))


def ranks_in_year(values: pd.DataFrame, municipalities, sign: int,
                  decimals: int = DISPLAY_DECIMALS) -> pd.DataFrame:
    """Each municipality's rank and N in each year, among the municipalities with a usable value
    that year (per sex and age group): columns area_code, gender, age_group, year, rank, rank_n."""
    ok = values[values["area_code"].isin(list(municipalities)) & values["value"].notna()]
    if "suppressed" in ok:
        ok = ok[~ok["suppressed"].astype(bool)]
    ok = ok.drop_duplicates(["area_code", "gender", "age_group", "year"], keep="last")
    cols = ["area_code", "gender", "age_group", "year"]
    if ok.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols + ["rank", "rank_n"]})
    shown = np.round(ok["value"].astype(float) * 10 ** decimals) / 10 ** decimals * sign
    groups = shown.groupby([ok["gender"], ok["age_group"], ok["year"]], sort=False)
    out = ok[cols].copy()
    out["rank"] = groups.rank(method="min", ascending=False).astype("Int64")
    out["rank_n"] = groups.transform("size").astype("Int64")
    return out


def versus_county(own, county, goal: Goal, as_of: int) -> tuple[float | None, str]:
    """own − county and a word: 'bättre', 'sämre' or 'som länet' (within the goal's tolerance).
    Callers pass the county's value of the same year as `own` (the evaluation's county_current)."""
    if own is None or county is None or pd.isna(own) or pd.isna(county):
        return None, ""
    diff = float(own) - float(county)
    if abs(diff) <= goal.tolerance_at(as_of) + 1e-9:
        return diff, "som länet"
    return diff, "bättre" if diff * goal.sign > 0 else "sämre"
