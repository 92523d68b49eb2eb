"""The shared filters and their link form. A link is untrusted input: every value is validated
against known codes; an invalid one is ignored with a short Swedish notice, never an exception."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

# query parameter -> Filters field
PARAMS = {"kommun": "area", "kon": "gender", "alder": "age_group", "ar": "year", "mal": "goal"}

GENDERS = ("T", "K", "M", "KM")


@dataclass(frozen=True)
class Filters:
    area: str  # a municipality code, or the county code for the county view
    gender: str = "T"  # T, K, M or KM (women and men side by side)
    year: int = 0  # "as of" year
    age_group: str | None = None  # None: the page's default for the goal in focus
    goal: str | None = None  # goal in focus on a challenge page

    @property
    def genders(self) -> tuple[str, ...]:
        return ("K", "M") if self.gender == "KM" else (self.gender,)


@dataclass(frozen=True)
class FilterOptions:
    areas: tuple[str, ...]  # county code first, then the municipalities
    years: tuple[int, ...]
    age_groups: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()  # focus ids on this page

    def defaults(self) -> Filters:
        return Filters(area=self.areas[0], gender="T", year=max(self.years), age_group=None,
                       goal=self.goals[0] if self.goals else None)


def _first(value) -> str:
    if isinstance(value, (list, tuple)):
        return str(value[-1]) if value else ""
    return str(value)


NOTICES = {
    "area": "Okänd kommun i länken ({}) ignoreras.",
    "gender": "Okänt kön i länken ({}) ignoreras.",
    "year": "Året {} finns inte i data och ignoreras.",
    "age_group": "Okänd åldersgrupp i länken ({}) ignoreras.",
    "goal": "Målet {} finns inte på den här sidan – visar det första målet.",
}


def is_valid(field: str, value, options: FilterOptions) -> bool:
    """One check per field, for link values and for the selection carried between pages."""
    allowed = {"area": options.areas, "gender": GENDERS, "year": options.years,
               "age_group": options.age_groups, "goal": options.goals}[field]
    return value in allowed


def _from_text(field: str, raw: str):
    if field == "gender":
        return raw.upper()
    if field == "year":
        return int(raw) if re.fullmatch(r"[0-9]{4}", raw) else None
    return raw


def parse_query(params: Mapping, options: FilterOptions) -> tuple[dict, list[str]]:
    """Valid values from a link (only those present) and Swedish notices for the invalid ones."""
    values: dict = {}
    notices: list[str] = []
    for key, field in PARAMS.items():
        if key not in params or (field == "goal" and not options.goals):
            continue  # pages without goals ignore "mal" silently
        raw = _first(params[key]).strip()[:40]
        value = _from_text(field, raw)
        if value is not None and is_valid(field, value, options):
            values[field] = value
        else:
            notices.append(NOTICES[field].format(raw if raw.isprintable() else repr(raw)))
    return values, notices


def resolve(link: dict, shared: Mapping, options: FilterOptions) -> Filters:
    """Link values win (a link reproduces a view); then the selection carried from other pages."""
    carried = {k: v for k, v in shared.items() if k in PARAMS.values()}
    merged = {k: v for k, v in {**carried, **link}.items()
              if (k == "age_group" and v is None) or is_valid(k, v, options)}
    return replace(options.defaults(), **merged)


def to_query(filters: Filters, include_goal: bool = True) -> dict[str, str]:
    """The link form of a view: every value explicit, so the link reproduces it exactly."""
    q = {"kommun": filters.area, "kon": filters.gender, "ar": str(filters.year)}
    if filters.age_group:
        q["alder"] = filters.age_group
    if include_goal and filters.goal:
        q["mal"] = filters.goal
    return q
