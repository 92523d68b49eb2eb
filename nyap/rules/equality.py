"""Equality over time: do the differences between the county's municipalities, and between women
and men, shrink or grow from the goal's baseline year to the latest year?

The strategy's sustainability goal is that differences between groups shall shrink (STEERING.md).
The rules, in one place for the goal page, the overview and Om data:

* Spread between municipalities, per year: highest − lowest (naming both), the standard deviation
  (sample, ddof=1), and the number of municipalities with a value. Baseline and latest compare the
  *same* municipalities (those with a value both years), so a municipality that drops out does
  not make the spread look smaller.
* What counts as a change depends on what the figures are (`uncertainty`):
  - "register": complete counts (every pupil, every death): no sampling error, so a change in
    SD larger than the goal's own tolerance counts;
  - "ci": survey values with 95 % intervals: part of the spread between small municipalities is
    noise, so the SD is corrected by the mean sampling variance (sqrt(max(0, SD² − mean(SE²)))),
    and a change must exceed both the tolerance and twice the standard error of a change in SD
    between n municipalities (SD·sqrt(1/(2(n−1))) per year);
  - "unknown": survey values without intervals (Kolada's copies of surveys): judged by the
    tolerance like register data, and the page says the uncertainty is unknown.
* The gap between women and men: |K − M| for an area, baseline against latest, with the same
  tolerance; survey gaps with intervals also need the change to exceed the combined 95 % interval.
  For a county reference that is a mean of the municipalities, the gap is taken over the
  municipalities with values for both sexes in both years.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nyap.rules.goal_arithmetic import Z95, baseline_year_among
from nyap.rules.goals import Goal

MIN_AREAS = 3  # a spread needs at least three municipalities

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
    uncertainty: str = "register"  # register | ci | unknown (see the module docstring)

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


def uncertainty_kind(rows: pd.DataFrame, goal: Goal) -> str:
    """'ci' for values with intervals, 'unknown' for survey values without, else 'register'."""
    if "ci_low" in rows and rows["ci_low"].notna().any():
        return "ci"
    survey = rows["indicator_id"].astype(str).isin(goal.survey_indicators).any() if "indicator_id" in rows else False
    if survey or ("source" in rows and (rows["source"].astype(str) == "livhalsa").any()):
        return "unknown"
    return "register"


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
    base_year = baseline_year_among(counts.index, period.baseline_year)
    if base_year is None:
        return SpreadChange(None, None, "no_data", tolerance, f"inga kommunvärden kring basåret {period.baseline_year}")
    latest_year = int(max(counts.index))
    if latest_year <= base_year:
        return SpreadChange(None, None, "no_data", tolerance, "inget år efter basåret")
    b, latest = _year_rows(ok, base_year), _year_rows(ok, latest_year)
    common = sorted(set(b["area_code"]) & set(latest["area_code"]))
    b, latest = b[b["area_code"].isin(common)], latest[latest["area_code"].isin(common)]
    sb, sl = spread_at(b, base_year), spread_at(latest, latest_year)
    if sb is None or sl is None:
        return SpreadChange(sb, sl, "no_data", tolerance, "färre än tre kommuner med värde båda åren")
    kind = uncertainty_kind(pd.concat([b, latest]), goal)
    n = len(common)
    threshold = tolerance
    if kind == "ci":  # municipalities' survey values are estimates: their SD is itself uncertain
        threshold = max(tolerance, Z95 * math.sqrt((sb.sd ** 2 + sl.sd ** 2) / (2 * (n - 1))))
    change = sl.true_sd - sb.true_sd
    verdict = "unchanged" if abs(change) <= threshold + 1e-9 else ("shrinking" if change < 0 else "growing")
    return SpreadChange(sb, sl, verdict, threshold, uncertainty=kind)


@dataclass(frozen=True)
class GapChange:
    area: str
    baseline_year: int | None
    baseline: float | None  # |K − M|
    latest_year: int | None
    latest: float | None
    verdict: str
    threshold: float
    uncertainty: str = "register"
    n_municipalities: int | None = None  # a county mean: the municipalities it is taken over

    @property
    def status(self) -> str:
        """The verdict in the goal status vocabulary, for goals whose own measure is the gap
        (`gender_gap = true`: the gap should shrink, a direction-only goal)."""
        return GAP_STATUS[self.verdict]


# one rule for the women–men gap: the equality section and a gender_gap goal's status read the same
# verdict, so the app, the report and the slides cannot disagree
GAP_STATUS = {"shrinking": "right_way", "unchanged": "unchanged", "growing": "wrong_way", "no_data": "no_data"}


def gender_gap_over_time(values: pd.DataFrame, goal: Goal, area: str, as_of: int,
                         municipalities=None) -> GapChange:
    """|women − men| for one area, baseline year against the latest year up to `as_of`.

    With `municipalities` (the area is the county as a mean of its municipalities), the gap is
    that of the mean over the municipalities with values for both sexes in both years, so that the
    two years compare the same county."""
    period = goal.period_for(as_of)
    tolerance = goal.tolerance_for(period)
    ok = _usable(values)
    ok = ok[ok["gender"].isin(["K", "M"]) & (ok["year"] <= as_of)]
    if municipalities is not None:
        return _mean_gap(ok[ok["area_code"].isin(list(municipalities))], goal, area, period, tolerance)
    ok = ok[ok["area_code"] == area]
    wide = ok.pivot_table(index="year", columns="gender", values="value", aggfunc="last")
    if "K" not in wide or "M" not in wide:
        return GapChange(area, None, None, None, None, "no_data", tolerance)
    wide = wide.dropna(subset=["K", "M"])
    by = baseline_year_among(wide.index, period.baseline_year)
    if by is None or int(wide.index.max()) <= by:
        return GapChange(area, None, None, None, None, "no_data", tolerance)
    ly = int(wide.index.max())
    gb, gl = abs(float(wide.loc[by, "K"] - wide.loc[by, "M"])), abs(float(wide.loc[ly, "K"] - wide.loc[ly, "M"]))
    kind = uncertainty_kind(ok, goal)
    threshold = tolerance
    if kind == "ci":
        se = ok.assign(se=_se(ok)).groupby("year")["se"].apply(lambda s: math.sqrt(float((s ** 2).sum())))
        threshold = max(tolerance, Z95 * math.sqrt(float(se.get(by, 0.0)) ** 2 + float(se.get(ly, 0.0)) ** 2))
    return _gap_change(area, by, gb, ly, gl, threshold, kind)


def _gap_change(area, by, gb, ly, gl, threshold, kind, n=None) -> GapChange:
    change = gl - gb
    verdict = "unchanged" if abs(change) <= threshold + 1e-9 else ("shrinking" if change < 0 else "growing")
    return GapChange(area, by, gb, ly, gl, verdict, threshold, kind, n)


def _mean_gap(ok: pd.DataFrame, goal: Goal, area: str, period, tolerance: float) -> GapChange:
    """The gap of the municipalities' mean, over those with both sexes in both years."""
    both = ok.pivot_table(index=["year", "area_code"], columns="gender", values="value", aggfunc="last")
    if "K" not in both or "M" not in both:
        return GapChange(area, None, None, None, None, "no_data", tolerance)
    both = both.dropna(subset=["K", "M"]).reset_index()
    years = sorted(int(y) for y in both["year"].unique())
    by = baseline_year_among(years, period.baseline_year)
    if by is None or max(years) <= by:
        return GapChange(area, None, None, None, None, "no_data", tolerance)
    ly = max(years)
    b, latest = both[both["year"] == by].set_index("area_code"), both[both["year"] == ly].set_index("area_code")
    common = sorted(set(b.index) & set(latest.index))
    if not common:
        return GapChange(area, by, None, ly, None, "no_data", tolerance, n_municipalities=0)
    gb = abs(float(b.loc[common, "K"].mean() - b.loc[common, "M"].mean()))
    gl = abs(float(latest.loc[common, "K"].mean() - latest.loc[common, "M"].mean()))
    return _gap_change(area, by, gb, ly, gl, tolerance, uncertainty_kind(ok, goal), len(common))
