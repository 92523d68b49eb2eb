"""WCAG 2.1 AA in the browser: axe-core on every page, the page language is Swedish, no English
controls of Streamlit's own, and a keyboard-only journey from municipality to a downloaded table.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .browser import PAGES, chromium_available, open_page, wait_until_idle

if not chromium_available():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but /usr/bin/chromium is missing: browser tests must not skip in CI")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

# only the violations are gathered in full (a page's passes are thousands of nodes): the same
# verdict, a third of axe's time on a challenge page
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


@pytest.fixture(scope="module")
def app(served_app, shared_browser):
    return served_app, shared_browser


# every page plain and with a municipality and women and men; the goal and age group of the third
# link belong to Äldrelivet, so that one is checked there (the other pages show what the second does)
@pytest.mark.parametrize("query, only", [("", None), ("kommun=1780&kon=KM", None),
                                         ("kommun=1762&mal=god_halsa&alder=65-84", "Äldrelivet")])
def test_every_page_passes_axe_wcag_21_aa_and_is_swedish(app, query, only):
    from axe_playwright_python.sync_playwright import Axe

    base, browser = app
    axe = Axe()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    for name, path in PAGES.items():
        if only and name != only:
            continue
        open_page(page, f"{base}/{path}?{query}")
        page.wait_for_function("document.documentElement.lang === 'sv'", timeout=10_000)
        for summary in page.locator("[data-testid=stExpander] summary").all()[:2]:
            summary.click()  # the data tables under the charts count too
        page.wait_for_timeout(300)
        result = axe.run(page, options=WCAG_AA).response
        for v in result["violations"]:
            if v["impact"] in ("serious", "critical"):
                problems.append((name, v["id"], v["nodes"][0]["html"][:100]))
        visible_english = page.evaluate(
            "() => [...document.querySelectorAll('button, [role=button]')].filter(b => b.offsetParent !== null)"
            ".map(b => (b.getAttribute('aria-label') || b.innerText || '').trim())"
            ".filter(t => /^(Show data|Download as CSV|View fullscreen|Fullscreen|Search)$/i.test(t))")
        assert not visible_english, (name, visible_english)
        # the names a screen reader says, Streamlit's own included ("Help for Kommun", "Skip to
        # main content", "Link to heading", "Choose an option", "Select all")
        english = ("() => [...document.querySelectorAll('[aria-label], [placeholder]')]"
                   ".map(e => e.getAttribute('aria-label') || e.getAttribute('placeholder') || '')"
                   ".filter(t => /^(Help for |Skip to|Link to heading|Choose an? |Select all|Clear all|Open$|Close$)/"
                   ".test(t))")
        try:  # the page's translation runs a moment after Streamlit draws (slower on a loaded machine)
            page.wait_for_function(f"() => ({english})().length === 0", timeout=15_000)
        except PlaywrightTimeout:
            pass
        assert not page.evaluate(english), (name, page.evaluate(english))
    page.close()
    assert not problems, problems


def _tab_to(page, js_test: str, limit: int = 200) -> None:
    """Press Tab until the focused element passes js_test (a JS expression on `e`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!e && ({js_test}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {js_test}")


def _choose_by_keyboard(page, label: str, text: str, in_link: str) -> None:
    """Tab to the combobox named `label`, type `text`, Enter, and wait until the link shows it."""
    _tab_to(page, f"e.getAttribute('role') === 'combobox' && (e.getAttribute('aria-label') || '').includes('{label}')")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    _wait_for_link(page, in_link)


def _wait_for_link(page, part: str) -> None:
    page.wait_for_function(f"location.search.includes('{part}')", timeout=20_000)
    wait_until_idle(page)


def test_keyboard_only_journey_from_municipality_to_a_downloaded_table(app):
    base, browser = app
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    open_page(page, f"{base}/Ungdomslivet")
    _choose_by_keyboard(page, "Kommun", "Kil", "kommun=1715")
    # sex: the radio group, arrow keys
    _tab_to(page, "e.type === 'radio'")
    page.keyboard.press("ArrowDown")
    _wait_for_link(page, "kon=K")
    _choose_by_keyboard(page, "Välj mål", "Minska andelen unga", "mal=uva")
    # its table: the first "Visa data som tabell"
    _tab_to(page, "e.tagName === 'SUMMARY' && e.innerText.includes('Visa data som tabell')")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.nyap-data", state="visible", timeout=10_000)
    assert "Kil" in page.locator("table.nyap-data").first.inner_text()
    # and download it
    page.keyboard.press("Shift+Tab")
    _tab_to(page, "e.innerText && e.innerText.includes('Ladda ner data (CSV)')")
    with page.expect_download(timeout=20_000) as download:
        page.keyboard.press("Enter")
    path = download.value.path()
    text = open(path, encoding="utf-8-sig").read()
    assert "Kil" in text and ";" in text
    page.close()


def test_the_presentation_page_passes_axe_wcag_21_aa(app):
    """The room's page too: each step of the sample talk (the overview table and the SVG charts)."""
    from axe_playwright_python.sync_playwright import Axe

    base, browser = app
    axe = Axe()
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    problems = []
    for step in range(1, 6):
        open_page(page, f"{base}/Presentation?steg={step}")
        page.wait_for_function("document.documentElement.lang === 'sv'", timeout=10_000)
        result = axe.run(page, options=WCAG_AA).response
        problems += [(step, v["id"], v["nodes"][0]["html"][:100]) for v in result["violations"]
                     if v["impact"] in ("serious", "critical")]
    page.close()
    assert not problems, problems
