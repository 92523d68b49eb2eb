"""Issue 13 in Chromium at 1280 px: the comparing profile, a comparison from a link, and the map."""

from __future__ import annotations

import os

import pytest

from .browser import chromium_available, layout_problems, open_page

if not chromium_available():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but /usr/bin/chromium is missing: browser tests must not skip in CI")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


def test_profile_comparison_and_map_at_1280(served_app, shared_browser, tmp_path):
    base, browser = served_app, shared_browser
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    # the profile compares with the county: difference in words, rank, both statuses; it fits
    open_page(page, f"{base}/?kommun=1715&kon=KM")
    table = page.locator("table.nyap-profile")
    head = table.locator("thead").inner_text()
    assert "Mot länet" in head and "Rank i länet" in head and "Kvinnor − män" in head
    body = table.locator("tbody").inner_text()
    assert " av 16" in body and ("(bättre)" in body or "(sämre)" in body)
    assert layout_problems(page, tables_may_scroll=False) == []
    box = page.get_by_role("combobox", name="Sortera")
    box.click()
    box.fill("Status")
    page.get_by_role("option").filter(has_text="sämst först").first.click()
    page.wait_for_timeout(1200)
    first = page.locator("table.nyap-profile tbody tr").first.inner_text()
    assert "fel håll" in first  # the worst first
    # a comparison from a link: the sidebar shows the compared municipalities, the link keeps them
    open_page(page, f"{base}/Ungdomslivet?kommun=1715&mal=behorighet&jamfor=1780,1782")
    sidebar = page.locator("[data-testid=stSidebar]").inner_text()
    assert "Karlstad" in sidebar and "Filipstad" in sidebar
    assert "jamfor=1780%2C1782" in page.url or "jamfor=1780,1782" in page.url
    # the map: drawn, with its table alternative and the status view
    page.get_by_text("Karta", exact=True).scroll_into_view_if_needed()
    assert page.locator(".stVegaLiteChart, [data-testid=stVegaLiteChart]").count() >= 4
    main = page.locator("[data-testid=stMain]")
    assert "– värde" in main.inner_text() and "– läge mot målet" not in main.inner_text()
    page.get_by_role("radiogroup", name="Visa på kartan").get_by_text("Läge mot målet").click()
    # the status view replaces the value view: its own title and its own key
    page.wait_for_function("() => document.querySelector('[data-testid=stMain]').innerText"
                           ".includes('– läge mot målet')", timeout=30_000)
    text = main.inner_text()
    assert "– värde" not in text and "ingen bedömning för" in text
    assert layout_problems(page, tables_may_scroll=False) == []
    page.screenshot(path=str(tmp_path / "map.png"))
    page.close()
