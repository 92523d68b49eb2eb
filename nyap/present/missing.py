"""Why a goal has no data, and what would bring it, in one short Swedish sentence.

Shared by the goal page, the overview and the municipality profile, the report and
`python -m nyap check`. Derived from the data, never written per goal: which of the goal's
indicators have no value in the cache, whether they are Kolada KPIs or a regional/survey extract
declared in goals.toml, and what the manifest says (the recorded extract the cache was built from,
or the refresh's reason per empty KPI).
"""

from __future__ import annotations

import re

from nyap.data.cache import Cache
from nyap.rules.goals import Goal, GoalsConfig

KOLADA_REMEDY = "Uppdatera från Kolada (make refresh) eller importera ett regionalt uttag."
EXTRACT_REMEDY = "se README: Importera Liv & Hälsa."


def indicators_with_values(cache: Cache) -> frozenset[str]:
    obs = cache.observations
    return frozenset(obs.loc[obs["value"].notna(), "indicator_id"].astype(str).unique())


def missing_data_note(cache: Cache, config: GoalsConfig, goal: Goal, track: str | None = None,
                      with_values: frozenset[str] | None = None) -> str:
    """The sentence for a goal (one track of it, or all) whose indicators lack values in the
    cache; "" when every indicator has values."""
    have = indicators_with_values(cache) if with_values is None else with_values
    refs = [r for r in goal.indicators if track is None or r.track == track]
    missing = [r for r in refs if r.id not in have]
    if not missing:
        return ""
    extras = {e.id: e for e in config.extra_indicators}
    kolada = [r for r in missing if r.id not in extras]
    sentences = []
    if kolada:
        partial = len(missing) < len(refs)  # a chain with its successor present: the baseline is lost
        ids = ", ".join(r.id + (f" (t.o.m. {r.last_year})" if partial and r.last_year else "") for r in kolada)
        reason = _kolada_reason(cache, [r.id for r in kolada], ids)
        if partial and any(r.last_year for r in kolada):
            reason += ", så målet saknar basvärde"
        sentences.append(f"{reason}. {KOLADA_REMEDY}")
    for ref in missing:
        extra = extras.get(ref.id)
        if extra is None:
            continue
        what = "ett enkätuttag (Liv & Hälsa)" if extra.source == "livhalsa" else "ett regionalt uttag"
        origin = _origin(extra.definition)
        sentences.append(f"{ref.id} kräver {what}" + (f" ({origin})" if origin else "") + f", {EXTRACT_REMEDY}")
    return " ".join(sentences)


def missing_data_notes(cache: Cache, config: GoalsConfig) -> dict[str, str]:
    """goal id -> the sentence, for every goal that lacks data (computed once for all goals)."""
    have = indicators_with_values(cache)
    notes = {}
    for goal in config.goals:
        note = missing_data_note(cache, config, goal, None, have)
        if note:
            notes[goal.id] = note
    return notes


def _kolada_reason(cache: Cache, ids: list[str], shown: str) -> str:
    extract = cache.manifest.get("extract")
    if cache.source_label:
        period = extract.get("period") if isinstance(extract, dict) else None
        return f"{shown} finns inte i Kolada-uttaget" + (f" ({period})" if period else f" ({cache.source_label})")
    reasons = cache.manifest.get("empty_reasons")
    reasons = reasons if isinstance(reasons, dict) else {}
    known = [reasons[i] for i in ids if isinstance(reasons.get(i), str)]
    if len(ids) == 1 and known:
        return f"{shown}: {known[0]}"
    if cache.is_demo:
        return f"{shown} saknar värden i demodata"
    return f"{shown} saknar värden i cachen"


def _origin(definition: str) -> str:
    """'…Källa: Region Värmland, barnhälsovården.' -> 'Region Värmland, barnhälsovården'."""
    m = re.search(r"Källa:\s*([^.]+)", definition or "")
    return m.group(1).strip() if m else ""
