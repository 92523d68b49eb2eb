"""The status vocabulary, in one place: each status's key, symbol, colour, label and rank.

The arithmetic decides a status (nyap/rules/goal_arithmetic.py); the reasons behind it are worded in
nyap/present/status.py. Everything that lists, colours, counts or ranks statuses reads this module.
"""

from __future__ import annotations

import pandas as pd

# Colours: every one that carries meaning passes 3:1 contrast against white (checked in tests).
# Symbols do not point up or down: "right way" for a goal to decrease is a falling value, and an
# arrow would read as the trend itself.
STATUS_STYLE = {
    #            symbol, colour,    label
    "reached": ("✔", "#1b5e20", "Uppnått"),
    "right_way": ("●", "#2e7d32", "Rör sig åt rätt håll"),
    "unchanged": ("○", "#5f6368", "Oförändrat"),
    "wrong_way": ("✖", "#b3261e", "Rör sig åt fel håll"),
    "at_limit": ("◇", "#00695c", "Redan vid 100 %"),
    "break": ("⋯", "#6a3d9a", "Ej jämförbart (seriebrott)"),
    "no_data": ("–", "#616161", "Ingen data"),  # 5.6:1 on the tinted focus row and county column
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
