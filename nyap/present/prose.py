"""The Swedish sentences about a goal, in one place: the aim, the remaining distance, the key
numbers of an area, the women–men gap. The pages, the command line and a report say the same
thing in the same words (plain text; the page escapes it and adds its own markup)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nyap.present.formatting import GENDER_LABELS, fmt_number, fmt_remaining, fmt_value, value_year
from nyap.rules.equality import VERDICT_WORDS
from nyap.rules.goals import Goal
from nyap.present.status import coverage_text, coverage_warning, status_label, status_reason


def aim_sentence(goal: Goal, as_of: int) -> str:
    """'Mål: öka med 2,0 procentenheter från 2017 till 2022.' for the period in force."""
    period = goal.period_for(as_of)
    verb = "öka" if goal.sign > 0 else "minska"
    if goal.has_target:
        return (f"Mål: {verb} med {fmt_value(period.change, goal.change_unit)} från {period.baseline_year} "
                f"till {period.target_year}.")
    return (f"Mål: värdet ska {verb} över tid (ingen siffra); oförändrat = mindre än "
            f"{fmt_value(goal.tolerance_for(period), goal.value_unit)}.")


def aim_short(goal: Goal, as_of: int) -> str:
    """'ökning med 2 procentenheter' / 'ska minska (riktning)' for the compact goal list."""
    if not goal.has_target:
        return ("ska öka" if goal.sign > 0 else "ska minska") + " (riktning)"
    change = goal.period_for(as_of).change
    return (f"{'ökning' if goal.sign > 0 else 'minskning'} med "
            f"{fmt_number(change, 0 if change == int(change) else 1)} {goal.change_unit}")


def remaining_phrase(status: str, remaining, has_target: bool) -> str:
    """'målet nått' / '1,2 kvar' / '' (no target, no comparison, or a share already at 100 %).
    Never '0,0 kvar' before the goal is reached (formatting.fmt_remaining)."""
    if not has_target or remaining is None or pd.isna(remaining) or status in ("no_data", "break", "at_limit"):
        return ""
    return "målet nått" if remaining == 0 else f"{fmt_remaining(remaining)} kvar"


def _year(ev, key: str) -> str:
    year = ev.get(f"{key}_year")
    return "–" if year is None or pd.isna(year) else str(int(year))


@dataclass(frozen=True)
class KeyNumbers:
    """An area's result for a goal in words: the heading, the status (label and remaining), and
    the explaining lines under it."""

    heading: str
    status: str  # the status key, for colour
    status_label: str
    remaining: str
    lines: tuple[str, ...]


# survey figures without intervals (Kolada's copies of surveys): judged like register counts, said plainly
UNKNOWN_UNCERTAINTY = ("Enkätdata utan osäkerhetsintervall: osäkerheten är okänd, så läget bedöms bara mot målets "
                       "tolerans.")


def key_numbers(goal: Goal, ev, label: str, gender: str, as_of: int, region_size: int,
                only_suppressed: bool = False) -> KeyNumbers:
    """The key numbers of one area (a municipality or the county) and sex."""
    heading = label + ("" if gender == "T" else f" – {GENDER_LABELS[gender].lower()}")
    if ev is None:
        return KeyNumbers(heading, "no_data", status_label(None), "", ())
    unit = goal.value_unit
    lines = []
    if only_suppressed:
        lines.append("För få svar – värdena visas inte (..).")
    reason = status_reason(ev, goal, as_of)
    if reason:
        lines.append(reason)
    if coverage_text(ev, region_size):
        before, now = coverage_text(ev, region_size, "baseline"), coverage_text(ev, region_size)
        lines.append(f"Länet här: {before} ({_year(ev, 'baseline')}), {now} ({_year(ev, 'latest')})."
                     if before != now else f"Länet här: {now}.")
        if coverage_warning(ev, region_size) and ev["status"] != "no_data":  # else the reason above says it
            lines.append("⚠ " + coverage_warning(ev, region_size))
    base, latest = value_year(ev, "baseline", unit), value_year(ev, "latest", unit)
    if latest == "–" and value_year(ev, "current", unit) != "–":
        # a value without a baseline (or no later one) is still the area's most recent value
        lines.append(f"Senaste värde {value_year(ev, 'current', unit)}"
                     + (f" · basvärde {base}" if base != "–" else ""))
    elif base != "–" or latest != "–":  # nothing to list when neither exists
        lines.append(f"Basvärde {base} · senaste {latest}")
    if goal.has_target and not pd.isna(ev.get("target")) and ev["status"] != "at_limit":
        lines.append(f"Målvärde {fmt_value(ev['target'], unit)}")
    if bool(ev.get("across_break")):
        lines.append("Jämförelsen går över ett seriebrott.")
    if ev.get("uncertainty_rule") == "ci" and ev["status"] == "unchanged":
        lines.append("Förändringen ryms inom osäkerheten.")
    if ev.get("uncertainty_rule") == "unknown":
        lines.append(UNKNOWN_UNCERTAINTY)
    return KeyNumbers(heading, str(ev["status"]), status_label(ev, goal),
                      remaining_phrase(ev["status"], ev.get("remaining"), goal.has_target), tuple(lines))


def _change_unit(unit: str) -> str:
    """A difference between two shares is in percentage points, not per cent."""
    return " procentenheter" if unit == "%" else f" {unit}"


def join_names(names) -> str:
    """'Hammarö', 'Hammarö och Torsby', 'Eda, Hammarö och Torsby', in Swedish alphabetical order
    (Å, Ä, Ö last)."""
    names = sorted(set(names), key=lambda n: n.lower().translate(str.maketrans({"å": "{", "ä": "|", "ö": "}"})))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1] if names else ""


def tied_at(values: dict[str, float], extreme: float, decimals: int = 1) -> list[str]:
    """The keys whose value reads the same as `extreme` at the shown precision: a tie is named
    whole ("lägst: Hammarö och Torsby (0,0)"), never as one of them."""
    shown = fmt_number(extreme, decimals)
    return [k for k, v in values.items() if v is not None and not pd.isna(v) and fmt_number(float(v), decimals) == shown]


def _year_values(values: pd.DataFrame | None, gender: str, year: int, other_year: int) -> dict[str, float]:
    """Each municipality's value in `year`, for those with a value in both years (the spread's
    municipalities)."""
    if values is None or values.empty:
        return {}
    ok = values[values["value"].notna() & (values["gender"] == gender)]
    if "suppressed" in ok:
        ok = ok[~ok["suppressed"].astype(bool)]
    both = set(ok.loc[ok["year"] == year, "area_code"]) & set(ok.loc[ok["year"] == other_year, "area_code"])
    rows = ok[(ok["year"] == year) & ok["area_code"].isin(both)].drop_duplicates("area_code", keep="last")
    return dict(zip(rows["area_code"].astype(str), rows["value"].astype(float)))


def spread_sentences(change, unit: str, names: dict[str, str], size: int, values: pd.DataFrame | None = None,
                     gender: str = "T") -> list[str]:
    """The spread between the municipalities in words (nyap/rules/equality.py decides). With the
    measure's `values`, municipalities tied at the shown precision are all named."""
    if change.baseline is None or change.latest is None:
        return [f"Skillnaderna mellan kommunerna kan inte bedömas: {change.reason}."]
    b, l = change.baseline, change.latest
    u = _change_unit(unit)
    latest = _year_values(values, gender, l.year, b.year)

    def who(code: str, extreme: float) -> str:
        return join_names([names.get(c, c) for c in set(tied_at(latest, extreme)) | {code}])

    lines = [
        f"Spridning mellan kommunerna ({l.n} av {size} kommuner med värde både {b.year} och {l.year}): "
        f"högst − lägst {fmt_number(b.range)} → {fmt_number(l.range)}{u}, standardavvikelse "
        f"{fmt_number(b.sd)} → {fmt_number(l.sd)}.",
        f"Högst {l.year}: {who(l.high_area, l.high)} ({fmt_number(l.high)}), lägst: "
        f"{who(l.low_area, l.low)} ({fmt_number(l.low)}).",
    ]
    if b.noise_sd or l.noise_sd:
        lines.append(f"Utan slumpens bidrag (enkätdata): {fmt_number(b.true_sd)} → {fmt_number(l.true_sd)}.")
    verdict = {"unchanged": "är oförändrade"}.get(change.verdict, VERDICT_WORDS[change.verdict])
    rule = {"ci": "osäkerheten och målets tolerans", "register": "målets tolerans",
            "unknown": "målets tolerans"}[change.uncertainty]
    lines.append(f"Skillnaderna mellan kommunerna {verdict}"
                 + (f" – förändringen ryms inom {rule} ({fmt_number(change.threshold)})."
                    if change.verdict == "unchanged" else "."))
    if change.uncertainty == "unknown":
        lines.append(UNKNOWN_UNCERTAINTY)
    return lines


def gender_gap_sentence(gap, where: str, unit: str, verdict: bool = True) -> str:
    """The women–men gap of one area (a GapChange, nyap/rules/equality.py), in the one wording the
    goal page, the report and the slides use: 'Skillnaden mellan kvinnor och män (Kil): 4,1 (2017)
    → 3,8 (2022) år – minskar.'"""
    if gap.verdict == "no_data":
        return f"Skillnaden mellan kvinnor och män ({where}) kan inte bedömas: värden för båda könen saknas."
    word = {"shrinking": "minskar", "growing": "ökar", "unchanged": "oförändrad"}[gap.verdict]
    same = ""
    if gap.n_municipalities:  # a county mean: over the same municipalities both years
        n = gap.n_municipalities
        same = f", medel av samma {'kommun' if n == 1 else f'{n} kommuner'} båda åren"
    # verdict=False: the goal's own status follows the sentence (and says the same in its words)
    text = (f"Skillnaden mellan kvinnor och män ({where}{same}): {fmt_number(gap.baseline)} ({gap.baseline_year}) → "
            f"{fmt_number(gap.latest)} ({gap.latest_year}){_change_unit(unit)}" + (f" – {word}." if verdict else ":"))
    return text + (" Osäkerheten är okänd (enkätdata utan intervall)." if gap.uncertainty == "unknown" else "")


def equality_summary(verdicts: list[str]) -> str:
    """'Skillnaderna mellan kommunerna minskar för 2 av 6 mål som kan bedömas; ökar för 1, …'"""
    judged = [v for v in verdicts if v != "no_data"]
    if not judged:
        return "Skillnaderna mellan kommunerna kan inte bedömas för något mål med dessa data."
    n = len(judged)
    text = (f"Skillnaderna mellan kommunerna minskar för {judged.count('shrinking')} av {n} mått som kan bedömas, "
            f"ökar för {judged.count('growing')} och är oförändrade för {judged.count('unchanged')}")
    missing = len(verdicts) - n
    return text + (f" ({missing} mått har för få kommunvärden)." if missing else ".")


# the answer in a few words, where a table has room for no more (the profile's "Mot länet" cell)
COUNTY_GAP_SHORT = {"closing": "närmar sig länet", "caught_up": "har kommit ikapp länet",
                    "widening": "avståndet till länet ökar", "fell_behind": "har hamnat efter länet",
                    "lost_lead": "har tappat försprånget", "unchanged": "oförändrat avstånd till länet",
                    "ahead": "bättre än länet"}


def county_gap_short(gap) -> str:
    """'närmar sig länet (2017→2022)', or '' when it cannot be judged."""
    if gap is None or gap.verdict == "no_data":
        return ""
    return f"{COUNTY_GAP_SHORT[gap.verdict]} ({gap.baseline_year}→{gap.latest_year})"


def county_gap_sentence(gap, where: str, goal: Goal) -> str:
    """'Närmar vi oss länet?' answered by the goal's tolerance (a CountyGap, nyap/rules/comparison.py)."""
    unit = _change_unit(goal.value_unit).strip()
    if gap.verdict == "no_data":
        return (f"Närmar sig {where} länet? Kan inte bedömas: {where} och länet saknar värden samma år kring "
                "basåret och senare.")

    def side(year: int) -> str:
        d = gap.gap_in(year)
        if abs(d) <= gap.tolerance + 1e-9:
            return f"som länet ({year})"
        word = "bättre" if d * goal.sign > 0 else "sämre"
        return f"{fmt_number(abs(d))} {unit} {word} än länet ({year})"

    span = f"{side(gap.baseline_year)} → {side(gap.latest_year)}"
    answer = {"closing": "Ja, avståndet till länet minskar",
              "caught_up": f"Ja, {where} har kommit ikapp länet",
              "widening": "Nej, avståndet till länet ökar",
              "fell_behind": f"Nej, {where} har hamnat efter länet",
              "lost_lead": f"{where} har tappat sitt försprång och ligger nu som länet",
              "unchanged": "Avståndet till länet är i stort sett oförändrat",
              "ahead": f"{where} ligger bättre än länet"}[gap.verdict]
    return f"Närmar sig {where} länet? {answer}: {span}."
