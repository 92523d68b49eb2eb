"""A challenge page: the compact goal list, then the goal in focus in detail (goal_detail.py)."""

from __future__ import annotations

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from nyap.serving.filters import BY_FIELD, session_key, to_query
from nyap.serving.page_content import opening_goal
from nyap.present.formatting import age_text
from nyap.rules.goals import GoalsConfig
from nyap.present.tables import goal_list_html
from nyap.present.views import focus_age_group, focus_items
from nyap.ui.pages.common import guarded, before_baseline_notice
from nyap.ui.pages.goal_detail import render_goal_detail
from nyap.ui.safe import esc, md
from nyap.ui.scaffold import age_group_filter, chosen_age, publish, selection, shared_filters, start_page


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
    ctx = shared_filters(store, name, goals=tuple(i.key for i in items),
                         default_goal=store.call(opening_goal, name))
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

    before_baseline_notice(config, ctx.filters.year)
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
