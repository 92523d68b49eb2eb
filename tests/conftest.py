"""Shared fixtures: the project's goals, the shipped default cache (real Kolada figures, extract of
August 2024), the invented demo cache built into a temporary directory, and the real Kolada data in
tests/fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from nyap import DEFAULT_CACHE_DIR, DEFAULT_GOALS_FILE, PROJECT_ROOT
from nyap.data.cache import load_cache
from nyap.rules.goals import load_goals

# Real Kolada figures for Värmland (Källa: Kolada; origin in tests/fixtures/kolada/README.md)
KOLADA_FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "kolada"
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session", autouse=True)
def _no_background_preparation_in_the_test_process():
    """The in-process app (AppTest) prepares no pages in the background: it has no workshop to
    serve, and the tests make many caches (nyap/ui/loaders.py). Apps the tests start as servers
    prepare as `make run` does."""
    from nyap.ui import loaders

    loaders.PREPARE_IN_BACKGROUND = False
    # the servers the tests start live for seconds: they prepare what `make run` prepares for the
    # first pages, not every sex and year (tens of seconds of CPU each, beside the tests);
    # tests/test_store.py checks what that preparation gives
    previous = os.environ.get("NYAP_PREPARE")
    os.environ["NYAP_PREPARE"] = "start"
    yield
    loaders.PREPARE_IN_BACKGROUND = True
    if previous is None:
        os.environ.pop("NYAP_PREPARE", None)
    else:
        os.environ["NYAP_PREPARE"] = previous


@pytest.fixture(scope="session")
def config():
    return load_goals(DEFAULT_GOALS_FILE)


@pytest.fixture(scope="session")
def demo_cache_dir(config, tmp_path_factory) -> Path:
    """The invented demo cache (`python -m nyap demo-cache`, deterministic), built into a temporary
    directory: what tests of demo-only features use (suppression, survey intervals, age groups,
    Liv & Hälsa examples). data/cache holds real figures."""
    from nyap.ingest.demo import write_demo_cache

    target = tmp_path_factory.mktemp("demo-cache") / "cache"
    write_demo_cache(target, config)
    return target


@pytest.fixture(scope="session")
def demo_cache(demo_cache_dir):
    return load_cache(demo_cache_dir)


@pytest.fixture(scope="session")
def default_cache():
    """The shipped cache in data/cache: real Kolada figures (make real-cache)."""
    return load_cache(DEFAULT_CACHE_DIR)


@pytest.fixture
def on_demo_data(demo_cache_dir, monkeypatch):
    """The app (AppTest, a served app) reads the demo cache instead of data/cache."""
    monkeypatch.setenv("NYAP_CACHE_DIR", str(demo_cache_dir))
    return demo_cache_dir


@pytest.fixture(scope="session")
def kolada_dir() -> Path:
    return KOLADA_FIXTURES


@pytest.fixture(scope="session")
def real_observations() -> pd.DataFrame:
    """The real Värmland values (the whole extract) as observations (source kolada), nulls kept as NaN."""
    from .full_extract import full_observations

    return full_observations()


@pytest.fixture(scope="session")
def real_refresh(config, tmp_path_factory):
    """One refresh from the fake Kolada server (real figures) for the session: (cache dir, cache,
    report), as a user's refresh makes them (a refresh is seconds; the modules share it)."""
    from .fake_kolada import refresh_from_fake

    target = tmp_path_factory.mktemp("real-cache") / "cache"
    cache, report = refresh_from_fake(config, target)
    return target, cache, report


@pytest.fixture(scope="session")
def real_cache_dir(real_refresh) -> Path:
    """A cache refreshed from the fake Kolada server (real figures), as a user's refresh makes it."""
    return real_refresh[0]


@pytest.fixture(scope="session")
def default_store(default_cache, config):
    """The shipped cache's result store, shared by the tests that only read it (as the app's
    visitors share one): each goal is evaluated once per test worker, not once per test."""
    from nyap.serving.store import ResultStore

    return ResultStore(default_cache, config)


@pytest.fixture(scope="session")
def full_store(demo_cache, config):
    """The whole real extract's result store (tests/full_extract.py), shared likewise."""
    from nyap.serving.store import ResultStore

    from .full_extract import full_cache

    return ResultStore(full_cache(demo_cache), config)


# ------------------------------------------------------------------ one served app per test worker

@pytest.fixture(scope="session")
def served_app():
    """The app on the shipped cache (real figures), started as `make run` starts it (prepared
    before its port opens), once per test worker: the browser modules share it instead of each
    starting and warming a server of its own (a start and its first pages are tens of seconds on a
    2-core machine). Tests that need a fresh or differently configured server start their own."""
    from nyap.ops.browser import running_app

    with running_app(prepared=True) as base:
        yield base


@pytest.fixture(scope="module")
def shared_browser():
    """One headless Chromium for a module's tests; each test opens its own pages (and contexts).
    Not one per session: Playwright's sync API keeps an event loop in the test process while it
    runs, and the tests that speak Streamlit's websocket (asyncio) or start their own browser
    cannot run beside it."""
    from nyap.ops.browser import launch_browser

    with launch_browser() as browser:
        yield browser


# ------------------------------------------------------------------ fast and slow tests

# `make test-fast` (the inner loop, well under a minute) leaves out every test marked slow: those
# that drive Chromium, serve the app, run commands in subprocesses or build every report.
# `make test` runs everything. One list here instead of marks scattered over the files.
SLOW_MODULES = {
    "test_browser", "test_accessibility", "test_compare_browser", "test_replicas", "test_report",
    "test_report_jobs", "test_other_county", "test_kolada_refresh", "test_cache_faults", "test_fonts",
    # AppTest runs of whole pages and every-goal-every-year comparisons (seconds each)
    "test_app_pages", "test_comparison", "test_tables_summary", "test_store", "test_page_registry",
}
SLOW_TESTS = {
    # browser tests and subprocess commands in otherwise quick modules
    "test_no_input_becomes_markup_on_any_page", "test_the_sample_talk_steps_by_keyboard",
    "test_the_served_app_lets_no_other_site_frame_and_drive_it_and_clear_cache_changes_nothing",
    "test_the_proxy_sends_safe_headers_and_every_page_passes_its_policy",
    "test_a_goal_link_opens_at_the_goal_in_focus", "test_check_reports_a_broken_presentation_in_swedish",
    "test_check_fails_in_swedish_when_pages_and_challenges_differ", "test_make_real_cache_rebuilds_the_shipped_cache",
    "test_every_chart_of_every_goal_is_valid_vega_lite", "test_all_years_at_once_equal_one_year_at_a_time",
    "test_report_counts_values_and_explains_each_empty_kpi", "test_a_chain_that_loses_its_baseline_is_warned_per_goal",
    # whole pages through AppTest, whole talks, images drawn by vl-convert
    "test_no_output_path_shows_a_suppressed_value", "test_a_tall_chart_widens_the_slide_and_is_never_cropped",
    "test_every_step_of_the_sample_talk_names_its_year",     "test_a_step_is_drawn_for_the_room", "test_the_overview_and_profile_downloads_start_with_source_and_date",
    "test_one_bad_step_does_not_stop_the_talk", "test_the_overview_slides_are_room_views_with_their_key",
    "test_a_visitors_clear_cache_leaves_the_shared_store", "test_a_slide_whose_figures_are_from_2021_says_2021",
    "test_the_map_is_a_slide_in_either_mode_with_the_municipality_outlined", "test_png_export_carries_the_demo_label",
    "test_png_and_svg_carry_title_source_line_and_demo_mark",
}


# the tests that drive Chromium (all of them slow too): `-m browser` runs only these
BROWSER_MODULES = {"test_browser", "test_accessibility", "test_compare_browser", "test_headers"}
BROWSER_TESTS = {"test_no_input_becomes_markup_on_any_page", "test_the_sample_talk_steps_by_keyboard",
                 "test_a_goal_link_opens_at_the_goal_in_focus"}
SLOW_TESTS |= BROWSER_TESTS | {"test_an_odd_link_gets_the_link_notice_not_the_generic_error"}


def _drives_a_browser(item) -> bool:
    """A test that starts Chromium or a served app, whether or not a list above names it: a new
    browser test cannot slip into the fast loop."""
    import inspect

    if {"browser", "app", "real_app", "served_app", "shared_browser"} & set(getattr(item, "fixturenames", ())):
        return True
    try:
        source = inspect.getsource(item.function)
    except (OSError, TypeError):
        return False
    return "launch_browser(" in source or "running_app(" in source


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        browser = module in BROWSER_MODULES or item.originalname in BROWSER_TESTS or _drives_a_browser(item)
        if module in SLOW_MODULES or item.originalname in SLOW_TESTS or browser:
            item.add_marker(pytest.mark.slow)
        if browser:
            item.add_marker(pytest.mark.browser)
