"""The status vocabulary, in one place: each status's key, symbol, colour, label and rank.

The arithmetic decides a status (nyap/rules/goal_arithmetic.py); the reasons behind it are worded in
nyap/present/status.py. Everything that lists, colours, counts or ranks statuses reads this module.
"""

from __future__ import annotations

import pandas as pd

# Colours: every one that carries meaning passes 3:1 contrast against white, and every two stay
# apart for a viewer with protanopia, deuteranopia or tritanopia and in greyscale (blue for the
# good statuses, orange for the wrong way: a red–green pair reads as one olive brown for about one
# man in twelve). tests/test_statuses.py simulates the three and measures the difference.
# Symbols do not point up or down: "right way" for a goal to decrease is a falling value, and an
# arrow would read as the trend itself; the symbol, never the colour alone, tells the status.
STATUS_STYLE = {
    #            symbol, colour,    label
    "reached": ("✔", "#08519c", "Uppnått"),
    "right_way": ("●", "#3b8fd0", "Rör sig åt rätt håll"),
    "unchanged": ("○", "#4d4d4d", "Oförändrat"),
    "wrong_way": ("✖", "#c2410c", "Rör sig åt fel håll"),
    "at_limit": ("◇", "#00766c", "Redan vid 100 %"),
    "break": ("⋯", "#7a5c99", "Ej jämförbart (seriebrott)"),
    "no_data": ("–", "#858585", "Ingen data"),  # lighter than "unchanged": absent, not a result; 3:1 on the tinted rows
}
STATUSES = tuple(STATUS_STYLE)
STATUS_LABELS = {key: label for key, (_, _, label) in STATUS_STYLE.items()}
# worst first: where one result stands for several (women and men, a goal's two measures), the
# worse status wins
STATUS_ORDER = ("no_data", "break", "wrong_way", "unchanged", "at_limit", "right_way", "reached")


def worst_first(rows: pd.DataFrame, per: list[str]) -> pd.DataFrame:
    """One row per `per` group: the one with the worst status."""
    rank = rows["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    return rows.assign(_rank=rank).sort_values("_rank", kind="stable").drop_duplicates(per).drop(columns="_rank")
