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
    return better_or_worse(own, county, goal, as_of, "som länet")


def better_or_worse(value, other, goal: Goal, as_of: int, same: str) -> tuple[float | None, str]:
    """value − other and 'bättre' / 'sämre' by the goal's direction, or `same` within its tolerance."""
    if value is None or other is None or pd.isna(value) or pd.isna(other):
        return None, ""
    diff = float(value) - float(other)
    if abs(diff) <= goal.tolerance_at(as_of) + 1e-9:
        return diff, same
    return diff, "bättre" if diff * goal.sign > 0 else "sämre"


@dataclass(frozen=True)
class ChangeSince:
    """What changed for one goal measure since the previous report: the value (a newer year than
    the one that report showed, else 'no new value') and the status then."""

    then_year: int | None  # the year of the value the previous report showed
    now_year: int | None
    difference: float | None  # now − then, only when both exist and now is a newer year
    word: str  # bättre | sämre | oförändrat | ""
    status_then: str | None  # None: no evaluation in the previous report


def change_since(now_row, then_row, goal: Goal, as_of: int) -> ChangeSince:
    """The change between the evaluation of `as_of` and the previous report's (as_of − 1): each
    row's most recent value ('current'), judged by the goal's direction and tolerance."""
    def value_year(row):
        if row is None:
            return None, None
        v, y = row.get("current"), row.get("current_year")
        return (None if v is None or pd.isna(v) else float(v)), (None if y is None or pd.isna(y) else int(y))

    now, now_year = value_year(now_row)
    then, then_year = value_year(then_row)
    status_then = None if then_row is None else str(then_row["status"])
    if now is None or then is None or now_year is None or then_year is None or now_year <= then_year:
        return ChangeSince(then_year, now_year, None, "", status_then)
    diff, word = better_or_worse(now, then, goal, as_of, "oförändrat")
    return ChangeSince(then_year, now_year, diff, word, status_then)


@dataclass(frozen=True)
class CountyGap:
    """A municipality's distance to the county per year (own − county, same year; a year where
    either is missing is a gap), and whether it closes between the baseline and the latest year."""

    years: tuple[int, ...]
    gaps: tuple[float | None, ...]  # own − county per year, None where a value is missing
    baseline_year: int | None
    latest_year: int | None
    # ahead | caught_up | lost_lead | fell_behind | closing | widening | unchanged | no_data
    verdict: str
    tolerance: float

    def gap_in(self, year: int) -> float | None:
        return dict(zip(self.years, self.gaps)).get(year)


def gap_to_county_over_time(own: pd.DataFrame, county: pd.DataFrame, goal: Goal, as_of: int,
                            municipalities: pd.DataFrame | None = None) -> CountyGap:
    """The municipality's distance to the county, year by year up to `as_of`, for one sex: both
    series' usable values (suppressed and missing left out, never 0), joined on the year. The
    comparison years follow the goal's baseline rule (nearest year within ±2 of the baseline year
    where both have a value) and the latest year where both have one. 'closing': the distance on
    the worse side shrank by more than the goal's tolerance; 'widening': it grew by more;
    'ahead': the municipality is on the better side of the county in the latest year.

    `municipalities` (their values, one sex): the county is a mean of municipalities, and the two
    years compared take it over the municipalities with a value in both, so that one dropping out
    does not move "the county"; the other years keep the published mean."""
    from nyap.rules.goal_arithmetic import baseline_year_among

    def usable_by_year(frame: pd.DataFrame) -> dict[int, float]:
        ok = frame[frame["value"].notna() & (frame["year"] <= as_of)]
        if "suppressed" in ok:
            ok = ok[~ok["suppressed"].astype(bool)]
        return {int(y): float(v) for y, v in zip(ok["year"], ok["value"])}

    def usable_by_area(frame: pd.DataFrame, year: int) -> dict[str, float]:
        ok = frame[frame["value"].notna() & (frame["year"] == year)]
        if "suppressed" in ok:
            ok = ok[~ok["suppressed"].astype(bool)]
        return dict(zip(ok["area_code"].astype(str), ok["value"].astype(float)))

    mine, theirs = usable_by_year(own), usable_by_year(county)
    tolerance = goal.tolerance_at(as_of)
    years = tuple(sorted(set(mine) | set(theirs)))
    gaps = tuple(mine[y] - theirs[y] if y in mine and y in theirs else None for y in years)
    both = [y for y, g in zip(years, gaps) if g is not None]
    base = baseline_year_among(both, goal.period_for(as_of).baseline_year) if both else None
    latest = max(both) if both else None
    if base is None or latest is None or latest <= base:
        return CountyGap(years, gaps, base, latest, "no_data", tolerance)
    if municipalities is not None:
        b, l_ = (usable_by_area(municipalities, y) for y in (base, latest))
        common = sorted(set(b) & set(l_))
        if common:
            theirs = {**theirs, base: float(np.mean([b[c] for c in common])),
                      latest: float(np.mean([l_[c] for c in common]))}
            gaps = tuple(mine[y] - theirs[y] if y in mine and y in theirs else None for y in years)
    # positive = better than the county (a goal to decrease: below it), by the goal's tolerance
    def where(diff: float) -> int:
        better = goal.sign * diff
        return 1 if better > tolerance + 1e-9 else (-1 if better < -tolerance - 1e-9 else 0)

    then, now = where(mine[base] - theirs[base]), where(mine[latest] - theirs[latest])
    behind_base = max(0.0, -goal.sign * (mine[base] - theirs[base]))
    behind_latest = max(0.0, -goal.sign * (mine[latest] - theirs[latest]))
    if now == 1:
        verdict = "ahead"  # better than the county in the latest year
    elif now == 0:
        verdict = {1: "lost_lead", 0: "unchanged", -1: "caught_up"}[then]
    elif then >= 0:
        verdict = "fell_behind"  # level with or better than the county then, worse now
    elif abs(behind_latest - behind_base) <= tolerance + 1e-9:
        verdict = "unchanged"
    else:
        verdict = "closing" if behind_latest < behind_base else "widening"
    return CountyGap(years, gaps, base, latest, verdict, tolerance)


@dataclass(frozen=True)
class YearDistance:
    """One year of a municipality's distance to the county and to the county's best municipality
    (by the goal's direction), all values of that same year; None where a value is missing."""

    year: int
    own: float | None
    county: float | None
    best_area: str | None
    best: float | None

    @property
    def to_county(self) -> float | None:
        return None if self.own is None or self.county is None else self.own - self.county

    @property
    def to_best(self) -> float | None:
        return None if self.own is None or self.best is None else self.own - self.best


def distances_by_year(own: pd.DataFrame, county: pd.DataFrame, municipalities: pd.DataFrame, goal: Goal,
                      as_of: int) -> list[YearDistance]:
    """Per year up to `as_of` where anyone has a value: the municipality, the county and the best
    municipality that year (highest for a goal to increase, lowest to decrease). Suppressed and
    missing values are left out, never 0: a year without the municipality's value is a gap."""
    def usable(frame: pd.DataFrame) -> pd.DataFrame:
        ok = frame[frame["value"].notna() & (frame["year"] <= as_of)]
        return ok[~ok["suppressed"].astype(bool)] if "suppressed" in ok else ok

    mine = {int(y): float(v) for y, v in zip(*(usable(own)[c] for c in ("year", "value")))}
    theirs = {int(y): float(v) for y, v in zip(*(usable(county)[c] for c in ("year", "value")))}
    munis = usable(municipalities)
    best: dict[int, tuple[str, float]] = {}
    for code, y, v in zip(munis["area_code"].astype(str), munis["year"].astype(int), munis["value"].astype(float)):
        # compared at the shown precision, as ranks are: a tie goes to the first in code order
        if y not in best or round(v * goal.sign, DISPLAY_DECIMALS) > round(best[y][1] * goal.sign, DISPLAY_DECIMALS):
            best[y] = (code, v)
    years = sorted(set(mine) | set(theirs) | set(best))
    return [YearDistance(y, mine.get(y), theirs.get(y), best.get(y, (None, None))[0], best.get(y, (None, None))[1])
            for y in years]
