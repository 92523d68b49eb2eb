"""Room size: a page chart scaled for a projector slide (presentation mode)."""

from __future__ import annotations

# ------------------------------------------------------------------ room size (presentation mode)

ROOM_WIDTH, ROOM_HEIGHT = 1800, 640  # the plot of a presentation chart, drawn for a 1920×1080 screen
# the projector shapes a slide is drawn for: (name, plot width, height factor). A 16:10 screen has
# more height for the same width; a 4:3 one is drawn narrower (its text then keeps the same share
# of the screen's height as on 16:9) and taller. The page shows the one matching the screen (CSS).
ASPECTS = (("169", ROOM_WIDTH, 1.0), ("1610", ROOM_WIDTH, 1.22), ("43", 1300, 1.3))
ROOM_FONT = 27  # axis and legend labels at 1920×1080; the SVG scales with the screen
_ROOM_SCALE = ROOM_FONT / 16  # the page charts' labels are 16 px


def _scaled(node, k: float):
    """Every text size, offset, stroke and point of a chart, times k (a room reads it from 15 m)."""
    if isinstance(node, list):
        return [_scaled(n, k) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if key in ("fontSize", "labelFontSize", "titleFontSize", "dx", "dy", "yOffset", "xOffset",
                       "strokeWidth", "labelLimit", "symbolStrokeWidth", "offset", "titlePadding", "labelPadding"):
                value = value * k
            elif key in ("size", "symbolSize"):
                # a point's size is an area; a bar's is its thickness
                value = value * (k if node.get("type") in ("bar", "tick") else k * k)
        elif key in ("strokeWidth", "size") and isinstance(value, dict):
            value = _scaled_values(value, k * k if key == "size" else k)
        out[key] = _scaled(value, k) if isinstance(value, (dict, list)) else value
    return out


def _scaled_values(encoding: dict, k: float) -> dict:
    """A constant encoding ({"value": 5, "condition": {…, "value": 3}}) times k."""
    out = dict(encoding)
    if isinstance(out.get("value"), (int, float)):
        out["value"] = out["value"] * k
    cond = out.get("condition")
    if isinstance(cond, dict) and isinstance(cond.get("value"), (int, float)):
        out["condition"] = {**cond, "value": cond["value"] * k}
    return out


def room_spec(spec: dict, height: int = ROOM_HEIGHT, adjust=None, width: int = ROOM_WIDTH) -> dict:
    """A page chart for the presentation screen: the same marks and data, drawn at 1800 px with
    text, points and lines enlarged so that axis labels are 26 px at 1920×1080 (the SVG then
    scales with the screen). The heading and notes are page text; bands share a fixed height so
    that a chart with one row per municipality still fits the first screen."""
    out = _scaled({k: v for k, v in spec.items() if k not in ("title", "usermeta", "datasets")}, _ROOM_SCALE)
    out["width"] = width
    out["height"] = height
    out["config"] = {**out.get("config", {}), "axis": {**out.get("config", {}).get("axis", {}),
                                                       "labelFontSize": ROOM_FONT, "titleFontSize": ROOM_FONT},
                     "legend": {**out.get("config", {}).get("legend", {}), "labelFontSize": ROOM_FONT,
                                "titleFontSize": ROOM_FONT, "columns": 4}}
    if adjust is not None:  # the kind's own room changes (the registry's room_adjust)
        out = adjust(out)
    if "datasets" in spec:
        out["datasets"] = spec["datasets"]
    return out
