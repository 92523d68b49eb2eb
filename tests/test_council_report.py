"""Aktuellt perspektiv as a council reads it, on the shipped real figures (data/cache, Kolada
August 2024): page one's table is the profile (status, difference to the county and rank the
same year, women and men where Kolada has both), the change since the previous report, the list of
goals without values and why, the contents, and the municipality's own commentary file."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from nyap.present.report import ReportError, report_html, write_reports
from nyap.present.tables import COUNTY_ONLY, profile_rows, versus_text
from nyap.rules.commentary import CommentaryError, load_commentary, parse_commentary

from .conftest import KOLADA_FIXTURES

pytestmark = pytest.mark.slow  # draws two whole reports' charts

KIL, COUNTY = "1715", "0017"

COMMENTARY = '''# Kil (1715): kommunens kommentarer
ar = 2022
sammanfattning = """Kil har en god grund men tappar mot länet i skolan.

Kommunstyrelsen föreslås prioritera behörighet till gymnasiet."""

[mal.behorighet]
kommentar = "Andelen behöriga sjönk efter flera år över länet <b>inte fetstil</b>."
atgarder = "Läxhjälp och lovskola från hösten 2024."
'''


class _Table(HTMLParser):
    """Page one's table as a reader sees it: per (challenge, goal, sex) the text of each column,
    the status key; the list of goals without values; the contents' links; the ids."""

    def __init__(self):
        super().__init__()
        self.rows: dict[tuple[str, str, str], dict[str, str]] = {}
        self.without: dict[tuple[str, str], str] = {}
        self.toc: list[str] = []
        self.ids: set[str] = set()
        self._row = self._col = self._li = None
        self._in_toc = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "nav":
            self._in_toc = True
        elif tag == "a" and self._in_toc:
            self.toc.append(a["href"])
        elif tag == "tr" and "data-goal" in a:
            self._row = self.rows.setdefault((a["data-challenge"], a["data-goal"], a["data-gender"]), {})
        elif tag == "td" and self._row is not None and "data-col" in a:
            self._col = a["data-col"]
            self._row[self._col] = ""
            if "data-status" in a:
                self._row["status_key"] = a["data-status"]
        elif tag == "li" and "data-goal" in a:
            self._li = (a["data-challenge"], a["data-goal"])
            self.without[self._li] = ""

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_toc = False
        elif tag == "td":
            self._col = None
        elif tag == "tr":
            self._row = None
        elif tag == "li":
            self._li = None

    def handle_data(self, data):
        if self._row is not None and self._col:
            self._row[self._col] += data
        if self._li:
            self.without[self._li] += data


@pytest.fixture(scope="module")
def store(default_store, default_cache):
    assert not default_cache.is_demo  # the shipped default is the real extract
    return default_store


@pytest.fixture(scope="module")
def comments(tmp_path_factory, config):
    d = tmp_path_factory.mktemp("kommentarer")
    (d / f"{KIL}.toml").write_text(COMMENTARY, "utf-8")
    return d


@pytest.fixture(scope="module")
def kil(store, config, comments):
    page = report_html(store, KIL, 2022, load_commentary(comments, config, KIL))
    parsed = _Table()
    parsed.feed(page)
    return page, parsed


@pytest.fixture(scope="module")
def county(store):
    page = report_html(store, COUNTY, 2022)
    parsed = _Table()
    parsed.feed(page)
    return page, parsed


def _extract(kpi: str, year: int, gender: str = "T") -> dict[str, float]:
    raw = pd.read_csv(KOLADA_FIXTURES / "varmland_values_2024-08.csv", dtype={"municipality_id": str})
    rows = raw[(raw["kpi"] == kpi) & (raw["year"] == year) & (raw["gender"] == gender) & raw["value"].notna()]
    return dict(zip(rows["municipality_id"].str.zfill(4), rows["value"].astype(float)))


def test_page_one_is_the_profile_with_women_and_men_where_kolada_has_both(store, config, kil):
    _page, t = kil
    ev = store.overview_evaluations(2022)
    profile = {(r.challenge, r.item.key, r.gender): r for r in profile_rows(config, ev, KIL, ("T", "K", "M"), 2022)}
    checked = 0
    for key, cells in t.rows.items():
        r = profile[key]
        expected_status = "no_data" if r.own is None else r.own["status"]
        if not r.county_only:
            assert cells["status_key"] == expected_status, key
        county_year = None if r.ref is None else r.ref.current_year
        assert cells["versus"] == versus_text(r, county_year), key
        if r.rank:
            assert cells["rank"].startswith(r.rank.text), key
        checked += 1
    assert checked > 40
    # women and men beside the total where Kil has both (behörighet: the example), and
    # never a sex row without a value
    assert {g for (ch, k, g) in t.rows if k == "behorighet"} == {"T", "K", "M"}
    for (ch, k, g), cells in t.rows.items():
        if g != "T":
            assert cells["latest"] != "–", (k, g)


def test_difference_and_rank_recomputed_from_the_extract(kil):
    """Behörighet (N15428) 2022 by hand: Kil minus the county's published value, and Kil's place
    among the municipalities with a value that year (1 = highest share)."""
    _page, t = kil
    cells = t.rows[("Ungdomslivet", "behorighet", "T")]
    values = _extract("N15428", 2022)
    county = values.pop(COUNTY)
    munis = {c: v for c, v in values.items() if c.startswith("17")}
    diff = munis[KIL] - county
    assert cells["versus"] == f"{diff:.1f}".replace(".", ",").replace("-", "−") + " (sämre)"
    rank = 1 + sum(1 for v in munis.values() if round(v, 1) > round(munis[KIL], 1))
    assert cells["rank"] == f"{rank} av {len(munis)}"
    change = munis[KIL] - _extract("N15428", 2021)[KIL]
    assert cells["change"].startswith(f"+{change:.1f}".replace(".", ",") + " (bättre)")


def test_goals_without_values_are_listed_once_with_why(store, config, kil, county):
    for (page, t), area in ((kil, KIL), (county, COUNTY)):
        sections = set(re.findall(r'<section class="goal" id="[^"]*" data-goal="([^"]+)" data-challenge="([^"]+)"', page))
        sections = {(ch, g) for g, ch in sections}
        assert t.without and not sections & set(t.without)
        ev = store.overview_evaluations(2022)
        for (ch, key), text in t.without.items():
            goal_id, _, n = key.partition(".")
            goal = config.goal(goal_id)
            track = dict(goal.measure_keys)[key]
            row = (ev.reference_row(goal_id, track, "T", ch) if area == COUNTY else ev.row(goal_id, track, area, "T", ch))
            assert row is None or row.current is None, key  # really no value of its own
            assert len(text.split(")", 1)[1].strip()) > 10, (key, text)  # and a reason
            # in the table as "Ingen data" or the app's county-only words
            cells = t.rows[(ch, key, "T")]
            assert cells["latest"] == "–"
            assert cells["status_key"] == "no_data" or COUNTY_ONLY in cells["status"]
    # karies: its KPI is not in the August 2024 extract, and the list says so and what to do
    assert "N80401 finns inte i Kolada-uttaget" in kil[1].without[("Barnalivet", "karies")]


def test_contents_link_to_every_part_with_its_page(config, kil, county):
    for page, t in (kil, county):
        assert t.toc[0] == "#alla" and t.toc[-1] == "#utan-data"
        assert {h.lstrip("#") for h in t.toc} <= t.ids  # every entry leads somewhere
        assert len(t.toc) == 2 + len(re.findall(r'class="challenge-head"', page))
        # each goal with a section has its page beside its name in the table
        for sid in re.findall(r'<section class="goal" id="([^"]+)"', page):
            assert f'href="#{sid}"' in page


def test_the_municipalitys_commentary_is_in_the_report_escaped(kil, county):
    page, _t = kil
    assert "Kommunens kommentar" in page and "Kil har en god grund men tappar mot länet i skolan." in page
    section = re.search(r'<section class="goal"[^>]*data-goal="behorighet".*?</section>', page).group(0)
    assert "Andelen behöriga sjönk" in section and "Åtgärder" in section and "Läxhjälp och lovskola" in section
    assert "&lt;b&gt;inte fetstil&lt;/b&gt;" in section and "<b>inte fetstil</b>" not in page
    assert page.count("Andelen behöriga sjönk") == 1  # only under its own goal
    assert "Kommunens kommentar" not in county[0]  # the county wrote none


def test_a_malformed_commentary_file_is_named_with_its_line_and_nothing_is_written(store, config, tmp_path):
    d = tmp_path / "kommentarer"
    d.mkdir()
    (d / f"{KIL}.toml").write_text('ar = 2022\n\n[mal.behorighet]\nkommentar = "saknar slutcitat\n', "utf-8")
    out = tmp_path / "rapporter"
    with pytest.raises(ReportError) as exc:
        write_reports(store, [KIL], out, 2022, pdf=False, comments=d)
    assert "kommentarer/1715.toml" in str(exc.value) and "rad 4" in str(exc.value)
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.parametrize("text, expected", [
    ('[mal.behorihet]\nkommentar = "x"\n', 'rad 1: målet "behorihet" finns inte i goals.toml'),
    ('[mal.behorighet]\nkomentar = "x"\n', 'rad 2: okänt fält "komentar"'),
    ('\n[mal.behorighet]\nkommentar = 3\n', "rad 3: kommentar ska vara text"),
    ('ar = "2022"\n', "rad 1: ar ska vara ett årtal"),
    ('rubrik = "x"\n', 'rad 1: okänt fält "rubrik"'),
])
def test_commentary_problems_are_swedish_with_file_and_line(config, text, expected):
    with pytest.raises(CommentaryError) as exc:
        parse_commentary(text, "kommentarer/1715.toml", config, KIL)
    assert any(p.startswith("kommentarer/1715.toml, ") and expected in p for p in exc.value.problems), exc.value.problems


def test_a_file_that_is_not_utf8_says_so_with_its_line(config, tmp_path):
    (tmp_path / f"{KIL}.toml").write_bytes('ar = 2022\n[mal.behorighet]\nkommentar = "Sjönk"\n'.encode("latin-1"))
    with pytest.raises(CommentaryError, match=r"1715.toml, rad 3: filen är inte sparad som UTF-8"):
        load_commentary(tmp_path, config, KIL)
