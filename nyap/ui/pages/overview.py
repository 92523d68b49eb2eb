"""Översikt: the county's matrix or a municipality's profile, search, downloads and the report."""

from __future__ import annotations

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from nyap.present.search import find
from nyap.serving.filters import to_query
from nyap.present.formatting import GENDER_LABELS
from nyap.rules.goals import GoalsConfig
from nyap.rules.statuses import STATUS_LABELS
from nyap.serving.presentation import OVERVIEW_CHART
from nyap.present.tables import PROFILE_ORDERS, page_href, legend_html
from nyap.present.periods import earliest_baseline, period_caption
from nyap.serving.page_content import (
    catalogue, equality_line, headline_sentence, matrix, missing_notes_html, overview_table, profile, unsplit_count,
)
from nyap.serving.store import ResultStore
from nyap.present.views import table_notice
from nyap.ui.components import show_download
from nyap.ui.pages.common import guarded, page_for, presentation_links, before_baseline_notice
from nyap.ui.pages.reports import report_downloads
from nyap.ui.safe import esc, md
from nyap.ui.scaffold import chosen_age, publish, shared_filters, start_page


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
            sentence = store.call(headline_sentence, f.year, age, None if ctx.county_view else f.area, g, where)
            st.html(f'<p class="nyap-summary">{esc(sentence)}</p>')
        if ctx.county_view:
            st.html(f'<p class="nyap-note">{esc(store.call(equality_line, f.year))}</p>')
        unsplit = store.call(unsplit_count, f.year, age)
        if genders != ("T",) and unsplit:
            st.caption(f"{unsplit} mål saknar uppdelning på kön och räknas där som utan data.")
    before_baseline_notice(config, f.year)
    st.caption(f"Läget per {f.year}, {period_caption(config, f.year)}. "
               "Ett mål med två mått räknas som rätt håll bara om båda rör sig åt rätt håll.")
    st.html(legend_html())
    link = to_query(replace(f, goal=None))
    _search(store, link)
    if ctx.county_view:
        for g in genders:
            st.html(store.call(matrix, f.year, age, g, tuple(link.items())))
    else:
        order, statuses, challenge = _profile_controls(config)
        st.html(store.call(profile, f.year, age, f.area, genders, tuple(link.items()), order, statuses, challenge))
        # on paper the controls are hidden: say how the table is sorted and filtered instead
        shown = ", ".join(STATUS_LABELS[s] for s in statuses) if statuses else "alla lägen"
        st.html(f'<p class="nyap-note nyap-print-only">Sorterat: {esc(PROFILE_ORDERS[order].lower())}; visar '
                f'{esc(shown.lower())}{"; utmaning " + esc(challenge) if challenge else ""}.</p>')
    st.html(f'<p class="nyap-note nyap-source">{esc(table_notice(store.cache.is_demo, store.cache.origin_text, f.year))}</p>')
    st.caption("Klicka på ett mål för att se det i detalj på utmaningens sida.")
    missing = store.call(missing_notes_html)
    if missing:
        st.html(missing)
    st.html(presentation_links(config, ctx, [OVERVIEW_CHART]))
    for g in genders:
        # the matrix or the profile as data, for Excel (numbers as numbers, one row per goal and area)
        table = store.call(overview_table, f.year, age, g, None if ctx.county_view else f.area)
        what = "alla-mal-lanet" if ctx.county_view else f"alla-mal-{ctx.area_label()}"
        show_download(table, f"{what}-{GENDER_LABELS[g]}-{f.year}", store.cache.is_demo,
                      label=f"Ladda ner {'översikten' if ctx.county_view else 'profilen'} som tabell "
                            f"({GENDER_LABELS[g].lower()}, CSV för Excel)",
                      notice=table_notice(store.cache.is_demo, store.cache.origin_text, f.year))
    if f.year >= earliest_baseline(config):
        report_downloads(store, f.area, f.year, ctx.area_label() if not ctx.county_view else store.region.county_name)


def _search(store: ResultStore, link: dict[str, str]) -> None:
    """Find a goal or an indicator by a word (goal text, indicator title, Kolada id)."""
    query = st.text_input("Sök mål eller nyckeltal", key="goal_search", max_chars=60,
                          placeholder="t.ex. karies, trygg, behörig eller U01413")
    if not query.strip():
        return
    hits = find(store.config, store.call(catalogue), query)
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


def _profile_controls(config: GoalsConfig) -> tuple[str, frozenset | None, str | None]:
    """Sort and filter the profile: by status, by the difference to the county, by challenge."""
    cols = st.columns([1.2, 1.4, 1])
    order = cols[0].selectbox("Sortera", list(PROFILE_ORDERS), format_func=PROFILE_ORDERS.get, key="profile_order")
    shown = cols[1].multiselect("Visa bara läget", [s for s in STATUS_LABELS if s != "no_data"] + ["no_data"],
                                format_func=STATUS_LABELS.get, key="profile_status", placeholder="Alla lägen")
    challenge = cols[2].selectbox("Utmaning", ["Alla", *(c.name for c in config.challenges)], key="profile_challenge")
    return order, frozenset(shown) or None, None if challenge == "Alla" else challenge
