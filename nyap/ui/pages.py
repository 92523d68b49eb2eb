"""The page bodies. Page files call one function here; logic stays in the core (nyap/)."""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import replace

import pandas as pd
import streamlit as st

from nyap.data.geometry import GeometryError, county_features
from nyap.present.catalogue import indicator_catalogue, method_notes
from nyap.present.missing import missing_data_note, missing_data_notes
from nyap.present.search import find
from nyap.present.charts import MAP_MODES, for_area, map_chart
from nyap.present.charts.registry import MAP, kinds_for
from nyap.serving.filters import BY_FIELD, session_key, to_query
from nyap.present.formatting import GENDER_LABELS, age_text
from nyap.rules.goals import GoalsConfig
from nyap.rules.statuses import STATUS_LABELS
from nyap.serving.page_registry import PAGE_ERROR, PRESENTATION, page_by_key, page_for_challenge
from nyap.serving.presentation import CHARTS, OVERVIEW_CHART, Step
from nyap.present.summary import goals_without_gender_split, headline_rows, summary_sentence
from nyap.present.tables import (
    PROFILE_ORDERS, frame_html, page_href, goal_list_html, legend_html, matrix_html, overview_frame, profile_html, status_html,
)
from nyap.present.report import REPORT_NAME, pdf_available, report_stem
from nyap.serving.report_jobs import ReportBusy
from nyap.present.periods import earliest_baseline, period_caption
from nyap.present.prose import (
    aim_sentence, equality_summary, gender_gap_sentence, key_numbers, spread_sentences,
)
from nyap.serving.store import ResultStore
from nyap.present.views import (
    GAP_GOAL_WORDS, SOURCE_LABELS, GoalView, cache_source_line, caveats, focus_age_group, focus_items,
    gender_gap_area, other_sources, shown_gender, table_notice, why_no_municipalities,
)
from nyap.ui.components import show_chart, show_download
from nyap.ui.loaders import report_jobs, report_key
from nyap.ui.safe import esc, md, paragraphs
from nyap.ui.scaffold import (
    PageContext, age_group_filter, chosen_age, publish, selection, shared_filters, start_page,
)



# A constant script (no outside text): scroll to the goal in focus once, after the page has drawn.
SCROLL_TO_FOCUS = """<script>
(function () {
  var tries = 0;
  (function go() {
    var el = document.getElementById("nyap-focus");
    if (el) { setTimeout(function () { el.scrollIntoView({block: "start"}); }, 150); return; }
    if (++tries < 50) { setTimeout(go, 100); }
  })();
})();
</script>"""


def guarded(render):
    """Never show Streamlit's English error box: log the traceback, say it in Swedish."""
    @functools.wraps(render)
    def wrapper(*args, **kwargs):
        try:
            return render(*args, **kwargs)
        except Exception:  # st.stop/st.rerun are BaseExceptions and pass through
            logging.getLogger("nyap").exception("page failed")
            # no library text or server path for the visitor: the details are in the server log
            st.error(f"**{PAGE_ERROR}** Prova ett annat urval eller ladda om sidan. "
                     "Detaljerna finns i serverns logg.")
    return wrapper


def page_for(config: GoalsConfig) -> dict[str, str]:
    return page_for_challenge(config)


# ------------------------------------------------------------------ challenge page

@guarded
def render_challenge(name: str) -> None:
    store = start_page(name, name)
    config = store.config
    challenge = config.challenge(name)
    if challenge is None:
        # a page file whose challenge was renamed or removed in goals.toml (`nyap check` says so)
        st.title(md(name))
        st.error(f"Utmaningen \"{md(name)}\" finns inte i goals.toml. Välj en annan sida i menyn; den som "
                 "sköter appen kan köra `python -m nyap check` för att se vad som inte stämmer.")
        return
    items = focus_items(config, name)
    # a prepared link to a goal (…&mal=karies) opens at that goal, not at the top of the page
    linked_goal = selection()["page"] != name and BY_FIELD["goal"].key in st.query_params
    # without a goal in the link, open on the first goal that has data (on real figures the first
    # goal of a page may have none, e.g. självmord: only the reason, no chart, in front of a room)
    with_data = [i.key for i in items if not store.measure(i.goal, i.track, None).measure.with_reference.empty]
    ctx = shared_filters(store, name, goals=tuple(i.key for i in items),
                         default_goal=with_data[0] if with_data else None)
    st.title(md(name))
    st.html(f'<p class="nyap-aim">{esc(challenge.aim)}</p>')

    by_key = {i.key: i for i in items}
    list_slot = st.container()
    st.html('<div id="nyap-focus"></div>')
    st.subheader("Mål i fokus")
    focus_key = st.selectbox(BY_FIELD["goal"].label, list(by_key), key=session_key(name, "goal"),
                             format_func=lambda k: by_key[k].label, label_visibility="collapsed")
    item = by_key[focus_key]
    # the measure (prepared once per data version) knows its age groups: no view built to learn them
    probe = store.measure(item.goal, item.track, None).measure
    ctx = age_group_filter(ctx, probe.age_groups, focus_age_group(config, name, item, probe))
    ctx = replace(ctx, filters=replace(ctx.filters, goal=focus_key))
    publish(ctx)

    _before_baseline_notice(config, ctx.filters.year)
    explicit_age = chosen_age()
    ev = store.challenge_evaluations(name, ctx.filters.year, explicit_age)
    link = to_query(replace(ctx.filters, goal=None))
    with list_slot:
        st.html(goal_list_html(items, ev, ctx.filters.area, ctx.area_label(), ctx.filters.genders, focus_key, link,
                               store.region, ctx.filters.year))
        st.caption(f"Läget per {ctx.filters.year}. " + _age_caption(config, name, ev))

    view = store.goal_view(item, ctx.filters.year, ctx.filters.age_group or None)
    render_goal_detail(ctx, view, store)
    if linked_goal:
        # last on the page: everything above the goal has arrived, so the position holds
        st.html(SCROLL_TO_FOCUS, unsafe_allow_javascript=True)


def _before_baseline_notice(config: GoalsConfig, year: int) -> None:
    first = earliest_baseline(config)
    if year < first:
        st.info(f"Valt år ({year}) ligger före målens basår {first}: ingen måluppfyllelse kan "
                "bedömas ännu. Diagrammen visar utvecklingen fram till valt år.")


def _age_caption(config: GoalsConfig, challenge: str, ev) -> str:
    """Which age group the page's survey goals show, from what the goal list actually shows: a
    goal measured by Kolada for all ages is not "shown for 18–29 år"."""
    shown = []
    for item in focus_items(config, challenge):
        ages = ev.age_groups(item.goal.id, item.track, None)
        if len(ages) == 1:
            shown.append((item.goal.text, next(iter(ages))))
    if not shown:
        return ""
    groups = sorted({a for _, a in shown})
    return ("Enkätmål med åldersgrupper visas för " + " och ".join(md(age_text(a)) for a in groups)
            + "; övriga mål gäller alla åldrar.")


def render_goal_detail(ctx: PageContext, view: GoalView, store: ResultStore) -> None:
    goal, f = view.goal, ctx.filters
    gender, gender_note = shown_gender(view, f.gender)
    if gender_note:
        f = replace(f, gender=gender)
        ctx = replace(ctx, filters=f)
        st.info(gender_note)
    st.markdown(f"### {md(view.item.label)}")
    aim = aim_sentence(goal, f.year)
    shown = ", ".join(SOURCE_LABELS.get(s) or md(s) for s in view.sources) or "ingen källa i cachen"
    st.markdown(f"{md(aim)} Enhet: {md(goal.value_unit)}. Källa som visas: **{shown}**"
                + (f"; åldersgrupp {md(view.age_label)}." if view.age_group else "."))
    others = store.call(_other_sources, view.item.key, view.as_of, f.age_group or None)
    if others:
        st.caption("Samma indikator finns också från " + ", ".join(SOURCE_LABELS.get(o) or md(o) for o in others)
                   + f"; {shown} visas eftersom det regionala uttaget har åldersgrupper och osäkerhetsintervall.")
    if goal.note:
        st.caption(md(goal.note))
    why = why_no_municipalities(view)
    if why:
        st.info(md(why))
    missing = store.call(_missing_note, view.item.key)
    if missing:
        st.info(md(missing))
    for note in caveats(view):
        st.caption("ℹ " + md(note))
    _key_numbers(ctx, view)

    st.html(presentation_links(store.config, ctx, [k.link_value for k in kinds_for(view.has_municipalities, True)]))
    source = cache_source_line(view, ctx.cache)
    genders = f.genders
    stem = f"{goal.id}-{ctx.area_label()}-{f.year}"
    charts = store.goal_charts(view, f.area, genders, ctx.names, source, f.compare)
    if f.compare and len(genders) > 1:
        st.caption("Jämförda kommuner markeras i diagrammet över alla kommuner; över tid visas de med ett kön i taget.")
    for kind in kinds_for(view.has_municipalities):  # the registry's order: over time, all, goal gap, map
        if kind is MAP:
            _map(ctx, view, store, source, stem)
        else:
            show_chart(getattr(charts, kind.key), kind.key, ctx.cache.is_demo, f"{stem}-{kind.file_suffix}")
    _equality(ctx, view, store)


def _map(ctx: PageContext, view: GoalView, store: ResultStore, source: str, stem: str) -> None:
    """The county's map for the goal in focus: value or status, with the table under it."""
    gender = ctx.filters.genders[0]
    st.markdown("#### Karta")
    mode = st.radio("Visa på kartan", list(MAP_MODES), format_func=MAP_MODES.get, horizontal=True,
                    key=session_key(ctx.page_key, "map_mode"))
    if len(ctx.filters.genders) > 1:
        st.caption(f"Kartan visar {GENDER_LABELS[gender].lower()}; välj Män i sidopanelen för männens karta.")
    try:
        result = store.call(_map_chart, view.item.key, view.as_of, view.age_group or None, ctx.filters.area, gender,
                            source, mode)
    except GeometryError as exc:
        logging.getLogger("nyap").error("map: %s", exc)
        st.info("Kartan kan inte visas på den här servern (kartdata saknas); tabellen ovan visar samma värden.")
        return
    show_chart(result, MAP.key, ctx.cache.is_demo, f"{stem}-{MAP.file_suffix}")


def _map_chart(store: ResultStore, item_key: str, as_of: int, age, area: str, gender: str, source: str, mode: str):
    return for_area(store.call(_county_map, item_key, as_of, age, gender, source, mode), area)


def _county_map(store: ResultStore, item_key: str, as_of: int, age, gender: str, source: str, mode: str):
    view = store.goal_view(store.items[item_key], as_of, age)
    return map_chart(view, as_of, "", gender, store.region.names(), source, store.cache.is_demo,
                     county_features(store.config.meta.county), mode)


def _equality(ctx: PageContext, view: GoalView, store: ResultStore) -> None:
    """Equality over time: the spread between the municipalities and the women–men gap (said once,
    with its status where the gap is the goal's own measure): the strategy's aim that differences
    shall shrink; the rules are in Om data and nyap/rules/equality.py."""
    spreads = store.spreads(view.item, view.as_of, view.age_group or None)
    lines = []
    if view.has_municipalities:
        for g, change in spreads.items():
            prefix = "" if g == "T" else f"{GENDER_LABELS[g]}: "
            lines += [md(prefix + t if i == 0 else t) for i, t in
                      enumerate(spread_sentences(change, view.goal.value_unit, ctx.names, view.region.size,
                                                 view.values, g))]
    code = gender_gap_area(view, ctx.filters.area)
    gap = store.gender_gap(view.item, view.as_of, view.age_group or None, code) if code else None
    if gap is not None and (gap.verdict != "no_data" or view.goal.gender_gap):
        where = ctx.area_label(code) if view.region.is_municipality(code) else view.reference_label
        line = md(gender_gap_sentence(gap, where, view.goal.value_unit))
        if view.goal.gender_gap:  # the gap is the goal's own measure: its status too
            line += f" {status_html(gap.status)} ({GAP_GOAL_WORDS})"
        lines.append(line)
    if lines:
        st.markdown("#### Jämlikhet över tid")
        st.markdown("\n".join(f"- {line}" for line in lines), unsafe_allow_html=True)  # lines are escaped
        st.caption("Minskar eller ökar bara när förändringen är större än målets tolerans (och, för enkätdata med "
                   "osäkerhetsintervall, än osäkerheten) – se Om data, \"Jämlikhet över tid\".")


def _key_numbers(ctx: PageContext, view: GoalView) -> None:
    """The selected area's and the county's numbers side by side (the words: nyap/present/prose.py)."""
    targets = []
    if view.has_municipalities and not ctx.county_view:
        targets.append((ctx.area_label(), ctx.filters.area))
    targets.append((view.reference_label, view.reference_code))
    for g in ctx.filters.genders:
        cols = st.columns(len(targets))
        for col, (label, code) in zip(cols, targets):
            ev = view.evaluation(code, g) if code else None
            k = key_numbers(view.goal, ev, label, g, view.as_of, view.region.size,
                            only_suppressed=bool(code) and view.only_suppressed(code, g))
            status = status_html(k.status, None, label=k.status_label) + (f" · {esc(k.remaining)}" if k.remaining else "")
            col.markdown("  \n".join([f"**{md(k.heading)}**", status, *(md(line) for line in k.lines)]),
                         unsafe_allow_html=True)


def presentation_links(config: GoalsConfig, ctx: PageContext, charts: list[str]) -> str:
    """'Visa i presentationsläge': this view on the presentation page (room-sized, no chrome)."""
    page = page_by_key(config, PRESENTATION)
    if page is None:
        return ""
    f = ctx.filters
    links = []
    for chart in charts:
        step = Step(page=ctx.page_key, chart=chart, area=f.area, gender=f.gender,
                    goal=f.goal if chart != OVERVIEW_CHART else None, age_group=f.age_group, year=f.year)
        links.append(f'<a href="{esc(page_href(page.url_path, step.query()))}" target="_self">'
                     f'{esc(CHARTS[chart])}</a>')
    return f'<p class="nyap-note">Visa i presentationsläge (helskärm för projektor): {" · ".join(links)}</p>'


# ------------------------------------------------------------------ overview

@guarded
def render_overview() -> None:
    store = start_page("Översikt", "Översikt")
    config = store.config
    ctx = shared_filters(store, "Översikt")
    publish(ctx)
    f = ctx.filters
    age = chosen_age()
    st.title("Översikt" if ctx.county_view else f"{md(ctx.area_label())} – alla mål")
    genders = f.genders
    if f.year >= earliest_baseline(config):
        for g in genders:
            where = ("i länet" if ctx.county_view else f"i {ctx.area_label()}") + (
                "" if g == "T" else f" för {GENDER_LABELS[g].lower()}")
            sentence = store.call(_headline, f.year, age, None if ctx.county_view else f.area, g, where)
            st.html(f'<p class="nyap-summary">{esc(sentence)}</p>')
        if ctx.county_view:
            st.html(f'<p class="nyap-note">{esc(store.call(_equality_line, f.year))}</p>')
        unsplit = store.call(_unsplit, f.year, age)
        if genders != ("T",) and unsplit:
            st.caption(f"{unsplit} mål saknar uppdelning på kön och räknas där som utan data.")
    _before_baseline_notice(config, f.year)
    st.caption(f"Läget per {f.year}, {period_caption(config, f.year)}. "
               "Ett mål med två mått räknas som rätt håll bara om båda rör sig åt rätt håll.")
    st.html(legend_html())
    link = to_query(replace(f, goal=None))
    _search(store, link)
    if ctx.county_view:
        for g in genders:
            st.html(store.call(_matrix, f.year, age, g, tuple(link.items())))
    else:
        order, statuses, challenge = _profile_controls(config)
        st.html(store.call(_profile, f.year, age, f.area, genders, tuple(link.items()), order, statuses, challenge))
    st.caption("Klicka på ett mål för att se det i detalj på utmaningens sida.")
    missing = store.call(_missing_notes_html)
    if missing:
        st.html(missing)
    st.html(presentation_links(config, ctx, [OVERVIEW_CHART]))
    for g in genders:
        # the matrix or the profile as data, for Excel (numbers as numbers, one row per goal and area)
        table = store.call(_overview_table, f.year, age, g, None if ctx.county_view else f.area)
        what = "alla-mal-lanet" if ctx.county_view else f"alla-mal-{ctx.area_label()}"
        show_download(table, f"{what}-{GENDER_LABELS[g]}-{f.year}", store.cache.is_demo,
                      label=f"Ladda ner {'översikten' if ctx.county_view else 'profilen'} som tabell "
                            f"({GENDER_LABELS[g].lower()}, CSV för Excel)",
                      notice=table_notice(store.cache.is_demo, store.cache.origin_text, f.year))
    if f.year >= earliest_baseline(config):
        _report_downloads(store, f.area, f.year, ctx.area_label() if not ctx.county_view else store.region.county_name)


def _report_downloads(store: ResultStore, area: str, year: int, label: str) -> None:
    """Aktuellt perspektiv for the chosen municipality (or the county). Made by the server's report
    workers, not this process (nyap/serving/report_jobs.py): a press starts it, the page shows the
    wait, and the file is handed over when ready. A report someone already made for this data
    version is offered at once."""
    st.markdown(f"#### {REPORT_NAME} – {md(label)}")
    st.caption("Alla mål på A4 för nämnd och fullmäktige: läget, återstående avstånd och länet, med diagram, "
               "källor och förbehåll – samma siffror och meningar som i appen.")
    kinds = ([("pdf", "PDF", "application/pdf")] if pdf_available() else []) + [("html", "HTML", "text/html")]
    if not pdf_available():
        st.caption("PDF går inte att skapa på den här servern (Pango saknas); HTML-rapporten skrivs ut lika bra.")
    _report_panel(area, year, report_stem(store, area, year), tuple(kinds))


@st.fragment
def _report_panel(area: str, year: int, stem: str, kinds: tuple[tuple[str, str, str], ...]) -> None:
    """A fragment: pressing, waiting and downloading redraw only this part of the page."""
    # the worker starts on the first press, not on every visit: a worker preparing data no one asked
    # for took the only core from the clicks on a 1-core server (scripts/load.py under taskset -c 0)
    jobs = report_jobs()
    cols = st.columns(2)  # wide enough for "Ladda ner rapport (HTML)" on one line at 1280 px
    waiting = []
    base = report_key(area, year, kinds[0][0])  # one read of the data version per run, not per kind
    for col, (kind, name, mime) in zip(cols, kinds):
        key = replace(base, kind=kind)
        slot = col.empty()
        state = jobs.status(key)
        if state is None or (state.done and state.error):
            with slot.container():
                if state is not None:
                    st.error(state.error)
                pressed = st.button(f"Skapa rapport ({name})", key=f"report_make_{kind}")
            if not pressed:
                continue
            try:
                state = jobs.request(key, visitor=_session_id())
            except ReportBusy as exc:
                slot.warning(str(exc))
                continue
        waiting.append((key, name, mime, slot))
    if not waiting:
        return
    _wait_for_reports(jobs, waiting)
    for key, name, mime, slot in waiting:
        state = jobs.status(key)
        if state is not None and state.data is not None:
            slot.download_button(f"Ladda ner rapport ({name})", data=state.data, file_name=f"{stem}.{key.kind}",
                                 mime=mime, key=f"report_{key.kind}", on_click="ignore", type="primary")
        elif state is not None and state.error:
            slot.error(state.error + " Ladda om sidan för att försöka igen.")


def _session_id() -> str:
    """This browser tab's session (a limit per visitor on the report queue)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


def _wait_for_reports(jobs, waiting) -> None:
    """Show the wait until every started report is done. This thread only waits (the work is in a
    worker process); each update is a Streamlit call, so another click interrupts the wait."""
    with st.spinner("Rapporten skapas …", show_time=True):
        while True:
            pending = 0
            for key, _name, _mime, slot in waiting:
                state = jobs.status(key)
                if state is None or state.done:
                    continue
                pending += 1
                ahead = (f" – {state.ahead} {'rapport' if state.ahead == 1 else 'rapporter'} före i kön"
                         if state.ahead else "")
                slot.caption(f"Rapporten ({key.kind.upper()}) skapas{ahead}. Det tar några sekunder.")
            if not pending:
                return
            time.sleep(0.4)


# Shared results of the overview and Om data: computed once per data version for everyone
# (store.call keys them by these functions' own arguments).

def _missing_note(store: ResultStore, item_key: str) -> str:
    item = store.items[item_key]
    return missing_data_note(store.cache, store.config, item.goal, item.track)


def _missing_notes_html(store: ResultStore) -> str:
    """Why the goals without data have none, and what would bring it (below the matrix/profile)."""
    notes = missing_data_notes(store.cache, store.config)
    if not notes:
        return ""
    texts = {g.id: g.text for g in store.config.goals}
    items = "".join(f"<li><strong>{esc(texts[g])}</strong>: {esc(n)}</li>" for g, n in notes.items())
    return (f'<div class="nyap-missing"><p class="nyap-note">{len(notes)} mål saknar data i cachen – varför, och '
            f"vad som skulle ge data:</p><ul>{items}</ul></div>")


def _headline(store: ResultStore, year: int, age, area: str | None, gender: str, where: str) -> str:
    ev = store.overview_evaluations(year, age)
    return summary_sentence(headline_rows(ev.frame, store.config, area, gender), where)


def _search(store: ResultStore, link: dict[str, str]) -> None:
    """Find a goal or an indicator by a word (goal text, indicator title, Kolada id)."""
    query = st.text_input("Sök mål eller nyckeltal", key="goal_search", max_chars=60,
                          placeholder="t.ex. karies, trygg, behörig eller U01413")
    if not query.strip():
        return
    hits = find(store.config, store.call(_catalogue), query)
    pages_ = page_for(store.config)
    if not hits:
        st.caption(f"Inget mål eller nyckeltal matchar \"{md(query.strip())}\".")
        return
    items = []
    for h in hits:
        target = esc(page_href(pages_[h.challenge], dict(link, mal=h.item_key))) if h.challenge in pages_ else ""
        name = f'<a href="{target}" target="_self">{esc(h.label)}</a>' if target else esc(h.label)
        items.append(f"<li>{name} <span class=\"nyap-note\">({esc(h.challenge)}; {esc(h.why)})</span></li>")
    st.html(f'<ul class="nyap-hits" aria-label="Sökträffar">{"".join(items)}</ul>')


def _equality_line(store: ResultStore, year: int) -> str:
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


def _unsplit(store: ResultStore, year: int, age) -> int:
    return goals_without_gender_split(store.overview_evaluations(year, age).frame, store.config)


def _matrix(store: ResultStore, year: int, age, gender: str, link: tuple) -> str:
    return matrix_html(store.config, store.overview_evaluations(year, age), gender, dict(link), store.region.names(),
                       page_for(store.config))


def _profile(store: ResultStore, year: int, age, area: str, genders: tuple, link: tuple, order: str,
             statuses: frozenset | None, challenge: str | None) -> str:
    return profile_html(store.config, store.overview_evaluations(year, age), area, store.region.names()[area], genders,
                        dict(link), page_for(store.config), year, order, statuses, challenge,
                        trends=store.profile_trends(year, age, area, genders))


def _profile_controls(config: GoalsConfig) -> tuple[str, frozenset | None, str | None]:
    """Sort and filter the profile: by status, by the difference to the county, by challenge."""
    cols = st.columns([1.2, 1.4, 1])
    order = cols[0].selectbox("Sortera", list(PROFILE_ORDERS), format_func=PROFILE_ORDERS.get, key="profile_order")
    shown = cols[1].multiselect("Visa bara läget", [s for s in STATUS_LABELS if s != "no_data"] + ["no_data"],
                                format_func=STATUS_LABELS.get, key="profile_status", placeholder="Alla lägen")
    challenge = cols[2].selectbox("Utmaning", ["Alla", *(c.name for c in config.challenges)], key="profile_challenge")
    return order, frozenset(shown) or None, None if challenge == "Alla" else challenge


def _overview_table(store: ResultStore, year: int, age, gender: str, area: str | None) -> pd.DataFrame:
    areas = None if area is None else (area, store.config.meta.county)
    return overview_frame(store.config, store.overview_evaluations(year, age), gender, store.region.names(), areas, year)


def _catalogue(store: ResultStore) -> pd.DataFrame:
    return indicator_catalogue(store.cache, store.config)


def _other_sources(store: ResultStore, item_key: str, as_of: int, age_group) -> list[str]:
    return other_sources(store.goal_view(store.items[item_key], as_of, age_group), store.cache)


# ------------------------------------------------------------------ about the data

@guarded
def render_about() -> None:
    store = start_page("Om data", "Om data")
    config, cache = store.config, store.cache
    ctx = shared_filters(store, "Om data")
    publish(ctx)
    st.title("Om data")
    m = cache.manifest
    if cache.is_demo:
        st.markdown("**Cachen innehåller demodata.** Alla värden är påhittade för att visa hur appen fungerar. "
                    "De följer Koladas struktur (kommuner, län, riket, kön, åldersgrupper, saknade värden och "
                    "seriebrott) men är inte riktiga siffror.")
    if cache.source_label:
        st.markdown(f"Källa: **{md(cache.source_label)}** – cachen är byggd från det uttaget med appens egen "
                    "uppdatering (`make real-cache`). `make refresh` hämtar aktuella siffror från Kolada.")
    st.markdown(f"Data skapad **{md(str(m.get('created', ''))[:16].replace('T', ' '))}**; "
                + md("; ".join(str(s.get("description", s.get("name", ""))) for s in m.get("sources", [])
                               if isinstance(s, dict))))
    for w in m.get("warnings", []):
        st.caption("⚠ " + md(w))
    for title, text in method_notes(config):
        st.markdown(f"#### {title}\n{text}")
    st.markdown("#### Indikatorerna")
    catalogue = store.call(_catalogue)
    st.html(frame_html(catalogue.drop(columns=["Definition"]),
                       "Alla indikatorer i cachen: källa, typ, år, datadatum, mål och anmärkningar", "nyap-catalogue"))
    show_download(catalogue, "indikatorer", cache.is_demo)
    st.markdown("#### Definitioner")
    for row in catalogue.drop_duplicates("Id").itertuples(index=False):
        with st.expander(md(f"{row.Id} – {row.Titel}")):
            st.html(paragraphs(row.Definition) or "<p>Ingen definition i cachen.</p>")
