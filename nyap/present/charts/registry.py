"""Every chart kind of a goal page, once: its one name, what it is called, its value in a slide
link or talk file, its download suffix, its height on a slide, and its builder. The goal page, the
shared store, the presentation (links, talk files, room sizes), the exports and the schema test
read this table; a new kind is a module beside this one plus one entry here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nyap.present.charts import goal_gap, map as county_map, municipalities, trend

# a goal view's chart for one selection: (view, area, sexes, area names, source line, demo?,
# compared municipalities) -> ChartResult | None
Builder = Callable[..., object]


@dataclass(frozen=True)
class ChartKind:
    key: str  # the one name in code: GoalCharts' field, show_chart's key
    label: str  # Swedish, as the page's "Visa i presentationsläge" links and talk errors say it
    link_value: str  # `diagram = …` in a slide link and `chart = …` in presentation.toml
    file_suffix: str  # downloads: "<goal>-<area>-<year>-<suffix>.png"
    room_height: int | None = None  # the plot's height on a 1920×1080 slide; None: not a slide
    needs_municipalities: bool = False  # drawn only where the goal has municipality values
    # None: drawn from other inputs by its own page section (the map: the shapes and a mode)
    build: Builder | None = None
    room_adjust: Callable[[dict], dict] | None = None  # the kind's own changes on a slide
    modes: dict[str, str] | None = None  # a kind drawn in modes (the map: value or status)

    @property
    def slide(self) -> bool:
        return self.room_height is not None


TREND = ChartKind("trend", "över tid", "trend", "over-tid", room_height=640,
                  build=lambda view, area, genders, names, source, is_demo, compare=():
                  trend.trend_chart(view, area, genders, names, source, is_demo, compare=compare))
BARS = ChartKind("bars", "alla kommuner", "kommuner", "alla-kommuner", room_height=700, needs_municipalities=True,
                 build=lambda view, area, genders, names, source, is_demo, compare=():
                 municipalities.municipalities_chart(view, view.as_of, area, genders, names, source, is_demo, compare))
GAP = ChartKind("gap", "målgap", "malgap", "malgap", room_height=780, needs_municipalities=True,
                room_adjust=goal_gap.room_adjust,
                build=lambda view, area, genders, names, source, is_demo, compare=():
                goal_gap.goal_gap_chart(view, area, genders, names, source, is_demo))
# the map is built by the page's map section and the slide from the county's shapes and a mode
# (nyap/serving/page_content.py: county_map), so it has no per-selection builder here
MAP = ChartKind("map", "karta", "karta", "karta", room_height=860, needs_municipalities=True,
                room_adjust=county_map.room_adjust, modes=county_map.MAP_MODES)

KINDS: tuple[ChartKind, ...] = (TREND, BARS, GAP, MAP)
BY_KEY = {k.key: k for k in KINDS}
BY_LINK = {k.link_value: k for k in KINDS}
SLIDES = tuple(k for k in KINDS if k.slide)


def kinds_for(has_municipalities: bool, slides_only: bool = False) -> tuple[ChartKind, ...]:
    """The kinds a goal page shows (or can put on a slide) for a goal with or without values per
    municipality."""
    return tuple(k for k in (SLIDES if slides_only else KINDS) if has_municipalities or not k.needs_municipalities)
