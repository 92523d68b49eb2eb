"""Find a goal or an indicator by typing a word: goal text, goal id, indicator title or Kolada id.
Matching ignores case and Swedish letters' accents are kept (å, ä, ö are letters of their own)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nyap.present.views import focus_items
from nyap.rules.goals import GoalsConfig


@dataclass(frozen=True)
class Hit:
    challenge: str
    item_key: str
    label: str
    why: str  # what matched: "målet", "nyckeltal U01413 – …"


def find(config: GoalsConfig, catalogue: pd.DataFrame, query: str, limit: int = 20) -> list[Hit]:
    words = [w for w in query.lower().split() if w][:8]
    if not words:
        return []
    titles = {}
    if not catalogue.empty:
        titles = dict(zip(catalogue["Id"].astype(str), catalogue["Titel"].astype(str)))
    hits: list[Hit] = []
    for ch in config.challenges:
        for item in focus_items(config, ch.name):
            goal = item.goal
            text = f"{item.label} {goal.id}".lower()
            if all(w in text for w in words):
                hits.append(Hit(ch.name, item.key, item.label, "målet"))
                continue
            for ind in goal.indicators:
                if item.track and ind.track and ind.track != item.track:
                    continue
                title = titles.get(ind.id, "")
                if all(w in f"{ind.id} {title}".lower() for w in words):
                    hits.append(Hit(ch.name, item.key, item.label, f"nyckeltal {ind.id}" + (f" – {title}" if title else "")))
                    break
    return hits[:limit]
