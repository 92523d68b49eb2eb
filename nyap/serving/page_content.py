"""What the overview, the goal pages and Om data show that depends only on the data version and
the choice: computed once for everyone through `store.call` (keyed by these functions and their
arguments), so a page only fetches it. No Streamlit here."""

from __future__ import annotations

from html import escape as esc

import pandas as pd

from nyap.data.geometry import county_features
from nyap.present.catalogue import indicator_catalogue
from nyap.present.formatting import genders_of
from nyap.rules.goal_arithmetic import usable
from nyap.present.missing import missing_data_note, missing_data_notes
from nyap.present.charts import MAP_MODES, for_area, map_chart
from nyap.present.summary import goals_without_gender_split, headline_rows, summary_sentence
from nyap.present.tables import matrix_html, overview_frame, profile_html
from nyap.present.prose import equality_summary
from nyap.serving.background import GATE
from nyap.serving.page_registry import page_for_challenge
from nyap.serving.store import ResultStore
from nyap.present.views import cache_source_line, focus_items, other_sources, repeated_in, shown_gender


def opening_goal(store: ResultStore, challenge: str) -> str | None:
    """The goal a challenge page opens on without a goal in its link: the first that has data (on
    real figures the first goal of a page may have none, e.g. självmord: only the reason, no chart,
    in front of a room). The page and the links to it (one history entry per page change) agree."""
    item = store.opening_item(challenge)
    return item.key if item else None


def missing_note(store: ResultStore, item_key: str) -> str:
    item = store.items[item_key]
    return missing_data_note(store.cache, store.config, item.goal, item.track)


def missing_notes_html(store: ResultStore) -> str:
    """Why the goals without data have none, and what would bring it (below the matrix/profile)."""
    notes = missing_data_notes(store.cache, store.config)
    if not notes:
        return ""
    texts = {g.id: g.text for g in store.config.goals}
    items = "".join(f"<li><strong>{esc(texts[g])}</strong>: {esc(n)}</li>" for g, n in notes.items())
    return (f'<div class="nyap-missing"><p class="nyap-note">{len(notes)} mål saknar data i cachen – varför, och '
            f"vad som skulle ge data:</p><ul>{items}</ul></div>")


def headline_sentence(store: ResultStore, year: int, age, area: str | None, gender: str, where: str) -> str:
    ev = store.overview_evaluations(year, age)
    return summary_sentence(headline_rows(ev.frame, store.config, area, gender), where)


def equality_line(store: ResultStore, year: int) -> str:
    """The overview's line on equality: how many goal measures' spread between the municipalities
    shrinks, and the one that grew most (a workshop's first question)."""
    verdicts, grew = [], None
    for item in store.items.values():
        change = next(iter(store.spreads(item, year, None).values()))
        verdicts.append(change.verdict)
        if change.verdict == "growing" and (grew is None or change.change > grew[1]):
            grew = (item.label, change.change)
    line = equality_summary(verdicts)
    if grew:
        line += f" Störst ökning: {grew[0]}."
    return line


def unsplit_count(store: ResultStore, year: int, age) -> int:
    return goals_without_gender_split(store.overview_evaluations(year, age).frame, store.config)


def matrix(store: ResultStore, year: int, age, gender: str, link: tuple) -> str:
    return matrix_html(store.config, store.overview_evaluations(year, age), gender, dict(link), store.region.names(),
                       page_for_challenge(store.config))


def profile(store: ResultStore, year: int, age, area: str, genders: tuple, link: tuple, order: str,
             statuses: frozenset | None, challenge: str | None) -> str:
    return profile_html(store.config, store.overview_evaluations(year, age), area, store.region.names()[area], genders,
                        dict(link), page_for_challenge(store.config), year, order, statuses, challenge,
                        trends=store.profile_trends(year, age, area, genders),
                        closing=store.profile_county_gaps(year, age, area, genders))


def overview_table(store: ResultStore, year: int, age, gender: str, area: str | None) -> pd.DataFrame:
    areas = None if area is None else (area, store.config.meta.county)
    return overview_frame(store.config, store.overview_evaluations(year, age), gender, store.region.names(), areas, year)


def catalogue(store: ResultStore) -> pd.DataFrame:
    return indicator_catalogue(store.cache, store.config)


def sources_besides(store: ResultStore, item_key: str, as_of: int, age_group) -> list[str]:
    return other_sources(store.goal_view(store.items[item_key], as_of, age_group), store.cache)


def map_for_area(store: ResultStore, item_key: str, as_of: int, age, area: str, gender: str, source: str, mode: str):
    return for_area(store.call(county_map, item_key, as_of, age, gender, source, mode), area)


def county_map(store: ResultStore, item_key: str, as_of: int, age, gender: str, source: str, mode: str):
    view = store.goal_view(store.items[item_key], as_of, age)
    return map_chart(view, as_of, "", gender, store.region.names(), source, store.cache.is_demo,
                     county_features(store.config.meta.county), mode)


def prepare_overview(store: ResultStore, year: int | None = None) -> None:
    """The overview's parts that depend only on the data version and the latest year (or `year`):
    the line on equality, the goals repeated on several pages, the notes on missing data. A first
    visitor after a start waited 0,5 s for them (nyap/ui/launch.py prepares them before serving)."""
    if not store.years:
        return
    year = max(store.years) if year is None else year
    store.call(equality_line, year)
    store.call(unsplit_count, year, None)
    store.call(missing_notes_html)
    repeated_in(store.config, store.overview_evaluations(year, None))


OTHER_SEXES = ("K", "M", "KM")  # Kön besides Totalt: women, men, both side by side
PROFILE_SEXES = (("K",), ("M",), ("K", "M"))  # the overview's Kön: women, men, both (totals: store.warm)


def prepare_profiles(store: ResultStore, year: int, sexes: tuple[tuple[str, ...], ...]) -> None:
    """Each municipality's profile at `year` for each choice of Kön: its trend lines and its
    distances to the county."""
    for area in store.region.municipalities:
        for genders in sexes:
            GATE.give_way()  # a visitor's page run goes first (nyap/serving/background.py)
            store.profile_trends(year, None, area, genders)
            store.profile_county_gaps(year, None, area, genders)


def prepare_profiles_by_sex(store: ResultStore) -> None:
    """Each municipality's profile for women, for men and for both at the latest year (store.warm
    prepares the totals). A visitor who switches Kön on the overview then waits for the page, not
    for 48 goal measures' series (scripts/load.py: 0,3–0,45 s of a gender click was these). Run
    once per data version in the background, after the goal pages (nyap/ui/loaders.py)."""
    if store.years:
        prepare_profiles(store, max(store.years), PROFILE_SEXES)


def _with_values(view, fallback: str) -> str:
    """The first municipality with a value of its own up to the view's year (the rule the charts
    draw by: goal_arithmetic.usable)."""
    if view.values.empty:
        return fallback
    shown = usable(view.values[view.values["year"] <= view.as_of])
    drawn = set(shown["area_code"].astype(str))
    return next((a for a in view.region.municipalities if a in drawn), fallback)


def prepare_goal_pages(store: ResultStore, openings_only: bool = False, year: int | None = None,
                       sexes: tuple[str, ...] = ("T",)) -> None:
    """Every challenge page's goals at the latest year (or `year`), as a first visit draws them: the
    goal view, its charts drawn for every municipality (the chosen one is a parameter) and the
    county's map, for each choice of Kön in `sexes` (as the page shows it: a goal measured for
    women and men apart shows both for Totalt). Run once per data version in the background
    (nyap/ui/loaders.py), so that a workshop's first click on a goal costs what a rerun costs.
    `openings_only`: the goal each page opens on (nyap/ui/launch.py, before the port opens)."""
    if not store.years:
        return
    latest = max(store.years) if year is None else year
    names = store.region.names()
    first = next(iter(store.region.municipalities), store.config.meta.county)
    for ch in store.config.challenges:
        opening = store.opening_item(ch.name)
        items = ([opening] if opening else []) if openings_only else focus_items(store.config, ch.name)
        for item in items:
            GATE.give_way()  # a visitor's page run goes first (nyap/serving/background.py)
            view = store.goal_view(item, latest, store.age_group_on(ch.name, item))
            source = cache_source_line(view, store.cache)
            age = view.age_group or None
            store.spreads(item, latest, age)  # "Jämlikhet över tid"
            store.call(sources_besides, item.key, latest, age)
            for genders in dict.fromkeys(genders_of(shown_gender(view, s)[0]) for s in sexes):
                # the county (what a page shows without a municipality in its link: drawn for
                # itself) and a municipality with values (the charts every municipality's are set
                # from; one without values gets a chart of its own, and the shared one would not be made)
                for area in dict.fromkeys((store.config.meta.county, _with_values(view, first))):
                    GATE.give_way()
                    store.goal_charts(view, area, genders, names, source, ())
                if view.has_municipalities:
                    for mode in MAP_MODES:  # value and status: the radio above the map
                        GATE.give_way()
                        try:
                            store.call(county_map, item.key, latest, age, genders[0], source, mode)
                        except Exception:  # noqa: BLE001 - the page says why when it draws the map itself
                            break


def earlier_years(store: ResultStore) -> tuple[int, ...]:
    """The years before the latest, newest first: the order a room steps back in."""
    return tuple(sorted(store.years, reverse=True)[1:])


def prepare_earlier_years(store: ResultStore, years: tuple[int, ...] | None = None) -> None:
    """What a change of "Läget per år" shows, for the years before the latest (prepared after the
    latest year's pages and profiles): the overview's tables and line on equality, every
    municipality's profile, and every challenge page's goals with their charts and map for
    Totalt. The slowest clicks of a workshop after the profiles by sex were year changes
    (scripts/load.py: each computed a page's goal tables, three charts and a map, or a profile's 48
    trend lines, for the first visitor of that year). Newest first; giving way to visitors
    throughout. `years`: a subset (tests)."""
    for year in earlier_years(store) if years is None else years:
        GATE.give_way()
        prepare_overview(store, year)
        prepare_profiles(store, year, (("T",),))
        prepare_goal_pages(store, year=year)
