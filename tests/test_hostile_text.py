"""Text from outside the code never becomes markup, and no export carries a formula.

Markdown and HTML payloads go through every input — the link, Kolada's metadata in the cache
(titles, definitions, manifest warnings), an imported Liv & Hälsa indicator table, and
goals.toml — and every page is opened in Chromium: no element the payloads describe exists, no
request leaves the machine, and the payload text is shown literally.
"""

from __future__ import annotations

import os
import re
import shutil
from urllib.parse import quote, urlparse

import pandas as pd
import pytest

from nyap import DEFAULT_CACHE_DIR, DEFAULT_GOALS_FILE
from nyap.data.cache import load_cache, write_cache
from nyap.present.export import table_csv
from nyap.data.formulas import looks_like_formula, neutralise
from nyap.ui.safe import esc, md, paragraphs

from .browser import PAGES, chromium_available, launch_browser, open_page, running_app

EVIL = "evil.example"
PAYLOADS = [
    f"![bild](http://{EVIL}/md-image.gif)",
    f"[Logga in](http://{EVIL}/login)",
    f"<img src='http://{EVIL}/html-image.gif'>",
    "<style>body{background:rgb(255,0,0)!important}</style>",
    f"<form action='http://{EVIL}/post'><input name='pw'></form>",
    "<b id='nyap-pwned'>fet</b>",
    f"www.{EVIL}",
    ":material/home: :red[röd]",
    "# Rubrik\n\n- lista",
    # a blank line ends an HTML block in Markdown: what follows must still be text
    f"Rad ett\n\n![efter tom rad](http://{EVIL}/after-blank.gif) [Logga in igen](http://{EVIL}/again)",
]
HOSTILE = " ¤ ".join(PAYLOADS)


# ------------------------------------------------------------------ the rendering helpers

@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_leaves_no_markdown_or_html_syntax(payload):
    out = md(payload)
    # what is left once the escaped characters (backslash + character) are taken out: nothing
    # that could open a link, image, tag, emphasis, heading, list or icon
    bare = re.sub(r"\\.", "", out)
    for token in ("[", "]", "!", "<", ">", "*", "`", "|", "$"):
        assert token not in bare
    assert not re.match(r"\s*(#|-|\+|\d+[.)])", bare)
    assert "\n" not in out
    assert "http:/" not in out and "www." not in out and ":material" not in out  # no autolink, no icon


def test_our_html_stays_one_markdown_block_whatever_the_escaped_text_holds():
    from nyap.ui.safe import html_block

    out = html_block(f'<div class="x"><p>{esc(HOSTILE)}</p>\r\n\n<svg><text>a</text>\n</svg></div>')
    assert not re.search(r"\n\s*\n", out) and "\r" not in out  # a blank line would end the block
    assert out.startswith('<div class="x">') and "<svg><text>a</text> </svg></div>" in out


def test_esc_and_paragraphs_escape_html():
    assert "<" not in esc(HOSTILE) and "&lt;style&gt;" in esc(HOSTILE)
    html = paragraphs("Första stycket <b>\n\nAndra")
    assert html == "<p>Första stycket &lt;b&gt;</p><p>Andra</p>"


# ------------------------------------------------------------------ spreadsheet formulas

@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://evil.example\",\"x\")", "@SUM(A1)", "+1+cmd|' /C calc'!A0",
                                  "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", " =1"])
def test_formulas_are_recognised_and_neutralised(cell):
    assert looks_like_formula(cell)
    assert neutralise(cell).startswith("'")


@pytest.mark.parametrize("cell", ["-2,5", "+1.25", "89,1", "6 315,9", "−0,5", "Kil", "..", "", "2022"])
def test_numbers_and_words_are_not_formulas(cell):
    assert not looks_like_formula(cell)
    assert neutralise(cell) == cell


def test_csv_export_writes_formulas_as_text():
    table = pd.DataFrame({"Titel": ["=HYPERLINK(\"http://evil.example\")", "-2+3+cmd|' /C calc'!A0", "Vanlig"],
                          "Förändring": ["-2,0", "+1,5", "0,0"], "Värde": [1.5, -2.0, 3.0]})
    text = table_csv(table).decode("utf-8-sig")
    rows = [r.split(";") for r in text.splitlines()]
    assert rows[1][0].startswith("\"'=HYPERLINK") and rows[2][0].startswith("'-2+3")
    assert rows[1][1] == "-2,0" and rows[2][1] == "+1,5"  # numbers stay numbers
    assert rows[2][2] == "-2,0"  # a numeric column is written as a number with a decimal comma


def test_a_line_break_inside_a_cell_cannot_start_a_formula_row():
    """A spreadsheet starts a new row at a line break outside quotes, "\r" included: a cell such
    as "Andel elever\r=cmd|…" (a Kolada title, say) must stay one quoted cell."""
    import csv
    import io

    from nyap.data.formulas import looks_like_formula

    titles = ["Andel elever\r=cmd|' /C calc'!A0", "'\r=1+1", "två\nrader\r\n@SUM(A1)", "rad\n=2+2",
              "x\t=3+3", "\t=4+4", "\r=5+5", "Vanlig"]
    from nyap.data.formulas import neutralise

    text = table_csv(pd.DataFrame({"Titel": titles, "Värde": [float(i) for i in range(len(titles))]}),
                     notice="Källa\r=2+2").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))  # any "\r" or "\n" ends a row
    assert len(rows) == 2 + len(titles)  # the notice, the header, one row per title
    # each title one cell, as it was (one that begins with a tab or CR is also made text)
    assert [r[0] for r in rows[2:]] == [neutralise(t) for t in titles]
    assert rows[2 + titles.index("\t=4+4")][0] == "'\t=4+4" and rows[2 + titles.index("\r=5+5")][0] == "'\r=5+5"
    assert rows[0] == ["# Källa =2+2"] and not looks_like_formula(rows[0][0])


# ------------------------------------------------------------------ every input, in the browser

def _poisoned_goals(tmp_path):
    text = DEFAULT_GOALS_FILE.read_text(encoding="utf-8")
    toml_payload = HOSTILE.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    # a challenge's aim, a goal's text, note and unit label
    text = re.sub(r'(?m)^aim = ".*"$', lambda _: f'aim = "Syfte {toml_payload}"', text, count=1)
    text = text.replace('text = "Fler elever i åk 9 ska vara behöriga till gymnasiet"',
                        f'text = "Fler elever i åk 9 ska vara behöriga {toml_payload}"\nnote = "Not {toml_payload}"', 1)
    path = tmp_path / "goals.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _poisoned_cache(tmp_path, config_path):
    from nyap.rules.goals import load_goals
    from nyap.ingest.livhalsa import import_extract

    cache_dir = tmp_path / "cache"
    shutil.copytree(DEFAULT_CACHE_DIR, cache_dir)
    cache = load_cache(cache_dir)
    ind = cache.indicators.copy()
    ind["title"] = ind["title"].astype(str) + " " + HOSTILE
    ind["definition"] = "Definition " + HOSTILE
    extra = {"demo": True, "demo_sources": sorted(cache.demo_sources),
             "warnings": [f"Varning {HOSTILE}"]}
    write_cache(type(cache)(cache.observations, ind, cache.areas, cache.manifest), cache_dir, extra)
    # an imported survey extract whose indicator table carries the payloads too
    extract = tmp_path / "uttag_DEMO.csv"
    extract.write_text("indikator;omrade_kod;ar;kon;aldersgrupp;andel;ki_nedre;ki_ovre;antal_svar\n"
                       "LH_test;1780;2022;T;18-84;55,5;;;900\nLH_test;1780;2017;T;18-84;50,5;;;900\n",
                       encoding="utf-8")
    (tmp_path / "uttag_DEMO_indikatorer.csv").write_text(
        "id;titel;definition;enhet\nLH_test;Test " + HOSTILE.replace("\n", " ").replace(";", ",")
        + ";Def " + HOSTILE.replace("\n", " ").replace(";", ",") + ";procent\n", encoding="utf-8")
    import_extract(extract, cache_dir, load_goals(config_path))
    return cache_dir


needs_chromium = pytest.mark.skipif(not chromium_available() and os.environ.get("CI") != "true",
                                    reason="Chromium is not installed (apt-get install chromium)")


@needs_chromium
def test_no_input_becomes_markup_on_any_page(tmp_path, monkeypatch):
    goals = _poisoned_goals(tmp_path)
    cache_dir = _poisoned_cache(tmp_path, goals)
    monkeypatch.setenv("NYAP_GOALS_FILE", str(goals))
    link_payload = quote(PAYLOADS[0] + PAYLOADS[2] + PAYLOADS[5])
    checked = 0
    with running_app(cache_dir) as base, launch_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        outside = []
        page.on("request", lambda r: outside.append(r.url)
                if urlparse(r.url).hostname not in ("127.0.0.1", "localhost") and not r.url.startswith("data:")
                else None)
        # and a slide of the poisoned goal (its heading and chart from outside text)
        for name, path in {**PAGES, "Presentation": "Presentation"}.items():
            queries = [f"kommun={link_payload}&kon={link_payload}&ar={link_payload}&mal={link_payload}",
                       "kommun=1780&mal=behorighet"]
            if name == "Presentation":
                queries[1] = "sida=Ungdomslivet&diagram=trend&kommun=1780&mal=behorighet"
            for q in queries:
                open_page(page, f"{base}/{path}?{q}")
                if name == "Om data":
                    for summary in page.locator("[data-testid=stExpander] summary").all()[:3]:
                        summary.click()
                    page.wait_for_timeout(300)
                selector = (f'img[src*="{EVIL}"], a[href*="{EVIL}"], form[action*="{EVIL}"], #nyap-pwned, '
                            '[data-testid=stMarkdownContainer] h1 + ul')
                bad = page.evaluate("s => [...document.querySelectorAll(s)].map(e => e.outerHTML.slice(0, 120))",
                                    selector)
                assert not bad, (name, q, bad)
                background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
                assert background != "rgb(255, 0, 0)", (name, q)
                text = page.evaluate("() => document.body.innerText")
                if "kommun=1780" in q and name in ("Ungdomslivet", "Om data", "Presentation"):
                    assert EVIL in text, name  # the payload is shown, as text
                checked += 1
        assert not outside, outside[:5]
    assert checked == 2 * (len(PAGES) + 1)
