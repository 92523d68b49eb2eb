"""The shared filters and their link form. A link is untrusted input: every value is validated
against known codes; an invalid one is ignored with a short Swedish notice, never an exception."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace

from nyap.present.formatting import genders_of

GENDERS = ("T", "K", "M", "KM")


@dataclass(frozen=True)
class Filters:
    area: str  # a municipality code, or the county code for the county view
    gender: str = "T"  # T, K, M or KM (women and men side by side)
    year: int = 0  # "as of" year
    age_group: str | None = None  # None: the page's default for the goal in focus
    goal: str | None = None  # goal in focus on a challenge page
    compare: tuple[str, ...] = ()  # municipalities compared with the chosen one (up to five)

    @property
    def genders(self) -> tuple[str, ...]:
        return genders_of(self.gender)


@dataclass(frozen=True)
class FilterOptions:
    areas: tuple[str, ...]  # county code first, then the municipalities
    years: tuple[int, ...]
    age_groups: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()  # focus ids on this page
    default_goal: str | None = None  # the goal in focus without a link (the first with data)

    def defaults(self) -> Filters:
        goal = self.default_goal if self.default_goal in self.goals else (self.goals[0] if self.goals else None)
        return Filters(area=self.areas[0], gender="T", year=max(self.years), age_group=None, goal=goal)


def _first(value) -> str:
    if isinstance(value, (list, tuple)):
        return str(value[-1]) if value else ""
    return str(value)


MAX_COMPARE = 5


def _codes(raw: str) -> tuple[str, ...] | None:
    """'1715,1780' -> ('1715', '1780'); more than five, or anything but codes: not a comparison."""
    codes = tuple(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))
    return codes if 0 < len(codes) <= MAX_COMPARE and all(re.fullmatch(r"[0-9]{4}", c) for c in codes) else None


def _year(raw: str):
    return int(raw) if re.fullmatch(r"[0-9]{4}", raw) else None


@dataclass(frozen=True)
class Param:
    """One filter: its field in Filters, its link parameter, how a link's text becomes a value,
    which values are allowed, and the Swedish notice for a link value that is not. Parsing,
    validation, notices and the link form are all derived from the table below, so a new filter
    (a presentation's step, a second municipality) is one entry."""

    field: str
    key: str
    notice: str
    allowed: Callable[["FilterOptions"], Collection]
    parse: Callable[[str], object] = str
    optional: bool = False  # left out of the link when empty
    per_page: bool = False  # remembered per page (the goal in focus), not carried to other pages
    label: str = ""  # the widget's Swedish label
    help: str = ""
    widget: str = ""  # "select" or "radio" in the sidebar's selection; "" when drawn where it applies


SPEC: tuple[Param, ...] = (
    Param("area", "kommun", "Okänd kommun i länken ({}) ignoreras.", lambda o: o.areas,
          label="Kommun", help="Välj en kommun för att se den mot länet, eller hela länet.", widget="select"),
    Param("gender", "kon", "Okänt kön i länken ({}) ignoreras.", lambda o: GENDERS, parse=str.upper,
          label="Kön", help="Kvinnor och män visar båda sida vid sida.", widget="radio"),
    Param("year", "ar", "Året {} finns inte i data och ignoreras.", lambda o: o.years, parse=_year,
          label="Läget per år", help="Det senaste värdet till och med detta år räknas som 'senaste'.",
          widget="select"),
    # drawn only where the goal in focus has age groups (survey data)
    Param("age_group", "alder", "Okänd åldersgrupp i länken ({}) ignoreras.", lambda o: o.age_groups,
          optional=True, label="Åldersgrupp", help="Enkätdata (Liv & Hälsa) finns per åldersgrupp."),
    # the municipalities compared with the chosen one: highlighted and named in the charts
    Param("compare", "jamfor", "Jämförelsen i länken ({}) ignoreras: ange två till fem av länets kommunkoder, "
          "t.ex. jamfor=1715,1780.", lambda o: o.areas[1:], parse=_codes, optional=True,
          label="Jämför med kommuner", help="Upp till fem kommuner markeras och namnges i diagrammen "
          "(över tid och alla kommuner).", widget="multiselect"),
    # drawn on a challenge page, above the goal in focus
    Param("goal", "mal", "Målet {} finns inte på den här sidan – visar det första målet.", lambda o: o.goals,
          optional=True, per_page=True, label="Välj mål att visa i detalj"),
)
BY_FIELD = {p.field: p for p in SPEC}
PARAMS = {p.key: p.field for p in SPEC}  # link parameter -> Filters field
NOTICES = {p.field: p.notice for p in SPEC}
SHARED_FIELDS = tuple(p.field for p in SPEC if not p.per_page)  # carried from page to page


def is_valid(field: str, value, options: FilterOptions) -> bool:
    """One check per field, for link values and for the selection carried between pages."""
    allowed = BY_FIELD[field].allowed(options)
    if isinstance(value, tuple):  # a list of codes: every one of them allowed
        return all(v in allowed for v in value)
    return value in allowed


def parse_query(params: Mapping, options: FilterOptions) -> tuple[dict, list[str]]:
    """Valid values from a link (only those present) and Swedish notices for the invalid ones."""
    values: dict = {}
    notices: list[str] = []
    for p in SPEC:
        if p.key not in params or (p.per_page and not p.allowed(options)):
            continue  # pages without goals ignore "mal" silently
        raw = _first(params[p.key]).strip()[:40]
        value = p.parse(raw)
        if value is not None and is_valid(p.field, value, options):
            values[p.field] = value
        else:
            notices.append(p.notice.format(raw if raw.isprintable() else repr(raw)))
    return values, notices


def resolve(link: dict, shared: Mapping, options: FilterOptions) -> Filters:
    """Link values win (a link reproduces a view); then the selection carried from other pages."""
    carried = {k: v for k, v in shared.items() if k in BY_FIELD}
    merged = {k: v for k, v in {**carried, **link}.items()
              if (BY_FIELD[k].optional and v is None) or is_valid(k, v, options)}
    return replace(options.defaults(), **merged)


def to_query(filters: Filters, include_goal: bool = True) -> dict[str, str]:
    """The link form of a view: every value explicit, so the link reproduces it exactly."""
    q = {}
    for p in SPEC:
        value = getattr(filters, p.field)
        if p.optional and not value:
            continue
        if p.per_page and not include_goal:
            continue
        q[p.key] = ",".join(value) if isinstance(value, tuple) else str(value)
    return q


def session_key(page_key: str, field: str) -> str:
    """The widget key of a filter on a page (Streamlit keeps one widget per page)."""
    return f"{page_key}__{field}"
