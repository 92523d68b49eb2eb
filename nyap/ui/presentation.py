"""The presentation page: one view at a time, filling a 16:9 screen, for the seminar and workshops.

A talk comes from presentation.toml (nyap/serving/presentation.py); `?steg=N` opens step N, and a
link with `sida`/`diagram`/`kommun`/… shows one view without a file (the "Visa som presentation"
link on every page). Next/previous are buttons (and the keys a presentation clicker sends):
they rerun this session's script instead of loading a new page, so the room sees no loading
screen, and the step's picture is computed once for everyone (the store).
"""

from __future__ import annotations

import logging
import re
import threading

import streamlit as st

from nyap.present.tables import page_href
from nyap.serving.background import GATE
from nyap.serving.page_registry import PRESENTATION, page_by_key, page_for_challenge
from nyap.serving.presentation import (
    LINK_KEYS, BrokenStep, Presentation, PresentationError, Step, load_presentation, presentation_file, step_from_link, step_href,
    step_view,
)
from nyap.serving.store import ResultStore
from nyap.ui.pages import guarded
from nyap.ui.safe import esc, for_visitors, html_block, md
from nyap.ui.scaffold import start_page

# A constant script (no outside text): the keys of a presentation clicker (PageDown/PageUp) and of
# a keyboard (arrows) press our own Swedish buttons. Registered once per browser page.
KEYS = """<script>
(function () {
  if (window.__nyapKeys) { return; }
  window.__nyapKeys = true;
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var t = e.target && e.target.tagName;
    if (t === "INPUT" || t === "TEXTAREA" || t === "SELECT") { return; }
    var key = ({ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev"})[e.key];
    if (!key) { return; }
    e.preventDefault();
    // a press while the page is being redrawn (the button briefly missing or disabled) is kept
    // and tried again for up to two seconds, not lost: the presenter presses once
    var press = function (tries) {
      var button = document.querySelector(".st-key-nyap_" + key + " button");
      if (button && !button.disabled) { button.click(); }
      else if (tries > 0) { setTimeout(function () { press(tries - 1); }, 100); }
    };
    press(20);
  });
})();
</script>"""


# A constant script: a phone is not the room's screen. A visitor opening the presenter's link on a
# phone goes to the normal page for the same view (the link in the page, #nyap-phone-to), where the
# charts are drawn for a phone; a wider window keeps the slide.
PHONE = """<script>
(function () {
  if (window.innerWidth > 640) { return; }
  var tries = 0;
  (function go() {  // the link may arrive a moment after this script
    var to = document.getElementById("nyap-phone-to");
    if (to && to.getAttribute("href")) { window.location.replace(to.href); return; }
    if (++tries < 40) { setTimeout(go, 100); }
  })();
})();
</script>"""


def normal_page_href(config, step: Step) -> str:
    """The ordinary page showing the step's view (its selection without the slide's own fields)."""
    page = page_by_key(config, step.page)
    if page is None:
        return ""
    query = {k: v for k, v in step.query().items()
             if k not in (LINK_KEYS["page"], LINK_KEYS["chart"], LINK_KEYS["map_mode"])}
    return page_href(page.url_path, query)


_TALKS: dict[tuple, Presentation] = {}


def _load_talk(store: ResultStore) -> Presentation:
    """The talk, read again when the file changes (an edit before the seminar shows at once)."""
    path = presentation_file()
    key = (str(path), path.stat().st_mtime if path.exists() else 0.0, id(store.config))
    if key not in _TALKS:
        talk = load_presentation(path, store.config)  # PresentationError: not kept, shown
        _TALKS.clear()
        _TALKS[key] = talk
    return _TALKS[key]


def _step_view(store: ResultStore, step: Step):
    return step_view(store, step, page_for_challenge(store.config))


_WARMING: set = set()


def _draw_steps(store: ResultStore, steps) -> None:
    """Each step's view drawn once into the shared store; a step that fails is logged and shows
    its own error when opened."""
    for step in steps:
        if isinstance(step, BrokenStep):
            continue
        GATE.give_way()  # a visitor's page run goes first
        try:
            store.call(_step_view, step)
        except Exception:  # noqa: BLE001
            logging.getLogger("nyap").exception("presentation step failed")


def _warm_talk(store: ResultStore, steps: tuple[Step, ...]) -> None:
    """Every step of the talk drawn once in the background, the first time the talk is opened
    (or once the pages are prepared after a start, prepare_talk): stepping never waits for a chart."""
    key = (id(store), steps)
    if key in _WARMING:
        return
    _WARMING.add(key)
    threading.Thread(target=_draw_steps, args=(store, steps), name="nyap-warm-talk", daemon=True).start()


def prepare_talk(store: ResultStore, first: int) -> None:
    """The shipped talk's first steps drawn now (a server start, nyap/ui/launch.py), the others in
    the background once the pages are prepared (a talk is opened long after a start, the pages at
    once); opening the talk before that draws them at once. A broken talk file is not an error
    here: the page and `nyap check` say what is wrong."""
    try:
        talk = _load_talk(store)
    except PresentationError:
        return
    _draw_steps(store, talk.steps[:first])

    def later() -> None:
        if store.pages_ready.wait(300):
            _warm_talk(store, talk.steps)

    threading.Thread(target=later, name="nyap-talk-later", daemon=True).start()


def _go(number: int) -> None:
    st.query_params["steg"] = str(number)


@guarded
def render_presentation() -> None:
    store = start_page(PRESENTATION, PRESENTATION, room=True)
    config = store.config
    params = st.query_params.to_dict()
    adhoc = any(LINK_KEYS[f] in params for f in ("page", "chart"))
    notices: list[str] = []
    if adhoc:
        step, problems = step_from_link(params, config)
        if step is None:
            st.error("Länken beskriver ingen vy som går att visa:\n\n"
                     + "\n".join(f"- {md(for_visitors(p))}" for p in problems))
            return
        steps, number = (step,), 1
    else:
        try:
            talk = _load_talk(store)
        except PresentationError as exc:
            logging.getLogger("nyap").error("presentation.toml: %s", exc.problems)
            st.error("**Presentationsfilen har fel** – rätta den (se README, \"Presentationsläge\"):\n\n"
                     + "\n".join(f"- {md(for_visitors(p))}" for p in exc.problems))
            return
        steps = talk.steps
        if talk.problems:
            logging.getLogger("nyap").error("presentation.toml: %s", list(talk.problems))
        _warm_talk(store, steps)
        raw = str(params.get("steg", "1"))
        # ASCII digits only, and few: "²" passes str.isdigit() but not int(), and int() refuses
        # a number of thousands of digits
        number = int(raw) if re.fullmatch(r"[0-9]{1,4}", raw) and 1 <= int(raw) <= len(steps) else 1
        if raw != str(number):
            notices.append(f"Steg {raw[:10]} finns inte; visar steg 1 av {len(steps)}.")
    current = steps[number - 1]
    if isinstance(current, BrokenStep):
        # this step only: a plain Swedish placeholder; the talk goes on (Nästa, the step links)
        st.markdown(html_block(
            f'<div class="nyap-room-md"><p class="nyap-room-h" role="heading" aria-level="1">Steg {number} kan inte '
            'visas</p><p class="nyap-room-take">Presentationsfilen har ett fel i det här steget – gå vidare med Nästa. '
            'Den som förbereder presentationen rättar filen (python -m nyap check visar felen).</p></div>'),
            unsafe_allow_html=True)
        st.markdown("\n".join(f"- {md(for_visitors(p))}" for p in current.problems))
        _footer(store, steps, number, "", adhoc)
        st.html(KEYS, unsafe_allow_javascript=True)
        return
    view = store.call(_step_view, current)
    # markdown, not st.html: every step then uses Streamlit's markdown renderer from the first
    # screen on, so the first chart step does not wait for it to load (a grey skeleton in front of the room)
    st.markdown(html_block(
        f'<div class="nyap-room-md"><p class="nyap-room-h" role="heading" aria-level="1">{esc(view.heading)}</p>'
        + (f'<p class="nyap-room-take">{esc(view.takeaway)}</p>' if view.takeaway else "")
        + (f'<p class="nyap-room-year">{esc(view.years)}</p>' if view.years else "") + "</div>"),
        unsafe_allow_html=True)
    for n in notices + list(view.notices):
        st.caption(f"⚠ {md(n)}")
    normal = normal_page_href(config, current)
    if normal:  # shown on a phone only (CSS), and followed there by the PHONE script
        st.markdown(html_block(f'<p class="nyap-phone-link"><a id="nyap-phone-to" href="{esc(normal)}" target="_self">'
                               'Visa den vanliga sidan (för mobilen)</a></p>'), unsafe_allow_html=True)
    if view.kind == "chart":
        # vl-convert's SVG: our own chart, every outside text in it escaped by the SVG writer. As
        # markdown's raw HTML: st.html's sanitiser keeps HTML only and would drop the SVG.
        # one drawing per projector shape; CSS shows the one for this screen (nyap/ui/style.py)
        drawings = "".join(f'<div class="nyap-ar nyap-ar-{name}">{svg}</div>'
                           for name, svg in (("169", view.body), *view.aspects))
        st.markdown(html_block(f'<div class="nyap-room-chart nyap-room-md" role="img" aria-label="{esc(view.alt)}">'
                               f'{drawings}</div>'), unsafe_allow_html=True)
    elif view.body:
        st.html(f'<div class="nyap-room-table">{view.body}</div>')
    else:
        st.info(md(view.alt))
    _footer(store, steps, number, view.source, adhoc)
    st.html(KEYS, unsafe_allow_javascript=True)
    st.html(PHONE, unsafe_allow_javascript=True)


def _footer(store: ResultStore, steps, number: int, source: str, adhoc: bool) -> None:
    page = page_by_key(store.config, PRESENTATION)
    url = page.url_path if page else ""
    cols = st.columns([1.5, 5, 1.5], vertical_alignment="center")  # "‹ Föregående" whole on a 4:3 screen
    if not adhoc:
        cols[0].button("‹ Föregående", key="nyap_prev", on_click=_go, args=(number - 1,), disabled=number <= 1,
                       use_container_width=True)
        cols[2].button("Nästa ›", key="nyap_next", on_click=_go, args=(number + 1,), disabled=number >= len(steps),
                       use_container_width=True)
        # every step is also a plain link (a prepared link per step, or a jump in the talk)
        current = ' aria-current="step"'
        links = "".join(f'<a href="{esc(step_href(url, i))}"{current if i == number else ""}>{i}</a>'
                        for i in range(1, len(steps) + 1))
        nav = f'<span>Steg {number} av {len(steps)}: {links}</span>'
    else:
        step = steps[0]
        back = normal_page_href(store.config, step)
        nav = (f'<span><a href="{esc(back)}" target="_self">Tillbaka till {esc(step.page)}</a></span>'
               if back else "<span></span>")
    cols[1].html(f'<p class="nyap-room-foot"><span>{esc(source)}</span>{nav}</p>')
