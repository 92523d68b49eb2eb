"""A talk's views: presentation.toml, validated, and the link form of each step.

A step names what the room sees: a page (the overview or a challenge), the goal in focus, the
chart (trend, all municipalities, goal gap, or the overview/profile), the municipality, sex, age
group and year, a heading and an optional one-line takeaway. The presentation page
(nyap/ui/presentation.py) draws one step at a time; every step is also a plain link (`?steg=N`).
A link may also describe one view without a file (the "Visa som presentation" switch on a page).

No Streamlit here: `python -m nyap check` validates the file too.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd

from nyap import PROJECT_ROOT
from nyap.problems import ProblemsError, parse_toml
from nyap.present.formatting import genders_of
from nyap.present.views import focus_items
from nyap.rules.goals import GoalsConfig
from nyap.serving.filters import BY_FIELD, GENDERS
from nyap.present.charts.registry import BARS, BY_LINK, GAP, MAP, SLIDES, TREND
from nyap.serving.page_registry import OVERVIEW, page_for_challenge

DEFAULT_PRESENTATION_FILE = PROJECT_ROOT / "presentation.toml"

# chart key -> Swedish name (the link's "diagram" value is the key)
# what a step can show: each chart kind that can be a slide (its link value and words from the
# chart registry), and the overview or a municipality's profile
OVERVIEW_CHART = "oversikt"
CHARTS = {**{k.link_value: k.label for k in SLIDES}, OVERVIEW_CHART: "översikt/profil"}
STEP_FIELDS = {"page", "goal", "chart", "municipality", "sex", "age_group", "year", "heading", "takeaway", "map_mode",
               "compare"}
# a step's field -> its link parameter: the pages' own names (nyap/serving/filters.py) plus the page and the chart
LINK_KEYS = {"page": "sida", "chart": "diagram", "municipality": BY_FIELD["area"].key, "sex": BY_FIELD["gender"].key,
             "goal": BY_FIELD["goal"].key, "age_group": BY_FIELD["age_group"].key, "year": BY_FIELD["year"].key,
             "map_mode": "karta", "compare": BY_FIELD["compare"].key}
TOP_FIELDS = {"title", "step"}


def presentation_file() -> Path:
    """The talk the app offers: NYAP_PRESENTATION_FILE if set, else presentation.toml."""
    return Path(os.environ.get("NYAP_PRESENTATION_FILE") or DEFAULT_PRESENTATION_FILE)


class PresentationError(ProblemsError):
    """presentation.toml is malformed; `problems` are Swedish messages naming step and field."""


@dataclass(frozen=True)
class Step:
    page: str  # "Översikt" or a challenge's name
    chart: str  # a key of CHARTS
    area: str  # a municipality code, or the county's code
    gender: str = "T"
    goal: str | None = None  # focus item key on a challenge page
    age_group: str | None = None
    year: int | None = None  # None: the latest year in the data
    heading: str = ""
    takeaway: str = ""
    map_mode: str | None = None  # the map's mode (MAP.modes: value or status); None: value
    compare: tuple[str, ...] = ()  # municipalities compared with the chosen one (marked in the charts)

    def query(self) -> dict[str, str]:
        """The link form of a step that is not in the file (the same parameter names as the pages)."""
        fields = {"page": self.page, "chart": self.chart, "municipality": self.area, "sex": self.gender,
                  "goal": self.goal, "age_group": self.age_group, "year": self.year, "map_mode": self.map_mode,
                  "compare": ",".join(self.compare)}
        return {LINK_KEYS[f]: str(v) for f, v in fields.items() if v}


@dataclass(frozen=True)
class BrokenStep:
    """A step the file gets wrong: its slide says so in Swedish, and the other steps play (a typo
    in step 3 must not take steps 1–2 and 4–6 from the room)."""

    number: int
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Presentation:
    title: str
    steps: tuple[Step | BrokenStep, ...]
    problems: tuple[str, ...] = ()  # everything wrong in the file (`nyap check` lists them)


def step_href(url_path: str, number: int) -> str:
    """A step as a plain link: the presentation page with ?steg=N (1-based)."""
    return f"{url_path}?{urlencode({'steg': number})}"


def check_step(raw: dict, config: GoalsConfig, where: str) -> tuple[Step | None, list[str]]:
    """One step from the file or from a link, validated against goals.toml and the region."""
    problems = []
    unknown = sorted(set(raw) - STEP_FIELDS)
    if unknown:
        problems.append(f"{where}: okänt fält {', '.join(unknown)} (tillåtna: {', '.join(sorted(STEP_FIELDS))}).")
    challenges = {c.name for c in config.challenges}
    page = str(raw.get("page", OVERVIEW))
    if page != OVERVIEW and page not in challenges:
        problems.append(f"{where}: page = {page!r} finns inte (välj {OVERVIEW!r} eller en utmaning: "
                        f"{', '.join(sorted(challenges))}).")
    chart = str(raw.get("chart", OVERVIEW_CHART if page == OVERVIEW else TREND.link_value))
    if chart not in CHARTS:
        problems.append(f"{where}: chart = {chart!r} finns inte (välj {', '.join(CHARTS)}).")
    elif page == OVERVIEW and chart != OVERVIEW_CHART:
        problems.append(f"{where}: översikten visas med chart = \"oversikt\" (tabellen över alla mål).")
    goal = raw.get("goal")
    if page in challenges and chart != OVERVIEW_CHART:
        keys = [i.key for i in focus_items(config, page)]
        goal = str(goal) if goal is not None else keys[0]
        if goal not in keys:
            problems.append(f"{where}: goal = {goal!r} finns inte på sidan {page} (välj {', '.join(keys)}).")
    elif goal is not None and chart == OVERVIEW_CHART:
        goal = None  # the overview/profile shows every goal
    area = str(raw.get("municipality", config.meta.county))
    region = config.region
    if area != config.meta.county and not region.is_municipality(area):
        problems.append(f"{where}: municipality = {area!r} är inte en kommun i länet eller länets kod "
                        f"({config.meta.county}).")
    gender = str(raw.get("sex", "T")).upper()
    if gender not in GENDERS:
        problems.append(f"{where}: sex = {gender!r} (välj T, K, M eller KM).")
    year = raw.get("year")
    # four ASCII digits: str.isdigit() also accepts "²" and other digits int() refuses
    if year is not None and not ((isinstance(year, int) and not isinstance(year, bool) and 1000 <= year <= 9999)
                                 or (isinstance(year, str) and re.fullmatch(r"[0-9]{4}", year))):
        problems.append(f"{where}: year = {year!r} är inte ett årtal (fyra siffror, t.ex. 2022).")
        year = None
    compare = raw.get("compare", ())
    if not isinstance(compare, (str, list, tuple)):
        problems.append(f"{where}: compare ska vara kommunkoder, t.ex. [\"1780\", \"1715\"].")
        compare = ()
    compare = tuple(str(c).strip() for c in (compare.split(",") if isinstance(compare, str) else compare) if str(c).strip())
    odd = [c for c in compare if not region.is_municipality(c)]
    if odd:
        problems.append(f"{where}: compare = {', '.join(repr(c) for c in odd)} är inte kommuner i länet.")
    compare = tuple(dict.fromkeys(c for c in compare if c != area))[:5]
    map_mode = raw.get("map_mode")
    if map_mode is not None and (chart != MAP.link_value or map_mode not in MAP.modes):
        problems.append(f"{where}: map_mode = {map_mode!r} (bara med chart = \"{MAP.link_value}\"; välj "
                        f"{' eller '.join(repr(m) for m in MAP.modes)}).")
    for text_field in ("heading", "takeaway", "age_group"):
        if text_field in raw and not isinstance(raw[text_field], str):
            problems.append(f"{where}: {text_field} ska vara text.")
    if problems:
        return None, problems
    return Step(page=page, chart=chart, area=area, gender=gender, goal=goal,
                age_group=str(raw["age_group"]) if raw.get("age_group") else None,
                year=int(year) if year is not None else None,
                heading=str(raw.get("heading", "")).strip(), takeaway=str(raw.get("takeaway", "")).strip(),
                map_mode=str(map_mode) if map_mode else None, compare=compare), []


def parse_presentation(text: str, config: GoalsConfig, name: str = "presentation.toml") -> Presentation:
    """The talk, with a BrokenStep in place of each step the file gets wrong. Raises
    PresentationError only when there is no talk at all (not TOML, no steps)."""
    data = parse_toml(text, name, "[[step]]", PresentationError)
    problems = []
    unknown = sorted(set(data) - TOP_FIELDS)
    if unknown:
        problems.append(f"{name}: okänt fält {', '.join(unknown)} (tillåtna: title och [[step]]).")
    raw_steps = data.get("step", [])
    if not isinstance(raw_steps, list) or not raw_steps or not all(isinstance(s, dict) for s in raw_steps):
        raise PresentationError(problems + [f"{name}: inga steg – lägg till minst ett [[step]]."])
    steps: list[Step | BrokenStep] = []
    for i, raw in enumerate(raw_steps, 1):
        step, found = check_step(raw, config, f"{name}, steg {i}")
        problems += found
        steps.append(step if step is not None else BrokenStep(i, tuple(found)))
    title = data.get("title", "Presentation")
    return Presentation(str(title) if isinstance(title, str) else "Presentation", tuple(steps), tuple(problems))


def load_presentation(path: Path | str, config: GoalsConfig) -> Presentation:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PresentationError([f"{path.name}: filen finns inte."]) from exc
    except UnicodeDecodeError as exc:
        raise PresentationError([f"{path.name}: filen är inte UTF-8."]) from exc
    return parse_presentation(text, config, path.name)


def step_from_link(params: dict, config: GoalsConfig) -> tuple[Step | None, list[str]]:
    """A single view from a link (?sida=…&diagram=…&kommun=…&kon=…&mal=…&alder=…&ar=…)."""
    def first(key):
        v = params.get(key)
        return (v[-1] if isinstance(v, list) and v else v) if v is not None else None

    raw = {f: first(key)[:60] for f, key in LINK_KEYS.items() if first(key) is not None}
    step, problems = check_step(raw, config, "Länken")
    # a visitor reads the link's own words (ar = '²'), not the talk file's (year = '²')
    for f, key in LINK_KEYS.items():
        problems = [p.replace(f"Länken: {f} = ", f"Länken: {key} = ") for p in problems]
    return step, problems


# ------------------------------------------------------------------ what a step shows

@dataclass(frozen=True)
class StepView:
    """What the room sees for one step, worked out once per data version (shared by sessions)."""

    heading: str
    takeaway: str
    kind: str  # "chart" (an SVG) or "table" (the overview matrix or a profile, HTML)
    body: str  # vl-convert's SVG, or the table's escaped HTML
    alt: str  # the chart's text alternative
    source: str
    notices: tuple[str, ...] = ()
    # the year(s) the figures on the slide are from, said on the slide itself: a step "läget per
    # 2022" can show figures from 2021 (a series that ended), and the room must not read them as 2022
    years: str = ""
    # the step's field each notice is about (year, age_group, sex, chart, goal): `nyap check` names it
    notice_fields: tuple[str, ...] = ()
    # the chart drawn for other projector shapes: (("1610", svg), ("43", svg)); `body` is 16:9
    aspects: tuple[tuple[str, str], ...] = ()


def _said(notices: list[tuple[str, str]]) -> dict:
    """StepView's notices and the fields they are about, from (field, text) pairs."""
    return {"notices": tuple(t for _, t in notices), "notice_fields": tuple(f for f, _ in notices)}


def years_phrase(as_of: int, years) -> str:
    """'Värden från 2022' when the figures are from the chosen year; 'Läget per 2022 · Senaste
    värde 2021' (or a range) when they are older; '' when nothing is shown."""
    found = sorted({int(y) for y in years if y is not None and not pd.isna(y)})
    if not found:
        return f"Läget per {as_of}: inga värden"
    if found == [as_of]:
        return f"Värden från {as_of}"
    shown = str(found[0]) if len(found) == 1 else f"{found[0]}–{found[-1]}"
    return f"Läget per {as_of} · Senaste {'värde' if len(found) == 1 else 'värden'} {shown}"


def _latest_years(view, kind: str, area: str, genders: tuple[str, ...]) -> set:
    """The years of the figures a chart step shows: the last year of each line (trend), the year
    of the bars (all municipalities), or each row's latest value (goal gap)."""
    from nyap.present.views import latest_values_for_year
    from nyap.rules.goal_arithmetic import usable

    if kind in (BARS.key, MAP.key):
        return {latest_values_for_year(view, view.as_of, genders)[1]}
    if kind == GAP.key:
        ev = view.evaluations
        if ev.empty:
            return set()
        rows = ev[ev["area_code"].isin([*view.region.municipalities, view.reference_code])
                  & ev["gender"].isin(genders) & (ev["status"] != "no_data")]
        return set(rows["latest_year"].dropna())
    codes = [view.region.country] + ([area] if view.region.is_municipality(area) and view.has_municipalities else [])
    frames = [usable(view.values[view.values["area_code"].isin(codes)])]
    if not view.reference.empty:
        frames.append(usable(view.reference))
    years = set()
    for f in frames:
        f = f[(f["year"] <= view.as_of) & f["gender"].isin(genders)]
        if not f.empty:
            # each line's last year: a line that ended (a KPI ended in 2021) shows its last value
            years |= set(f.groupby("area_code")["year"].max())
    return years


def step_view(store, step: Step, page_for: dict[str, str]) -> StepView:
    """The step's chart drawn for the room (nyap/present/charts/room.py), or its table."""
    from nyap.present.charts import ASPECTS, room_spec
    from nyap.present.export import room_svg
    from nyap.present.room_tables import challenge_room_html, challenges_room_html
    from nyap.present.views import shown_gender, source_line

    config, region = store.config, store.region
    notices = []
    year = step.year if step.year in store.years else max(store.years)
    if step.year is not None and step.year not in store.years:
        notices.append(("year", f"Året {step.year} finns inte i data; visar {year}."))
    names = region.names()
    area_label = region.county_name if step.area == config.meta.county else names.get(step.area, step.area)
    if step.chart == OVERVIEW_CHART:
        # the room's own views (nyap/present/room_tables.py): every challenge's status counts, or
        # one challenge's goals (a step on a challenge page) – the desktop table is unreadable at 15 m
        ev = store.overview_evaluations(year, step.age_group if step.age_group in store.age_groups else None)
        gender = step.gender
        if gender == "KM":
            gender = "T"
            notices.append(("sex", "Översikten i presentationsläget visar totalt; kvinnor och män finns på målens bilder."))
        challenge = step.page if step.page != OVERVIEW else None
        if challenge is None:
            body = challenges_room_html(config, ev, step.area, gender, area_label)
            heading = step.heading or f"Alla mål – {area_label}, läget per {year}"
        else:
            body = challenge_room_html(config, ev, challenge, step.area, gender, area_label)
            heading = step.heading or f"{challenge} – {area_label}, läget per {year}"
        source = "DEMODATA – påhittade värden." if store.cache.is_demo else f"Källa: {store.cache.origin_text}."
        frame = ev.frame
        shown = frame[(frame["area_code"] == (frame["reference_code"] if step.area == config.meta.county else step.area))
                      & (frame["gender"] == gender) & (frame["status"] != "no_data")] if not frame.empty else frame
        if challenge is not None and not shown.empty and "challenge" in shown:
            shown = shown[shown["challenge"] == challenge]
        years = years_phrase(year, shown["latest_year"] if not shown.empty else [])
        return StepView(heading, step.takeaway, "table", body, heading, source, years=years, **_said(notices))
    item = store.items[step.goal]
    age = store.age_group_on(step.page, item, step.age_group)
    if step.age_group and age != step.age_group:
        notices.append(("age_group", f"Åldersgruppen {step.age_group} finns inte för målet; visar {age or 'alla åldrar'}."))
    view = store.goal_view(item, year, age or None)
    gender, note = shown_gender(view, step.gender)
    if note:
        notices.append(("sex", note))
    genders = genders_of(gender)
    source = source_line(view, store.cache.is_demo, store.cache.data_date, store.cache.source_label)
    charts = store.goal_charts(view, step.area, genders, names, source, step.compare)
    kind = BY_LINK[step.chart]
    if kind is MAP:
        result, genders = _map(store, step, item, year, age, genders, source, notices)
        if result is None:
            kind = BARS
            result = charts.bars
    else:
        result = charts.get(kind.key)
    if result is None and kind is not TREND:
        notices.append(("chart", "Målet har inga värden per kommun; visar utvecklingen över tid."))
        result = charts.trend
    heading = step.heading or f"{item.label} – {area_label}"
    if result is None:
        return StepView(heading, step.takeaway, "table", "", "Det finns inga värden att visa.", source,
                        years=years_phrase(year, []), **_said(notices))
    shown = kind if result is not charts.trend else TREND
    years = years_phrase(year, _latest_years(view, shown.key, step.area, genders))
    # one drawing per projector shape (16:9, 16:10, 4:3): the page shows the one that fills the screen
    drawn = {name: room_svg(room_spec(result.spec, round(shown.room_height * k), shown.room_adjust, width))
             for name, width, k in ASPECTS}
    svg = drawn["169"]
    meta = result.layout.get("usermeta", {})
    subtitle = " ".join(meta.get("heading", [])[-1:])
    # the chart's reading notes (what the lines and marks are) follow the source line
    source = " · ".join([source, *meta.get("notes", [])[1:]])
    return StepView(heading, step.takeaway or subtitle, "chart", svg, result.alt_text, source, years=years,
                    aspects=tuple((name, drawn[name]) for name, _, _ in ASPECTS if name != "169"), **_said(notices))


def _map(store, step: Step, item, year: int, age, genders: tuple[str, ...], source: str, notices: list):
    """The county map for a slide, in the step's mode, the area outlined: (chart, the sex shown).
    None when the server has no map data (the slide shows all municipalities instead)."""
    from nyap.data.geometry import GeometryError
    from nyap.present.formatting import GENDER_LABELS
    from nyap.serving.page_content import map_for_area

    if len(genders) > 1:
        notices.append(("sex", f"Kartan visar ett kön i taget; visar {GENDER_LABELS[genders[0]].lower()}."))
    area = step.area if store.region.is_municipality(step.area) else ""
    try:
        return store.call(map_for_area, item.key, year, age or None, area, genders[0], source,
                          step.map_mode or "value"), genders[:1]
    except GeometryError:
        notices.append(("chart", "Kartan kan inte visas på den här servern (kartdata saknas); visar alla kommuner."))
        return None, genders


def slide_problems(store, talk: Presentation, name: str = "presentation.toml") -> list[str]:
    """What each step's slide would say in front of the room (a year not in the data, an age group
    or sex the goal lacks, a goal without values for the area), named by step and field, for
    `python -m nyap check`: the presenter reads it at the desk, not on the screen."""
    page_for = page_for_challenge(store.config)
    out = []
    for i, step in enumerate(talk.steps, 1):
        if isinstance(step, BrokenStep):
            continue  # already in talk.problems
        view = step_view(store, step, page_for)
        out += [f"{name}, steg {i}: {field}: {text}" for field, text in zip(view.notice_fields, view.notices)]
        if not view.body:
            out.append(f"{name}, steg {i}: goal = {step.goal!r} har inga värden att visa för "
                       f"municipality = {step.area!r} – bilden blir tom.")
    return out
