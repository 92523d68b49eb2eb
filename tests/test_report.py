"""Aktuellt perspektiv: the report command builds (several areas at once), each report holds every goal with the same status and
remaining distance as the app, the PDF carries the demo mark on every page, real data is sourced."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from nyap.data.cache import load_cache
from nyap.present.prose import remaining_phrase
from nyap.present.report import DEMO_PAGE_MARK, css_string, pdf_available
from nyap.present.status import status_label
from nyap.present.views import focus_items, repeated_focus_items
from nyap.serving.store import ResultStore

from .processes import run as run_command
from .report_words import report_words


class _Cards(HTMLParser):
    """Per goal section: the cards (area, status key, visible text), as a reader sees them."""

    def __init__(self):
        super().__init__()
        self.goals: dict[tuple[str, str], list[dict]] = {}  # (challenge, goal measure) -> cards
        self.summary_rows: set[tuple[str, str]] = set()
        self.without_values: set[tuple[str, str]] = set()  # the list of goals without values
        self._goal = None
        self._card = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-goal" in a:
            self._goal = (a["data-challenge"], a["data-goal"])
            self.goals.setdefault(self._goal, [])
        elif tag == "tr" and "data-goal" in a:
            self.summary_rows.add((a["data-challenge"], a["data-goal"]))
        elif tag == "li" and "data-goal" in a:
            self.without_values.add((a["data-challenge"], a["data-goal"]))
        elif tag == "div" and "data-status" in a and self._goal:
            self._card = {"area": a["data-area"], "gender": a["data-gender"], "status": a["data-status"], "text": ""}
            self._depth = 1
        elif tag == "div" and self._card is not None:
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == "div" and self._card is not None:
            self._depth -= 1
            if self._depth == 0:
                self.goals[self._goal].append(self._card)
                self._card = None
        elif tag == "section":
            self._goal = None

    def handle_data(self, data):
        if self._card is not None:
            self._card["text"] += data


@pytest.fixture(scope="module")
def store(config, demo_cache):
    return ResultStore(demo_cache, config)


# Kil, Karlstad, Arvika and the county: the command for several areas at once, a small, a large and
# a middle municipality (a report per municipality is the same code; `report --all` is timed by
# `make bench`, not by the suite, which would spend minutes drawing the same kind of report 17 times)
REPORT_AREAS = ("1715", "1780", "1784", "0017")


@pytest.fixture(scope="session")
def all_reports(tmp_path_factory):
    """The command a user runs, for several municipalities and the county (HTML and PDF): built once
    per test run, also when the suite runs on several workers (the first builds it, under a lock,
    the others read it), and read by every test that needs it."""
    # the run's own directory: shared by the xdist workers of this run, never by another run
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    out = shared / "reports-all"
    with open(shared / "reports-all.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "BUILT").exists():
            html_only = []
            if not pdf_available():
                if os.environ.get("CI") == "true":
                    raise RuntimeError("CI=true but Pango is missing: the report PDF must be tested in CI")
                html_only = ["--html-only"]  # a developer machine without Pango: the PDF test says it skipped
            # the worker processes of the command go with it (its process group), also on a timeout
            run = run_command([sys.executable, "-m", "nyap", "report", "--kommun", *REPORT_AREAS, "--out", str(out),
                               *html_only])
            assert run.returncode == 0, run.stderr
            print(run.stderr.strip().splitlines()[-1])  # the build time, in the test log
            (out / "BUILT").write_text("")
    return out


def test_every_report_has_every_goal_with_the_apps_status_and_remaining(all_reports, default_cache, config, default_store):
    store = default_store  # the command above reads the shipped cache
    year = max(store.years)
    ev = store.overview_evaluations(year, None)
    htmls = sorted(all_reports.glob("*.html"))
    assert len(htmls) == len(REPORT_AREAS)
    assert len(list(all_reports.glob("*.pdf"))) == (len(REPORT_AREAS) if pdf_available() else 0)
    region = store.region
    checked = 0
    for path in htmls:
        text = path.read_text("utf-8")
        parser = _Cards()
        parser.feed(text)
        title = re.search(r"<title>(.*?)</title>", text).group(1)
        name = title.split(" – ", 1)[1]
        area = next((c for c in region.municipalities if region.names()[c] == name), config.meta.county)
        # every goal measure of every challenge page, in the summary and in its own section
        expected = {(ch.name, item.key) for ch in config.challenges for item in focus_items(config, ch.name)}
        # page one lists a goal with identical rows on several pages once (god hälsa without age groups)
        repeated = repeated_focus_items(config, ev.frame)
        assert ("Äldrelivet", "god_halsa") in repeated
        # every goal once: in the table, and either as a section or in the list of goals without values
        assert parser.summary_rows == expected - repeated, path.name
        assert not set(parser.goals) & parser.without_values, path.name
        assert set(parser.goals) | parser.without_values == expected - repeated, path.name
        for ch in config.challenges:
            for goal in config.goals_for(ch.name):
                for i, track in enumerate(goal.tracks, 1):
                    key = goal.id if i == 1 else f"{goal.id}.{i}"
                    if (ch.name, key) in repeated:
                        continue  # one section, under its first challenge
                    if (ch.name, key) not in parser.goals:
                        # no value of its own for the area: no section, and no value in the table
                        code = config.meta.county if area == config.meta.county else area
                        row = (ev.reference_row(goal.id, track, "T", ch.name) if code == config.meta.county
                               else ev.row(goal.id, track, code, "T", ch.name))
                        assert row is None or row.current is None, (path.name, key)
                        continue
                    cards = parser.goals[(ch.name, key)]
                    assert cards, (path.name, ch.name, key)
                    for card in cards:
                        if card["area"] == area and area != config.meta.county:
                            row = ev.row(goal.id, track, area, card["gender"], ch.name)
                        elif not region.is_municipality(card["area"]):
                            row = ev.reference_row(goal.id, track, card["gender"], ch.name)
                        else:
                            continue
                        if row is None:
                            assert card["status"] == "no_data", (path.name, key, card)
                            continue
                        checked += 1
                        # the profile's status and remaining distance, in the report's words
                        assert card["status"] == row["status"], (path.name, key, card)
                        assert status_label(row, goal) in card["text"], (path.name, key, card)
                        phrase = remaining_phrase(row["status"], row.get("remaining"), goal.has_target)
                        assert phrase in card["text"], (path.name, key, phrase, card["text"])
    assert checked > len(REPORT_AREAS) * 25  # the municipality's and the county's card of every measure, women/men where split


def test_pdf_of_the_shipped_cache_names_the_extract_and_has_no_demo_mark(all_reports, config):
    if not pdf_available():
        pytest.skip("Pango is not installed (apt-get install libpango-1.0-0 libpangoft2-1.0-0)")
    pdf = next(all_reports.glob("*kil.pdf"))
    assert not pdf.name.startswith("DEMO-")
    texts = [page.extract_text() for page in PdfReader(pdf).pages]
    whole = "\n".join(texts)
    assert "DEMODATA" not in whole
    assert "Kolada, uttag augusti 2024" in whole.replace("\n", " ")
    for i, t in enumerate(texts, 1):
        assert f"Sida {i} av {len(texts)}" in t
    html = next(all_reports.glob("*kil.html")).read_text("utf-8")
    assert DEMO_PAGE_MARK not in html and "hämtad" not in html
    # a goal without data in the extract says why and what would bring data
    assert "N80401 finns inte i Kolada-uttaget (augusti 2024)" in html
    assert "Kräver ett regionalt uttag".lower() in html.lower()


def test_pdf_has_the_demo_mark_on_every_page_and_every_challenge(demo_cache_dir, config, tmp_path):
    if not pdf_available():
        pytest.skip("Pango is not installed (apt-get install libpango-1.0-0 libpangoft2-1.0-0)")
    run = run_command([sys.executable, "-m", "nyap", "--cache", str(demo_cache_dir), "report", "--kommun", "1715",
                       "--out", str(tmp_path)])
    assert run.returncode == 0, run.stderr
    all_reports = tmp_path
    pdf = next(all_reports.glob("*kil.pdf"))
    assert pdf.name.startswith("DEMO-")
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 10
    texts = [page.extract_text() for page in reader.pages]
    for i, t in enumerate(texts, 1):
        assert "DEMODATA" in t, f"sida {i} saknar demomärkningen"
        assert f"Sida {i} av {len(texts)}" in t
    whole = "\n".join(texts)
    for ch in config.challenges:
        assert ch.name in whole
    html = next(all_reports.glob("*kil.html")).read_text("utf-8")
    assert DEMO_PAGE_MARK in html and 'lang="sv"' in html
    assert "<script" not in html and "http" not in html.split("</style>")[0]  # self-contained, nothing fetched


def test_a_real_data_report_names_its_source_and_has_no_demo_mark(config, real_cache_dir):
    store = ResultStore(load_cache(real_cache_dir), config)
    page = report_words(store, "1715")
    assert "DEMODATA" not in page
    # a live refresh is labelled with its date, not with the extract
    assert "Källa: Kolada (" in page and "hämtad " in page and "uttag augusti 2024" not in page
    # missing is missing: a goal without values in the fixtures says so, never a 0
    assert "Ingen data" in page or "Inget basvärde" in page


def test_hostile_names_stay_text(config, demo_cache):
    """A municipality's name is outside text: it may not end the page's <style> or become markup."""
    evil = '</style><script>alert(1)</script>"\\'
    assert "<" not in css_string(evil) and '"' not in css_string(evil)[1:-1]
    areas = demo_cache.areas.copy()
    areas.loc[areas["code"] == "1715", "name"] = evil
    cache = dataclasses.replace(demo_cache, areas=areas)
    page = report_words(ResultStore(cache, config), "1715")
    assert "<script>" not in page
    assert "&lt;/style&gt;&lt;script&gt;" in page


def test_unknown_municipality_is_a_swedish_message(tmp_path):
    run = run_command([sys.executable, "-m", "nyap", "report", "--kommun", "9999", "--out", str(tmp_path)])
    assert run.returncode == 2 and "Okänd kommunkod" in run.stderr and "Traceback" not in run.stderr
    assert not list(Path(tmp_path).iterdir())


@pytest.fixture(scope="module")
def real_kil_report(config, demo_cache, full_store):
    """Kil's report on the whole real extract (Kolada's god hälsa has no age groups there; the
    L-type goals karies, självmord and the patient surveys have no values at all)."""
    store = full_store
    return store, report_words(store, "1715")


def test_a_goal_without_county_data_is_not_called_county_only(real_kil_report):
    """N80401 (karies) is a regions-only KPI (type L) without any value in the extract: the first
    page says "Ingen data" for Kil, not "Bara länet" beside the county's "Ingen data"; the goal
    section does not say the county is shown either."""
    from nyap.present.views import why_no_municipalities

    store, page = real_kil_report
    row = re.search(r'<tr data-goal="karies"[^>]*>(.*?)</tr>', page).group(1)
    assert "Bara länet" not in row and "Ingen data" in row
    view = store.goal_view(store.items["karies"], max(store.years))
    assert view.evaluations.empty or (view.evaluations["status"] == "no_data").all()
    why = why_no_municipalities(view)
    assert "Kolada-typ L" not in why and "inga värden" in why.lower()


def test_county_only_is_one_rule_in_the_app_and_the_report(real_kil_report, config, demo_cache):
    """The report's first page says "Finns bara för länet" exactly for the goal measures the app's
    matrix and profile call county-only (evaluation_table.county_only), in the app's words: on the
    whole real extract (none there: karies and the patient surveys have no values at all) and on
    the demo data (five regions-only measures with county values)."""
    from nyap.present.tables import COUNTY_ONLY

    demo = ResultStore(demo_cache, config)
    for store, page, expected in (real_kil_report + (0,), (demo, report_words(demo, "1715"), 5)):
        ev = store.overview_evaluations(max(store.years), None)
        assert "Kolada-typ L)" not in page.split("<h2", 1)[0]  # the old report-only wording
        said_county_only = 0
        for ch in config.challenges:
            for item in focus_items(config, ch.name):
                rows = re.findall(rf'<tr data-goal="{re.escape(item.key)}" data-challenge="{re.escape(ch.name)}"'
                                  r"[^>]*>(.*?)</tr>", page)
                if not rows:
                    continue  # listed once, under its first challenge
                said = any(COUNTY_ONLY in r for r in rows)
                assert said == ev.county_only(item.goal.id, item.track, ch.name), (ch.name, item.key)
                said_county_only += said
        assert said_county_only == expected


def test_a_goal_with_identical_figures_on_several_pages_is_listed_once(real_kil_report, config):
    """God hälsa is on three challenge pages; without age groups in the data the three rows on
    the first page would be the same figures three times: it is listed once, under its first
    challenge. Every other goal keeps its row."""
    _, page = real_kil_report
    parser = _Cards()
    parser.feed(page)
    god = [ch for ch, key in parser.summary_rows if key == "god_halsa"]
    home = next(g for g in config.goals if g.id == "god_halsa").challenges[0].name
    assert god == [home]
    others = {(ch.name, item.key) for ch in config.challenges for item in focus_items(config, ch.name)
              if item.goal.id != "god_halsa"}
    assert others <= parser.summary_rows


def test_a_full_disk_leaves_the_old_report_and_no_partial_file(tmp_path, monkeypatch, capsys, default_cache):
    """The disk fills up while the report is written: the command says so in Swedish (about the
    report, not "the cache"), the report that was there is untouched and no .tmp is left."""
    import errno

    from nyap.__main__ import main

    out = tmp_path / "rapporter"
    out.mkdir()
    assert main(["report", "--kommun", "1715", "--html-only", "--out", str(out)]) == 0
    (before,) = out.iterdir()
    old = before.read_bytes()
    real_write = Path.write_bytes

    def full_disk(self, data):
        real_write(self, data[: len(data) // 2])  # half of it reached the disk
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    capsys.readouterr()
    assert main(["report", "--kommun", "1715", "--html-only", "--out", str(out)]) == 8
    said = capsys.readouterr().err
    monkeypatch.undo()
    assert "Kunde inte skriva rapporten" in said and "cachen" not in said and "Traceback" not in said, said
    assert [p.name for p in out.iterdir()] == [before.name] and before.read_bytes() == old


def test_the_council_report_is_short_and_its_contents_give_the_right_pages(all_reports, config):
    """Kil's report was 21 A4 pages before it became a council report (issue 23): now sections only
    for goals with values, two to a page where they fit; the contents' page numbers are resolved
    by the PDF engine and each points to the page where that part begins."""
    if not pdf_available():
        pytest.skip("WeasyPrint/Pango missing: the PDF is not made on this machine")
    reader = PdfReader(next(all_reports.glob("*-kil.pdf")))
    assert len(reader.pages) <= 14
    first = reader.pages[0].extract_text()
    assert "Innehåll" in first and "Alla mål – läget i en tabell … s. 1" in first
    entries = re.findall(r"^(.+?) … s\. (\d+)", first, flags=re.M)
    names = [c.name for c in config.challenges]
    assert [n for n, _p in entries if n in names] == names  # Kil has values in every challenge
    for name, page in entries:
        if name in names:
            text = reader.pages[int(page) - 1].extract_text()
            assert re.search(rf"^{name}$", text, flags=re.M), (name, page)
    assert int(entries[-1][1]) <= len(reader.pages) and entries[-1][0].startswith("Mål utan värden för Kil")


def test_the_countys_report_says_county_only_where_the_municipalities_have_no_figures(config, demo_cache):
    """The county's own report beside a goal measure only the county has (five regions-only
    measures in the demo data): "Finns bara för länet" in the municipalities' column, not an
    error (the room view's rule, nyap/present/room_tables.py)."""
    from nyap.present.tables import COUNTY_ONLY

    store = ResultStore(demo_cache, config)
    page = report_words(store, config.meta.county)
    ev = store.overview_evaluations(max(store.years), None)
    county_only = [(ch.name, item.key) for ch in config.challenges for item in focus_items(config, ch.name)
                   if ev.county_only(item.goal.id, item.track, ch.name)]
    assert county_only
    for challenge, key in county_only:
        rows = re.findall(rf'<tr data-goal="{re.escape(key)}" data-challenge="{re.escape(challenge)}"[^>]*>(.*?)</tr>', page)
        assert not rows or any(COUNTY_ONLY in r for r in rows), (challenge, key)
    assert COUNTY_ONLY in page
