"""goals.toml: parsing into plain immutable objects, with validation that names goal and field.

Every problem found is collected (not just the first), and each message says which goal (id, or
its position when the id itself is broken) and which field is wrong, in Swedish.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from nyap.data.areas import is_valid_area_code
from nyap.data.region import Region, counties, region_for
from nyap.problems import ProblemsError, parse_toml

DIRECTIONS = {"increase": "increase", "decrease": "decrease", "öka": "increase", "minska": "decrease"}
DIMENSIONS = {
    "H": "En god och jämlik hälsa",
    "K": "Bra kvalitet",
    "U": "Hållbart och uthålligt",
}
# unit code -> (label for values, label for a change)
UNITS = {
    "procent": ("%", "procentenheter"),
    "index": ("index", "indexenheter"),
    "år": ("år", "år"),
    "per_1000": ("per 1 000", "per 1 000"),
    "per_100000": ("per 100 000", "per 100 000"),
}
TRANSFORMS = ("none", "complement")  # complement: 100 − value (e.g. lack of trust → trust)
SOURCES = ("kolada", "livhalsa", "regional")
KOLADA_ID = re.compile(r"^[A-Z]\d{5}$")
YEAR_RANGE = (1990, 2100)

GOAL_FIELDS = {
    "id", "text", "dimension", "direction", "direction_only", "change", "unit", "unit_label",
    "baseline_year", "target_year", "tolerance", "challenges", "indicator", "period", "note",
    "gender_gap", "measure",
}
INDICATOR_FIELDS = {"id", "source", "first_year", "last_year", "transform", "scale", "gender", "track", "note", "survey"}
PERIOD_FIELDS = {"baseline_year", "target_year", "change"}
META_FIELDS = {
    "county", "country", "county_group", "baseline_year", "target_year", "min_n",
    "tolerance_share", "source_preference", "title",
}
CHALLENGE_FIELDS = {"name", "aim", "default_age_group"}
EXTRA_INDICATOR_FIELDS = {"id", "title", "definition", "unit", "source", "age_groups"}


class GoalsError(ProblemsError):
    """goals.toml is malformed. `problems` lists Swedish messages naming goal and field."""


@dataclass(frozen=True)
class IndicatorRef:
    id: str
    source: str | None = None  # restrict to one source; None = by source_preference
    first_year: int | None = None
    last_year: int | None = None
    transform: str = "none"
    scale: float = 1.0
    gender: str | None = None  # a KPI not split by gender that stands for one gender (K or M)
    track: str = ""  # parallel measures of one goal (e.g. hemtjänst / särskilt boende)
    # survey data (a sample, e.g. Kolada's copy of the public-health survey): without confidence
    # intervals its uncertainty is unknown, and the pages say so instead of implying none
    survey: bool = False


@dataclass(frozen=True)
class GoalPeriod:
    baseline_year: int
    target_year: int
    change: float | None  # None for direction-only goals

    @property
    def label(self) -> str:
        return f"{self.baseline_year}–{self.target_year}"


@dataclass(frozen=True)
class ChallengeRef:
    name: str
    age_group: str | None = None  # default age group on that challenge page (survey goals)


@dataclass(frozen=True)
class Goal:
    id: str
    text: str
    dimension: str
    direction: str  # "increase" | "decrease"
    direction_only: bool
    unit: str
    periods: tuple[GoalPeriod, ...]
    tolerance: float
    challenges: tuple[ChallengeRef, ...]
    indicators: tuple[IndicatorRef, ...]
    unit_label: str = ""
    note: str = ""
    gender_gap: bool = False  # the women–men gap should shrink (life expectancy)
    measure: str = ""  # what the values measure, for axis titles (e.g. "Andel kariesfria 3-åringar")
    explicit_tolerance: float | None = None
    tolerance_share: float = 0.1

    def tolerance_for(self, period: GoalPeriod) -> float:
        """What counts as unchanged: the goal's own tolerance, else a share of that period's change."""
        if self.explicit_tolerance is not None:
            return self.explicit_tolerance
        return self.tolerance_share * period.change if period.change else self.tolerance

    @property
    def sign(self) -> int:
        return 1 if self.direction == "increase" else -1

    @property
    def has_target(self) -> bool:
        """A numeric goal (a change to reach), not only a direction."""
        return not self.direction_only

    @property
    def measured_by_sex(self) -> bool:
        """Measured for women and men in separate KPIs (life expectancy): no total of its own."""
        return all(ref.gender for ref in self.indicators)

    @property
    def survey_indicators(self) -> tuple[str, ...]:
        """The goal's indicators that are survey samples (`survey = true` in goals.toml)."""
        return tuple(ref.id for ref in self.indicators if ref.survey)

    def tolerance_at(self, as_of: int) -> float:
        return self.tolerance_for(self.period_for(as_of))

    @property
    def value_unit(self) -> str:
        return self.unit_label or UNITS[self.unit][0]

    @property
    def change_unit(self) -> str:
        return UNITS[self.unit][1]

    @property
    def tracks(self) -> tuple[str, ...]:
        seen: list[str] = []
        for ref in self.indicators:
            if ref.track not in seen:
                seen.append(ref.track)
        return tuple(seen)

    @property
    def measure_keys(self) -> tuple[tuple[str, str], ...]:
        """(key, track) per goal measure: the key is the goal's id, "<id>.2" for its second track
        and so on; the value of a link's mal= and of a commentary file's [mal.<key>]."""
        return tuple((self.id if i == 1 else f"{self.id}.{i}", track) for i, track in enumerate(self.tracks, 1))

    @property
    def change(self) -> float | None:
        return self.periods[0].change

    def period_for(self, as_of: int) -> GoalPeriod:
        """The goal period in force for an as-of year: the latest one that has started."""
        started = [p for p in self.periods if p.baseline_year <= as_of]
        return started[-1] if started else self.periods[0]

    def challenge_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.challenges)

    def default_age_group(self, challenge: str) -> str | None:
        for c in self.challenges:
            if c.name == challenge:
                return c.age_group
        return None


@dataclass(frozen=True)
class Challenge:
    name: str
    aim: str
    default_age_group: str | None = None


@dataclass(frozen=True)
class ExtraIndicator:
    """An indicator that is not a Kolada KPI (survey or regional extract), declared in goals.toml."""

    id: str
    title: str
    definition: str
    unit: str
    source: str
    age_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Meta:
    county: str = "0017"
    country: str = "0000"
    county_group: str = ""  # optional Kolada group (the county's municipalities, unweighted mean)
    baseline_year: int = 2017
    target_year: int = 2022
    min_n: int = 100
    tolerance_share: float = 0.1
    source_preference: tuple[str, ...] = ("livhalsa", "regional", "kolada")
    title: str = "Nya Perspektiv"


@dataclass(frozen=True)
class GoalsConfig:
    meta: Meta
    challenges: tuple[Challenge, ...]
    goals: tuple[Goal, ...]
    extra_indicators: tuple[ExtraIndicator, ...] = field(default_factory=tuple)

    @property
    def region(self) -> Region:
        """The county the dashboard is for, its municipalities and names (nyap/data/region.py)."""
        return region_for(self.meta.county, self.meta.county_group or None)

    def goal(self, goal_id: str) -> Goal:
        for g in self.goals:
            if g.id == goal_id:
                return g
        raise KeyError(goal_id)

    def challenge(self, name: str) -> Challenge | None:
        """The challenge with this name (a page, a report section, a talk step), or None."""
        return next((c for c in self.challenges if c.name == name), None)

    def goals_for(self, challenge: str) -> tuple[Goal, ...]:
        return tuple(g for g in self.goals if challenge in g.challenge_names())

    def indicator_ids(self) -> tuple[str, ...]:
        ids: list[str] = []
        for g in self.goals:
            for ref in g.indicators:
                if ref.id not in ids:
                    ids.append(ref.id)
        return tuple(ids)

    def kolada_ids(self) -> tuple[str, ...]:
        return tuple(i for i in self.indicator_ids() if KOLADA_ID.match(i))


# --------------------------------------------------------------------------- parsing

class _Collector:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[str] = []

    def add(self, where: str, field_name: str | None, message: str) -> None:
        loc = f"{self.filename}: {where}"
        if field_name:
            loc += f", fält '{field_name}'"
        self.problems.append(f"{loc}: {message}")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _year(c: _Collector, where: str, name: str, value, required: bool = True) -> int | None:
    if value is None:
        if required:
            c.add(where, name, "år saknas.")
        return None
    if not _is_int(value) or not (YEAR_RANGE[0] <= value <= YEAR_RANGE[1]):
        c.add(where, name, f"ogiltigt år {value!r} (ett heltal {YEAR_RANGE[0]}–{YEAR_RANGE[1]}).")
        return None
    return value


def _unknown_fields(c: _Collector, where: str, table: dict, allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            c.add(where, key, f"okänt fält (tillåtna: {', '.join(sorted(allowed))}).")


def _parse_meta(c: _Collector, raw) -> Meta:
    if raw is None:
        return Meta()
    if not isinstance(raw, dict):
        c.add("[meta]", None, "ska vara en tabell.")
        return Meta()
    _unknown_fields(c, "[meta]", raw, META_FIELDS)
    kw = {}
    for key in ("county", "country", "county_group"):
        if key in raw:
            if not isinstance(raw[key], str) or not is_valid_area_code(raw[key]):
                c.add("[meta]", key, f"ogiltig områdeskod {raw[key]!r} (en sträng, t.ex. \"0017\").")
            else:
                kw[key] = raw[key]
    if "county" in kw and kw["county"] not in counties():
        c.add("[meta]", "county", f"länskoden {kw['county']!r} är ingen av Sveriges regioner (t.ex. \"0017\" "
              "för Värmland, \"0018\" för Örebro län).")
        del kw["county"]
    for key in ("baseline_year", "target_year"):
        if key in raw:
            y = _year(c, "[meta]", key, raw[key])
            if y is not None:
                kw[key] = y
    if kw.get("baseline_year", 2017) >= kw.get("target_year", 2022):
        c.add("[meta]", "target_year", "målåret måste vara senare än basåret.")
    if "min_n" in raw:
        if not _is_int(raw["min_n"]) or raw["min_n"] < 1:
            c.add("[meta]", "min_n", f"ska vara ett positivt heltal, inte {raw['min_n']!r}.")
        else:
            kw["min_n"] = raw["min_n"]
    if "tolerance_share" in raw:
        t = raw["tolerance_share"]
        if not _is_number(t) or not (0 <= t < 1):
            c.add("[meta]", "tolerance_share", f"ska vara ett tal mellan 0 och 1, inte {t!r}.")
        else:
            kw["tolerance_share"] = float(t)
    if "source_preference" in raw:
        sp = raw["source_preference"]
        if not isinstance(sp, list) or any(s not in SOURCES for s in sp):
            c.add("[meta]", "source_preference", f"ska vara en lista med {', '.join(SOURCES)}.")
        else:
            kw["source_preference"] = tuple(sp)
    if "title" in raw:
        kw["title"] = str(raw["title"])
    return Meta(**kw)


def _parse_challenges(c: _Collector, raw) -> tuple[Challenge, ...]:
    if not isinstance(raw, list) or not raw:
        c.add("[[challenge]]", None, "minst en utmaning krävs (namn och mål för arbetsgruppen).")
        return ()
    out = []
    for i, item in enumerate(raw, 1):
        where = f"utmaning nr {i}"
        if not isinstance(item, dict):
            c.add(where, None, "ska vara en tabell.")
            continue
        _unknown_fields(c, where, item, CHALLENGE_FIELDS)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            c.add(where, "name", "namn saknas.")
            continue
        out.append(Challenge(name, str(item.get("aim", "")), item.get("default_age_group")))
    names = [ch.name for ch in out]
    for n in {n for n in names if names.count(n) > 1}:
        c.add(f"utmaning '{n}'", "name", "utmaningen finns flera gånger.")
    return tuple(out)


def _parse_extra(c: _Collector, raw) -> tuple[ExtraIndicator, ...]:
    if raw is None:
        return ()
    out = []
    for i, item in enumerate(raw if isinstance(raw, list) else [], 1):
        where = f"indikator nr {i} i [[extra_indicator]]"
        if not isinstance(item, dict):
            c.add(where, None, "ska vara en tabell.")
            continue
        _unknown_fields(c, where, item, EXTRA_INDICATOR_FIELDS)
        iid = item.get("id")
        if not isinstance(iid, str) or not iid:
            c.add(where, "id", "id saknas.")
            continue
        where = f"indikator '{iid}' i [[extra_indicator]]"
        source = item.get("source", "regional")
        if source not in SOURCES:
            c.add(where, "source", f"okänd källa {source!r} (tillåtet: {', '.join(SOURCES)}).")
        unit = item.get("unit", "procent")
        if unit not in UNITS:
            c.add(where, "unit", f"okänd enhet {unit!r} (tillåtet: {', '.join(UNITS)}).")
        if not item.get("title"):
            c.add(where, "title", "titel saknas.")
        out.append(ExtraIndicator(
            iid, str(item.get("title", "")), str(item.get("definition", "")), unit, source,
            tuple(item.get("age_groups", ())),
        ))
    return tuple(out)


def _parse_indicator(c: _Collector, where: str, item, known_extra: set[str]) -> IndicatorRef | None:
    if not isinstance(item, dict):
        c.add(where, "indicator", "varje [[goal.indicator]] ska vara en tabell.")
        return None
    _unknown_fields(c, where, item, INDICATOR_FIELDS)
    iid = item.get("id")
    if not isinstance(iid, str) or not iid:
        c.add(where, "indicator.id", "indikatorns id saknas.")
        return None
    if not KOLADA_ID.match(iid) and iid not in known_extra:
        c.add(where, "indicator.id",
              f"okänd indikator {iid!r}: varken ett Kolada-id (t.ex. N15428) eller deklarerad i [[extra_indicator]].")
    kw: dict = {"id": iid}
    source = item.get("source")
    if source is not None:
        if source not in SOURCES:
            c.add(where, "indicator.source", f"okänd källa {source!r} (tillåtet: {', '.join(SOURCES)}).")
        kw["source"] = source
    for key in ("first_year", "last_year"):
        if key in item:
            kw[key] = _year(c, where, f"indicator.{key}", item[key])
    if kw.get("first_year") and kw.get("last_year") and kw["first_year"] > kw["last_year"]:
        c.add(where, "indicator.last_year", f"sista året {kw['last_year']} ligger före första året {kw['first_year']}.")
    transform = item.get("transform", "none")
    if transform not in TRANSFORMS:
        c.add(where, "indicator.transform", f"okänd omräkning {transform!r} (tillåtet: {', '.join(TRANSFORMS)}).")
    kw["transform"] = transform
    scale = item.get("scale", 1.0)
    if not _is_number(scale) or scale <= 0:
        c.add(where, "indicator.scale", f"ska vara ett positivt tal, inte {scale!r}.")
    else:
        kw["scale"] = float(scale)
    gender = item.get("gender")
    if gender is not None and gender not in ("K", "M"):
        c.add(where, "indicator.gender", f"ska vara \"K\" eller \"M\", inte {gender!r}.")
    kw["gender"] = gender
    kw["track"] = str(item.get("track", ""))
    survey = item.get("survey", False)
    if not isinstance(survey, bool):
        c.add(where, "indicator.survey", f"ska vara true eller false, inte {survey!r}.")
    else:
        kw["survey"] = survey
    return IndicatorRef(**kw)


def _parse_goal(c: _Collector, pos: int, raw, meta: Meta, challenge_names: set[str],
                known_extra: set[str]) -> Goal | None:
    if not isinstance(raw, dict):
        c.add(f"mål nr {pos}", None, "ska vara en tabell [[goal]].")
        return None
    gid = raw.get("id")
    if not isinstance(gid, str) or not re.fullmatch(r"[a-z0-9_]+", gid or ""):
        c.add(f"mål nr {pos}", "id", f"ogiltigt id {gid!r} (små bokstäver a–z, siffror och _).")
        gid = None
    where = f"mål '{gid}'" if gid else f"mål nr {pos}"
    _unknown_fields(c, where, raw, GOAL_FIELDS)
    ok = gid is not None

    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        c.add(where, "text", "måltexten saknas.")
        ok = False
    dimension = raw.get("dimension")
    if dimension not in DIMENSIONS:
        c.add(where, "dimension", f"okänd dimension {dimension!r} (tillåtet: {', '.join(DIMENSIONS)}).")
        ok = False
    direction = DIRECTIONS.get(raw.get("direction"))
    if direction is None:
        c.add(where, "direction",
              f"okänd riktning {raw.get('direction')!r} (tillåtet: increase/öka eller decrease/minska).")
        ok = False
    unit = raw.get("unit", "procent")
    if unit not in UNITS:
        c.add(where, "unit", f"okänd enhet {unit!r} (tillåtet: {', '.join(UNITS)}).")
        ok = False

    direction_only = raw.get("direction_only", False)
    if not isinstance(direction_only, bool):
        c.add(where, "direction_only", "ska vara true eller false.")
        ok = False
    change = raw.get("change")
    if direction_only and change is not None:
        c.add(where, "change", "ett mål med bara riktning (direction_only = true) kan inte ha en förändring.")
        ok = False
    elif not direction_only:
        if change is None:
            c.add(where, "change", "förändringen saknas (eller sätt direction_only = true).")
            ok = False
        elif not _is_number(change) or change <= 0:
            c.add(where, "change", f"ska vara ett positivt tal i målets enhet, inte {change!r}.")
            ok = False

    baseline_year = _year(c, where, "baseline_year", raw.get("baseline_year", meta.baseline_year))
    target_year = _year(c, where, "target_year", raw.get("target_year", meta.target_year))
    if baseline_year and target_year and baseline_year >= target_year:
        c.add(where, "target_year", f"målåret {target_year} måste vara senare än basåret {baseline_year}.")
        ok = False
    if baseline_year is None or target_year is None:
        ok = False

    periods: list[GoalPeriod] = []
    if ok:
        periods.append(GoalPeriod(baseline_year, target_year, None if direction_only else float(change)))
    extra_periods = raw.get("period", [])
    if not isinstance(extra_periods, list):
        c.add(where, "period", "ska vara en lista av tabeller [[goal.period]].")
        extra_periods = []
    for j, p in enumerate(extra_periods, 2):
        pw = f"{where}, period nr {j}"
        if not isinstance(p, dict):
            c.add(pw, "period", "ska vara en tabell.")
            ok = False
            continue
        _unknown_fields(c, pw, p, PERIOD_FIELDS)
        b = _year(c, pw, "period.baseline_year", p.get("baseline_year"))
        t = _year(c, pw, "period.target_year", p.get("target_year"))
        pc = p.get("change")
        if direction_only and pc is not None:
            c.add(pw, "period.change", "ett mål med bara riktning kan inte ha en förändring.")
            ok = False
        elif not direction_only and (not _is_number(pc) or pc <= 0):
            c.add(pw, "period.change", f"ska vara ett positivt tal, inte {pc!r}.")
            ok = False
        if b is None or t is None or b >= t:
            if b is not None and t is not None:
                c.add(pw, "period.target_year", f"målåret {t} måste vara senare än basåret {b}.")
            ok = False
            continue
        if periods and b < periods[-1].baseline_year + 1:
            c.add(pw, "period.baseline_year",
                  f"en ny målperiod måste börja efter föregående periods basår ({periods[-1].baseline_year}).")
            ok = False
        periods.append(GoalPeriod(b, t, None if direction_only else float(pc) if _is_number(pc) else None))

    tolerance = raw.get("tolerance")
    if tolerance is not None:
        if not _is_number(tolerance) or tolerance < 0:
            c.add(where, "tolerance", f"ska vara ett tal ≥ 0 i målets enhet, inte {tolerance!r}.")
            ok = False
    elif direction_only:
        c.add(where, "tolerance", "ett mål med bara riktning behöver en tolerans (vad som räknas som oförändrat).")
        ok = False
    elif _is_number(change) and change > 0:
        tolerance = meta.tolerance_share * change

    challenges: list[ChallengeRef] = []
    raw_ch = raw.get("challenges")
    if not isinstance(raw_ch, list) or not raw_ch:
        c.add(where, "challenges", "minst en utmaning krävs, t.ex. challenges = [\"Vuxenlivet\"].")
        ok = False
    else:
        for item in raw_ch:
            if isinstance(item, str):
                name, age = item, None
            elif isinstance(item, dict) and set(item) <= {"name", "age_group"}:
                name, age = item.get("name"), item.get("age_group")
            else:
                c.add(where, "challenges", f"ogiltig post {item!r} (namn eller {{ name = …, age_group = … }}).")
                ok = False
                continue
            if name not in challenge_names:
                c.add(where, "challenges",
                      f"okänd utmaning {name!r} (tillåtet: {', '.join(sorted(challenge_names))}).")
                ok = False
                continue
            challenges.append(ChallengeRef(name, age))

    refs: list[IndicatorRef] = []
    raw_ind = raw.get("indicator")
    if not isinstance(raw_ind, list) or not raw_ind:
        c.add(where, "indicator", "minst en källindikator krävs ([[goal.indicator]] med id).")
        ok = False
    else:
        n_before = len(c.problems)
        for item in raw_ind:
            ref = _parse_indicator(c, where, item, known_extra)
            if ref is not None:
                refs.append(ref)
        ok = ok and len(c.problems) == n_before

    gender_gap = raw.get("gender_gap", False)
    if not isinstance(gender_gap, bool):
        c.add(where, "gender_gap", "ska vara true eller false.")
        ok = False
    if not ok:
        return None
    return Goal(
        id=gid, text=text.strip(), dimension=dimension, direction=direction,
        direction_only=direction_only, unit=unit, periods=tuple(periods), tolerance=float(tolerance),
        challenges=tuple(challenges), indicators=tuple(refs), unit_label=str(raw.get("unit_label", "")),
        note=str(raw.get("note", "")), gender_gap=gender_gap, measure=str(raw.get("measure", "")),
        explicit_tolerance=None if raw.get("tolerance") is None else float(raw["tolerance"]),
        tolerance_share=meta.tolerance_share,
    )


def parse_goals(text: str, filename: str = "goals.toml") -> GoalsConfig:
    """Parse goals.toml text. Raises GoalsError listing every problem found."""
    c = _Collector(filename)
    data = parse_toml(text, filename, "[rubriker]", GoalsError)
    for key in data:
        if key not in {"meta", "challenge", "goal", "extra_indicator"}:
            c.add(f"avsnitt [{key}]", None, "okänt avsnitt (tillåtna: meta, challenge, goal, extra_indicator).")
    meta = _parse_meta(c, data.get("meta"))
    challenges = _parse_challenges(c, data.get("challenge"))
    extra = _parse_extra(c, data.get("extra_indicator"))
    raw_goals = data.get("goal")
    if not isinstance(raw_goals, list) or not raw_goals:
        c.add("[[goal]]", None, "inga mål hittades.")
        raw_goals = []
    goals: list[Goal] = []
    seen: dict[str, int] = {}
    for pos, raw in enumerate(raw_goals, 1):
        gid = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(gid, str) and gid in seen:
            c.add(f"mål '{gid}' (nr {pos})", "id", f"id:t används redan av mål nr {seen[gid]}.")
            continue
        if isinstance(gid, str):
            seen[gid] = pos
        goal = _parse_goal(c, pos, raw, meta, {ch.name for ch in challenges}, {e.id for e in extra})
        if goal is not None:
            goals.append(goal)
    if c.problems:
        raise GoalsError(c.problems)
    return GoalsConfig(meta, challenges, tuple(goals), extra)


def load_goals(path: Path | str) -> GoalsConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise GoalsError([f"{path}: filen finns inte."]) from exc
    except UnicodeDecodeError as exc:
        raise GoalsError([f"{path}: filen är inte UTF-8 ({exc})."]) from exc
    return parse_goals(text, path.name)


def configured_region() -> Region:
    """The region of the goals file in use (NYAP_GOALS_FILE or the project's goals.toml), for the
    demo data and the import when no configuration is passed in."""
    from nyap import goals_file

    return load_goals(goals_file()).region
