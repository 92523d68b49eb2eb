"""The shared filters and their link form. A link is untrusted input: every value is validated
against known codes; an invalid one is ignored with a short Swedish notice, never an exception."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

# query parameter -> Filters field
PARAMS = {"kommun": "area", "kon": "gender", "alder": "age_group", "ar": "year", "mal": "goal"}
SHARED_FIELDS = ("area", "gender", "age_group", "year")  # carried across pages; "goal" is per page
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


def parse_query(params: Mapping, options: FilterOptions) -> tuple[dict, list[str]]:
    """Valid values from a link (only those present) and Swedish notices for the invalid ones."""
    values: dict = {}
    notices: list[str] = []
    for key, fieldname in PARAMS.items():
        if key not in params:
            continue
        raw = _first(params[key]).strip()[:40]
        shown = raw if raw.isprintable() else repr(raw)
        if fieldname == "area":
            if raw in options.areas:
                values["area"] = raw
            else:
                notices.append(f"Okänd kommun i länken ({shown}) ignoreras.")
        elif fieldname == "gender":
            if raw.upper() in GENDERS:
                values["gender"] = raw.upper()
            else:
                notices.append(f"Okänt kön i länken ({shown}) ignoreras.")
        elif fieldname == "year":
            if re.fullmatch(r"[0-9]{4}", raw) and int(raw) in options.years:
                values["year"] = int(raw)
            else:
                notices.append(f"Året {shown} finns inte i data och ignoreras.")
        elif fieldname == "age_group":
            if raw in options.age_groups:
                values["age_group"] = raw
            else:
                notices.append(f"Okänd åldersgrupp i länken ({shown}) ignoreras.")
        elif fieldname == "goal":
            if not options.goals:
                continue  # pages without goals ignore it silently
            if raw in options.goals:
                values["goal"] = raw
            else:
                notices.append(f"Målet {shown} finns inte på den här sidan – visar det första målet.")
    return values, notices


def resolve(link: dict, shared: Mapping, options: FilterOptions) -> Filters:
    """Link values win (a link reproduces a view); then the selection carried from other pages."""
    base = options.defaults()
    carried = {k: v for k, v in shared.items() if k in SHARED_FIELDS}
    merged = {**carried, **link}
    if merged.get("area") not in options.areas:
        merged.pop("area", None)
    if merged.get("year") not in options.years:
        merged.pop("year", None)
    if merged.get("gender") not in GENDERS:
        merged.pop("gender", None)
    if merged.get("age_group") is not None and merged["age_group"] not in options.age_groups:
        merged.pop("age_group", None)
    if merged.get("goal") not in options.goals:
        merged.pop("goal", None)
    return replace(base, **merged)


def to_query(filters: Filters, include_goal: bool = True) -> dict[str, str]:
    """The link form of a view: every value explicit, so the link reproduces it exactly."""
    q = {"kommun": filters.area, "kon": filters.gender, "ar": str(filters.year)}
    if filters.age_group:
        q["alder"] = filters.age_group
    if include_goal and filters.goal:
        q["mal"] = filters.goal
    return q
