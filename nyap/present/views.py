"""What a page shows, as plain data: goal views, the compact goal list, the overview matrix.

Pages call these and draw; the charts package turns them into Altair charts. No Streamlit here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pandas as pd

from nyap.data.cache import Cache
from nyap.rules.goal_arithmetic import (
    Measure, choose_source, evaluate_measure, prepare_measure, usable,
)
from nyap.present.formatting import age_text
from nyap.rules.evaluation_table import EvaluationRow, rows_by
from nyap.rules.goals import Goal, GoalsConfig
from nyap.data.region import Region

SOURCE_LABELS = {"kolada": "Kolada", "livhalsa": "Liv & Hälsa", "regional": "Regionens eget uttag"}


@dataclass(frozen=True)
class FocusItem:
    """One goal measure that can be in focus on a challenge page (a goal, or one of its tracks)."""

    key: str  # link value: goal id, or "goal_id.2" for the second track
    goal: Goal
    track: str

    @property
    def label(self) -> str:
        return self.goal.text + (f" – {self.track.lower()}" if self.track else "")


def focus_items(config: GoalsConfig, challenge: str) -> list[FocusItem]:
    return [FocusItem(key, goal, track) for goal in config.goals_for(challenge) for key, track in goal.measure_keys]


def all_focus_items(config: GoalsConfig) -> list[FocusItem]:
    return [FocusItem(key, goal, track) for goal in config.goals for key, track in goal.measure_keys]


@dataclass(frozen=True)
class GoalView:
    """Everything the detail section of one goal measure needs, for one age group and year."""

    item: FocusItem
    as_of: int
    age_group: str  # "" when the data has no age groups
    age_groups: tuple[str, ...]
    values: pd.DataFrame  # goal_values for all areas, this age group (suppressed rows kept)
    reference: pd.DataFrame  # county reference series
    evaluations: pd.DataFrame  # per area (incl. the reference) and gender
    reference_kind: str  # county | group | mean | ""
    reference_code: str
    sources: tuple[str, ...]  # sources used (kolada, livhalsa, regional)
    indicators: tuple[dict, ...]  # indicator metadata rows in the goal's chain
    has_municipalities: bool
    has_ci: bool
    region: Region  # the county, its municipalities and names
    # what every selection of this view shares (the context lines with their gaps, the publication
    # years), computed on the first chart and reused for every municipality after it: a view is
    # kept per data version in the store, so a new municipality's chart only adds its own rows
    prepared: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def goal(self) -> Goal:
        return self.item.goal

    @property
    def short_reference_label(self) -> str:
        """The county's row label where space is short (the goal-gap chart); the source line and
        the notes say what the mean is."""
        return {"group": "Länet (Koladas medel)", "mean": "Länet (eget medel)"}.get(self.reference_kind,
                                                                                    self.reference_label)

    def reference_coverage(self, gender: str | None = None) -> dict[int, int]:
        """Year -> number of municipalities in the county's own mean (empty for other references)."""
        if self.reference_kind != "mean" or self.reference.empty:
            return {}
        ref = self.reference if gender is None else self.reference[self.reference["gender"] == gender]
        return {int(y): int(n) for y, n in ref.groupby("year")["n_municipalities"].max().items() if not pd.isna(n)}

    @property
    def reference_label(self) -> str:
        rows = self.reference["reference_label"] if not self.reference.empty else []
        return str(rows.iloc[0]) if len(rows) else "Länet"

    # The views are shared by every session (nyap/serving/store.py); what the page and the three charts
    # ask of a view many times is worked out once per view (cached properties).

    @functools.cached_property
    def series_breaks(self) -> list[int]:
        """Years where a new series starts (a KPI replaced by its successor)."""
        breaks: set[int] = set()
        # per gender: women's and men's KPIs (life expectancy) are two series side by side, not a break
        for _, rows in self.values.groupby("gender"):
            firsts = rows.groupby("series_id")["year"].min().sort_values()
            breaks.update(int(y) for y in firsts.iloc[1:])
        return sorted(breaks)

    @property
    def age_label(self) -> str:
        """'18–29 år' for survey data split by age, else ''."""
        return age_text(self.age_group)

    @functools.cached_property
    def _all_suppressed(self) -> frozenset[tuple[str, str]]:
        v = self.values
        if v.empty:
            return frozenset()
        every = v.groupby(["area_code", "gender"], observed=True)["suppressed"].all()
        return frozenset((str(a), str(g)) for (a, g), flag in every.items() if flag)

    def only_suppressed(self, area: str, gender: str) -> bool:
        """The group has survey rows, but every one has too few answers to be shown."""
        return (area, gender) in self._all_suppressed

    @functools.cached_property
    def _evaluation_rows(self) -> dict[tuple, EvaluationRow]:
        return rows_by(self.evaluations, ("area_code", "gender"))

    def evaluation(self, area: str, gender: str) -> EvaluationRow | None:
        return self._evaluation_rows.get((area, gender))

    def reference_evaluation(self, gender: str) -> EvaluationRow | None:
        return self.evaluation(self.reference_code, gender) if self.reference_code else None


def goal_view(cache: Cache, config: GoalsConfig, item: FocusItem, as_of: int,
              age_group: str | None = None, *, measure: Measure | None = None,
              evaluations: pd.DataFrame | None = None) -> GoalView:
    """The detail view of a goal measure. A store that prepared the measure and evaluated it for
    every year (nyap/serving/store.py) passes both in; the result is the same."""
    goal, track = item.goal, item.track
    meta = config.meta
    region = config.region
    m = measure or prepare_measure(cache.observations, goal, track, age_group, region, meta.source_preference)
    if evaluations is None:
        evaluations = evaluate_measure(m, (as_of,))  # the same comparisons as the store's
        evaluations = evaluations.drop(columns="as_of") if not evaluations.empty else evaluations
    ids = [ref_.id for ref_ in goal.indicators if ref_.track == track]
    meta_rows = tuple(cache.indicator(i) or {"id": i, "title": i, "kpi_type": "", "ended": False} for i in ids)
    sources = tuple(sorted({s for i in ids if (s := choose_source(cache.observations, i, meta.source_preference))}))
    municipal = m.values["area_code"].isin(list(region.municipalities))
    return GoalView(
        item=item, as_of=as_of, age_group=m.age_group, age_groups=m.age_groups, values=m.values,
        reference=m.reference, evaluations=evaluations, reference_kind=m.reference_kind,
        reference_code=m.reference_code, sources=sources, indicators=meta_rows,
        has_municipalities=bool(municipal.any()), has_ci=bool(m.values["ci_low"].notna().any()), region=region,
    )


def gender_gap_area(view: GoalView, area: str) -> str:
    """Whose women–men gap a page or report about `area` shows: the municipality's own where the
    goal has municipality values, otherwise the county reference's (one rule for app and report)."""
    return area if view.has_municipalities and view.region.is_municipality(area) else view.reference_code


GAP_GOAL_WORDS = "målet är att skillnaden ska minska"  # said beside the status of a gender_gap goal


# --------------------------------------------------------------------------- texts

def source_line(view: GoalView, is_demo: bool, data_date: str = "", source_label: str = "") -> str:
    """'Källa: Kolada (N15428), hämtad 2026-11-23' — only Kolada numbers are attributed to Kolada.
    `source_label` names a recorded extract instead of a fetch date ("Kolada, uttag augusti 2024",
    the shipped cache): 'Källa: Kolada, uttag augusti 2024 (N15428)'."""
    if is_demo:
        return "DEMODATA – påhittade värden, inte Kolada eller Liv & Hälsa."
    parts = []
    for source in view.sources:
        ids = ", ".join(m["id"] for m in view.indicators if _source_of(m) == source) or ""
        name = source_label if source == "kolada" and source_label else SOURCE_LABELS.get(source, source)
        label = "Källa: " + name
        parts.append(f"{label} ({ids})" if ids and source == "kolada" else label)
    line = "; ".join(parts) or "Inga värden i cachen för målets nyckeltal"
    if source_label and not view.sources:
        line += f" ({source_label})"
    elif data_date and not source_label:
        line += f", hämtad {data_date}"
    if view.reference_kind == "mean":
        line += ". Länets kommuner, ovägt medel: egen beräkning"
    return line + "."


def cache_source_line(view: GoalView, cache: Cache) -> str:
    """The source line of a goal's charts, files and report section for this cache."""
    return source_line(view, cache.is_demo, cache.data_date, cache.source_label)


def _source_of(meta: dict) -> str:
    return str(meta.get("source", "kolada"))


def other_sources(view: GoalView, cache: Cache) -> list[str]:
    """Sources that also have the goal's indicators but are not shown (e.g. Kolada's U01405
    when the Liv & Hälsa extract is used)."""
    ids = [m["id"] for m in view.indicators]
    present = set(cache.observations.loc[cache.observations["indicator_id"].isin(ids), "source"].astype(str))
    return sorted(present - set(view.sources))


def shown_gender(view: GoalView, requested: str) -> tuple[str, str | None]:
    """The gender view the data allows, and a Swedish note when it differs from the choice.

    A goal measured for women and men in separate KPIs (life expectancy) has no total: both are
    shown. A KPI not split by gender has no women/men values: the total is shown."""
    if requested == "T" and view.goal.measured_by_sex:
        return "KM", "Målet mäts för kvinnor och män var för sig; båda visas."
    if requested != "T" and not view.values["gender"].isin(["K", "M"]).any():
        return "T", "Nyckeltalet är inte uppdelat på kön – här visas totalt för båda könen."
    return requested, None


def why_no_municipalities(view: GoalView) -> str | None:
    """L-type goals: say why there are no municipality values. A goal without any value (not
    for the county either) is not "county only": it has no data."""
    if view.has_municipalities:
        return None
    if usable(view.values).empty and (view.reference.empty or usable(view.reference).empty):
        return "Det finns inga värden för det här måttet – varken för kommunerna eller länet."
    types = {m.get("kpi_type") for m in view.indicators}
    if "L" in types:
        return ("Nyckeltalet finns bara för regioner (Kolada-typ L), inte för enskilda kommuner. "
                "Därför visas länet och riket.")
    return "Det finns inga värden per kommun för det här måttet."


def caveats(view: GoalView) -> list[str]:
    notes = []
    if view.series_breaks:
        years = ", ".join(str(y) for y in view.series_breaks)
        notes.append(f"Seriebrott {years}: nyckeltalet byttes mot ett nytt som inte är direkt jämförbart. "
                     "Linjerna ritas inte ihop.")
    with_values = set(usable(view.values)["indicator_id"].astype(str))
    for m in view.indicators:
        if m["id"] not in with_values:
            # a KPI of the chain without any value: not "the latest value is shown"
            notes.append(f"{m['id']} har inga värden i cachen" + (" (avslutad eller borttagen serie)." if bool(m.get("ended"))
                                                                  else "."))
        elif bool(m.get("ended")) and not (m["id"] in view.goal.note and "avslut" in view.goal.note):
            # (goals.toml's own note may say it already: the page shows that note, once)
            last = int(usable(view.values).loc[lambda d: d["indicator_id"] == m["id"], "year"].max())
            notes.append(f"{m['id']} är en avslutad serie; senaste värdet är från {last}.")
    if with_values and not view.evaluations.empty and "no_data_reason" in view.evaluations:
        lost = view.evaluations["no_data_reason"].eq("no_baseline")
        if lost.all():
            period = view.goal.period_for(view.as_of)
            notes.append(f"Inget område har ett basvärde för {period.baseline_year} (± 2 år): "
                         f"serien börjar {int(usable(view.values)['year'].min())}. Målet kan inte bedömas förrän "
                         "ett basvärde finns.")
    if view.reference_kind == "mean":
        counts = view.reference_coverage()
        spread = ""
        if counts:
            low, high = min(counts.values()), max(counts.values())
            spread = (f" Medlet bygger på {low} av {view.region.size} kommuner" if low == high else
                      f" Antalet kommuner med värde varierar mellan {low} och {high} av {view.region.size}")
            spread += " (se tabellen under diagrammet)." if low != high else "."
        notes.append("Länet har inget eget värde för detta nyckeltal: länsreferensen är ett ovägt medelvärde "
                     "av de kommuner som har ett värde (egen beräkning, inte Kolada)." + spread)
    if view.reference_kind == "group":
        notes.append(f"Länsreferensen är Koladas ovägda medelvärde för länets kommuner ({view.region.group}).")
    if view.has_ci:
        notes.append("Enkätdata: staplar och punkter visar 95 % konfidensintervall. En förändring inom "
                     "osäkerheten räknas som oförändrad. Grupper med för få svar visas som \"..\".")
    return notes


# --------------------------------------------------------------------------- overview

def challenge_age_groups(config: GoalsConfig, challenge: str, chosen: str | None) -> dict[str, str]:
    """Age group per goal on a challenge page: the user's choice, else the goal's default there."""
    ch = config.challenge(challenge)
    out = {}
    for goal in config.goals_for(challenge):
        default = goal.default_age_group(challenge) or (ch.default_age_group if ch else None)
        age = chosen or default
        if age:
            out[goal.id] = age
    return out


def focus_age_group(config: GoalsConfig, challenge: str, item: FocusItem, measure: Measure) -> str:
    """The age group a goal measure opens with on its challenge page (and in the report): the goal's
    or the challenge's default where the data has it, else the measure's own default."""
    default = challenge_age_groups(config, challenge, None).get(item.goal.id)
    return default if default in measure.age_groups else measure.age_group


def challenge_evaluations(cache: Cache, config: GoalsConfig, challenge: str, as_of: int,
                          age_group: str | None = None) -> pd.DataFrame:
    """Every goal of one challenge, every area and gender (the compact list and the overview)."""
    from nyap.rules.goal_arithmetic import evaluate_all

    ev = evaluate_all(cache.observations, config, as_of, challenge_age_groups(config, challenge, age_group),
                      goals=config.goals_for(challenge))
    return ev.assign(challenge=challenge) if not ev.empty else ev


def overview_evaluations(cache: Cache, config: GoalsConfig, as_of: int, age_group: str | None = None) -> pd.DataFrame:
    frames = [challenge_evaluations(cache, config, c.name, as_of, age_group) for c in config.challenges]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def latest_values_for_year(view: GoalView, year: int, genders: tuple[str, ...]) -> tuple[pd.DataFrame, int | None]:
    """Municipality values for a year (for the 'all municipalities' chart).

    Uses the chosen year when the measure has data that year, else its latest year before it
    (survey rounds are years apart). Suppressed rows are kept (shown as '..'), missing ones too.
    """
    munis = list(view.region.municipalities)
    v = view.values[view.values["area_code"].isin(munis) & view.values["gender"].isin(genders)]
    years = sorted(set(v.loc[v["value"].notna() | v["suppressed"], "year"]))
    years = [y for y in years if y <= year]
    if not years:
        return v.iloc[0:0], None
    used = years[-1]
    rows = v[v["year"] == used]
    # municipalities without a row that year are shown as missing, not dropped
    full = pd.MultiIndex.from_product([munis, list(genders)], names=["area_code", "gender"])
    rows = rows.set_index(["area_code", "gender"]).reindex(full).reset_index()
    rows["year"] = used
    rows["suppressed"] = rows["suppressed"].fillna(False).astype(bool)
    return rows, used



def repeated_focus_items(config: GoalsConfig, evaluations: pd.DataFrame) -> set[tuple[str, str]]:
    """(challenge, focus item key) of each goal measure listed on several challenge pages whose
    rows on that page are identical to its rows on the goal's first challenge (god hälsa without
    age groups in the data: the same figures on Ungdomslivet, Vuxenlivet and Äldrelivet). A list
    of all goals (the profile, its download, the report's first page) shows such a measure once,
    under its first challenge. With age groups the rows differ and every page keeps its row.
    `evaluations`: the overview's evaluation rows (a "challenge" column), e.g.
    store.overview_evaluations(year, age).frame."""
    if evaluations.empty or "challenge" not in evaluations:
        return set()
    repeated = set()
    for goal in config.goals:
        if len(goal.challenges) < 2:
            continue
        home = goal.challenges[0].name
        for key, track in goal.measure_keys:
            rows = evaluations[(evaluations["goal_id"] == goal.id) & (evaluations["track"] == track)]

            def on(challenge: str) -> pd.DataFrame:
                part = rows[rows["challenge"] == challenge].drop(columns="challenge")
                return part.sort_values(["area_code", "gender"]).reset_index(drop=True)

            first = on(home)
            for ch in goal.challenges[1:]:
                other = on(ch.name)
                if not first.empty and first.astype(str).equals(other.astype(str)):
                    repeated.add((ch.name, key))
    return repeated


def repeated_in(config: GoalsConfig, ev) -> set[tuple[str, str]]:
    """repeated_focus_items of an evaluation table (evaluation_table.Evaluations), worked out once
    per table and goal file: the store shares its tables, so a profile click only looks it up."""
    config_used, repeated = ev.derived("repeated", lambda: (config, repeated_focus_items(config, ev.frame)))
    return repeated if config_used is config else repeated_focus_items(config, ev.frame)


def table_notice(is_demo: bool, origin: str, as_of: int | None = None) -> str:
    """The first line of a table download that is not a chart's (the overview, a profile): where
    the figures come from (`origin`: the cache's origin text, e.g. "Kolada, uttag augusti 2024"),
    as a chart's download says; the demo mark when demo data is shown. Statuses, targets and own
    county means are our own arithmetic, not Kolada's."""
    if is_demo:
        return "DEMODATA - påhittade värden, får inte användas som underlag"
    line = f"Källa: {origin}" if origin else "Källa: Kolada m.fl."
    line += ". Status, målvärden och länets egna medelvärden: egen beräkning"
    return line + (f". Läget per {as_of}." if as_of else ".")
