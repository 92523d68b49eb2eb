"""The goal in focus: aim, key numbers, the charts of the registry, the map and equality over time."""

from __future__ import annotations

from __future__ import annotations

import logging
from dataclasses import replace

import streamlit as st

from nyap.data.geometry import GeometryError
from nyap.present.charts import MAP_MODES
from nyap.present.charts.registry import MAP, kinds_for
from nyap.serving.filters import session_key
from nyap.present.formatting import GENDER_LABELS
from nyap.present.tables import distances_html, status_html
from nyap.present.prose import aim_sentence, county_gap_sentence, gender_gap_sentence, key_numbers, spread_sentences
from nyap.serving.page_content import map_for_area, missing_note, sources_besides
from nyap.serving.store import ResultStore
from nyap.present.views import (
    GAP_GOAL_WORDS, SOURCE_LABELS, GoalView, cache_source_line, caveats, gender_gap_area, shown_gender,
    why_no_municipalities,
)
from nyap.present.comments import comment_html
from nyap.ui.components import show_chart
from nyap.ui.loaders import commentary
from nyap.ui.pages.common import presentation_links
from nyap.ui.safe import esc, md
from nyap.ui.scaffold import PageContext


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
    others = store.call(sources_besides, view.item.key, view.as_of, f.age_group or None)
    if others:
        st.caption("Samma indikator finns också från " + ", ".join(SOURCE_LABELS.get(o) or md(o) for o in others)
                   + f"; {shown} visas eftersom det regionala uttaget har åldersgrupper och osäkerhetsintervall.")
    if goal.note:
        st.caption(md(goal.note))
    why = why_no_municipalities(view)
    if why:
        st.info(md(why))
    missing = store.call(missing_note, view.item.key)
    if missing:
        st.info(md(missing))
    for note in caveats(view):
        st.caption("ℹ " + md(note))
    _key_numbers(ctx, view)
    _commentary(ctx, view, store)

    # the map's own link is under the map, with the mode shown there
    st.html(presentation_links(store.config, ctx, [k.link_value for k in kinds_for(view.has_municipalities, True)
                                                   if k is not MAP]))
    source = cache_source_line(view, ctx.cache)
    genders = f.genders
    # the file name says what the picture shows: sex and comparison too (two downloads never clash)
    stem = (f"{goal.id}-{ctx.area_label()}" + ("" if f.gender == "T" else f"-{GENDER_LABELS[f.gender]}")
            + (f"-jamfort-med-{len(f.compare)}" if f.compare else "") + f"-{f.year}")
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
        result = store.call(map_for_area, view.item.key, view.as_of, view.age_group or None, ctx.filters.area, gender,
                            source, mode)
    except GeometryError as exc:
        logging.getLogger("nyap").error("map: %s", exc)
        st.info("Kartan kan inte visas på den här servern (kartdata saknas); tabellen ovan visar samma värden.")
        return
    show_chart(result, MAP.key, ctx.cache.is_demo, f"{stem}-{MAP.file_suffix}")
    st.html(presentation_links(store.config, ctx, [MAP.link_value], map_mode=mode))


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
        line = md(gender_gap_sentence(gap, where, view.goal.value_unit, verdict=not view.goal.gender_gap))
        if view.goal.gender_gap:  # the gap is the goal's own measure: its status too
            line += f" {status_html(gap.status)} ({GAP_GOAL_WORDS})"
        lines.append(line)
    if view.has_municipalities and not ctx.county_view and view.region.is_municipality(ctx.filters.area):
        # "närmar vi oss länet?": our own distance to the county, same years (the workshop's question)
        for g in ctx.filters.genders:
            closing = store.county_gap(view.item, view.as_of, view.age_group or None, ctx.filters.area, g)
            prefix = "" if g == "T" else f"{GENDER_LABELS[g]}: "
            lines.append(md(prefix + county_gap_sentence(closing, ctx.area_label(), view.goal)))
    if lines:
        st.markdown("#### Jämlikhet över tid")
        st.markdown("\n".join(f"- {line}" for line in lines), unsafe_allow_html=True)  # lines are escaped
        st.caption("Minskar eller ökar bara när förändringen är större än målets tolerans (och, för enkätdata med "
                   "osäkerhetsintervall, än osäkerheten) – se Om data, \"Jämlikhet över tid\".")
    if view.has_municipalities and not ctx.county_view and view.region.is_municipality(ctx.filters.area):
        for g in ctx.filters.genders:
            rows = store.distances(view.item, view.as_of, view.age_group or None, ctx.filters.area, g)
            what = "" if g == "T" else f" – {GENDER_LABELS[g].lower()}"
            with st.expander(f"Avstånd till länet och till bästa kommunen, år för år{what}"):
                st.html(distances_html(rows, ctx.area_label(), view.short_reference_label, view.goal, ctx.names))
                if view.reference_kind in ("mean", "group"):
                    st.caption("Länet är medlet av de kommuner som har ett värde det året, och de kan skifta mellan "
                               "åren; svaret på \"närmar sig … länet?\" ovan jämför samma kommuner båda åren.")


def _commentary(ctx: PageContext, view: GoalView, store: ResultStore) -> None:
    """The municipality's own comment on this goal, if its strategist wrote one (kommentarer/<kod>.toml)."""
    found, problems = commentary(store, ctx.filters.area)
    if problems:
        st.warning("Kommunens kommentarer kan inte visas:\n\n" + "\n".join(f"- {md(p)}" for p in problems))
        return
    if found is not None:
        block = comment_html(found.for_goal(view.item.key), found.heading(view.as_of), "nyap-comment")
        if block:
            st.html(block)


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
