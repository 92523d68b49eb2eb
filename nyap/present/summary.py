"""Goal summaries in words (shared by the command line and the overview page)."""

from __future__ import annotations

import pandas as pd

from nyap.data.cache import Cache
from nyap.rules.goal_arithmetic import evaluate_all
from nyap.rules.statuses import STATUS_LABELS, worst_first
from nyap.rules.goals import GoalsConfig


def latest_year(cache: Cache) -> int:
    ok = cache.observations[cache.observations["value"].notna()]
    return int(ok["year"].max()) if not ok.empty else 0


def county_rows(evaluations: pd.DataFrame) -> pd.DataFrame:
    """The county reference row of every goal/track (total for both sexes, default age group)."""
    if evaluations.empty:
        return evaluations
    return evaluations[(evaluations["area_code"] == evaluations["reference_code"])
                       & (evaluations["gender"].isin(["T"]))]


def headline_rows(evaluations: pd.DataFrame, config: GoalsConfig, area: str | None, gender: str) -> pd.DataFrame:
    """One row per goal measure for a headline: the county reference (area None) or a
    municipality. A goal on several challenge pages counts once, with its first challenge's age
    group (god hälsa: Vuxenlivet, 18–84); a measure without a row counts as no data."""
    keys = pd.DataFrame([(g.id, t) for g in config.goals for t in g.tracks], columns=["goal_id", "track"])
    if evaluations.empty:
        return keys.assign(status="no_data")
    sub = evaluations[evaluations["gender"] == gender]
    if "challenge" in sub:
        primary = {g.id: g.challenges[0].name for g in config.goals}
        sub = sub[sub["challenge"] == sub["goal_id"].map(primary)]
    sub = sub[sub["area_code"] == sub["reference_code"]] if area is None else sub[sub["area_code"] == area]
    out = keys.merge(sub.drop_duplicates(["goal_id", "track"])[["goal_id", "track", "status"]],
                     on=["goal_id", "track"], how="left")
    out["status"] = out["status"].fillna("no_data")
    return out


def goals_without_gender_split(evaluations: pd.DataFrame, config: GoalsConfig) -> int:
    """Goals that have data but none for women and men separately."""
    if evaluations.empty:
        return 0
    with_data = set(evaluations.loc[evaluations["status"] != "no_data", "goal_id"])
    split = set(evaluations.loc[evaluations["gender"].isin(["K", "M"]), "goal_id"])
    return len(with_data - split)


def status_counts(rows: pd.DataFrame) -> dict[str, int]:
    counts = rows["status"].value_counts().to_dict() if not rows.empty else {}
    return {s: int(counts.get(s, 0)) for s in STATUS_LABELS}


def worst_per_goal(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per goal: a goal with two measures (hemtjänst, särskilt boende) moves the right
    way only if both do, so it takes the worse status of its measures."""
    if rows.empty:
        return rows
    return worst_first(rows, ["goal_id"])


def summary_sentence(rows: pd.DataFrame, where: str = "i länet") -> str:
    """E.g. '14 av 24 mål rör sig åt rätt håll i länet (varav 5 uppnådda)…'"""
    per_goal = worst_per_goal(rows)
    counts = status_counts(per_goal)
    total = len(per_goal)
    good = counts["reached"] + counts["right_way"]
    text = f"{good} av {total} mål rör sig åt rätt håll {where}"
    if counts["reached"]:
        text += f" (varav {counts['reached']} {'uppnått' if counts['reached'] == 1 else 'uppnådda'})"
    text += f"; {counts['unchanged']} {'oförändrat' if counts['unchanged'] == 1 else 'oförändrade'}, " \
            f"{counts['wrong_way']} åt fel håll"
    if counts["at_limit"]:
        # a share already at its limit is neither better nor worse: counted in words of its own,
        # so that the parts add up to the whole
        text += f", {counts['at_limit']} {STATUS_LABELS['at_limit'].lower()}"
    if counts["break"]:
        text += f", {counts['break']} ej jämförbara (seriebrott)"
    if counts["no_data"]:
        text += f", {counts['no_data']} utan data"
    return text + "."


def goal_summary_lines(cache: Cache, config: GoalsConfig, as_of: int | None = None) -> list[str]:
    as_of = as_of or latest_year(cache)
    ev = evaluate_all(cache.observations, config, as_of)
    rows = county_rows(ev).drop_duplicates(["goal_id", "track"])
    lines = [f"Läget {as_of} ({cache.origin_text}): {summary_sentence(rows)}"]
    for goal in config.goals:
        for _, r in rows[rows["goal_id"] == goal.id].iterrows():
            label = goal.id + (f" ({r['track']})" if r["track"] else "")
            lines.append(f"  {label:32s} {STATUS_LABELS[r['status']]}")
        if rows[rows["goal_id"] == goal.id].empty:
            lines.append(f"  {goal.id:32s} {STATUS_LABELS['no_data']}")
    return lines
