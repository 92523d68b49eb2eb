"""Spreadsheet formulas in text: the one rule for imports and exports (OWASP's CSV injection).

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel and
LibreOffice (`=HYPERLINK(…)`, `-2+3+cmd|' /C calc'!A0`), unless it is a plain number ("-2,5").
Imports refuse such cells; exports write them with a leading apostrophe, which the spreadsheet
shows as text and never runs.
"""

from __future__ import annotations

import re

_STARTS = ("=", "+", "-", "@", "\t", "\r")
# a number as Swedish or English tables write it: -2,5 / +1.25 / 6 315,9 / 1e3
_NUMBER = re.compile(r"[+-]?\d[\d \u00a0]*(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def looks_like_formula(text) -> bool:
    if not isinstance(text, str) or not text:
        return False
    stripped = text.lstrip(" ")
    return stripped.startswith(_STARTS) and not _NUMBER.fullmatch(stripped.strip())


def neutralise(value):
    """The value as a spreadsheet shows it, never runs it: a formula-looking text gets a
    leading apostrophe; numbers and other values pass unchanged."""
    return "'" + value if looks_like_formula(value) else value
