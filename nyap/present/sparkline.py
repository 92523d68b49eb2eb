"""A small trend line for a table row: an SVG image (a data URI, no text, so no font), the line
broken where a year is missing, the latest value marked; its words go in the image's alt text."""

from __future__ import annotations

import base64

from nyap.present.formatting import fmt_number

WIDTH, HEIGHT, PAD = 84, 22, 3


def sparkline(points: list[tuple[int, float | None]]) -> tuple[str, str] | None:
    """(data URI, alt text) for (year, value) pairs in year order; None with fewer than two values."""
    known = [(y, v) for y, v in points if v is not None]
    if len(known) < 2:
        return None
    years = [y for y, _ in points]
    lo, hi = min(v for _, v in known), max(v for _, v in known)
    span_y = (hi - lo) or 1.0
    span_x = (max(years) - min(years)) or 1

    def xy(year, value):
        x = PAD + (year - min(years)) / span_x * (WIDTH - 2 * PAD)
        y = HEIGHT - PAD - (value - lo) / span_y * (HEIGHT - 2 * PAD)
        return f"{x:.1f},{y:.1f}"

    runs, run = [], []
    for year, value in points:
        if value is None:  # a missing year breaks the line (missing is missing)
            if run:
                runs.append(run)
            run = []
        else:
            run.append(xy(year, value))
    if run:
        runs.append(run)
    lines = "".join(f'<polyline points="{" ".join(r)}" fill="none" stroke="#0b4f8a" stroke-width="1.8"/>'
                    for r in runs if len(r) > 1)
    dots = "".join(f'<circle cx="{r[0].split(",")[0]}" cy="{r[0].split(",")[1]}" r="1.6" fill="#0b4f8a"/>'
                   for r in runs if len(r) == 1)
    lx, ly = xy(*known[-1]).split(",")
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">'
           f'{lines}{dots}<circle cx="{lx}" cy="{ly}" r="2.6" fill="#0b4f8a"/></svg>')
    alt = (f"Utveckling {known[0][0]}–{known[-1][0]}: {fmt_number(known[0][1])} → {fmt_number(known[-1][1])}"
           + (", med luckor" if any(v is None for _, v in points[points.index(known[0]):]) else ""))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"), alt
