"""The filter specification: link parsing, validation, notices and the link form come from one
table (nyap/filters.SPEC)."""

from __future__ import annotations

from nyap.serving.filters import PARAMS, SPEC, FilterOptions, Filters, parse_query, resolve, to_query

OPTIONS = FilterOptions(areas=("0017", "1780", "1715"), years=(2020, 2021, 2022), age_groups=("18-29", "18-84"),
                        goals=("uva", "behorighet"))


def test_every_filter_has_one_entry_and_the_link_round_trips():
    assert [p.key for p in SPEC] == ["kommun", "kon", "ar", "alder", "jamfor", "mal"]
    assert set(PARAMS.values()) == set(Filters.__dataclass_fields__)
    view = Filters(area="1715", gender="KM", year=2021, age_group="18-29", goal="behorighet")
    link = to_query(view)
    assert link == {"kommun": "1715", "kon": "KM", "ar": "2021", "alder": "18-29", "mal": "behorighet"}
    values, notices = parse_query(link, OPTIONS)
    assert not notices and resolve(values, {}, OPTIONS) == view
    assert "mal" not in to_query(view, include_goal=False)


def test_a_comparison_round_trips_through_the_link_and_odd_ones_are_refused():
    """Issue 13: pick two to five municipalities, in the link too (jamfor=1715,1780)."""
    view = Filters(area="0017", gender="T", year=2021, goal="uva", compare=("1715", "1780"))
    link = to_query(view)
    assert link["jamfor"] == "1715,1780"
    values, notices = parse_query(link, OPTIONS)
    assert not notices and resolve(values, {}, OPTIONS) == view
    assert "jamfor" not in to_query(Filters(area="1780", year=2021, goal="uva"))
    for bad in ("1715,9999", "1715,<b>", ",".join(["1715"] * 1 + ["1780", "1782", "1783", "1784", "1785"])):
        values, notices = parse_query({"jamfor": bad}, OPTIONS)
        assert "compare" not in values and notices and notices[0].startswith("Jämförelsen i länken")
    values, _ = parse_query({"jamfor": "1715,1715,1780"}, OPTIONS)
    assert values["compare"] == ("1715", "1780")  # a repeated code counts once


def test_bad_link_values_are_swedish_notices_and_never_used():
    values, notices = parse_query({"kommun": "9999", "kon": "x", "ar": "20a2", "alder": "0-1", "mal": "<b>"}, OPTIONS)
    assert values == {}
    assert notices == ["Okänd kommun i länken (9999) ignoreras.", "Okänt kön i länken (x) ignoreras.",
                       "Året 20a2 finns inte i data och ignoreras.", "Okänd åldersgrupp i länken (0-1) ignoreras.",
                       "Målet <b> finns inte på den här sidan – visar det första målet."]
    # a page without goals ignores "mal" silently
    _, quiet = parse_query({"mal": "uva"}, FilterOptions(areas=("0017",), years=(2022,)))
    assert quiet == []


def test_the_carried_selection_fills_in_and_the_link_wins():
    carried = {"area": "1780", "gender": "K", "year": 2020, "age_group": None, "junk": 1}
    f = resolve({"year": 2022}, carried, OPTIONS)
    assert (f.area, f.gender, f.year, f.age_group, f.goal) == ("1780", "K", 2022, None, "uva")
    # a carried value this page does not offer falls back to the default
    assert resolve({}, {"area": "1880"}, OPTIONS).area == "0017"
