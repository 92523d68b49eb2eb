"""One sans-serif font, shipped with the project, in every chart: on screen and in exported PNG/SVG."""

from __future__ import annotations

import re

import pytest
from fontTools.ttLib import TTFont

from nyap.present.export import chart_svg
from nyap.present.fonts import CHART_FONT, FONT_DIR
from nyap.serving.store import ResultStore
from nyap.ui.style import CSS
from nyap.present.views import source_line

NAMES = {"1780": "Karlstad", "1715": "Kil", "1784": "Arvika", "1760": "Storfors"}


@pytest.fixture(scope="module")
def glyphs() -> set[int]:
    font = TTFont(str(FONT_DIR / "SourceSansPro-Regular.ttf"))
    return set(font.getBestCmap())


def _texts(spec) -> list[str]:
    """Every string a chart can draw: titles, subtitles, axis titles, labels from the data."""
    out = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("text", "subtitle", "title", "label", "name", "status_text",
                                                 "remaining_text", "gender_label"):
            out.append(node)
    walk(spec)
    return out


def test_the_font_files_ship_with_the_project_and_the_app_serves_them():
    for weight in ("Regular", "Semibold", "Bold"):
        assert (FONT_DIR / f"SourceSansPro-{weight}.ttf").stat().st_size > 100_000
        assert f'url("app/static/fonts/SourceSansPro-{weight}.ttf")' in CSS
    assert (FONT_DIR / "SourceSansPro-LICENSE.txt").exists()
    assert CHART_FONT.startswith("Source Sans Pro")


def test_every_chart_text_is_drawn_with_the_shipped_font(demo_cache, config, glyphs):
    """A character the font lacks would be drawn in a machine font (the serif note line of the
    old PNGs): every character of every chart text must be in Source Sans Pro."""
    store = ResultStore(demo_cache, config)
    missing: dict[str, str] = {}
    for item in store.items.values():
        view = store.goal_view(item, 2022)
        src = source_line(view, demo_cache.is_demo, "2026-11-23")
        for area, genders in (("1780", ("T",)), ("0017", ("K", "M"))):
            charts = store.goal_charts(view, area, genders, NAMES, src)
            for result in (charts.trend, charts.bars, charts.gap):
                if result is None:
                    continue
                for text in _texts(result.spec):
                    for ch in text:
                        if ord(ch) not in glyphs:
                            missing.setdefault(ch, text)
    assert not missing, missing


def test_exported_svg_names_only_the_shipped_font(demo_cache, config):
    store = ResultStore(demo_cache, config)
    item = next(iter(store.items.values()))
    view = store.goal_view(item, 2022)
    charts = store.goal_charts(view, "1780", ("T",), NAMES, source_line(view, True))
    svg = chart_svg(charts.trend.spec)
    families = set(re.findall(r'font-family="([^"]+)"', svg))
    assert families == {CHART_FONT}
