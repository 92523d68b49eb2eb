"""AppTest: every page, every filter, the link, and what the charts' data contain."""

from __future__ import annotations

import pytest

from nyap.rules.goals import load_goals
from nyap.present.views import focus_items
from nyap import DEFAULT_GOALS_FILE

import pandas as pd

from .apptest_helpers import (
    CHALLENGES, PAGE_FILES, assert_clean, chart_data, chart_datasets, chart_spec, chart_title, charts, highlighted, open_app,
    page_text, switch,
)
from .report_words import undrawn

CONFIG = load_goals(DEFAULT_GOALS_FILE)


@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_every_page_renders_on_the_real_default_cache_without_a_demo_mark(page):
    at = open_app(page)
    assert_clean(at)
    everything = page_text(at) + " ".join(str(e.proto) for e in at.get("html"))
    assert "DEMODATA" not in everything and "Demodata" not in everything and "påhittade" not in everything
    assert not any("Demodata" in w.value for w in at.warning)
    if page in CHALLENGES:  # the goal in focus names the extract: its source line, or why it has no data
        assert "Kolada, uttag augusti 2024" in everything or "Kolada-uttaget (augusti 2024)" in everything
    if page == "Om data":
        assert "Kolada, uttag augusti 2024" in everything


@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_every_page_renders_with_demo_notice(page, on_demo_data):
    at = open_app(page)
    assert_clean(at)
    if page == "Presentation":  # a room sees a one-line mark above the heading, no notice box
        html = " ".join(str(e.proto) for e in at.get("html"))
        assert "DEMODATA" in html and "nyap-room-h" in " ".join(m.value for m in at.markdown)
        return
    assert at.title and at.title[0].value
    assert any("Demodata" in w.value for w in at.warning), "demo notice missing"


@pytest.mark.parametrize("page", CHALLENGES)
def test_challenge_page_lists_every_goal_and_draws_three_charts(page):
    at = open_app(page)
    assert_clean(at)
    text = page_text(at)
    for goal in CONFIG.goals_for(page):
        assert goal.text in text
    challenge = next(c for c in CONFIG.challenges if c.name == page)
    assert challenge.aim in text
    n = len(charts(at))
    # L-type goals (county only) draw one chart and say why; others draw four
    assert n in (0, 1, 4)  # over time, all municipalities, goal gap, map
    if n == 1:
        assert "Kolada-typ L" in text
    if n == 0:  # the goal in focus has no values in the extract: the page says why and what brings data
        assert "finns inte i Kolada-uttaget (augusti 2024)" in text and "make refresh" in text


def test_every_goal_in_focus_renders(subtests=None):
    for page in CHALLENGES:
        at = open_app(page)
        box = at.selectbox(key=f"{page}__goal")
        for key in box.options:
            at.selectbox(key=f"{page}__goal").set_value(key).run()
            assert_clean(at)
            if not charts(at):  # no values in the extract: the reason and the remedy instead
                text = page_text(at)
                assert "Det finns inga värden att visa" in text, (page, key)
                assert ("finns inte i Kolada-uttaget (augusti 2024)" in text
                        or "kräver ett regionalt uttag" in text), (page, key)


def test_municipality_filter_changes_the_charts_data():
    at = open_app("Ungdomslivet")
    county = chart_data(charts(at)[0])
    at.selectbox(key="Ungdomslivet__area").set_value("1780").run()
    assert_clean(at)
    trend = charts(at)[0]
    data = chart_data(trend)
    assert set(highlighted(data, chart_spec(trend))["name"]) == {"Karlstad"}  # highlighted, not faint
    assert highlighted(county, chart_spec(charts(open_app("Ungdomslivet"))[0])).empty  # the county view: the county
    assert "Karlstad" in chart_title(trend)
    assert at.query_params["kommun"] == "1780"


def test_gender_filter_shows_women_and_men_side_by_side():
    at = open_app("Ungdomslivet", {"kommun": "1780"})
    at.radio(key="Ungdomslivet__gender").set_value("KM").run()
    assert_clean(at)
    for chart in charts(at)[:2]:
        assert {"K", "M"} <= sexes_drawn(chart_data(chart)) and "T" not in sexes_drawn(chart_data(chart))
    at.radio(key="Ungdomslivet__gender").set_value("K").run()
    assert sexes_drawn(chart_data(charts(at)[1])) == {"K"}


def sexes_drawn(data: pd.DataFrame) -> set[str]:
    """The sexes a chart's rows are for (charts carry only the columns they draw: the code or the
    Swedish label)."""
    codes = {"Totalt": "T", "Kvinnor": "K", "Män": "M"}
    found = set(data["gender"].dropna()) if "gender" in data else set()
    if "gender_label" in data:
        found |= {codes[g] for g in data["gender_label"].dropna()}
    return found


def test_year_filter_moves_the_as_of_year():
    at = open_app("Ungdomslivet", {"kommun": "1780"})
    at.selectbox(key="Ungdomslivet__year").set_value(2019).run()
    assert_clean(at)
    trend, bars, _, karta = charts(at)
    assert chart_title(bars).endswith("Alla kommuner – 2019")
    assert chart_title(karta).endswith("Länets kommuner 2019 – värde")
    assert chart_data(trend).query("name == 'Karlstad'")["year"].max() == 2019
    assert at.query_params["ar"] == "2019"


def test_goal_in_focus_is_chosen_and_kept_in_the_link():
    at = open_app("Ungdomslivet")
    at.selectbox(key="Ungdomslivet__goal").set_value("uva").run()
    assert_clean(at)
    assert "varken studerar eller arbetar" in chart_title(charts(at)[0])
    assert at.query_params["mal"] == "uva"


def test_age_group_filter_only_for_survey_goals_and_page_default(on_demo_data):  # demo-only features: age groups, survey, suppression
    at = open_app("Äldrelivet", {"mal": "god_halsa"})
    assert_clean(at)
    age = at.selectbox(key="Äldrelivet__age")
    assert age.value == "65-84"  # Äldrelivet starts at its default age group
    before = chart_data(charts(at)[1])
    age.set_value("18-84").run()
    assert_clean(at)
    after = chart_data(charts(at)[1])
    assert not before["value"].equals(after["value"])
    assert at.query_params["alder"] == "18-84"
    at.selectbox(key="Äldrelivet__goal").set_value("fallskador").run()
    assert not [s for s in at.selectbox if s.key == "Äldrelivet__age"]  # no age groups in Kolada data


def test_ungdomslivet_starts_at_18_29_for_god_halsa(on_demo_data):  # demo-only features: age groups, survey, suppression
    at = open_app("Ungdomslivet", {"mal": "god_halsa"})
    assert at.selectbox(key="Ungdomslivet__age").value == "18-29"


def test_invalid_link_values_give_a_swedish_notice_not_an_exception():
    at = open_app("Ungdomslivet", {"kommun": "9999", "kon": "X", "ar": "²", "alder": "<script>", "mal": "nope"})
    assert_clean(at)
    text = page_text(at)
    assert "Okänd kommun i länken" in text and "Året ² finns inte" in text
    assert "Målet nope finns inte" in text and "<script>" not in "".join(m.value for m in at.markdown)
    assert at.selectbox(key="Ungdomslivet__area").value == "0017"


def test_link_reproduces_the_view():
    query = {"kommun": "1784", "kon": "M", "ar": "2021", "mal": "examen"}
    at = open_app("Ungdomslivet", query)
    assert_clean(at)
    assert at.selectbox(key="Ungdomslivet__area").value == "1784"
    assert at.radio(key="Ungdomslivet__gender").value == "M"
    assert at.selectbox(key="Ungdomslivet__year").value == 2021
    assert at.selectbox(key="Ungdomslivet__goal").value == "examen"
    assert "Arvika" in chart_title(charts(at)[0])
    assert dict(at.query_params.items()) == query


def test_selection_survives_page_switches():
    at = open_app("Ungdomslivet")
    at.selectbox(key="Ungdomslivet__goal").set_value("uva").run()
    at.selectbox(key="Ungdomslivet__area").set_value("1762").run()
    at.radio(key="Ungdomslivet__gender").set_value("K").run()
    at.selectbox(key="Ungdomslivet__year").set_value(2020).run()
    at = switch(at, "Barnalivet")
    assert_clean(at)
    assert at.selectbox(key="Barnalivet__area").value == "1762"
    assert at.radio(key="Barnalivet__gender").value == "K"
    assert at.selectbox(key="Barnalivet__year").value == 2020
    assert at.query_params["kommun"] == "1762"
    at = switch(at, "Översikt")
    assert at.selectbox(key="Översikt__area").value == "1762"
    assert "Munkfors – alla mål" in page_text(at)
    at = switch(at, "Ungdomslivet")  # back again: the goal in focus there is remembered
    assert at.selectbox(key="Ungdomslivet__goal").value == "uva"


def test_l_type_goal_says_why_there_are_no_municipality_values(on_demo_data):  # demo-only features: age groups, survey, suppression
    at = open_app("Barnalivet", {"kommun": "1780", "mal": "karies"})
    assert_clean(at)
    assert "finns bara för regioner" in page_text(at)
    shown = charts(at)
    data = chart_data(shown[0])
    names = set(data["name"].dropna().astype(str))
    # the chart draws the county's series (and the country where there is one), no municipality's
    assert "Region Värmland" in names, names
    municipalities = {CONFIG.region.names()[c] for c in CONFIG.region.municipalities}
    assert not names & municipalities, names & municipalities
    assert len(shown) == 1  # no "all municipalities" or goal-gap chart for a regions-only goal


def test_overview_matrix_has_every_goal_and_links_to_its_section(on_demo_data):  # demo-only features: age groups, survey, suppression
    at = open_app("Översikt")
    assert_clean(at)
    html = page_text(at)
    for goal in CONFIG.goals:
        assert goal.text in html
    assert "av 24 mål rör sig åt rätt håll i länet" in html
    assert 'href="Ungdomslivet?kommun=0017&amp;kon=T&amp;ar=2024&amp;mal=behorighet"' in html
    assert "%C3%84ldrelivet?" in html  # Äldrelivet, encoded


def test_overview_with_a_municipality_is_its_profile():
    at = open_app("Översikt", {"kommun": "1780"})
    assert_clean(at)
    html = page_text(at)
    assert "Karlstad – alla mål" in html and "av 24 mål rör sig åt rätt håll i Karlstad" in html


def test_om_data_lists_every_indicator(on_demo_data):  # demo-only features: age groups, survey, suppression
    at = open_app("Om data")
    assert_clean(at)
    html = page_text(at)
    for goal in CONFIG.goals:
        for ref in goal.indicators:
            assert f"<td>{ref.id}</td>" in html
    assert "konfidensintervall" in html and "egen beräkning" in html


def test_suppressed_values_never_reach_a_chart_or_table(on_demo_data):  # demo-only features: age groups, survey, suppression
    at = open_app("Äldrelivet", {"mal": "god_halsa", "kommun": "1762", "kon": "KM"})
    assert_clean(at)
    seen_suppressed = 0
    for chart in charts(at):
        for data in chart_datasets(chart):
            # charts carry only the columns they draw: a suppressed group is labelled ".." and
            # has no value and no interval
            if "label" in data:
                hidden = data[data["label"].astype(str).str.startswith("..")]
                seen_suppressed += len(hidden)
                for col in ("value", "ci_low", "ci_high"):
                    if col in hidden:
                        assert hidden[col].isna().all(), col
    assert seen_suppressed > 0  # Munkfors 65–84: too few answers among women/men
    # the data tables under the charts (plain HTML) show the group as ".."
    tables = [h.proto.body for h in at.get("html") if "Data bakom diagrammet" in h.proto.body]
    assert tables and any("<td>..</td>" in t for t in tables)


def test_survey_goal_says_which_source_is_shown(on_demo_data):  # demo-only features: age groups, survey, suppression
    at = open_app("Vuxenlivet", {"mal": "god_halsa"})
    assert_clean(at)
    text = page_text(at)
    assert "Källa som visas: **Liv & Hälsa**" in text
    assert "Samma indikator finns också från Kolada" in text


def test_broken_goals_file_gives_a_swedish_message_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "goals.toml"
    bad.write_text(DEFAULT_GOALS_FILE.read_text(encoding="utf-8").replace('direction = "increase"', 'direction = "upp"', 1),
                   encoding="utf-8")
    monkeypatch.setenv("NYAP_GOALS_FILE", str(bad))
    for page in ("Översikt", "Ungdomslivet"):
        at = open_app(page)
        assert not at.exception
        errors = " ".join(e.value for e in at.error)
        assert "Målfilen goals.toml har fel" in errors and "fält 'direction'" in errors


def test_broken_cache_gives_a_swedish_message(tmp_path, monkeypatch):
    broken = tmp_path / "cache"
    broken.mkdir()
    (broken / "manifest.json").write_text("{trasig", encoding="utf-8")
    monkeypatch.setenv("NYAP_CACHE_DIR", str(broken))
    at = open_app("Vuxenlivet")
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Datacachen kan inte läsas" in errors and "inte giltig JSON" in errors


def test_overview_and_profile_offer_their_table_for_excel():
    at = open_app("Översikt", {"kommun": "1715", "kon": "KM"})
    assert_clean(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Ladda ner profilen som tabell (kvinnor, CSV för Excel)" in labels
    assert "Ladda ner profilen som tabell (män, CSV för Excel)" in labels
    county = open_app("Översikt")
    assert "Ladda ner översikten som tabell (totalt, CSV för Excel)" in [b.proto.label for b in county.get("download_button")]


def test_goals_without_data_in_the_extract_say_why_on_their_page_and_the_overview():
    """Real figures: karies (N80401) is not in the extract; overvikt4 needs the child health
    care's extract. The goal page and the overview say so, with what would bring data."""
    at = open_app("Barnalivet", {"mal": "karies"})
    assert_clean(at)
    text = page_text(at)
    assert ("N80401 finns inte i Kolada-uttaget (augusti 2024). Uppdatera från Kolada (make refresh) "
            "eller importera ett regionalt uttag.") in text.replace("\\", "")
    at = open_app("Översikt")
    html = " ".join(h.proto.body for h in at.get("html"))
    for goal_id in ("karies", "overvikt4", "placerade", "sjalvmord", "npe_kontinuitet", "npe_respekt", "npe_stod",
                    "trygg5", "hjalp5", "nyfiken5"):
        assert CONFIG.goal(goal_id).text.replace("&", "&amp;") in html.split('class="nyap-missing"')[1], goal_id
    assert "BHV_overvikt4 kräver ett regionalt uttag (Region Värmland, barnhälsovården)" in html
    assert "N15557 (t.o.m. 2021) finns inte i Kolada-uttaget (augusti 2024), så målet saknar basvärde" in html
    # a goal with values says nothing of the kind
    assert CONFIG.goal("behorighet").text not in html.split('class="nyap-missing"')[1]


def test_a_challenge_page_opens_on_a_goal_with_data():
    """Real figures: Vuxenlivet's first goal (självmord) has no values in the extract; without a
    goal in the link the page opens on the first goal that has data, with its charts."""
    at = open_app("Vuxenlivet")
    assert_clean(at)
    focus = next(s for s in at.selectbox if s.value in {i.key for i in focus_items(CONFIG, "Vuxenlivet")})
    assert focus.value == "stillasittande"
    linked = open_app("Vuxenlivet", {"mal": "sjalvmord"})  # a link to it still opens it
    assert next(s for s in linked.selectbox if s.value == "sjalvmord")


def test_women_and_men_with_a_long_municipality_name(tmp_path, monkeypatch):
    """A municipality's name of 80 characters (a refresh takes Kolada's names): the profile for
    women and men used to crash on two download buttons with the same shortened key; each file
    keeps its sex and year in its name."""
    import shutil

    from nyap import DEFAULT_CACHE_DIR
    from nyap.data.cache import load_cache, write_cache

    cache_dir = tmp_path / "cache"
    shutil.copytree(DEFAULT_CACHE_DIR, cache_dir)
    cache = load_cache(cache_dir)
    areas = cache.areas.copy()
    areas.loc[areas["code"] == "1715", "name"] = "Kil " + "med ett mycket långt namn " * 3
    write_cache(type(cache)(cache.observations, cache.indicators, areas, cache.manifest), cache_dir, {})
    monkeypatch.setenv("NYAP_CACHE_DIR", str(cache_dir))
    at = open_app("Översikt", {"kommun": "1715", "kon": "KM"})
    assert_clean(at)
    keys = [b.key for b in at.get("download_button")]
    assert sum("Kvinnor" in k for k in keys) == 2 and sum("Män" in k for k in keys) == 2, keys  # CSV + Excel each
    # the file names: shortened, with the sex and the year still in them
    from nyap.present.formatting import file_slug

    long = "alla-mal-" + areas.loc[areas["code"] == "1715", "name"].iloc[0]
    women, men = file_slug(f"{long}-Kvinnor-2022"), file_slug(f"{long}-Män-2022")
    assert women != men and women.endswith("kvinnor-2022") and men.endswith("man-2022") and len(women) <= 60


def test_the_women_men_gap_is_said_once_on_the_life_expectancy_page():
    """Medellivslängd has the gap as its own measure (gender_gap = true): the page says the gap
    once, with its status, not a second time in another format under "Jämlikhet över tid"."""
    goal = CONFIG.goal("medellivslangd")
    page = goal.challenges[0].name
    for area in ("1715", "0017"):
        at = open_app(page, {"kommun": area, "mal": "medellivslangd"})
        assert_clean(at)
        said = [m.value for m in at.markdown if "Skillnaden mellan kvinnor och män" in m.value]
        assert len(said) == 1, (area, said)
        assert "målet är att skillnaden ska minska" in said[0]


def test_the_women_men_gap_reads_the_same_in_the_app_and_the_report(default_store):
    """One rule (nyap/rules/equality.py) and one sentence: the life-expectancy page and Aktuellt
    perspektiv say the same gap, the same years and the same status, for Kil and for the county,
    on the shipped real figures."""
    import html
    import re

    from nyap.present.report import report_page
    from nyap.rules.statuses import STATUS_LABELS

    store = default_store
    page = CONFIG.goal("medellivslangd").challenges[0].name
    for area in ("1715", "0017"):
        at = open_app(page, {"kommun": area, "mal": "medellivslangd"})
        said = [m.value.replace("\\", "").replace("\u200b", "") for m in at.markdown
                if "Skillnaden mellan kvinnor och män" in m.value]
        assert len(said) == 1, (area, said)
        app_sentence = re.search(r"Skillnaden mellan kvinnor och män \(.*? år:", said[0]).group(0)
        numbers = re.findall(r"\d+,\d+ \(\d{4}\)", app_sentence)
        assert len(numbers) == 2, app_sentence  # baseline and latest, each with its year
        report = html.unescape(re.sub(r"<[^>]+>", "", report_page(store, area, draw=undrawn).html))
        assert app_sentence in report, (area, app_sentence)
        status = next(label for key, label in STATUS_LABELS.items() if label in said[0])
        assert f"{app_sentence} " in report and status in report.split(app_sentence, 1)[1][:80], area


def test_a_goal_with_its_own_period_is_captioned_with_it(tmp_path, monkeypatch):
    """A goal evaluated on its own [[goal.period]] is not captioned with the common period alone:
    the overview and the report name it beside the common period."""
    from nyap import DEFAULT_CACHE_DIR
    from nyap.data.cache import load_cache
    from nyap.present.report import report_page
    from nyap.serving.store import ResultStore

    text = DEFAULT_GOALS_FILE.read_text(encoding="utf-8")
    anchor = 'challenges = ["Ungdomslivet"]\n  [[goal.indicator]]\n  id = "N15428"'
    assert anchor in text
    own = text.replace(anchor, 'challenges = ["Ungdomslivet"]\n  [[goal.period]]\n  baseline_year = 2020\n'
                               '  target_year = 2030\n  change = 3\n  [[goal.indicator]]\n  id = "N15428"')
    goals_file = tmp_path / "goals.toml"
    goals_file.write_text(own, encoding="utf-8")
    monkeypatch.setenv("NYAP_GOALS_FILE", str(goals_file))
    config = load_goals(goals_file)
    common = f"målperiod {config.meta.baseline_year}–{config.meta.target_year}"
    expected = f"{common} (egen period: {config.goal('behorighet').text} 2020–2030)"
    at = open_app("Översikt", {"ar": "2022"})
    assert_clean(at)
    assert any(expected in c.value for c in at.caption), [c.value for c in at.caption]
    # before the goal's own period has started, the common one is in force for it too
    at = open_app("Översikt", {"ar": "2019"})
    assert any(f"{common}." in c.value for c in at.caption), [c.value for c in at.caption]
    store = ResultStore(load_cache(DEFAULT_CACHE_DIR), load_goals(goals_file))
    assert expected in report_page(store, "1715", 2022, draw=undrawn).html


def test_the_goal_page_shows_the_municipalitys_commentary_or_its_problem(monkeypatch, tmp_path):
    """kommentarer/1715.toml: Kil's words under behörighet, not under another goal or for Torsby; a
    broken file is named with its line instead of the comment."""
    monkeypatch.setenv("NYAP_COMMENTS_DIR", str(tmp_path))
    (tmp_path / "1715.toml").write_text('[mal.behorighet]\nkommentar = "Tappet gäller främst pojkar."\n'
                                        'atgarder = "Lovskola från hösten."\n', "utf-8")

    def html_of(at):
        return " ".join(h.proto.body for h in at.get("html"))

    at = open_app("Ungdomslivet", {"kommun": "1715", "mal": "behorighet"})
    assert_clean(at)
    body = html_of(at)
    assert "Kommunens kommentar" in body and "Tappet gäller främst pojkar." in body and "Lovskola från hösten." in body
    other = open_app("Ungdomslivet", {"kommun": "1715", "mal": "examen"})
    assert "Kommunens kommentar" not in html_of(other)
    torsby = open_app("Ungdomslivet", {"kommun": "1737", "mal": "behorighet"})
    assert "Kommunens kommentar" not in html_of(torsby)
    (tmp_path / "1715.toml").write_text('[mal.behorighet]\nkommentar = "saknar slutcitat\n', "utf-8")
    broken = open_app("Ungdomslivet", {"kommun": "1715", "mal": "behorighet"})
    assert_clean(broken)
    assert any("1715.toml" in w.value and "filen är inte giltig TOML (rad 2, kolumn 30)" in w.value
               for w in broken.warning), [w.value for w in broken.warning]


def test_the_profile_and_the_goal_page_answer_are_we_closing_in_on_the_county():
    """Kil's behörighet (real figures): 8,0 better than the county in 2017, 5,6 worse in 2022 – the
    profile says so in the row, the goal page has the sentence and the years in a table."""
    import re

    at = open_app("Översikt", {"kommun": "1715"})
    assert_clean(at)
    body = " ".join(h.proto.body for h in at.get("html"))
    row = re.search(r"<tr><th scope=\"row\"><a [^>]*mal=behorighet.*?</tr>", body).group(0)
    assert "har hamnat efter länet (2017→2022)" in row
    assert "8,0 procentenheter bättre än länet (2017) → 5,6 procentenheter sämre än länet (2022)" in row  # on hover
    goal = open_app("Ungdomslivet", {"kommun": "1715", "mal": "behorighet"})
    assert_clean(goal)
    assert any("Avstånd till länet och till bästa kommunen" in e.label for e in goal.expander)
    table = next(h.proto.body for h in goal.get("html") if "nyap-distances" in h.proto.body)
    first = re.search(r"<tbody><tr>(.*?)</tr>", table).group(1)  # the latest year first
    assert "<th scope=\"row\">2022</th>" in first and "80,1" in first and "5,6 sämre" in first
