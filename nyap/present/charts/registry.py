"""Every chart kind of a goal page, once: its one name, what it is called, its value in a slide
link or talk file, its download suffix, its height on a slide, and whether it can be a slide.
The goal page, the presentation (links, talk files, room sizes), the exports and the schema test
read this table; a new kind is a module beside this one plus one entry here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChartKind:
    key: str  # the one name in code: GoalCharts' field, show_chart's key
    label: str  # Swedish, as the page's "Visa i presentationsläge" links and talk errors say it
    link_value: str  # `diagram = …` in a slide link and `chart = …` in presentation.toml
    file_suffix: str  # downloads: "<goal>-<area>-<year>-<suffix>.png"
    room_height: int | None = None  # the plot's height on a 1920×1080 slide; None: not a slide
    needs_municipalities: bool = False  # drawn only where the goal has municipality values

    @property
    def slide(self) -> bool:
        return self.room_height is not None


TREND = ChartKind("trend", "över tid", "trend", "over-tid", room_height=640)
BARS = ChartKind("bars", "alla kommuner", "kommuner", "alla-kommuner", room_height=700, needs_municipalities=True)
GAP = ChartKind("gap", "målgap", "malgap", "malgap", room_height=780, needs_municipalities=True)
MAP = ChartKind("map", "karta", "karta", "karta", needs_municipalities=True)

KINDS: tuple[ChartKind, ...] = (TREND, BARS, GAP, MAP)
BY_KEY = {k.key: k for k in KINDS}
BY_LINK = {k.link_value: k for k in KINDS}
SLIDES = tuple(k for k in KINDS if k.slide)


def kinds_for(has_municipalities: bool, slides_only: bool = False) -> tuple[ChartKind, ...]:
    """The kinds a goal page shows (or can put on a slide) for a goal with or without values per
    municipality."""
    return tuple(k for k in (SLIDES if slides_only else KINDS) if has_municipalities or not k.needs_municipalities)
