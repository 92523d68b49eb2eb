"""Browser tests in Debian's Chromium: deep links as the first request after a server start,
every filter, the link round trip, page switches, offline (loopback only)."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from .browser import PAGES, chromium_available, layout_problems, open_page, running_app, wait_until_idle

if not chromium_available():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but /usr/bin/chromium is missing: browser tests must not skip in CI")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser(shared_browser):
    return shared_browser


@pytest.fixture(scope="module")
def real_app(served_app):
    """The test worker's app server on the shipped cache: real figures, made by the project's own
    refresh path from the real Kolada extract (tests/test_cache.py checks that `make
    real-cache` rebuilds it). Only the deep-link tests need a server of their own."""
    return served_app


def query_of(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_for_query(page, **expected) -> None:
    """Streamlit rewrites the link after the rerun; poll until it shows the expected values."""
    for _ in range(100):
        q = query_of(page)
        if all(q.get(k) == v for k, v in expected.items()):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"link {page.url} never showed {expected}")


def choose(page, label: str, option: str) -> None:
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option)
    page.get_by_role("option").filter(has_text=option).first.click()


def selected(page, label: str) -> str:
    return page.get_by_role("combobox", name=label, exact=True).input_value()


def assert_page_ok(page, title: str | None = None) -> None:
    body = page.locator("[data-testid=stMain]").inner_text()
    assert "Page not found" not in body and "Traceback" not in body
    # the shipped cache is real (Kolada, uttag augusti 2024): no demo notice anywhere
    assert "Demodata" not in body and "DEMODATA" not in body
    assert "Något gick fel" not in body
    if title:
        assert page.locator("h1").first.inner_text().startswith(title)


# the start page, a challenge page and Om data: the three kinds of page a cold server can be asked for
# first (every page's own rendering is covered by the tests above and by AppTest)
@pytest.mark.parametrize("name", [n for n in PAGES if n in ("Översikt", "Ungdomslivet", "Om data")])
def test_deep_link_is_the_first_request_after_a_server_start(browser, name):
    requests: list[str] = []
    with running_app() as base:
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.on("request", lambda r: requests.append(r.url))
        url = f"{base}/{PAGES[name]}?kommun=1780&kon=K&ar=2021"
        open_page(page, url)
        assert_page_ok(page, "Karlstad" if name == "Översikt" else name)
        # the shared filters came from the link, and the link still says so
        assert selected(page, "Kommun") == "Karlstad" and selected(page, "Läget per år") == "2021"
        wait_for_query(page, kommun="1780", kon="K", ar="2021")
        if name in ("Barnalivet", "Ungdomslivet", "Vuxenlivet", "Äldrelivet"):
            # the goal in focus draws its charts, or (no values in the shipped extract, e.g.
            # självmord on Vuxenlivet) says why and what would bring data
            chart = page.locator("[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg")
            chart.or_(page.get_by_text("finns inte i Kolada-uttaget (augusti 2024)")).first.wait_for(
                state="visible", timeout=30_000)
        page.close()
    outside = [u for u in requests if not re.match(r"^(http://127\.0\.0\.1:\d+/|data:|blob:|about:)", u)]
    assert not outside, outside[:5]


def test_filters_round_trip_through_the_link_and_survive_page_switches(browser, real_app):
    base = real_app  # the module's server: this test needs no start of its own
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    open_page(page, f"{base}/Ungdomslivet")
    choose(page, "Kommun", "Arvika")
    wait_for_query(page, kommun="1784")
    wait_until_idle(page)
    page.locator("[data-testid=stRadio]").get_by_text("Kvinnor och män", exact=True).click()
    wait_for_query(page, kommun="1784", kon="KM")
    wait_until_idle(page)
    choose(page, "Läget per år", "2020")
    wait_for_query(page, ar="2020")
    wait_until_idle(page)
    choose(page, "Välj mål att visa i detalj", "Minska andelen unga")
    wait_for_query(page, mal="uva")
    wait_until_idle(page)
    assert "Arvika – kvinnor" in page.locator("[data-testid=stMain]").inner_text()
    link = page.url

    # the link reproduces the view in a new tab (a new session)
    other = browser.new_page(viewport={"width": 1500, "height": 1000})
    open_page(other, link)
    assert query_of(other) == {"kommun": "1784", "kon": "KM", "ar": "2020", "mal": "uva"}
    assert selected(other, "Kommun") == "Arvika"
    assert "varken studerar eller arbetar" in other.locator("[data-testid=stMain]").inner_text()
    other.close()

    # the selection survives a page switch through the sidebar
    page.locator("[data-testid=stSidebar]").get_by_text("Äldrelivet", exact=True).click()
    # the old page's link already has these values: wait for the new page's path first
    page.wait_for_function("() => decodeURIComponent(location.pathname).endsWith('/Äldrelivet')",
                           timeout=60_000)
    wait_for_query(page, kommun="1784", kon="KM", ar="2020")
    wait_until_idle(page)
    assert "/%C3%84ldrelivet" in page.url or "/Äldrelivet" in page.url
    assert selected(page, "Kommun") == "Arvika" and selected(page, "Läget per år") == "2020"
    assert_page_ok(page, "Äldrelivet")
    page.close()


def test_keyboard_only_reaches_the_filters(browser, real_app):
    """Without a mouse: Tab reaches the navigation and then the municipality filter, and typing a
    name and Enter chooses it (the link and the page follow)."""
    base = real_app
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    open_page(page, f"{base}/Vuxenlivet")
    focused, on_filter = [], False
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement && (document.activeElement.getAttribute('aria-label') "
                              "|| document.activeElement.innerText || '').slice(0, 60)")
        focused.append(label)
        if page.evaluate("document.activeElement && document.activeElement.getAttribute('role') === 'combobox'"
                         " && (document.activeElement.getAttribute('aria-label') || '').includes('Kommun')"):
            on_filter = True
            break
    assert "Barnalivet" in " ".join(focused)  # navigation links on the way
    assert on_filter, focused  # the municipality filter is reachable by Tab alone
    page.keyboard.type("Kil")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('kommun=1715')", timeout=30_000)
    page.wait_for_function("() => document.body.innerText.includes('Kil')", timeout=30_000)
    page.close()


@pytest.mark.parametrize("width, height, query", [(1280, 720, "kommun=1780"), (390, 844, "kommun=1715&kon=KM")],
                         ids=["laptop", "phone"])
def test_every_goal_fits_a_laptop_and_a_phone_on_real_figures(browser, real_app, config, width, height, query):
    """Every goal in focus on its challenge page, on the real figures: at 1280×720 and on a 390 px
    phone nothing scrolls sideways, no chart is wider than its column, and the charts' font is the
    shipped one. A laptop with one municipality; the phone with women and men side by side, the
    widest legends and tables on the narrowest screen. Each challenge page opens from a link at its
    first goal, and the others are chosen in "Välj mål" as a visitor does (a page load per goal
    took twice as long; links to a goal are tested in test_presentation.py and below)."""
    from urllib.parse import quote

    from nyap.present.views import focus_items

    problems = []
    base = real_app
    page = browser.new_page(viewport={"width": width, "height": height})
    for challenge in config.challenges:
        items = focus_items(config, challenge.name)
        open_page(page, f"{base}/{quote(challenge.name)}?{query}&mal={items[0].key}")
        for n, item in enumerate(items):
            if n:
                choose_goal(page, item)
            problems += [f"{width} px {item.key} {query}: {p}" for p in layout_problems(page)]
    if width == 390:
        # the sidebar starts closed on a phone: the page is not hidden behind it
        box = page.locator("[data-testid=stSidebar]").bounding_box()
        assert box is None or box["x"] + box["width"] <= 0
    assert page.evaluate("document.fonts.check('16px \"Source Sans Pro\"')")
    page.close()
    assert not problems, problems[:10]


def choose_goal(page, item) -> None:
    """Choose a goal in the page's "Välj mål att visa i detalj" list and wait for its page."""
    page.get_by_role("combobox", name="Välj mål att visa i detalj").click()
    page.get_by_role("option", name=item.label, exact=True).click()
    page.wait_for_function(f"location.search.includes('mal={item.key}')", timeout=60_000)
    wait_until_idle(page)
    assert page.get_by_role("combobox", name="Välj mål att visa i detalj").input_value() == item.label


def test_every_page_fits_two_laptop_screens_on_real_figures(browser, real_app):
    """The six pages at 1280×720 with a municipality (its profile on the overview) and at 1366×768
    with the county (its matrix)."""
    problems = []
    base = real_app
    for width, height, area in ((1280, 720, "1715"), (1366, 768, "0017")):
        page = browser.new_page(viewport={"width": width, "height": height})
        for path in PAGES.values():
            open_page(page, f"{base}/{path}?kommun={area}")
            problems += [f"{width} px /{path}?kommun={area}: {p}"
                         for p in layout_problems(page, tables_may_scroll=False)]
        page.close()
    assert not problems, problems[:10]


def wait_selected(page, label: str, value: str) -> None:
    """The filter shows `value` (after Back the page reruns a moment after the link changed)."""
    for _ in range(150):
        if selected(page, label) == value:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"{label} shows {selected(page, label)!r}, not {value!r} ({page.url})")


def _gender(page) -> str:
    """The sex chosen in the sidebar's radio group (its checked input's label)."""
    return page.locator("[data-testid=stSidebar] [role=radiogroup] label:has(input:checked)").inner_text().strip()


def test_back_and_forward_restore_the_selection(browser, real_app):
    """The workshop's most common "oops": Kil → Torsby, behörighet → examen, Totalt → Kvinnor;
    Back three times returns to each earlier view in turn, in the link and in the filters;
    Forward goes on again. A page change is one history entry: one Back returns to the page before."""
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    open_page(page, f"{real_app}/Ungdomslivet?kommun=1715&mal=behorighet")
    wait_for_query(page, kommun="1715", mal="behorighet")
    choose(page, "Kommun", "Torsby")
    wait_for_query(page, kommun="1737", mal="behorighet")
    wait_until_idle(page)
    goal_box = page.locator("[data-testid=stMain] [data-testid=stSelectbox]").first.get_by_role("combobox")
    goal_box.click()
    goal_box.fill("examen")
    page.get_by_role("option").filter(has_text="examen").first.click()
    wait_for_query(page, kommun="1737", mal="examen")
    wait_until_idle(page)
    page.locator("[data-testid=stSidebar] [role=radiogroup]").get_by_text("Kvinnor", exact=True).click()
    wait_for_query(page, kommun="1737", mal="examen", kon="K")
    wait_until_idle(page)
    page.go_back()
    wait_for_query(page, kommun="1737", mal="examen", kon="T")
    wait_selected(page, "Kommun", "Torsby")
    wait_until_idle(page)
    assert _gender(page) == "Totalt"
    page.go_back()
    wait_for_query(page, kommun="1737", mal="behorighet")
    wait_selected(page, "Kommun", "Torsby")
    page.go_back()
    wait_for_query(page, kommun="1715", mal="behorighet")
    wait_until_idle(page)
    wait_selected(page, "Kommun", "Kil")
    page.wait_for_timeout(500)  # the link stays where Back put it (the page does not write it back)
    assert query_of(page).get("kommun") == "1715"
    page.go_forward()
    wait_for_query(page, kommun="1737", mal="behorighet")
    wait_selected(page, "Kommun", "Torsby")
    wait_until_idle(page)
    page.close()
    # a page change: one entry (the link names the goal the page opens on; nothing is added after)
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    open_page(page, f"{real_app}/Ungdomslivet?kommun=1737&mal=behorighet")
    wait_for_query(page, kommun="1737", mal="behorighet")
    wait_until_idle(page)
    page.wait_for_timeout(500)
    before = page.evaluate("history.length")
    page.locator("[data-testid=stSidebar]").get_by_role("link", name="Vuxenlivet", exact=True).click()
    wait_for_query(page, kommun="1737")
    wait_until_idle(page)
    page.wait_for_timeout(800)
    assert "Vuxenlivet" in unquote(page.url) and "mal" in query_of(page)
    assert page.evaluate("history.length") == before + 1, page.url
    page.go_back()
    wait_for_query(page, kommun="1737", mal="behorighet")
    wait_until_idle(page)
    assert "Ungdomslivet" in unquote(page.url)
    page.close()


def test_the_printed_profile_has_no_inputs_says_its_order_and_its_source(browser, real_app, tmp_path):
    """Browser print of Kil's profile sorted worst first: no search box, no filter, no sort box on
    paper; a line says the order and the filter, and the source line is printed."""
    from pypdf import PdfReader

    page = browser.new_page(viewport={"width": 1280, "height": 720})
    open_page(page, f"{real_app}/?kommun=1715")
    wait_until_idle(page)
    choose(page, "Sortera", "Status – sämst först")
    wait_until_idle(page)
    page.wait_for_timeout(500)
    page.emulate_media(media="print")
    main = page.locator("[data-testid=stMain]")
    assert not main.get_by_role("textbox", name="Sök mål eller nyckeltal").is_visible()
    assert not main.get_by_role("combobox", name="Sortera").is_visible()
    assert not main.get_by_role("combobox", name="Visa bara läget").is_visible()
    assert main.get_by_text("Sorterat: status – sämst först; visar alla lägen.").is_visible()
    pdf = tmp_path / "profil.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(pdf)).pages).split())
    assert "Sorterat: status – sämst först" in text
    # the real app serves a refresh from the fake Kolada: its origin says when it was fetched
    assert re.search(r"Källa: Kolada.{0,40}\. Status, målvärden och länets egna medelvärden: egen beräkning\. "
                     r"Läget per 2022\.", text), text[text.find("Sorterat") - 100:][:400]
    assert "Sök mål eller nyckeltal" not in text and "Visa bara läget" not in text
    page.close()
