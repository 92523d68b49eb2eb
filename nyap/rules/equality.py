"""Equality over time: do the differences between the county's municipalities, and between women
and men, shrink or grow from the goal's baseline year to the latest year?

The strategy's sustainability goal is that differences between groups shall shrink (STEERING.md).
The rules, in one place for the goal page, the overview and Om data:

* Spread between municipalities, per year: highest − lowest (naming both), the standard deviation
  (sample, ddof=1), and the number of municipalities with a value. Baseline and latest compare the
  *same* municipalities (those with a value both years), so a municipality that drops out does
  not make the spread look smaller.
* Survey values carry sampling noise: part of the spread between small municipalities is noise.
  The between-municipality SD is corrected by the mean sampling variance (method of moments:
  sqrt(max(0, SD² − mean(SE²))), SE from the 95 % interval), so noise is not sold as difference.
* A change counts as shrinking or growing only when it is larger than both the goal's own
  tolerance (what counts as "oförändrat" for the goal) and twice the standard error of a change in
  SD between n municipalities (SD·sqrt(1/(2(n−1))) per year): with few municipalities, a change
  must be large to count.
* The gap between women and men: |K − M| for an area, baseline against latest, with the same
  tolerance; survey gaps also need the change to exceed the combined 95 % interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nyap.rules.goal_arithmetic import BASELINE_WINDOW
from nyap.rules.goals import Goal

MIN_AREAS = 3  # a spread needs at least three municipalities
Z95 = 1.96

VERDICT_WORDS = {"shrinking": "minskar", "growing": "ökar", "unchanged": "oförändrade", "no_data": "kan inte bedömas"}


@dataclass(frozen=True)
class Spread:
    year: int
    n: int
    low: float
    low_area: str
    high: float
    high_area: str
    sd: float  # between the municipalities' values (sample SD)
    noise_sd: float  # sampling noise (survey data), 0 for register data
    true_sd: float  # sd with the noise taken out

    @property
    def range(self) -> float:
        return self.high - self.low


@dataclass(frozen=True)
class SpreadChange:
    baseline: Spread | None
    latest: Spread | None
    verdict: str  # shrinking | growing | unchanged | no_data
    threshold: float  # the smallest change in SD that counts
    reason: str = ""  # why no_data

    @property
    def change(self) -> float | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest.true_sd - self.baseline.true_sd


def _usable(values: pd.DataFrame) -> pd.DataFrame:
    ok = values[values["value"].notna()]
    if "suppressed" in ok:
        ok = ok[~ok["suppressed"].astype(bool)]
    return ok


def _se(rows: pd.DataFrame) -> np.ndarray:
    """Standard errors from the 95 % intervals (0 where there is no interval: register data)."""
    if "ci_low" not in rows or "ci_high" not in rows:
        return np.zeros(len(rows))
    se = (rows["ci_high"].astype(float) - rows["ci_low"].astype(float)) / (2 * Z95)
    return se.fillna(0.0).to_numpy()


def spread_at(rows: pd.DataFrame, year: int) -> Spread | None:
    """The spread of one year's values, one row per municipality (area_code, value, ci_*)."""
    if len(rows) < MIN_AREAS:
        return None
    v = rows["value"].astype(float).to_numpy()
    sd = float(np.std(v, ddof=1))
    noise = float(math.sqrt(np.mean(_se(rows) ** 2)))
    true_sd = math.sqrt(max(0.0, sd * sd - noise * noise))
    lo, hi = int(np.argmin(v)), int(np.argmax(v))
    codes = rows["area_code"].astype(str).to_numpy()
    return Spread(int(year), len(rows), float(v[lo]), str(codes[lo]), float(v[hi]), str(codes[hi]), sd, noise, true_sd)


def _year_rows(ok: pd.DataFrame, year: int) -> pd.DataFrame:
    return ok[ok["year"] == year].drop_duplicates("area_code", keep="last")


def spread_over_time(values: pd.DataFrame, goal: Goal, municipalities, as_of: int, gender: str = "T") -> SpreadChange:
    """Spread between the municipalities, baseline year (± 2 years, as for a goal's baseline)
    against the latest year up to `as_of`, for the same municipalities."""
    period = goal.period_for(as_of)
    ok = _usable(values)
    ok = ok[ok["area_code"].isin(list(municipalities)) & (ok["gender"] == gender) & (ok["year"] <= as_of)]
    counts = ok.groupby("year")["area_code"].nunique()
    counts = counts[counts >= MIN_AREAS]
    tolerance = goal.tolerance_for(period)
    if counts.empty:
        return SpreadChange(None, None, "no_data", tolerance, "färre än tre kommuner med värde")
    near = [int(y) for y in counts.index if abs(int(y) - period.baseline_year) <= BASELINE_WINDOW]
    if not near:
        return SpreadChange(None, None, "no_data", tolerance, f"inga kommunvärden kring basåret {period.baseline_year}")
    base_year = min(near, key=lambda y: (abs(y - period.baseline_year), y))
    latest_year = int(max(counts.index))
    if latest_year <= base_year:
        return SpreadChange(None, None, "no_data", tolerance, "inget år efter basåret")
    b, latest = _year_rows(ok, base_year), _year_rows(ok, latest_year)
    common = sorted(set(b["area_code"]) & set(latest["area_code"]))
    b, latest = b[b["area_code"].isin(common)], latest[latest["area_code"].isin(common)]
    sb, sl = spread_at(b, base_year), spread_at(latest, latest_year)
    if sb is None or sl is None:
        return SpreadChange(sb, sl, "no_data", tolerance, "färre än tre kommuner med värde båda åren")
    n = len(common)
    se_change = math.sqrt((sb.sd ** 2 + sl.sd ** 2) / (2 * (n - 1)))
    threshold = max(tolerance, Z95 * se_change)
    change = sl.true_sd - sb.true_sd
    verdict = "unchanged" if abs(change) <= threshold else ("shrinking" if change < 0 else "growing")
    return SpreadChange(sb, sl, verdict, threshold)


@dataclass(frozen=True)
class GapChange:
    area: str
    baseline_year: int | None
    baseline: float | None  # |K − M|
    latest_year: int | None
    latest: float | None
    verdict: str
    threshold: float


def gender_gap_over_time(values: pd.DataFrame, goal: Goal, area: str, as_of: int) -> GapChange:
    """|women − men| for one area, baseline year against the latest year up to `as_of`."""
    period = goal.period_for(as_of)
    tolerance = goal.tolerance_for(period)
    ok = _usable(values)
    ok = ok[(ok["area_code"] == area) & ok["gender"].isin(["K", "M"]) & (ok["year"] <= as_of)]
    wide = ok.pivot_table(index="year", columns="gender", values="value", aggfunc="last")
    if "K" not in wide or "M" not in wide:
        return GapChange(area, None, None, None, None, "no_data", tolerance)
    wide = wide.dropna(subset=["K", "M"])
    near = [int(y) for y in wide.index if abs(int(y) - period.baseline_year) <= BASELINE_WINDOW]
    if not near or int(wide.index.max()) <= min(near):
        return GapChange(area, None, None, None, None, "no_data", tolerance)
    by = min(near, key=lambda y: (abs(y - period.baseline_year), y))
    ly = int(wide.index.max())
    gb, gl = abs(float(wide.loc[by, "K"] - wide.loc[by, "M"])), abs(float(wide.loc[ly, "K"] - wide.loc[ly, "M"]))
    se = ok.assign(se=_se(ok)).groupby("year")["se"].apply(lambda s: math.sqrt(float((s ** 2).sum())))
    threshold = max(tolerance, Z95 * math.sqrt(float(se.get(by, 0.0)) ** 2 + float(se.get(ly, 0.0)) ** 2))
    change = gl - gb
    verdict = "unchanged" if abs(change) <= threshold else ("shrinking" if change < 0 else "growing")
    return GapChange(area, by, gb, ly, gl, verdict, threshold)
