"""Exports: chart images rendered offline with vl-convert, tables as Swedish-Excel CSV."""

from __future__ import annotations

import json

import pandas as pd
import vl_convert as vlc

from nyap.present.fonts import register_for_export
from nyap.data.formulas import neutralise

EXPORT_WIDTH = 1100


def _fixed_width(spec: dict, width: int) -> dict:
    """'container' width means nothing outside a browser: give the image a fixed width."""
    text = json.dumps(spec)
    return json.loads(text.replace('"width": "container"', f'"width": {width}'))


def chart_png(spec: dict, width: int = EXPORT_WIDTH, scale: float = 2.0) -> bytes:
    """PNG of a chart specification; the demo notice and source line are in its subtitle, so they
    are exported."""
    register_for_export()
    return vlc.vegalite_to_png(_fixed_width(spec, width), scale=scale)


def chart_svg(spec: dict, width: int = EXPORT_WIDTH) -> str:
    register_for_export()
    return vlc.vegalite_to_svg(_fixed_width(spec, width))


def table_csv(table: pd.DataFrame, notice: str = "") -> bytes:
    """CSV that Swedish Excel opens as it is: ';' separator, decimal comma, UTF-8 with BOM.

    A first line carries the demo notice when demo data is shown. Texts that a spreadsheet would
    run as a formula (a Kolada title "=HYPERLINK(…)", say) are written as text (nyap/data/formulas.py).
    """
    safe = table.rename(columns=lambda c: neutralise(str(c)))
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    body = safe.to_csv(sep=";", decimal=",", index=False)
    if notice:
        body = f"# {notice}\n" + body
    return body.encode("utf-8-sig")
