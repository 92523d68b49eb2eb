"""The goal arithmetic: the one definition shared by the app, the command line and the tests.

For one goal, area, gender and age group, with an "as of" year:

* baseline  = the value in the period's baseline year; if missing, the nearest year within ±2 years
              (a tie goes to the earlier year) that is not after the as-of year. The year actually
              used is returned.
* target    = baseline + change (goal "increase") or baseline − change ("decrease"). Direction-only
              goals have no target.
* latest    = the most recent value after the baseline year and at or before the as-of year.
* achieved  = (latest − baseline) in the goal's direction (positive = the right way).
* remaining = max(0, change − achieved); progress = achieved / change (may be < 0 or > 1).
* target    is capped to 0–100 for percentages (a +3 goal from 98 % cannot ask for 101 %).
* status    = "break"      baseline and latest come from different series (a KPI and its
                           successor): not comparable, so no movement is claimed;
              "reached"    the target is reached (numeric goals only);
              "unchanged"  |achieved| < tolerance, or, for survey data with confidence intervals,
                           when the difference is not statistically significant (|Δ| < 1.96·√(se₁²+se₂²),
                           se from each 95 % interval's half-width / 1.96);
              "right_way" / "wrong_way" by the sign of achieved;
              "at_limit"   a share whose baseline is already at 100 % (or 0 % for a goal to
                           decrease): the capped target equals the baseline, so the goal cannot
                           be reached by moving; only a worsening beyond the tolerance is judged
                           ("wrong_way");
              "no_data"    no baseline within ±2 years, or no later value; `no_data_reason` says
                           which ("no_values", "no_baseline", "no_latest", "before_baseline").
  The tolerance is the goal's own `tolerance`, else meta.tolerance_share × change (10 % of the
  goal's change by default: 0.2 percentage points for a 2-point goal).

Suppressed survey groups and missing values (NaN) are never used. Values of two different series
(a KPI and its successor) are never joined into one line; a status that compares across such a
break is flagged (`across_break`) so the page can say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nyap.data.cache import NO_AGE_GROUP
from nyap.rules.statuses import STATUS_LABELS, STATUSES, STATUS_ORDER, worst_first  # noqa: F401  (re-exported)
from nyap.rules.comparison import ranks_in_year
from nyap.rules.goals import Goal, GoalsConfig
from nyap.data.region import Region
from nyap.data.suppression import Z95  # the one 95 % z-value (re-exported for the rules)

BASELINE_WINDOW = 2

# The status vocabulary (keys, symbols, colours, labels, rank) lives in nyap/rules/statuses.py; the
# reasons behind a status, in words, in nyap/present/status.py.
EPS = 1e-9  # decimal numbers: 50.2 − 50.0 must equal a tolerance of 0.2

VALUE_COLUMNS = [
    "area_code", "year", "period", "gender", "age_group", "value", "ci_low", "ci_high", "n",
    "suppressed", "series_id", "indicator_id", "source",
]
GROUP_KEYS = ["area_code", "gender", "age_group"]

COMPUTED_MEAN_CODE = "LANSMEDEL"  # pseudo area for our own unweighted mean of the municipalities
REFERENCE_LABELS = {  # "county": the region's own name (nyap/data/region.py)
    "group": "Länets kommuner, ovägt medel (Kolada)",
    "mean": "Länets kommuner, ovägt medel (egen beräkning)",
}


# --------------------------------------------------------------------------- goal values

def choose_source(observations: pd.DataFrame, indicator_id: str, preference: tuple[str, ...],
                  only: str | None = None) -> str | None:
    """Which source to use for an indicator present in several (e.g. Liv & Hälsa over Kolada)."""
    rows = observations[observations["indicator_id"] == indicator_id]
    present = set(rows["source"].astype(str))
    if only is not None:
        return only if only in present else None
    for source in preference:
        if source in present:
            return source
    return sorted(present)[0] if present else None


def goal_values(observations: pd.DataFrame, goal: Goal, track: str | None = None,
                preference: tuple[str, ...] = ("livhalsa", "regional", "kolada")) -> pd.DataFrame:
    """The goal's observations in the goal's own terms: per 1000 not per 100 000, trust not lack
    of trust, the life-expectancy KPIs mapped to women and men, year windows of a series chain.

    Returns VALUE_COLUMNS; `series_id` separates series that must not be joined.
    """
    track = goal.tracks[0] if track is None else track
    parts = []
    for ref in goal.indicators:
        if ref.track != track:
            continue
        source = choose_source(observations, ref.id, preference, ref.source)
        if source is None:
            continue
        rows = observations[(observations["indicator_id"] == ref.id)
                            & (observations["source"] == source)]
        if ref.first_year is not None:
            rows = rows[rows["year"] >= ref.first_year]
        if ref.last_year is not None:
            rows = rows[rows["year"] <= ref.last_year]
        rows = pd.DataFrame({c: rows[c].astype(str) if str(rows[c].dtype) == "category" else rows[c]
                             for c in VALUE_COLUMNS})
        if ref.gender is not None:
            # A KPI not split by gender that stands for one gender (e.g. N00925 = women).
            rows = rows[rows["gender"] == "T"].assign(gender=ref.gender)
        if ref.transform == "complement":
            low, high = rows["ci_low"], rows["ci_high"]
            rows = rows.assign(value=100.0 - rows["value"], ci_low=100.0 - high, ci_high=100.0 - low)
        if ref.scale != 1.0:
            rows = rows.assign(value=rows["value"] * ref.scale, ci_low=rows["ci_low"] * ref.scale,
                               ci_high=rows["ci_high"] * ref.scale)
        parts.append(rows)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in VALUE_COLUMNS})
    out = pd.concat([p.assign(_part=i) for i, p in enumerate(parts)], ignore_index=True)
    # Where a KPI and its successor both have a value for the same year, the successor (listed
    # later in goals.toml) is the goal's measure; the older series stops where the new one starts.
    # A missing (null) successor value does not hide the predecessor's real one.
    out["_usable"] = out["value"].notna() & ~out["suppressed"].astype(bool)
    out = (out.sort_values(GROUP_KEYS + ["year", "_usable", "_part"], kind="stable")
           .drop_duplicates(GROUP_KEYS + ["year"], keep="last").drop(columns=["_usable", "_part"]))
    return out.sort_values(GROUP_KEYS + ["year"], kind="stable").reset_index(drop=True)


def _dtype(col: str) -> str:
    return {"year": "int64", "value": "float64", "ci_low": "float64", "ci_high": "float64",
            "n": "float64", "suppressed": "bool"}.get(col, "object")


def usable(values: pd.DataFrame) -> pd.DataFrame:
    """Rows that may enter any computation: a value, not suppressed."""
    return values[values["value"].notna() & ~values["suppressed"].astype(bool)]


# --------------------------------------------------------------------------- county reference

def county_reference(values: pd.DataFrame, region: Region) -> pd.DataFrame:
    """The county reference series for a goal's values, labelled for what it is.

    The region's own values when the indicator has them (L- and A-type KPIs, survey data); else
    Kolada's group of the county's municipalities (the unweighted mean Kolada computes for K-type
    KPIs), when the configuration names one; else our own unweighted mean of the municipalities
    that have a value that year. One kind for the whole series, so that a
    line never switches between a county value and a computed mean.
    Returns VALUE_COLUMNS + reference_kind, reference_label, n_municipalities.
    """
    ok = usable(values)
    for kind, code in (("county", region.county), ("group", region.group)):
        rows = ok[ok["area_code"] == code] if code else ok.iloc[0:0]
        if not rows.empty:
            ref = values[values["area_code"] == code].copy()
            return ref.assign(reference_kind=kind, reference_label=REFERENCE_LABELS.get(kind, region.county_name),
                              n_municipalities=np.nan)
    muni = ok[ok["area_code"].isin(list(region.municipalities))]
    if muni.empty:
        cols = VALUE_COLUMNS + ["reference_kind", "reference_label", "n_municipalities"]
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in cols})
    keys = ["year", "period", "gender", "age_group", "series_id", "indicator_id", "source"]
    mean = (muni.groupby(keys, observed=True, sort=True)
            .agg(value=("value", "mean"), n_municipalities=("value", "size"))
            .reset_index())
    mean = mean.assign(area_code=COMPUTED_MEAN_CODE, ci_low=np.nan, ci_high=np.nan, n=np.nan,
                       suppressed=False, reference_kind="mean", reference_label=REFERENCE_LABELS["mean"])
    return mean[VALUE_COLUMNS + ["reference_kind", "reference_label", "n_municipalities"]]


def with_county_reference(values: pd.DataFrame, region: Region):
    """The values plus, when the county reference is our own mean, that mean as a pseudo area.

    Returns (values, reference series, kind, the area code that stands for the county).
    """
    ref = county_reference(values, region)
    kind = str(ref["reference_kind"].iloc[0]) if not ref.empty else ""
    if kind == "mean":
        values = pd.concat([values, ref[VALUE_COLUMNS]], ignore_index=True)
    code = {"county": region.county, "group": region.group, "mean": COMPUTED_MEAN_CODE}.get(kind, "")
    return values, ref, kind, code


# --------------------------------------------------------------------------- evaluation

def baseline_year_among(years, baseline_year: int) -> int | None:
    """The baseline rule for one series: the year nearest the goal's baseline year within
    ±BASELINE_WINDOW, the earlier on a tie; None when no year is near enough. `_evaluate_period`
    applies the same rule vectorised; the equality rules and the refresh's warning use this."""
    near = [int(y) for y in years if abs(int(y) - baseline_year) <= BASELINE_WINDOW]
    return min(near, key=lambda y: (abs(y - baseline_year), y)) if near else None



@dataclass(frozen=True)
class Evaluation:
    """One goal's result for one area, gender and age group (a row of evaluate_goal)."""

    area_code: str
    gender: str
    age_group: str
    baseline_year: int | None
    baseline: float | None
    target: float | None
    latest_year: int | None
    latest: float | None
    achieved: float | None
    remaining: float | None
    progress: float | None
    status: str
    across_break: bool


def evaluate_goal(values: pd.DataFrame, goal: Goal, as_of: int, tolerance: float | None = None) -> pd.DataFrame:
    """Evaluate a goal for every (area, gender, age group) in `values` (as from goal_values).

    One row per group with: period, baseline_year, baseline, baseline_ci_low/high, target,
    latest_year, latest, latest_ci_low/high, latest_series, achieved, remaining, progress,
    status, across_break. Vectorised: the overview evaluates every goal for every area at once.
    """
    out = _evaluate_period(values, goal, goal.period_for(as_of), (as_of,), tolerance)
    return out.drop(columns="as_of")


def evaluate_goal_years(values: pd.DataFrame, goal: Goal, years, tolerance: float | None = None) -> pd.DataFrame:
    """evaluate_goal for several as-of years at once (column `as_of`): the same rows as one call
    per year, in one vectorised pass per goal period. The app evaluates every year once per data
    version this way (scripts/load.py: a year's evaluation per goal costs about as much as all
    years' together)."""
    by_period: dict = {}
    for year in sorted(set(int(y) for y in years)):
        by_period.setdefault(goal.period_for(year), []).append(year)
    frames = [_evaluate_period(values, goal, period, tuple(ys), tolerance) for period, ys in by_period.items()]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _evaluate_period(values: pd.DataFrame, goal: Goal, period, years: tuple[int, ...],
                     tolerance: float | None) -> pd.DataFrame:
    """The rules above for as-of years that share one goal period; `as_of` is a group key."""
    tol = goal.tolerance_for(period) if tolerance is None else tolerance
    keys = GROUP_KEYS + ["as_of"]
    as_of = pd.DataFrame({"as_of": np.asarray(years, dtype="int64")})
    ok = usable(values).merge(as_of, how="cross")
    ok = ok[ok["year"] <= ok["as_of"]]
    groups = values[GROUP_KEYS].drop_duplicates().merge(as_of, how="cross").reset_index(drop=True)

    # baseline: nearest year within ±2 of the baseline year, earlier year on a tie; nothing can
    # be judged before the baseline year itself
    cand = ok[((ok["year"] - period.baseline_year).abs() <= BASELINE_WINDOW) & (ok["as_of"] >= period.baseline_year)]
    cand = cand.assign(_dist=(cand["year"] - period.baseline_year).abs())
    base = (cand.sort_values(keys + ["_dist", "year"], kind="stable")
            .drop_duplicates(keys)[keys + ["year", "value", "ci_low", "ci_high", "series_id"]]
            .rename(columns={"year": "baseline_year", "value": "baseline", "ci_low": "baseline_ci_low",
                             "ci_high": "baseline_ci_high", "series_id": "baseline_series"}))
    out = groups.merge(base, on=keys, how="left")

    # latest: most recent value at or before as_of, after the baseline year actually used
    after = ok.merge(out[keys + ["baseline_year"]], on=keys, how="inner")
    after = after[after["year"] > after["baseline_year"]]
    last = (after.sort_values(keys + ["year"], kind="stable")
            .drop_duplicates(keys, keep="last")[keys + ["year", "value", "ci_low", "ci_high", "series_id",
                                                    "indicator_id", "source"]]
            .rename(columns={"year": "latest_year", "value": "latest", "ci_low": "latest_ci_low",
                             "ci_high": "latest_ci_high", "series_id": "latest_series",
                             "indicator_id": "latest_indicator", "source": "latest_source"}))
    out = out.merge(last, on=keys, how="left")
    # current: the most recent value at or before as_of whatever the baseline (a value with no
    # baseline is still a value: the profile shows it, and ranks and county comparisons use it)
    cur = (ok.sort_values(keys + ["year"], kind="stable").drop_duplicates(keys, keep="last")[keys + ["year", "value"]]
           .rename(columns={"year": "current_year", "value": "current"}))
    out = out.merge(cur, on=keys, how="left")
    out = _judge(out, goal, period, tol)
    # why there is no comparison: the page says which, with the years searched
    any_value = ok.drop_duplicates(keys)[keys].assign(_any=True)
    out = out.merge(any_value, on=keys, how="left")
    no_data = out["status"] == "no_data"
    out["no_data_reason"] = np.select(
        [~no_data, out["as_of"] < period.baseline_year, out["_any"].isna(), out["baseline"].isna()],
        ["", "before_baseline", "no_values", "no_baseline"], default="no_latest")
    out = out.drop(columns="_any")
    for col in ("baseline_year", "latest_year", "current_year"):
        out[col] = out[col].astype("Int64")
    return out


def _judge(out: pd.DataFrame, goal: Goal, period, tol: float) -> pd.DataFrame:
    """Target, remaining, progress and status from each row's baseline and latest value (with
    their intervals and series): the rules in the module docstring, in one place for the areas'
    own values and for the county mean over the same municipalities (evaluate_measure)."""
    sign = goal.sign
    change = period.change
    out["period"] = period.label
    out["achieved"] = (sign * (out["latest"] - out["baseline"])).round(9)
    if change is not None:
        target = out["baseline"] + sign * change
        if goal.unit == "procent":
            target = target.clip(0.0, 100.0)
        out["target"] = target
        out["remaining"] = np.maximum((sign * (target - out["latest"])).round(9), 0.0)
        span = sign * (target - out["baseline"])
        out["progress"] = np.where(span > EPS, out["achieved"] / span.where(span > EPS), np.nan)
        reached = out["remaining"] <= EPS
    else:
        out["target"] = np.nan
        out["remaining"] = np.nan
        out["progress"] = np.nan
        reached = pd.Series(False, index=out.index)

    se_diff = np.sqrt(((out["baseline_ci_high"] - out["baseline_ci_low"]) / (2 * Z95)) ** 2
                      + ((out["latest_ci_high"] - out["latest_ci_low"]) / (2 * Z95)) ** 2)
    has_ci = se_diff.notna() & (se_diff > 0)
    inside_ci = has_ci & (out["achieved"].abs() < Z95 * se_diff)
    within_tol = ~has_ci & (out["achieved"].abs() < round(tol, 9) - EPS)
    no_data = out["baseline"].isna() | out["latest"].isna()
    across = (~no_data) & (out["baseline_series"] != out["latest_series"])
    # a share at its ceiling (or floor): the capped target equals the baseline, so "reached"
    # would claim a movement that is impossible; judged only if it gets worse
    at_limit = ((out["target"] - out["baseline"]).abs() <= EPS) if change is not None and goal.unit == "procent" \
        else pd.Series(False, index=out.index)
    worse = (out["achieved"] < 0) & ~(inside_ci | within_tol)

    status = np.select(
        [no_data, across, at_limit & ~worse, reached, inside_ci | within_tol, out["achieved"] > 0],
        ["no_data", "break", "at_limit", "reached", "unchanged", "right_way"],
        default="wrong_way",
    )
    out["status"] = status
    if change is not None:
        limited = at_limit.to_numpy(dtype=bool)
        out.loc[limited, ["remaining", "progress"]] = np.nan
    # survey figures without intervals (Kolada's copy of a survey) are judged by the goal's
    # tolerance like register counts, but their sampling uncertainty is unknown, and we say so
    survey = out["latest_indicator"].isin(goal.survey_indicators) | (out["latest_source"] == "livhalsa") \
        if "latest_indicator" in out else pd.Series(False, index=out.index)
    out["uncertainty_rule"] = np.where(has_ci, "ci", np.where(survey & ~no_data, "unknown", "tolerance"))
    out["across_break"] = across
    return out


def evaluate_one(values: pd.DataFrame, goal: Goal, as_of: int, area_code: str, gender: str = "T",
                 age_group: str = NO_AGE_GROUP) -> Evaluation:
    """Scalar convenience around evaluate_goal for one area, gender and age group."""
    sel = values[(values["area_code"] == area_code) & (values["gender"] == gender)
                 & (values["age_group"] == age_group)]
    if sel.empty:
        return Evaluation(area_code, gender, age_group, None, None, None, None, None, None, None,
                          None, "no_data", False)
    row = evaluate_goal(sel, goal, as_of).iloc[0]

    def f(v):
        return None if pd.isna(v) else float(v)

    def i(v):
        return None if pd.isna(v) else int(v)

    return Evaluation(area_code, gender, age_group, i(row["baseline_year"]), f(row["baseline"]),
                      f(row["target"]), i(row["latest_year"]), f(row["latest"]), f(row["achieved"]),
                      f(row["remaining"]), f(row["progress"]), str(row["status"]), bool(row["across_break"]))


# --------------------------------------------------------------------------- gender gap

def gender_gap(values: pd.DataFrame) -> pd.DataFrame:
    """Women minus men per area, year and age group (e.g. life expectancy: women live longer).

    Returns VALUE_COLUMNS with gender "K-M" and value = K − M; missing when either is missing.
    """
    ok = usable(values)
    keys = ["area_code", "year", "period", "age_group"]
    k = ok[ok["gender"] == "K"][keys + ["value", "series_id", "indicator_id", "source"]]
    m = ok[ok["gender"] == "M"][keys + ["value", "series_id"]]
    joined = k.merge(m, on=keys, how="inner", suffixes=("", "_m"))
    gap = pd.DataFrame({
        "area_code": joined["area_code"], "year": joined["year"], "period": joined["period"],
        "gender": "K-M", "age_group": joined["age_group"],
        "value": joined["value"] - joined["value_m"], "ci_low": np.nan, "ci_high": np.nan, "n": np.nan,
        "suppressed": False,
        "series_id": joined["series_id"] + "/" + joined["series_id_m"],
        "indicator_id": joined["indicator_id"], "source": joined["source"],
    })
    return gap[VALUE_COLUMNS].sort_values(GROUP_KEYS + ["year"]).reset_index(drop=True)


# --------------------------------------------------------------------------- all goals

@dataclass(frozen=True)
class Measure:
    """One goal measure (a goal, or one track of it) for one age group, ready to evaluate:
    its values in the goal's own terms plus the county reference."""

    goal: Goal
    track: str
    age_group: str  # the age group used; NO_AGE_GROUP for data without age groups
    age_groups: tuple[str, ...]  # every age group the data has
    values: pd.DataFrame  # goal_values for this age group (suppressed rows kept)
    with_reference: pd.DataFrame  # values plus our own county mean as a pseudo area, when used
    reference: pd.DataFrame  # the county reference series
    reference_kind: str  # county | group | mean | ""
    reference_code: str
    municipalities: tuple[str, ...] = ()  # the county's municipalities (ranks, the county mean's coverage)


def prepare_measure(observations: pd.DataFrame, goal: Goal, track: str, age_group: str | None,
                    region: Region, preference: tuple[str, ...]) -> Measure:
    """The values of one measure for the chosen age group (else the widest one) and its county
    reference: the common first step of the overview, the goal lists and a goal's detail view."""
    values = goal_values(observations, goal, track, preference)
    groups = tuple(sorted(set(values["age_group"].astype(str)) - {NO_AGE_GROUP}, key=age_group_sort_key))
    if groups:
        age = age_group if age_group in groups else default_age_group(set(groups))
        values = values[values["age_group"] == age].reset_index(drop=True)
    else:
        age = NO_AGE_GROUP
    with_ref, ref, kind, code = with_county_reference(values, region)
    return Measure(goal, track, age, groups, values, with_ref, ref, kind, code, tuple(region.municipalities))


def evaluate_measure(measure: Measure, years) -> pd.DataFrame:
    """evaluate_goal_years for a measure, with every comparison made like with like; empty when
    the measure has no data.

    * The county reference as a mean of municipalities (Kolada's group or our own) is judged on the
      municipalities with a value in both its baseline and latest year (`same_municipalities`);
      `baseline_n_areas` / `latest_n_areas` say how many each year's mean covers, `matched_n_areas`
      how many the judgement rests on.
    * Every row gets the county's value in the row's own current year (`county_current`), so
      "Mot länet" never compares two different years, and each municipality its rank among the
      municipalities with a value that same year (`rank`, `rank_n`; nyap/rules/comparison.py).
    """
    if measure.with_reference.empty:
        return pd.DataFrame()
    ev = evaluate_goal_years(measure.with_reference, measure.goal, years)
    if ev.empty:
        return ev
    ok = usable(measure.values)
    munis = ok[ok["area_code"].isin(list(measure.municipalities))]
    if measure.reference_kind in ("mean", "group"):
        ev = same_municipalities(ev, measure, munis)
    ev = _county_at_current(ev, measure, munis)
    ranks = ranks_in_year(munis, measure.municipalities, measure.goal.sign).rename(columns={"year": "current_year"})
    ranks["current_year"] = ranks["current_year"].astype("Int64")
    out = ev.merge(ranks, on=["area_code", "gender", "age_group", "current_year"], how="left")
    out.index = ev.index
    return out


def _values_by_year(munis: pd.DataFrame) -> dict[tuple, dict[str, float]]:
    """{(gender, age group, year): {municipality: value}} of the usable municipality values."""
    out: dict[tuple, dict[str, float]] = {}
    for (g, a, y), part in munis.groupby(["gender", "age_group", "year"], observed=True, sort=False):
        out[(str(g), str(a), int(y))] = dict(zip(part["area_code"].astype(str), part["value"].astype(float)))
    return out


def same_municipalities(ev: pd.DataFrame, measure: Measure, munis: pd.DataFrame) -> pd.DataFrame:
    """The county mean's status judged on the same municipalities in both years.

    A mean of the municipalities that reported is a different county each year when they are not
    the same ones (LSS in Värmland: 1 municipality in 2018, 6 in 2022). Where the sets differ, the
    baseline and latest of the county row become the mean of the municipalities present in both
    years (our own computation, `matched` = True) and the status is judged on those; with no
    municipality in both years the comparison cannot be made (`no_data`, reason `no_common`)."""
    ev = ev.copy()
    by_year = _values_by_year(munis)
    is_ref = (ev["area_code"] == measure.reference_code).to_numpy()
    for which in ("baseline", "latest"):
        ev[f"{which}_n_areas"] = [
            float(len(by_year.get((g, a, int(y)), {}))) if r and not pd.isna(y) else np.nan
            for r, g, a, y in zip(is_ref, ev["gender"], ev["age_group"], ev[f"{which}_year"])]
    ev["matched_n_areas"] = np.nan
    ev["matched"] = False
    changed = []
    genders, ages = ev["gender"].astype(str).to_numpy(), ev["age_group"].astype(str).to_numpy()
    base_years, latest_years = ev["baseline_year"].to_numpy(), ev["latest_year"].to_numpy()
    for i in np.flatnonzero(is_ref & ev["baseline_year"].notna().to_numpy() & ev["latest_year"].notna().to_numpy()):
        vb = by_year.get((genders[i], ages[i], int(base_years[i])), {})
        vl = by_year.get((genders[i], ages[i], int(latest_years[i])), {})
        common = sorted(vb.keys() & vl.keys())
        ev.iat[i, ev.columns.get_loc("matched_n_areas")] = float(len(common))
        if len(common) == len(vb) == len(vl):
            continue  # the same municipalities both years: the mean as it is
        changed.append(i)
        if common:
            ev.iat[i, ev.columns.get_loc("baseline")] = float(np.mean([vb[c] for c in common]))
            ev.iat[i, ev.columns.get_loc("latest")] = float(np.mean([vl[c] for c in common]))
        ev.iat[i, ev.columns.get_loc("matched")] = True
    if not changed:
        return ev
    periods = {p.label: p for p in measure.goal.periods}
    for label, idx in ev.iloc[changed].groupby("period").groups.items():
        period = periods.get(label) or measure.goal.period_for(int(ev.loc[idx, "as_of"].iloc[0]))
        part = _judge(ev.loc[idx].copy(), measure.goal, period, measure.goal.tolerance_for(period))
        for col in ("achieved", "target", "remaining", "progress", "status", "uncertainty_rule", "across_break"):
            ev.loc[idx, col] = part[col]
    none = ev["matched"] & (ev["matched_n_areas"] == 0)
    ev.loc[none, ["status", "no_data_reason"]] = ["no_data", "no_common"]
    ev.loc[none, ["baseline", "latest", "achieved", "target", "remaining", "progress"]] = np.nan
    return ev


def _county_at_current(ev: pd.DataFrame, measure: Measure, munis: pd.DataFrame) -> pd.DataFrame:
    """The county reference's value (and, for a mean, how many municipalities it covers) in each
    row's current year: what "Mot länet" compares with."""
    ref = usable(measure.reference)
    keys = ["current_year", "gender", "age_group"]
    if ref.empty:
        return ev.assign(county_current=np.nan, county_current_n=np.nan)
    ref = ref.drop_duplicates(["year", "gender", "age_group"], keep="last")
    if measure.reference_kind == "mean":
        n = ref["n_municipalities"].astype(float)
    elif measure.reference_kind == "group":
        counts = munis.groupby(["year", "gender", "age_group"], observed=True)["area_code"].nunique()
        n = pd.Series([float(counts.get((y, g, a), np.nan)) for y, g, a in
                       zip(ref["year"], ref["gender"], ref["age_group"])], index=ref.index)
    else:
        n = pd.Series(np.nan, index=ref.index)
    table = pd.DataFrame({"current_year": ref["year"].astype("Int64"), "gender": ref["gender"].astype(str),
                          "age_group": ref["age_group"].astype(str), "county_current": ref["value"].astype(float),
                          "county_current_n": n.to_numpy()})
    out = ev.merge(table, on=keys, how="left")
    out.index = ev.index
    return out


def with_combined_total(ev: pd.DataFrame, goal: Goal) -> pd.DataFrame:
    """Adds the combined women-and-men row of a goal measured separately for women and men
    (life expectancy); other goals pass unchanged."""
    if ev.empty or not goal.measured_by_sex:
        return ev
    return pd.concat([ev, combined_total(ev)], ignore_index=True)


def evaluate_all(observations: pd.DataFrame, config: GoalsConfig, as_of: int,
                 age_groups: dict[str, str] | None = None, goals=None, *, evaluated=None) -> pd.DataFrame:
    """Every goal (and track) for every area and gender, plus the county reference.

    `age_groups` maps goal id -> age group to use for goals with age groups (survey data).
    Returns evaluate_goal's columns plus goal_id, track, and which area stands for the county
    (reference_code: 0017, G33624 or COMPUTED_MEAN_CODE; reference_kind: county/group/mean).
    `evaluated(goal, track, age_group, as_of)` may supply (evaluations, measure) from a store
    that computed them before (nyap/serving/store.py); by default they are computed here.
    """
    age_groups = age_groups or {}
    meta = config.meta

    def compute(goal, track, age, year):
        m = prepare_measure(observations, goal, track, age, config.region, meta.source_preference)
        ev = evaluate_measure(m, (year,))
        return (ev.drop(columns="as_of") if not ev.empty else ev), m

    evaluated = evaluated or compute
    frames = []
    for goal in (config.goals if goals is None else goals):
        for track in goal.tracks:
            ev, m = evaluated(goal, track, age_groups.get(goal.id), as_of)
            if ev.empty:
                # no data at all: the goal still counts, as "no data" for the county
                frames.append(pd.DataFrame([{
                    "area_code": meta.county, "gender": "T", "age_group": NO_AGE_GROUP,
                    "status": "no_data", "across_break": False, "uncertainty_rule": "tolerance",
                    "goal_id": goal.id, "track": track, "reference_kind": "none",
                    "reference_code": meta.county}]))
                continue
            frames.append(with_combined_total(ev, goal).assign(
                goal_id=goal.id, track=track, reference_kind=m.reference_kind, reference_code=m.reference_code))
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def combined_total(ev: pd.DataFrame) -> pd.DataFrame:
    """A "T" row for goals measured separately for women and men (life expectancy): the goal
    holds only if it holds for both, so the status is the worse of the two. No numbers."""
    sexes = ev[ev["gender"].isin(["K", "M"])]
    if sexes.empty:
        return ev.iloc[0:0]
    per = ["area_code", "age_group"] + (["as_of"] if "as_of" in sexes else [])
    worst = worst_first(sexes, per)
    keep = per + ["status", "period"]
    return worst[keep].assign(gender="T", across_break=False, uncertainty_rule="tolerance")


def age_group_sort_key(group: str):
    """Age groups in reading order: 18-29, 30-44, … with the wider band first at the same start."""
    lo, _, hi = group.partition("-")
    return (int(lo) if lo.isdigit() else 999, -(int(hi) if hi.isdigit() else 0))


def default_age_group(groups: set[str]) -> str:
    """The widest age band (e.g. 18-84 over 18-29) when none is chosen."""
    def width(g: str) -> int:
        try:
            lo, hi = g.split("-")
            return int(hi) - int(lo)
        except ValueError:
            return -1
    return sorted(groups, key=lambda g: (-width(g), g))[0]
