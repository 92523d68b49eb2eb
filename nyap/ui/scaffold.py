"""The page scaffold every page calls first: config, data, demo notice, shared filters.

In native multipage mode a widget keyed the same on two pages is two widgets, so the shared
selection lives in one namespace, st.session_state["nyap"] (see `selection()`), and in the link
(query parameters). On entering
a page, a link wins (it reproduces a view exactly); otherwise the selection carried from the
previous page is used.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass, replace

import streamlit as st

from nyap.data.cache import Cache, CacheError
from nyap.serving.filters import (
    BY_FIELD, GENDERS, MAX_COMPARE, SPEC, FilterOptions, Filters, parse_query, resolve, session_key, to_query,
)
from nyap.present.formatting import GENDER_LABELS, age_text
from nyap.present.tables import swedish_sort_key
from nyap.rules.goals import GoalsConfig, GoalsError
from nyap.serving.page_content import opening_goal
from nyap.serving.page_registry import pages
from nyap.serving.store import ResultStore
from nyap.ui.loaders import get_data
from nyap.ui.safe import esc, for_visitors, md
from nyap.ui.style import CSS, ROOM_CSS

DEMO_NOTICE = ("**Demodata** – alla värden på den här sidan är påhittade och får inte användas som "
               "underlag. Uppdatera cachen från Kolada för riktiga siffror.")


ROOM_DEMO_NOTICE = "DEMODATA – påhittade värden, får inte användas som underlag"

SET_LANGUAGE = """<script>
(function () {
  document.documentElement.lang = 'sv';
  if (window.__nyapSwedish) { return; }
  window.__nyapSwedish = true;
  // Streamlit's own English words in names a screen reader says and a few visible ones; our texts
  // are Swedish already. Whole strings or fixed prefixes only: nothing else is rewritten.
  var exact = {"Skip to main content": "Hoppa till innehållet", "Link to heading": "Länk till rubriken",
               "Choose an option": "Välj", "Choose options": "Välj", "Select all": "Välj alla",
               "Clear all": "Rensa alla", "Clear value": "Rensa", "No results": "Inga träffar",
               "Open sidebar": "Öppna sidomenyn", "Close sidebar": "Stäng sidomenyn", "Open": "Öppna",
               "Close": "Stäng"};
  var prefixes = [["Help for ", "Hjälp om "], ["Selected ", "Vald: "]];
  function word(text) {
    if (!text) { return null; }
    if (exact[text]) { return exact[text]; }
    for (var i = 0; i < prefixes.length; i++) {
      if (text.indexOf(prefixes[i][0]) === 0) { return prefixes[i][1] + text.slice(prefixes[i][0].length); }
    }
    return null;
  }
  function sweep() {
    // one element that cannot be changed (mid-render) must not stop the others
    document.querySelectorAll("[aria-label], [placeholder], [title]").forEach(function (el) {
      ["aria-label", "placeholder", "title"].forEach(function (attr) {
        try { var sv = word(el.getAttribute(attr)); if (sv) { el.setAttribute(attr, sv); } } catch (e) {}
      });
    });
    document.querySelectorAll("a, li, div[role=option], span").forEach(function (el) {
      try {
        if (el.children.length === 0) { var sv = exact[el.textContent]; if (sv) { el.textContent = sv; } }
      } catch (e) {}
    });
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    setTimeout(function () { pending = false; sweep(); }, 150);
  }).observe(document.body, {subtree: true, childList: true, attributes: true,
                             attributeFilter: ["aria-label", "placeholder", "title"]});
  sweep();
  // and every second as well: a busy page can draw after the observer's last call
  setInterval(sweep, 1000);
})();
</script>"""


@dataclass(frozen=True)
class PageContext:
    config: GoalsConfig
    cache: Cache
    filters: Filters
    options: FilterOptions
    names: dict[str, str]
    page_key: str

    @property
    def region(self):
        return self.config.region

    @property
    def county_view(self) -> bool:
        return not self.region.is_municipality(self.filters.area)

    def area_label(self, code: str | None = None) -> str:
        code = code or self.filters.area
        return "Hela länet" if code == self.config.meta.county else self.names.get(code, code)


def selection() -> dict:
    """The session's selection, in one namespace: the page last entered, the age group the user
    chose (None: each page's default), and what is carried to the next page ("shared", with the
    goal in focus per page). The widgets' own keys are session_key(page, field) (nyap/serving/filters.py)."""
    return st.session_state.setdefault("nyap", {"page": None, "age": None, "shared": {}})


def chosen_age() -> str | None:
    return selection()["age"]


_frozen = False


def freeze_heap_once() -> None:
    """Python's full collections walk every object; freezing the imported modules' and the
    prepared data's objects once keeps those walks small (measured in scripts/benchmark.py). About
    0,7 s: nyap/ui/launch.py does it before the port opens, else the first page run does."""
    global _frozen
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True


def start_page(title: str, page_key: str, room: bool = False) -> ResultStore:
    """Page config, CSS, data and the demo notice. `room`: the presentation page (no sidebar or
    chrome, a one-line demo mark instead of the notice box)."""
    st.set_page_config(page_title=f"{title} – Nya Perspektiv", layout="wide",
                       # collapsed on a phone, open on a laptop; never in front of a room
                       initial_sidebar_state="collapsed" if room else "auto")
    st.html(f"<style>{CSS}{ROOM_CSS if room else ''}</style>")
    # Streamlit's page says <html lang="en"> (fixed in its index.html): our content is Swedish, and
    # screen readers pick their voice from this attribute (WCAG 3.1.1). Our own constant script,
    # no outside text in it; tested in tests/test_accessibility.py.
    st.html(SET_LANGUAGE, unsafe_allow_javascript=True)
    try:
        store, notice = get_data()
    except GoalsError as exc:
        logging.getLogger("nyap").error("goals.toml: %s", exc.problems)
        st.error("**Målfilen goals.toml har fel** – appen kan inte visa målen förrän de är rättade:\n\n"
                 + "\n".join(f"- {md(for_visitors(p))}" for p in exc.problems))
        st.stop()
    except CacheError as exc:
        logging.getLogger("nyap").error("cache: %s", exc.problems)
        st.error("**Datacachen kan inte läsas** – kör `make demo-cache` eller uppdatera från Kolada:\n\n"
                 + "\n".join(f"- {md(for_visitors(p))}" for p in exc.problems))
        st.stop()
    freeze_heap_once()
    if store.cache.is_demo:
        if room:
            st.html(f'<p class="nyap-room-demo">{esc(ROOM_DEMO_NOTICE)}</p>')
        else:
            st.warning(DEMO_NOTICE)
    if notice:
        st.info(md(for_visitors(notice)))
    return store


def filter_options(store: ResultStore, goals: tuple[str, ...] = (), default_goal: str | None = None) -> FilterOptions:
    # years and age groups were scanned once for the data version, by the store
    return FilterOptions(areas=(store.config.meta.county,) + tuple(store.region.municipalities), years=store.years,
                         age_groups=store.age_groups, goals=goals, default_goal=default_goal)


def shared_filters(store: ResultStore, page_key: str, goals: tuple[str, ...] = (),
                   default_goal: str | None = None) -> PageContext:
    """Resolve the filters (link > carried selection > defaults), draw them in the sidebar,
    store the result for the next page and write it into the link."""
    config, cache = store.config, store.cache
    options = filter_options(store, goals, default_goal)
    state = selection()
    shared = state["shared"]
    entering = state["page"] != page_key
    # Back or Forward (or an edited link) on the same page: the browser's link is the selection
    published = state.get("published")
    navigated = (not entering and published is not None and published[0] == page_key
                 and dict(st.query_params.to_dict()) != published[1])
    names = store.region.names()
    keys = {p.field: session_key(page_key, p.field) for p in SPEC}
    sidebar = [p for p in SPEC if p.widget]  # the filters every page shows in its sidebar
    if entering or navigated or any(keys[p.field] not in st.session_state for p in sidebar):
        link, notices = parse_query(st.query_params.to_dict(), options)
        carried = {} if navigated else dict(shared)  # after Back, what the link lacks is the default
        carried.pop("goal", None)
        if not navigated and "goal" in shared.get("goals_by_page", {}).get(page_key, {}):
            carried["goal"] = shared["goals_by_page"][page_key]["goal"]
        filters = resolve(link, carried, options)
        for n in notices:  # they quote the link's own (untrusted) values
            st.toast(md(n))
            st.caption(f"⚠ {md(n)}")
        for p in sidebar:
            value = getattr(filters, p.field)
            st.session_state[keys[p.field]] = list(value) if isinstance(value, tuple) else value
        if goals:
            st.session_state[keys["goal"]] = filters.goal
        state["page"] = page_key
        state["age"] = filters.age_group
        st.session_state.pop(session_key(page_key, "age"), None)
    with st.sidebar:
        # the page links carry the selection: a page change is one history entry, its link complete
        carried_query = to_query(Filters(area=st.session_state[keys["area"]], gender=st.session_state[keys["gender"]],
                                         year=int(st.session_state[keys["year"]]),
                                         compare=tuple(st.session_state[keys["compare"]])), include_goal=False)
        # a challenge page's link names the goal it will open on, so that the page does not
        # add it to the link after arriving (a second history entry: Back would stay on the page)
        opening = {ch.name: shared.get("goals_by_page", {}).get(ch.name, {}).get("goal")
                   or store.call(opening_goal, ch.name) for ch in config.challenges}
        navigation(config, page_key, carried_query, opening)
        st.markdown("### Urval")
        # compared municipalities: in Swedish alphabetical order, never the chosen one itself
        chosen_area = st.session_state.get(keys["area"])
        comparable = tuple(sorted((c for c in options.areas[1:] if c != chosen_area),
                                  key=lambda c: swedish_sort_key(names.get(c, c))))
        if any(c not in comparable for c in st.session_state.get(keys["compare"], [])):
            st.session_state[keys["compare"]] = [c for c in st.session_state[keys["compare"]] if c in comparable]
        by_name = (options.areas[0],) + tuple(sorted(options.areas[1:], key=lambda c: swedish_sort_key(names.get(c, c))))
        choices = {"area": by_name, "gender": GENDERS, "year": options.years[::-1], "compare": comparable}
        shown_as = {"area": lambda c: "Hela länet (alla kommuner)" if c == config.meta.county else names.get(c, c),
                    "gender": lambda g: GENDER_LABELS[g], "year": str, "compare": lambda c: names.get(c, c)}
        chosen = {}
        for p in sidebar:
            if p.widget == "multiselect":
                chosen[p.field] = st.multiselect(p.label, choices[p.field], key=keys[p.field],
                                                 format_func=shown_as[p.field], help=p.help,
                                                 max_selections=MAX_COMPARE, placeholder="Välj kommuner")
                continue
            draw = st.radio if p.widget == "radio" else st.selectbox
            chosen[p.field] = draw(p.label, choices[p.field], key=keys[p.field], format_func=shown_as[p.field],
                                   help=p.help)
    filters = Filters(area=chosen["area"], gender=chosen["gender"], year=int(chosen["year"]), age_group=state["age"],
                      goal=st.session_state.get(keys["goal"]) if goals else None,
                      compare=tuple(chosen["compare"]))
    return PageContext(config, cache, filters, options, names, page_key)


def age_group_filter(ctx: PageContext, groups: tuple[str, ...], default: str) -> PageContext:
    """Age groups are offered only where the goal in focus has them (survey data). Each page
    starts at its default age group unless the user chose another one."""
    if not groups:
        return ctx
    key = session_key(ctx.page_key, "age")
    if st.session_state.get(key) not in groups:
        explicit = selection()["age"]
        st.session_state[key] = explicit if explicit in groups else default
    with st.sidebar:
        spec = BY_FIELD["age_group"]
        age = st.selectbox(spec.label, groups, key=key, format_func=age_text, help=spec.help)
    selection()["age"] = age if age != default else None
    return replace(ctx, filters=replace(ctx.filters, age_group=age))


def publish(ctx: PageContext) -> None:
    """Store the selection for the next page and write it into the link."""
    f = ctx.filters
    shared = selection()["shared"]
    shared.update(area=f.area, gender=f.gender, year=f.year, age_group=selection()["age"], compare=f.compare)
    if f.goal:
        shared.setdefault("goals_by_page", {})[ctx.page_key] = {"goal": f.goal}
    query = to_query(f)
    if dict(st.query_params.to_dict()) != query:
        st.query_params.from_dict(query)  # Streamlit pushes a browser history entry for the change
    # what the link says now: a run whose link differs from it came from Back/Forward or an edited
    # link (shared_filters then takes the link, not the widgets' old state)
    selection()["published"] = (ctx.page_key, query)


def navigation(config: GoalsConfig, page_key: str, query: dict[str, str] | None = None,
               goals: dict[str, str | None] | None = None) -> None:
    """Sidebar links to every page, with the selection in their links (switching stays instant:
    Streamlit changes the page in the same session); a challenge page's link with its goal."""
    st.markdown("### Nya Perspektiv")
    goal_key = BY_FIELD["goal"].key
    for page in pages(config):
        goal = (goals or {}).get(page.key)
        link = dict(query or {}, **({goal_key: goal} if goal else {}))
        st.page_link(page.file, label=page.key, disabled=page.key == page_key, query_params=link or None)

