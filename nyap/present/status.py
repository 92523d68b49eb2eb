"""A status in words: the label that says why (one home for the app, the tables and the charts).

The arithmetic decides the status (nyap/rules/goal_arithmetic.py); this module says it so that it never
contradicts what is drawn: "Inget basvärde" next to a value the chart shows, not "Ingen data";
"Redan vid 100 %" for a share that cannot move further, not "Uppnått".
"""

from __future__ import annotations

import pandas as pd

from nyap.present.formatting import STATUS_STYLE, fmt_value
from nyap.rules.goal_arithmetic import BASELINE_WINDOW
from nyap.rules.goals import Goal

# short labels for "no_data" by reason (tables, the gap chart's row labels)
NO_DATA_LABELS = {
    "no_baseline": "Inget basvärde",
    "no_latest": "Inget värde efter basåret",
    "before_baseline": "Före basåret",
    "no_values": "Ingen data",
    "no_common": "Olika kommuner båda åren",
}


def _get(row, key):
    value = row.get(key) if row is not None else None
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def status_label(row: dict | None, goal: Goal | None = None) -> str:
    """The status label for one evaluation row, specific where the plain label would mislead."""
    if row is None:
        return STATUS_STYLE["no_data"][2]
    status = row["status"]
    if status == "no_data":
        return NO_DATA_LABELS.get(_get(row, "no_data_reason") or "no_values", STATUS_STYLE["no_data"][2])
    if status == "at_limit" and goal is not None:
        return "Redan vid 100 %" if goal.sign > 0 else "Redan vid 0 %"
    return STATUS_STYLE[status][2]


def status_reason(row: dict | None, goal: Goal, as_of: int) -> str:
    """A sentence saying why a goal cannot be judged, or '' when the status speaks for itself."""
    if row is None:
        return f"Inga värden t.o.m. {as_of}."
    status = row["status"]
    period = goal.period_for(as_of)
    unit = goal.value_unit
    if status == "no_data":
        reason = _get(row, "no_data_reason") or "no_values"
        first, last = period.baseline_year - BASELINE_WINDOW, min(period.baseline_year + BASELINE_WINDOW, as_of)
        if reason == "before_baseline":
            return f"Valt år {as_of} ligger före basåret {period.baseline_year}."
        if reason == "no_baseline":
            return (f"Inget basvärde: inget värde åren {first}–{last} (basåret {period.baseline_year} ± "
                    f"{BASELINE_WINDOW} år). Värden finns, men inget att jämföra med.")
        if reason == "no_common":
            return coverage_warning(row, 0) or "Länets medel bygger på olika kommuner basåret och senaste året."
        if reason == "no_latest":
            return (f"Inget värde efter basåret {int(row['baseline_year'])} t.o.m. {as_of}: "
                    "ingen förändring att bedöma ännu.")
        return f"Inga värden t.o.m. {as_of}."
    if status == "at_limit":
        verb = "öka" if goal.sign > 0 else "minska"
        return (f"Basvärdet är redan {fmt_value(row['baseline'], unit)}: en andel kan inte {verb} med "
                f"{fmt_value(period.change, goal.change_unit)}. Målet bedöms inte; bara en försämring "
                "skulle synas.")
    return ""


def coverage_text(row: dict | None, total: int, which: str = "latest") -> str:
    """'medel av 5 av 16 kommuner' (of the county's `total`) for a county reference that is a
    mean of the municipalities, else ''."""
    n = _get(row, f"{which}_n_areas")
    return "" if n is None else f"medel av {int(n)} av {total} kommuner"


def coverage_warning(row: dict | None, total: int) -> str:
    """A sentence when the county mean's baseline and latest year rest on different
    municipalities: the status is then judged on those present in both years
    (nyap/rules/goal_arithmetic.same_municipalities), or not at all when there are none."""
    if not _get(row, "matched"):
        return ""
    base, latest, common = _get(row, "baseline_n_areas"), _get(row, "latest_n_areas"), _get(row, "matched_n_areas")
    by, ly = _get(row, "baseline_year"), _get(row, "latest_year")
    if base is None or latest is None or by is None or ly is None:
        return ""
    of = f" av {total}" if total else ""
    head = (f"Länets medel bygger på {int(base)}{of} kommuner år {int(by)} men {int(latest)}{of} år {int(ly)}")
    if not common:
        return head + ": ingen kommun har värden båda åren, så förändringen kan inte bedömas."
    n = int(common)
    return (head + f": läget bedöms på {'den kommun' if n == 1 else f'de {n} kommuner'} som har värden båda åren "
            "(eget medel).")


def same_municipalities_note(row: dict | None, total: int) -> str:
    """'bedömt på samma 1 av 16 kommuner 2018 och 2022' for a county mean judged on the
    municipalities present in both years (short: cells, tooltips, downloads), else ''."""
    if not _get(row, "matched") or _get(row, "matched_n_areas") is None:
        return ""
    n, by, ly = int(_get(row, "matched_n_areas")), _get(row, "baseline_year"), _get(row, "latest_year")
    if not n:
        return "olika kommuner basåret och senaste året"
    years = f" {int(by)} och {int(ly)}" if by is not None and ly is not None else ""
    return f"bedömt på samma {n} av {total} kommuner{years}"
