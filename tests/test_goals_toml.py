"""goals.toml: the shipped file is complete, and mistakes give messages naming goal and field."""

from __future__ import annotations

import re

import pytest

from nyap import DEFAULT_GOALS_FILE
from nyap.rules.goals import GoalsError, load_goals, parse_goals

SHIPPED = DEFAULT_GOALS_FILE.read_text(encoding="utf-8")

EXPECTED_IDS = {
    "tobaksrok", "karies", "overvikt4", "behorighet", "examen", "placerade", "uva", "sjalvmord",
    "stillasittande", "nyanlanda", "fallskador", "trygg5", "hjalp5", "nyfiken5", "aldreomsorg", "ifo",
    "lss", "npe_kontinuitet", "npe_respekt", "npe_stod", "medellivslangd", "ekonomi_barn", "god_halsa",
    "tillit",
}


def test_shipped_goals_has_all_24_goals_of_the_steering_document(config):
    assert {g.id for g in config.goals} == EXPECTED_IDS
    assert {c.name for c in config.challenges} == {"Barnalivet", "Ungdomslivet", "Vuxenlivet", "Äldrelivet"}
    assert config.meta.county == "0017" and config.meta.min_n == 100
    assert (config.meta.baseline_year, config.meta.target_year) == (2017, 2022)
    every_challenge_has_goals = all(config.goals_for(c.name) for c in config.challenges)
    assert every_challenge_has_goals


def test_shipped_goals_encode_the_special_cases(config):
    tillit = config.goal("tillit")
    assert tillit.indicators[0].id == "U01413" and tillit.indicators[0].transform == "complement"
    fall = config.goal("fallskador")
    assert fall.indicators[0].scale == 0.01 and fall.change == 10 and fall.value_unit == "per 1 000 inv. 80+"
    trygg = config.goal("trygg5")
    assert [(r.id, r.first_year, r.last_year) for r in trygg.indicators] == [
        ("N15557", None, 2021), ("N15613", 2022, None)]
    assert config.goal("sjalvmord").direction_only and config.goal("sjalvmord").change is None
    life = config.goal("medellivslangd")
    assert life.gender_gap and {(r.id, r.gender) for r in life.indicators} == {("N00925", "K"), ("N00923", "M")}
    assert config.goal("aldreomsorg").tracks == ("Hemtjänst", "Särskilt boende")
    god = config.goal("god_halsa")
    assert god.default_age_group("Ungdomslivet") == "18-29" and god.default_age_group("Äldrelivet") == "65-84"
    assert config.goal("behorighet").tolerance == pytest.approx(0.2)


def test_more_than_one_goal_period_is_expressible():
    text = SHIPPED.replace(
        'id = "behorighet"\ntext = "Fler elever i åk 9 ska vara behöriga till gymnasiet"',
        'id = "behorighet"\ntext = "Fler elever i åk 9 ska vara behöriga till gymnasiet"\n'
        'period = [{ baseline_year = 2022, target_year = 2026, change = 3 }]')
    goal = parse_goals(text).goal("behorighet")
    assert [(p.baseline_year, p.target_year, p.change) for p in goal.periods] == [(2017, 2022, 2.0), (2022, 2026, 3.0)]
    assert goal.period_for(2020).baseline_year == 2017 and goal.period_for(2023).baseline_year == 2022


def mutate(old: str, new: str) -> str:
    assert old in SHIPPED, old
    return SHIPPED.replace(old, new, 1)


BEHORIGHET = 'id = "behorighet"\ntext = "Fler elever i åk 9 ska vara behöriga till gymnasiet"\ndimension = "H"\ndirection = "increase"\nchange = 2\n'

MISTAKES = [
    ("unknown direction", mutate(BEHORIGHET, BEHORIGHET.replace('"increase"', '"uppåt"')),
     "mål 'behorighet', fält 'direction'", "okänd riktning 'uppåt'"),
    ("unknown indicator", mutate('  id = "N15428"', '  id = "behörighet-åk9"'),
     "mål 'behorighet', fält 'indicator.id'", "okänd indikator 'behörighet-åk9'"),
    ("change on a direction-only goal", mutate('direction_only = true\ntolerance = 0.5',
                                                'direction_only = true\ntolerance = 0.5\nchange = 1'),
     "mål 'sjalvmord', fält 'change'", "bara riktning"),
    ("duplicate id", mutate('id = "examen"', 'id = "behorighet"'),
     "mål 'behorighet' (nr 5), fält 'id'", "används redan av mål nr 4"),
    ("bad year", mutate(BEHORIGHET, BEHORIGHET + "baseline_year = 20170\n"),
     "mål 'behorighet', fält 'baseline_year'", "ogiltigt år 20170"),
    ("target before baseline", mutate(BEHORIGHET, BEHORIGHET + "baseline_year = 2023\n"),
     "mål 'behorighet', fält 'target_year'", "måste vara senare än basåret 2023"),
    ("missing change", mutate(BEHORIGHET, BEHORIGHET.replace("change = 2\n", "")),
     "mål 'behorighet', fält 'change'", "förändringen saknas"),
    ("negative change", mutate(BEHORIGHET, BEHORIGHET.replace("change = 2", "change = -2")),
     "mål 'behorighet', fält 'change'", "positivt tal"),
    ("text instead of number", mutate(BEHORIGHET, BEHORIGHET.replace("change = 2", 'change = "två"')),
     "mål 'behorighet', fält 'change'", "'två'"),
    ("unknown challenge", mutate('challenges = ["Ungdomslivet"]\n  [[goal.indicator]]\n  id = "N15428"',
                                 'challenges = ["Ungdomsliv"]\n  [[goal.indicator]]\n  id = "N15428"'),
     "mål 'behorighet', fält 'challenges'", "okänd utmaning 'Ungdomsliv'"),
    ("unknown dimension", mutate(BEHORIGHET, BEHORIGHET.replace('dimension = "H"', 'dimension = "X"')),
     "mål 'behorighet', fält 'dimension'", "okänd dimension 'X'"),
    ("misspelt field", mutate(BEHORIGHET, BEHORIGHET.replace("change = 2", "chnage = 2")),
     "mål 'behorighet', fält 'chnage'", "okänt fält"),
    ("unknown transform", mutate('transform = "complement"', 'transform = "invert"'),
     "mål 'tillit', fält 'indicator.transform'", "okänd omräkning 'invert'"),
    ("gender mapping", mutate('id = "N00925"\n  gender = "K"', 'id = "N00925"\n  gender = "kvinnor"'),
     "mål 'medellivslangd', fält 'indicator.gender'", "\"K\" eller \"M\""),
    ("unknown unit", mutate('unit = "per_1000"', 'unit = "promille"'),
     "mål 'fallskador', fält 'unit'", "okänd enhet 'promille'"),
    ("bad county code", mutate('county = "0017"', "county = 17"),
     "[meta], fält 'county'", "ogiltig områdeskod 17"),
    ("raised period that starts too early", mutate(BEHORIGHET, BEHORIGHET + "period = [{ baseline_year = 2016, target_year = 2020, change = 3 }]\n"),
     "mål 'behorighet', period nr 2, fält 'period.baseline_year'", "måste börja efter"),
]


@pytest.mark.parametrize("name,text,where,what", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistake_gives_a_message_naming_goal_and_field(name, text, where, what):
    with pytest.raises(GoalsError) as exc:
        parse_goals(text)
    matching = [p for p in exc.value.problems if where in p]
    assert matching, f"no message about {where!r} in {exc.value.problems}"
    assert any(what in p for p in matching), matching


def test_toml_syntax_error_says_where():
    with pytest.raises(GoalsError) as exc:
        parse_goals(SHIPPED.replace('change = 3\nchallenges = ["Ungdomslivet"]', 'change = 3\nchallenges = ["Ungdomslivet"', 1))
    # where, in Swedish; not the parser's English ("Unclosed array (at line 9, column 1)")
    assert re.search(r"inte giltig TOML \(rad \d+, kolumn \d+\)", str(exc.value)), str(exc.value)
    assert "line" not in str(exc.value) and "Unclosed" not in str(exc.value)


def test_all_problems_are_reported_at_once():
    text = mutate(BEHORIGHET, BEHORIGHET.replace('"increase"', '"upp"').replace('"H"', '"Q"'))
    with pytest.raises(GoalsError) as exc:
        parse_goals(text)
    fields = " ".join(exc.value.problems)
    assert "fält 'direction'" in fields and "fält 'dimension'" in fields


def test_missing_file_is_a_clear_message(tmp_path):
    with pytest.raises(GoalsError, match="filen finns inte"):
        load_goals(tmp_path / "goals.toml")


def test_cli_check_reports_goal_errors_without_traceback(tmp_path, capsys):
    from nyap.__main__ import main

    bad = tmp_path / "goals.toml"
    bad.write_text(mutate(BEHORIGHET, BEHORIGHET.replace('"increase"', '"uppåt"')), encoding="utf-8")
    assert main(["--goals", str(bad), "check"]) == 2
    err = capsys.readouterr().err
    assert "Fel i goals.toml" in err and "mål 'behorighet', fält 'direction'" in err
    assert "Traceback" not in err
