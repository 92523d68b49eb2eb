"""The charts of a goal measure, one module per kind (trend, municipalities, goal_gap, map), the
shared machinery (base), room scaling for slides (room) and the registry of kinds (registry).

Every chart carries the Swedish d3 locale inside its spec, a Swedish title, axis titles with units,
a source line (with the demo notice when demo data is shown), large fonts and thick lines for the
projector, and colours that pass 3:1 contrast against white.
"""

from nyap.present.charts.base import CHOSEN_NAME_PARAM, CHOSEN_PARAM, ChartResult, finish, for_area, table_frame
from nyap.present.charts.goal_gap import goal_gap_chart
from nyap.present.charts.map import MAP_MODES, map_chart
from nyap.present.charts.municipalities import municipalities_chart
from nyap.present.charts.registry import BY_KEY, BY_LINK, KINDS, SLIDES, ChartKind, kinds_for
from nyap.present.charts.room import ASPECTS, ROOM_FONT, ROOM_HEIGHT, ROOM_WIDTH, room_spec
from nyap.present.charts.trend import publication_years, trend_chart, with_gaps

__all__ = [
    "BY_KEY", "BY_LINK", "CHOSEN_NAME_PARAM", "CHOSEN_PARAM", "KINDS", "MAP_MODES", "ROOM_FONT", "ROOM_HEIGHT",
    "ASPECTS", "ROOM_WIDTH", "SLIDES", "ChartKind", "ChartResult", "finish", "for_area", "goal_gap_chart", "kinds_for",
    "map_chart", "municipalities_chart", "publication_years", "room_spec", "table_frame", "trend_chart", "with_gaps",
]
