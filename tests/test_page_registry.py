"""One page registry: navigation, links, tests and scripts read the same list, derived from
goals.toml's challenges and the page files; a mismatch is a Swedish message, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

from nyap import DEFAULT_GOALS_FILE, PROJECT_ROOT
from nyap.rules.goals import load_goals
from nyap.serving.page_registry import page_for_challenge, page_problems, pages


def renamed_goals(tmp_path, old="Barnalivet", new="Barnlivet"):
    text = DEFAULT_GOALS_FILE.read_text(encoding="utf-8").replace(f'"{old}"', f'"{new}"')
    path = tmp_path / "goals.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_registry_follows_the_challenges_and_the_files(config):
    listed = pages(config)
    assert [p.key for p in listed] == ["Översikt", *[c.name for c in config.challenges], "Om data", "Presentation"]
    assert all((PROJECT_ROOT / p.file).exists() for p in listed)
    assert page_for_challenge(config)["Äldrelivet"] == "%C3%84ldrelivet"
    assert page_problems(config) == []


def test_a_renamed_challenge_is_reported_both_ways(tmp_path):
    config = load_goals(renamed_goals(tmp_path))
    problems = page_problems(config)
    assert any('Utmaningen "Barnlivet"' in p and "ingen sidfil" in p for p in problems)
    assert any("pages/1_Barnalivet.py" in p and "hör inte till någon utmaning" in p for p in problems)
    # the page list leaves the page without a file out, so the app still runs
    assert "Barnlivet" not in [p.key for p in pages(config)]


def test_check_fails_in_swedish_when_pages_and_challenges_differ(tmp_path):
    env = dict(os.environ, NYAP_GOALS_FILE=str(renamed_goals(tmp_path)))
    run = subprocess.run([sys.executable, "-m", "nyap", "check"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 1
    assert "sidorna stämmer inte med utmaningarna" in run.stderr and "Traceback" not in run.stderr


def test_a_page_whose_challenge_is_gone_says_so(tmp_path, monkeypatch):
    from .apptest_helpers import open_app, page_text

    monkeypatch.setenv("NYAP_GOALS_FILE", str(renamed_goals(tmp_path)))
    at = open_app("Barnalivet")
    assert not at.exception
    assert any("finns inte i goals.toml" in e.value for e in at.error)
    # the overview still links every goal; the one without a page is plain text
    overview = open_app("Översikt")
    assert not overview.exception and "Barnlivet" in page_text(overview)
