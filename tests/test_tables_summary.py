"""Direct tests of the goal tables and the summaries: the words and links a user reads."""

from __future__ import annotations

import pandas as pd

from nyap.rules.evaluation_table import EvaluationTable
from nyap.serving.page_registry import page_for_challenge
from nyap.rules.statuses import STATUS_ORDER, worst_first
from nyap.present.summary import summary_sentence
from nyap.present.tables import legend_html, matrix_html, scroll_box, status_html


def test_the_worse_status_wins_in_one_place():
    rows = pd.DataFrame({"goal_id": ["a", "a", "b"], "status": ["right_way", "wrong_way", "reached"]})
    assert dict(zip(*worst_first(rows, ["goal_id"])[["goal_id", "status"]].T.values)) == {"a": "wrong_way", "b": "reached"}
    assert STATUS_ORDER[0] == "no_data" and STATUS_ORDER[-1] == "reached"


def test_summary_sentence_counts_goals_not_measures():
    rows = pd.DataFrame({"goal_id": ["a", "a", "b", "c", "d"],
                         "status": ["right_way", "right_way", "reached", "wrong_way", "no_data"]})
    assert summary_sentence(rows, "i Kil") == ("2 av 4 mål rör sig åt rätt håll i Kil (varav 1 uppnått); "
                                               "0 oförändrade, 1 åt fel håll, 1 utan data.")


def test_status_words_and_legend():
    assert "Redan vid 100" in legend_html() and "Inget" not in legend_html()
    html = status_html("no_data", label="Inget basvärde")
    assert "Inget basvärde" in html and "kvar" not in html
    assert scroll_box("<table></table>", "X <y>").startswith('<div class="nyap-scroll" role="region" tabindex="0" '
                                                             'aria-label="X &lt;y&gt;">')


def test_matrix_links_every_goal_to_its_page(config, demo_cache):
    from nyap.serving.store import ResultStore

    store = ResultStore(demo_cache, config)
    ev = store.overview_evaluations(2022)
    html = matrix_html(config, ev, "T", {"ar": "2022"}, store.region.names(), page_for_challenge(config))
    assert 'href="%C3%84ldrelivet?ar=2022&amp;mal=medellivslangd"' in html
    assert html.count("<tr>") >= 24 and "Karlstad" in html
    # a measure without any data counts as "Ingen data" in the county column, not as an error
    assert isinstance(ev.tables["Barnalivet"], EvaluationTable)


def test_the_overview_and_a_profile_download_as_numbers(config, demo_cache):
    from nyap.present.export import table_csv
    from nyap.present.tables import overview_frame
    from nyap.serving.store import ResultStore

    store = ResultStore(demo_cache, config)
    ev = store.overview_evaluations(2022)
    names = store.region.names()
    matrix = overview_frame(config, ev, "T", names)
    measures = sum(len(g.tracks) for c in config.challenges for g in config.goals_for(c.name))
    assert len(matrix) == measures * (1 + config.region.size)  # every measure × county and municipalities
    profile = overview_frame(config, ev, "K", names, ("1715", "0017"))
    assert set(profile["Område"]) == {"Kil", "Länet"} and set(profile["Kön"]) == {"Kvinnor"}
    assert str(profile["Basvärde"].dtype).startswith("float")
    # the table agrees with the page's own lookups
    row = profile[(profile["Mål-id"] == "behorighet") & (profile["Kod"] == "1715")].iloc[0]
    page = ev.row("behorighet", "", "1715", "K", "Ungdomslivet")
    assert row["Senaste värde"] == round(float(page["latest"]), 2) and row["Senaste år"] == int(page["latest_year"])
    text = table_csv(profile, "DEMODATA").decode("utf-8-sig")
    assert text.splitlines()[1].startswith("Utmaning;Mål;Mål-id;Enhet;Kod;Område;Kön;Basår;Basvärde")


def test_every_overview_cell_opens_that_area_and_goal_and_rows_say_their_unit(config, demo_cache):
    """Issue 13: the overview leads somewhere (cell -> municipality × goal) and each goal row
    names its unit (percentage points, per 1 000, index are not mixed silently)."""
    import re
    from urllib.parse import parse_qs, urlparse

    from nyap.present.tables import matrix_html
    from nyap.serving.page_registry import page_for_challenge
    from nyap.serving.store import ResultStore

    store = ResultStore(demo_cache, config)
    year = max(store.years)
    html = matrix_html(config, store.overview_evaluations(year), "T", {"kon": "T", "ar": str(year)},
                       store.region.names(), page_for_challenge(config))
    links = re.findall(r'<td class="cell[^"]*"><a href="([^"]+)"', html)
    targets = {(parse_qs(urlparse(h.replace("&amp;", "&")).query)["kommun"][0],
                parse_qs(urlparse(h.replace("&amp;", "&")).query)["mal"][0]) for h in links}
    assert ("1715", "behorighet") in targets and ("0017", "karies") in targets
    assert any(h.startswith("Ungdomslivet?") for h in links)
    for goal in config.goals:
        assert f'<span class="nyap-note">{goal.value_unit}</span>' in html.replace("&nbsp;", "\u00a0") or \
            goal.value_unit.replace(" ", "\u00a0") in html


def test_finding_a_goal_by_a_word_or_an_indicator_id(config, demo_cache):
    from nyap.present.catalogue import indicator_catalogue
    from nyap.present.search import find

    cat = indicator_catalogue(demo_cache, config)
    assert [h.item_key for h in find(config, cat, "KARIES")] == ["karies"]
    hits = find(config, cat, "U01901")  # a Kolada id finds its goal
    assert hits and hits[0].item_key == "tobaksrok" and "U01901" in hits[0].why
    assert {h.challenge for h in find(config, cat, "god hälsa")} >= {"Ungdomslivet", "Vuxenlivet", "Äldrelivet"}
    assert find(config, cat, "finnsinte") == [] and find(config, cat, "   ") == []


def test_the_headline_counts_every_status_so_the_parts_add_up():
    """A share already at 100 % ("Redan vid 100 %") is counted too: the numbers in the sentence
    add up to the number of goals (Kil, women: 23 of 24 before)."""
    import re

    from nyap.rules.statuses import STATUSES

    rows = pd.DataFrame({"goal_id": [f"g{i}" for i in range(len(STATUSES) + 2)],
                         "status": [*STATUSES, "at_limit", "right_way"]})
    sentence = summary_sentence(rows, "i Kil")
    assert "1 redan vid 100 %" not in sentence and "2 redan vid 100 %" in sentence
    # "N av TOTAL mål …": the first two numbers are the good ones and the whole
    good, total, *parts = [int(n) for n in re.findall(r"\d+", sentence.replace("100 %", ""))]
    reached = parts.pop(0)  # "(varav 1 uppnått)" is part of the good ones
    assert reached == 1 and good + sum(parts) == total == len(rows), sentence


def test_a_goal_with_identical_rows_on_several_pages_is_a_repeat(config, demo_cache):
    """God hälsa is on three challenge pages (an age group per page). Without age groups in the
    data (Kolada's U01405) the three pages' rows are identical: the later pages' rows are
    repeats. With age groups (the Liv & Hälsa extract) they differ and none is."""
    from nyap.present.views import repeated_focus_items
    from nyap.serving.store import ResultStore

    from .full_extract import full_cache

    real = ResultStore(full_cache(demo_cache), config)
    frame = real.overview_evaluations(2022).frame
    home = next(g for g in config.goals if g.id == "god_halsa").challenges
    assert len(home) > 1
    repeated = repeated_focus_items(config, frame)
    assert {(c.name, "god_halsa") for c in home[1:]} <= repeated
    assert ("god_halsa" not in {k for _, k in repeated if _ == home[0].name})
    assert all(key.split(".")[0] == "god_halsa" for _, key in repeated)  # no goal on one page only
    demo = ResultStore(demo_cache, config)
    demo_frame = demo.overview_evaluations(2022).frame
    if demo.age_groups:
        assert not {k for _, k in repeated_focus_items(config, demo_frame)} & {"god_halsa"}
