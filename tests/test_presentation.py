"""Presentation mode: presentation.toml is validated in Swedish, a step's picture is drawn for a
room, and in Chromium the sample talk steps by keyboard at 1920×1080 and 1280×720 with each
step's chart on the first screen, no spinner or English text, and axis labels of room size."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from nyap.serving.page_registry import page_for_challenge
from nyap.serving.presentation import (
    DEFAULT_PRESENTATION_FILE, PresentationError, load_presentation, parse_presentation, step_from_link, step_view,
)
from nyap.serving.store import ResultStore

from .browser import chromium_available, open_page
from .processes import GENEROUS


@pytest.fixture(scope="module")
def talk(config):
    return load_presentation(DEFAULT_PRESENTATION_FILE, config)


def test_the_sample_talk_is_the_overview_then_one_view_per_challenge(talk, config):
    assert talk.steps[0].page == "Översikt" and talk.steps[0].chart == "oversikt"
    assert [s.page for s in talk.steps[1:]] == [c.name for c in config.challenges]
    assert all(s.heading and s.takeaway for s in talk.steps)


def test_a_broken_file_names_step_and_field_in_swedish(config):
    text = """
title = "Test"
[[step]]
page = "Barnalivet"
goal = "finns_inte"
chart = "paj"
[[step]]
page = "Översikt"
municipality = "9999"
sex = "X"
colour = "red"
"""
    talk = parse_presentation(text, config, "presentation.toml")
    problems = "\n".join(talk.problems)
    # each bad step becomes a placeholder of its own; the file's problems are all listed
    assert [type(s).__name__ for s in talk.steps] == ["BrokenStep", "BrokenStep"]
    assert "steg 1: chart = 'paj' finns inte" in problems
    assert "steg 2: municipality = '9999'" in problems and "steg 2: sex = 'X'" in problems
    assert "steg 2: okänt fält colour" in problems
    with pytest.raises(PresentationError, match=r"inte giltig TOML \(rad 1, kolumn \d+\)") as err:
        parse_presentation("[[step]\npage=", config)
    assert "Expected" not in str(err.value) and "line" not in str(err.value)
    with pytest.raises(PresentationError, match="inga steg"):
        parse_presentation('title = "x"', config)


def test_a_link_describes_one_view_and_odd_values_are_refused(config):
    step, problems = step_from_link({"sida": "Ungdomslivet", "diagram": "malgap", "mal": "behorighet",
                                     "kommun": "1715", "kon": "k"}, config)
    assert not problems and step.goal == "behorighet" and step.gender == "K" and step.area == "1715"
    assert step_from_link(step.query(), config)[0] == step  # the link round trip
    # a comparison travels with the view: into the slide and back to the page ("Tillbaka till …")
    step, problems = step_from_link({"sida": "Ungdomslivet", "diagram": "kommuner", "mal": "behorighet",
                                     "kommun": "1715", "jamfor": "1780,1737"}, config)
    assert not problems and step.compare == ("1780", "1737") and step.query()["jamfor"] == "1780,1737"
    from nyap.ui.presentation import normal_page_href

    assert "jamfor=1780%2C1737" in normal_page_href(config, step) and "diagram" not in normal_page_href(config, step)
    assert "compare = '9999'" in step_from_link({"sida": "Ungdomslivet", "diagram": "trend", "mal": "behorighet",
                                                 "jamfor": "9999"}, config)[1][0].replace("jamfor", "compare")
    step, problems = step_from_link({"sida": "<script>", "diagram": "trend"}, config)
    assert step is None and "finns inte" in problems[0]


def test_a_step_is_drawn_for_the_room(config, demo_cache, talk):
    store = ResultStore(demo_cache, config)
    view = step_view(store, talk.steps[2], page_for_challenge(config))
    assert view.kind == "chart" and view.body.startswith("<svg")
    sizes = [float(s) for s in re.findall(r'class="role-axis-label".*?font-size="([0-9.]+)px"', view.body)] or \
        [float(s) for s in re.findall(r'font-size="([0-9.]+)px"', view.body)]
    assert max(sizes) >= 27  # drawn for 1920 px; the page scales the SVG with the screen
    overview = step_view(store, talk.steps[0], page_for_challenge(config))
    assert overview.kind == "table" and "<table" in overview.body
    assert "DEMODATA" in view.source


# ------------------------------------------------------------------ in the browser

@pytest.fixture(scope="module")
def app(served_app):
    """The test worker's app server (tests/conftest.py: started as `make run` starts it, shared)."""
    return served_app


needs_chromium = pytest.mark.skipif(not chromium_available() and os.environ.get("CI") != "true",
                                    reason="Chromium is not installed (apt-get install chromium)")

# what a step looks like in the page: the chart or table's bottom, the window's height, the
# smallest axis label in screen pixels, the current step, and anything a room should not see
STEP_PROBE = """() => {
  // the drawing shown for this screen's shape (the others are display: none)
  const svg = [...document.querySelectorAll('.nyap-room-chart svg')].find(s => s.getBoundingClientRect().width > 0) || null;
  const table = document.querySelector('.nyap-room-table table');
  const el = svg || table;
  const r = el ? el.getBoundingClientRect() : null;
  let smallest = null;
  if (svg) {
    const k = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('.role-axis-label text')) {
      const px = parseFloat(t.getAttribute('font-size')) * k;
      smallest = smallest === null ? px : Math.min(smallest, px);
    }
  } else if (table) {  // every visible text of the room's table
    for (const t of table.querySelectorAll('caption, th, td, span')) {
      const b = t.getBoundingClientRect();
      if (b.width <= 1 || !t.textContent.trim()) continue;
      const px = parseFloat(getComputedStyle(t).fontSize);
      smallest = smallest === null ? px : Math.min(smallest, px);
    }
  }
  const current = document.querySelector('.nyap-room-foot a[aria-current]');
  return {bottom: r ? r.bottom : null, height: innerHeight, smallest, kind: svg ? 'chart' : (table ? 'table' : null),
          step: current ? current.textContent : null, sidebar: !!document.querySelector('[data-testid=stSidebar]')
          && document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().width > 0};
}"""

# recorded during the whole walk, also between the steps: a spinner, a skeleton, the status widget
WATCH = """() => {
  window.__nyapSeen = [];
  const english = /\\b(Running|Loading|Please wait|Download as|Show data|Fullscreen|Stop|Deploy)\\b/;
  const look = () => {
    for (const sel of ['[data-testid=stSpinner]', '[data-testid=stSkeleton]', '[data-testid=stStatusWidget]']) {
      const e = document.querySelector(sel);
      if (e && e.getBoundingClientRect().height > 0) window.__nyapSeen.push(sel);
    }
    const text = document.querySelector('[data-testid=stApp]').innerText;
    const m = text.match(english);
    if (m) window.__nyapSeen.push(m[0]);
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, attributes: true});
}"""


def wait_for_step(page, number: int) -> None:
    page.wait_for_function(
        "n => { const a = document.querySelector('.nyap-room-foot a[aria-current]'); return a && a.textContent === String(n)"
        " && (document.querySelector('.nyap-room-chart svg') || document.querySelector('.nyap-room-table table')); }",
        arg=number, timeout=180_000)  # generous: a loaded machine is slow, not wrong
    page.wait_for_timeout(150)


@needs_chromium
@pytest.mark.parametrize("width,height,least", [(1920, 1080, 24.0), (1280, 720, 24.0 * 1280 / 1920 * 0.97)])
def test_the_sample_talk_steps_by_keyboard(width, height, least, talk, tmp_path, app, shared_browser):
    browser = shared_browser
    base = app
    page = browser.new_page(viewport={"width": width, "height": height})
    open_page(page, f"{base}/Presentation")
    page.evaluate(WATCH)
    try:
        wait_for_step(page, 1)
    except PlaywrightTimeout:
        # once in a CI run on a loaded machine the first render never came (the walk alone and
        # the browser tests together passed): say what the page showed, then open it again once
        print("step 1 not shown; the page said:", page.evaluate("() => document.body.innerText.slice(0, 600)"))
        open_page(page, f"{base}/Presentation")
        page.evaluate(WATCH)
    keys = ["PageDown", "ArrowRight", "PageDown", "ArrowRight"]
    for number in range(1, len(talk.steps) + 1):
        wait_for_step(page, number)
        probe = page.evaluate(STEP_PROBE)
        page.screenshot(path=str(tmp_path / f"step-{number}.png"))
        assert not probe["sidebar"], "the sidebar is visible"
        assert probe["kind"] == ("table" if talk.steps[number - 1].chart == "oversikt" else "chart"), probe
        assert probe["bottom"] <= probe["height"] + 1, f"step {number}: below the first screen {probe}"
        # charts: the axis labels; tables: every text in them (the room's overview, issue 22)
        assert probe["smallest"] >= least, f"step {number}: smallest text {probe['smallest']:.1f} px"
        heading = page.locator(".nyap-room-h").inner_text()
        assert heading == talk.steps[number - 1].heading
        if number < len(talk.steps):
            page.keyboard.press(keys[(number - 1) % len(keys)])
    # and back, as a clicker's "previous" key sends it
    page.keyboard.press("PageUp")
    wait_for_step(page, len(talk.steps) - 1)
    page.keyboard.press("ArrowLeft")
    wait_for_step(page, len(talk.steps) - 2)
    seen = page.evaluate("() => window.__nyapSeen")
    assert not seen, f"seen while stepping: {sorted(set(seen))}"
    # each step is also a plain link
    open_page(page, f"{base}/Presentation?steg=3")
    wait_for_step(page, 3)
    # the shipped cache: real figures, named by their extract, never marked as demo
    main = page.locator("[data-testid=stMain]").inner_text()
    assert "Kolada, uttag augusti 2024" in main and "DEMODATA" not in main
    page.close()


@needs_chromium
def test_a_goal_link_opens_at_the_goal_in_focus(app, shared_browser):
    """A prepared link (…&mal=ekonomi_barn) lands at the goal, not 2,5 screens above it; a link
    without a goal opens at the top as before."""
    base, browser = app, shared_browser
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    # null until the page has drawn the goal in focus (a poll that throws would end the wait)
    top = ("() => { const e = document.getElementById('nyap-focus'); "
           "return e ? e.getBoundingClientRect().top : null; }")
    open_page(page, f"{base}/Barnalivet?mal=ekonomi_barn&kommun=1715")
    page.wait_for_function(f"() => {{ const t = ({top})(); return t !== null && Math.abs(t) < 60; }}",
                           timeout=120_000)
    assert "Färre barn och unga ska leva i ekonomiskt utsatta hushåll" in page.locator(
        "[data-testid=stMain]").inner_text()
    open_page(page, f"{base}/Barnalivet?kommun=1715")
    page.wait_for_function(f"() => ({top})() !== null", timeout=120_000)
    page.wait_for_timeout(800)
    assert page.evaluate(top) > 720  # the page's top: the goal list first
    page.close()


def test_check_reports_a_broken_presentation_in_swedish(tmp_path):
    import subprocess
    import sys

    from nyap import PROJECT_ROOT

    step = '[[step]]\npage = "Barnalivet"\ngoal = "karies"\n'
    cases = {  # the file's text (None: no file) -> what `check` must say
        step + 'chart = "paj"\n': "steg 1: chart = 'paj' finns inte",
        None: "presentation.toml: filen finns inte",
        step + 'year = "²"\n': "steg 1: year = '²' är inte ett årtal",
        step + "year = 2030\n": "steg 1: year = 2030 finns inte i data (år med värden: 20",
        # what the slide would say in front of the room, said at the desk with step and field
        '[[step]]\npage = "Äldrelivet"\ngoal = "aldreomsorg"\nchart = "kommuner"\nage_group = "16-29"\n':
            "steg 1: age_group: Åldersgruppen 16-29 finns inte för målet",
    }
    for text, said in cases.items():
        bad = tmp_path / "presentation.toml"
        bad.unlink(missing_ok=True)
        if text is not None:
            bad.write_text(text, encoding="utf-8")
        run = subprocess.run([sys.executable, "-m", "nyap", "check"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                             env={**os.environ, "NYAP_PRESENTATION_FILE": str(bad)}, timeout=GENEROUS)
        assert run.returncode == 1 and said in run.stderr and "Traceback" not in run.stderr, (text, run.stderr[-500:])


def test_outside_text_in_a_room_chart_stays_text(config, demo_cache):
    """The room's SVG goes to the page as raw HTML: a municipality's name (outside text) must
    arrive escaped by the SVG writer, never as markup."""
    import dataclasses

    evil = '<img src=x onerror="alert(1)">Kil</svg><script>alert(2)</script>'
    areas = demo_cache.areas.copy()
    areas.loc[areas["code"] == "1715", "name"] = evil
    store = ResultStore(dataclasses.replace(demo_cache, areas=areas), config)
    step, _ = step_from_link({"sida": "Ungdomslivet", "diagram": "kommuner", "mal": "behorighet", "kommun": "1715"},
                             config)
    view = step_view(store, step, page_for_challenge(config))
    assert "<img" not in view.body and "<script" not in view.body and "&lt;img" in view.body
    assert view.body.count("</svg>") == 1


# ------------------------------------------------------------------ the year on every slide

def test_a_slide_whose_figures_are_from_2021_says_2021(config, demo_cache, full_store):
    """Real Kolada: the tobacco goal's KPI U01901 ended with 2021 data. A step "läget per 2022"
    showing it must say the figures are from 2021, not let the room read them as 2022."""
    store = full_store
    assert max(store.years) == 2022
    pages = page_for_challenge(config)
    for chart in ("kommuner", "malgap", "trend"):
        step, _ = step_from_link({"sida": "Barnalivet", "diagram": chart, "mal": "tobaksrok", "ar": "2022"}, config)
        view = step_view(store, step, pages)
        assert view.years == "Läget per 2022 · Senaste värde 2021", chart
    # a goal with 2022 figures says 2022, and says nothing of 2021
    step, _ = step_from_link({"sida": "Ungdomslivet", "diagram": "kommuner", "mal": "behorighet", "ar": "2022"}, config)
    assert step_view(store, step, pages).years == "Värden från 2022"


def test_every_step_of_the_sample_talk_names_its_year(config, demo_cache, talk):
    store = ResultStore(demo_cache, config)
    for step in talk.steps:
        view = step_view(store, step, page_for_challenge(config))
        assert re.search(r"\b20\d\d\b", view.years), (step, view.years)


def test_the_overview_slides_are_room_views_with_their_key(config, default_store):
    """The overview step is every challenge's goals counted by status (symbol and word in the
    header: the key is on the slide), counted independently here from the evaluations; a step on a
    challenge page lists that challenge's goals with the area's and the county's status in words."""
    import html as html_lib

    from nyap.present.views import focus_items
    from nyap.rules.statuses import STATUS_STYLE

    store = default_store
    for area in (config.meta.county, "1715"):
        step, _ = step_from_link({"sida": "Översikt", "diagram": "oversikt", "kommun": area}, config)
        view = step_view(store, step, page_for_challenge(config))
        body = html_lib.unescape(view.body)
        assert view.kind == "table" and "<table" in body and "matrix" not in body
        for key in ("reached", "right_way", "unchanged", "wrong_way", "no_data"):
            assert STATUS_STYLE[key][0] in body.split("</thead>")[0]
        ev = store.overview_evaluations(step.year or max(store.years), None)
        for ch in config.challenges:
            wrong = 0
            for item in focus_items(config, ch.name):
                row = (ev.reference_row(item.goal.id, item.track, "T", ch.name) if area == config.meta.county
                       else ev.row(item.goal.id, item.track, area, "T", ch.name))
                wrong += row is not None and row["status"] == "wrong_way"
            cells = re.search(rf"<th scope=\"row\">{ch.name}</th>(.*?)</tr>", body).group(1)
            numbers = re.findall(r">([0-9]+|–)</span>", cells)
            assert numbers[3] == (str(wrong) if wrong else "–"), (area, ch.name, numbers)
    step, _ = step_from_link({"sida": "Vuxenlivet", "diagram": "oversikt", "kommun": "1715"}, config)
    view = step_view(store, step, page_for_challenge(config))
    body = html_lib.unescape(view.body)
    for item in focus_items(config, "Vuxenlivet"):
        assert item.label in body
    assert "Länet" in body and ("Rör sig åt" in body or "Uppnått" in body) and view.heading.startswith("Vuxenlivet – Kil")


# ------------------------------------------------------------------ odd links

@pytest.mark.parametrize("query, said", [
    ({"steg": "²"}, "Steg ² finns inte; visar steg 1"),
    ({"steg": "9" * 5000}, "finns inte; visar steg 1"),
    ({"steg": "0"}, "Steg 0 finns inte; visar steg 1"),
    ({"sida": "Ungdomslivet", "diagram": "trend", "mal": "behorighet", "ar": "²"}, "ar = '²' är inte ett årtal"),
])
def test_an_odd_link_gets_the_link_notice_not_the_generic_error(query, said):
    from .apptest_helpers import assert_clean, open_app, page_text

    at = open_app("Presentation", query)
    assert_clean(at)
    text = page_text(at) + " ".join(e.value for e in at.error)
    assert said in text and "Något gick fel" not in text, text[-400:]


def test_one_bad_step_does_not_stop_the_talk(tmp_path, monkeypatch):
    """A talk whose second step names a goal that does not exist: steps 1 and 3 play as usual, step
    2 says in Swedish that it cannot be shown and why, and the room can step past it."""
    from .apptest_helpers import assert_clean, open_app, page_text

    talk = tmp_path / "presentation.toml"
    talk.write_text('title = "Test"\n[[step]]\npage = "Översikt"\nchart = "oversikt"\nheading = "Ett"\n'
                    '[[step]]\npage = "Barnalivet"\ngoal = "finns_inte"\n'
                    '[[step]]\npage = "Ungdomslivet"\ngoal = "behorighet"\nchart = "kommuner"\nheading = "Tre"\n',
                    encoding="utf-8")
    monkeypatch.setenv("NYAP_PRESENTATION_FILE", str(talk))
    for number, expected in ((1, "Ett"), (3, "Tre")):
        at = open_app("Presentation", {"steg": str(number)})
        assert_clean(at)
        text = page_text(at)
        assert expected in text and f"Steg {number} av 3" in text and "kan inte visas" not in text, text[-300:]
    at = open_app("Presentation", {"steg": "2"})
    assert_clean(at)
    text = (page_text(at) + " ".join(m.value for m in at.markdown)).replace("\\", "")
    assert "Steg 2 kan inte visas" in text and "goal = 'finns_inte' finns inte på sidan Barnalivet" in text
    assert "Steg 2 av 3" in text and not at.error
    assert not at.button(key="nyap_next").disabled  # the talk goes on


def test_the_map_is_a_slide_in_either_mode_with_the_municipality_outlined(config, default_store):
    """chart = "karta" in a talk (and diagram=karta in a link): the county map for the room, value or
    status, the chosen municipality outlined, every text at least 24 px at 1920×1080, one sex at a
    time (said on the slide and by `nyap check`); a mode on another chart is refused."""
    store = default_store
    talk = parse_presentation('[[step]]\npage = "Ungdomslivet"\ngoal = "behorighet"\nchart = "karta"\n'
                              'municipality = "1715"\nmap_mode = "status"\nsex = "KM"\n'
                              '[[step]]\npage = "Ungdomslivet"\ngoal = "behorighet"\nchart = "karta"\n'
                              '[[step]]\npage = "Ungdomslivet"\ngoal = "behorighet"\nchart = "trend"\nmap_mode = "status"\n',
                              config)
    assert len(talk.problems) == 1 and "steg 3: map_mode = 'status' (bara med chart = \"karta\"" in talk.problems[0]
    status, value = (step_view(store, s, page_for_challenge(config)) for s in talk.steps[:2])
    for view in (status, value):
        assert view.kind == "chart" and view.body.startswith("<svg")
        sizes = [float(x) for x in re.findall(r'font-size="([0-9.]+)px"', view.body)]
        assert sizes and min(sizes) >= 24, sorted(sizes)[:5]
        assert "Kil" in view.body and "Torsby" in view.body
    assert "läge mot målet" in status.takeaway and "Uppnått" in status.body and "kvinnor" in status.takeaway
    assert status.notice_fields == ("sex",) and "ett kön i taget" in status.notices[0]
    assert "– värde" in value.takeaway and "Uppnått" not in value.body
    # the outline: a black stroke round the chosen municipality, none on the county's map
    assert 'stroke="#111111"' in status.body and 'stroke="#111111"' not in value.body
    step, problems = step_from_link({"sida": "Ungdomslivet", "diagram": "karta", "mal": "behorighet",
                                     "kommun": "1715", "karta": "status"}, config)
    assert not problems and step.map_mode == "status" and step_from_link(step.query(), config)[0] == step


@needs_chromium
def test_a_phone_gets_the_normal_page_and_a_projector_any_shape_gets_a_filled_slide(app, shared_browser):
    """The presenter's link on a 390 px phone opens the normal page for the same view (charts drawn
    for a phone), not a shrunken slide; on 16:10 and 4:3 screens the slide shows the drawing made
    for that shape: it fills the screen's width, its axis labels keep the 16:9 share of the height,
    nothing is cut, and "‹ Föregående" is whole."""
    link = "Presentation?sida=Ungdomslivet&diagram=malgap&mal=behorighet&kommun=1715"
    browser = shared_browser
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    open_page(phone, f"{app}/{link}")
    phone.wait_for_url(lambda url: "/Ungdomslivet?" in url and "diagram" not in url, timeout=60_000)
    phone.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText"
                            ".startsWith('Ungdomslivet')", timeout=60_000)
    assert "kommun=1715" in phone.url and "mal=behorighet" in phone.url
    phone.close()
    for width, height, shape in ((1920, 1080, "169"), (1920, 1200, "1610"), (1024, 768, "43")):
        page = browser.new_page(viewport={"width": width, "height": height})
        open_page(page, f"{app}/Presentation?steg=3")
        wait_for_step(page, 3)
        probe = page.evaluate(STEP_PROBE)
        shown = page.evaluate("() => [...document.querySelectorAll('.nyap-room-chart .nyap-ar')]"
                              ".filter(e => e.getBoundingClientRect().width > 0).map(e => e.className)")
        assert shown == [f"nyap-ar nyap-ar-{shape}"], (width, height, shown)
        box = page.evaluate("() => [...document.querySelectorAll('.nyap-room-chart svg')]"
                            ".find(s => s.getBoundingClientRect().width > 0).getBoundingClientRect().toJSON()")
        assert box["width"] >= 0.85 * width or box["bottom"] >= 0.7 * height, (shape, box)  # fills the screen
        assert probe["bottom"] <= height + 1, (shape, probe)
        # the axis labels keep the share of the screen's height they have at 1920×1080 (24 px)
        assert probe["smallest"] >= 24 * height / 1080 * 0.9, (shape, probe["smallest"])
        prev = page.locator(".st-key-nyap_prev button")
        assert prev.evaluate("b => b.scrollWidth <= b.clientWidth + 1"), "‹ Föregående is cut"
        page.close()
