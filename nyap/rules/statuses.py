"""The status vocabulary, in one place: each status's key, symbol, colour, label and rank.

The arithmetic decides a status (nyap/rules/goal_arithmetic.py); the reasons behind it are worded in
nyap/present/status.py. Everything that lists, colours, counts or ranks statuses reads this module.
"""

from __future__ import annotations

import pandas as pd

# Colours: every one is text-readable (4.5:1 on white and on the tinted table rows), and every two stay
# apart for a viewer with protanopia, deuteranopia or tritanopia and in greyscale (blue for the
# good statuses, orange for the wrong way: a red–green pair reads as one olive brown for about one
# man in twelve). tests/test_statuses.py simulates the three and measures the difference.
# Symbols do not point up or down: "right way" for a goal to decrease is a falling value, and an
# arrow would read as the trend itself; the symbol, never the colour alone, tells the status.
STATUS_STYLE = {
    #            symbol, colour,    label
    "reached": ("✔", "#08457e", "Uppnått"),
    "right_way": ("●", "#1c6cb0", "Rör sig åt rätt håll"),
    "unchanged": ("○", "#3d3d3d", "Oförändrat"),
    "wrong_way": ("✖", "#a03400", "Rör sig åt fel håll"),
    "at_limit": ("◇", "#00695c", "Redan vid 100 %"),
    "break": ("⋯", "#7d4e7d", "Ej jämförbart (seriebrott)"),
    "no_data": ("–", "#6e6e6e", "Ingen data"),  # lighter than "unchanged": absent, not a result
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
