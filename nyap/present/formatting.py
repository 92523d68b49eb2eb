"""Swedish number formatting, status symbols and colours (one place for app, exports and tests)."""

from __future__ import annotations

import math
import re

import pandas as pd

NBSP = "\u00a0"
MINUS = "\u2212"  # typographic minus, as in Swedish print

from nyap.rules.statuses import STATUS_STYLE  # noqa: E402,F401  (the vocabulary lives in nyap/rules/statuses.py)

HIGHLIGHT = "#0b4f8a"  # the chosen municipality
COUNTY_COLOUR = "#9a4a00"  # the county reference
COUNTRY_COLOUR = "#4d4d4d"  # Riket
CONTEXT_COLOUR = "#b8c2cc"  # the other municipalities, faint on purpose (context, not data to read)
GENDER_COLOURS = {"K": "#8e1b5a", "M": "#0b4f8a", "T": "#333333"}
GENDER_LABELS = {"T": "Totalt", "K": "Kvinnor", "M": "Män", "KM": "Kvinnor och män"}
SUPPRESSED_MARK = ".."


# the status colours as CSS classes (nyap-s-<status>), one stylesheet for the app and the report
STATUS_CSS = "\n".join(
    f".nyap-s-{key} {{ color: {colour}; font-weight: 600; }}" for key, (_, colour, _) in STATUS_STYLE.items()
)


def genders_of(choice: str) -> tuple[str, ...]:
    """The sexes a choice shows: "KM" (kvinnor och män) is women and men side by side."""
    return ("K", "M") if choice == "KM" else (choice,)


def file_slug(text: str) -> str:
    """A download's file name from Swedish text: 'Kil – över tid' -> 'kil-over-tid'. At most 60
    characters; a longer one keeps its start and its end, where the sex and the year are (two
    files of one long municipality name must not get the same name)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().translate(str.maketrans("åäö", "aao"))).strip("-")
    return slug if len(slug) <= 60 else slug[:40].rstrip("-") + "-" + slug[-19:].lstrip("-")


def fmt_number(value, decimals: int = 1) -> str:
    """89.126 -> '89,1'; 6315.9 -> '6 315,9'; NaN/None -> '–' (missing is shown as missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{abs(value):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return (MINUS if value < 0 and float(f"{abs(value):.{decimals}f}") != 0 else "") + text


def fmt_remaining(value, decimals: int = 1) -> str:
    """The distance still to go. Never '0,0' while the goal is not reached: 0.02 left is
    '< 0,1' (Kristinehamn, behörighet)."""
    smallest = 10 ** -decimals
    if value is not None and not (isinstance(value, float) and math.isnan(value)) and 0 < value < smallest / 2:
        return "<" + NBSP + fmt_number(smallest, decimals)
    return fmt_number(value, decimals)


def fmt_signed(value, decimals: int = 1) -> str:
    """+2,0 / −0,5 (always with a sign) for changes."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = fmt_number(value, decimals)
    return text if text.startswith(MINUS) or text == fmt_number(0.0, decimals) else "+" + text


def fmt_value(value, unit: str, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    # Swedish style puts a (non-breaking) space before % and other units: "89,1 %"
    return f"{fmt_number(value, decimals)}{NBSP}{unit}" if unit else fmt_number(value, decimals)


def value_year(row, key: str, unit: str = "") -> str:
    """A value with the year it is from: '81,3 % (2017)'; '–' when missing (the value without a
    year where a row has none). One formatter for the pages, the tables and the report."""
    value = None if row is None else row.get(key)
    if value is None or pd.isna(value):
        return "–"
    year = row.get(f"{key}_year")
    return fmt_value(value, unit) + ("" if year is None or pd.isna(year) else f" ({int(year)})")


def age_text(group: str | None) -> str:
    """'18-29' -> '18–29 år'; '65+' -> '65+ år'; an extract's own '18-29 år' is not doubled.
    '' for no age group. The one place the age label is written."""
    if not group:
        return ""
    core = group.strip()
    if core.lower().endswith(" år"):
        core = core[:-3].rstrip()
    return f"{core.replace('-', '–')} år"


def relative_luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str = "#ffffff") -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# d3 locale inside every Vega-Lite spec (Streamlit ignores renderer embed options).
D3_LOCALE = {
    "number": {"decimal": ",", "thousands": NBSP, "grouping": [3], "currency": ["", NBSP + "kr"],
               "minus": MINUS},
    "time": {
        "dateTime": "%A %e %B %Y %X", "date": "%Y-%m-%d", "time": "%H:%M:%S",
        "periods": ["fm", "em"],
        "days": ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
        "shortDays": ["sön", "mån", "tis", "ons", "tors", "fre", "lör"],
        "months": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
                   "september", "oktober", "november", "december"],
        "shortMonths": ["jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sept", "okt",
                        "nov", "dec"],
    },
}
