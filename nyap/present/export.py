"""Exports: chart images rendered offline with vl-convert, tables as Swedish-Excel CSV and .xlsx."""

from __future__ import annotations

import functools
import io
import json
import math
import re

import numpy as np
import pandas as pd
import vl_convert as vlc
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from PIL import Image

from nyap.present.fonts import register_for_export
from nyap.present.formatting import MINUS, SUPPRESSED_MARK
from nyap.data.formulas import neutralise

# the plot's width; with axes, legend and padding the image is about 1160–1300 px wide, which
# fits the 1280 px wide 16:9 slide below
EXPORT_WIDTH = 1100
# a 16:9 slide in logical pixels (PowerPoint's default slide shape); the PNG is drawn at 2×
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720


# Where charts are drawn: here, or (in the web server) by a helper process, because vl-convert holds
# Python's interpreter lock while it draws (nyap/serving/drawing.py).
_elsewhere = None


def draw_elsewhere(runner) -> None:
    """Hand every drawing below to `runner(fn, *args, **kwargs)` (None: draw in this process)."""
    global _elsewhere
    _elsewhere = runner


def _drawing(fn):
    """A drawing that the runner set by draw_elsewhere may make in another process (by this
    module's name for it, so the other process finds the same function)."""
    @functools.wraps(fn)
    def drawing(*args, _here: bool = False, **kwargs):
        if _elsewhere is not None and not _here:
            return _elsewhere(drawing, *args, **kwargs)
        return fn(*args, **kwargs)
    return drawing


def _fixed_width(spec: dict, width: int) -> dict:
    """'container' width means nothing outside a browser: give the image a fixed width."""
    text = json.dumps(spec)
    return json.loads(text.replace('"width": "container"', f'"width": {width}'))


def _on_slide(chart: Image.Image, scale: float) -> Image.Image:
    """The chart centred on a white 16:9 canvas: a slide takes it without stretching or bars of
    another colour. A chart taller than 16:9 (one bar per municipality) widens the canvas;
    nothing is ever cut off."""
    n = max(math.ceil(SLIDE_WIDTH * scale / 16), math.ceil(chart.width / 16), math.ceil(chart.height / 9))
    canvas = Image.new("RGB", (16 * n, 9 * n), "white")
    rgba = chart.convert("RGBA")
    canvas.paste(rgba, ((canvas.width - rgba.width) // 2, (canvas.height - rgba.height) // 2), rgba)
    return canvas


@_drawing
def chart_png(spec: dict, width: int = EXPORT_WIDTH, scale: float = 2.0) -> bytes:
    """PNG of a chart specification on a 16:9 canvas (2560×1440 at the default scale 2). The
    title, the source line and the demo notice are in the spec's title, so the image carries them."""
    register_for_export()
    rendered = Image.open(io.BytesIO(vlc.vegalite_to_png(_fixed_width(spec, width), scale=scale)))
    out = io.BytesIO()
    # the resolution says "2×": a program that honours it places the image at its logical size
    dpi = round(72 * scale)
    _on_slide(rendered, scale).save(out, format="PNG", dpi=(dpi, dpi), optimize=False)
    return out.getvalue()


@_drawing
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
    # CRLF rows, as RFC 4180 and Excel write them: the writer then quotes every cell holding a
    # line break of either kind. With "\n" rows a bare "\r" went out unquoted, and a spreadsheet
    # starts a new row there, so "x\r=cmd|…" became a cell that begins with "=" (a formula).
    body = safe.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    if notice:
        body = f"# {neutralise(' '.join(str(notice).split()))}\r\n" + body
    return body.encode("utf-8-sig")


# Chart tables write their values as Swedish text ("81,25", ".." for a suppressed group, "saknas")
# so that the screen and the CSV read right. In a workbook such a column becomes numbers again,
# or Excel could not compute with it; the markers stay text. A column counts as numbers only if a
# value has a decimal comma: codes ("0017"), years and series ids never do, and keep their text.
_SWEDISH_NUMBER = re.compile(r"[-\u2212]?\d+(?:,\d+)?")
_DECIMAL = re.compile(r"\d,\d")
_MARKERS = {SUPPRESSED_MARK, "saknas", "–", ""}
# what the screen and the CSV write for a missing value: in a workbook it is an empty cell (Excel's
# AVERAGE and COUNT skip it; a text "saknas" among numbers is neither missing nor a number)
_MISSING_TEXTS = {"saknas", "–", ""}


def _swedish_number_column(values: pd.Series) -> bool:
    texts = [v.strip() for v in values if isinstance(v, str)]
    if len(texts) != sum(1 for v in values if not _blank(v)):
        return False
    return (all(t in _MARKERS or _SWEDISH_NUMBER.fullmatch(t) for t in texts)
            and any(_DECIMAL.search(t) for t in texts))


def _blank(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _from_swedish(text: str):
    t = text.strip()
    if t in _MISSING_TEXTS:
        return None
    if t in _MARKERS:
        return t
    return float(t.replace(MINUS, "-").replace(",", "."))


def _text(value) -> str:
    # openpyxl refuses control characters (a hostile or broken title must not stop the download)
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _cells(column: pd.Series) -> list:
    if pd.api.types.is_bool_dtype(column):
        return [None if _blank(v) else bool(v) for v in column.astype(object)]
    if pd.api.types.is_numeric_dtype(column):
        # a missing number is an empty cell, never 0 (Excel's AVERAGE skips empty cells)
        return [None if _blank(v) else (int(v) if isinstance(v, (int, np.integer)) else float(v))
                for v in column.astype(object)]
    if _swedish_number_column(column):
        return [None if _blank(v) else _from_swedish(v) for v in column]
    return [None if _blank(v) or (isinstance(v, str) and v.strip() in _MISSING_TEXTS) else _text(v) for v in column]


def table_xlsx(table: pd.DataFrame, notice: str = "") -> bytes:
    """The table as an Excel workbook: numbers as number cells (a missing value is an empty cell),
    texts as text, suppressed values as "..". The notice (demo notice, or source and date) is the
    first row, the header under it stays in view when scrolling."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    header_row = 1
    if notice:
        ws.cell(row=1, column=1, value=_text(notice)).font = Font(bold=True)
        header_row = 2
    columns = [_cells(table.iloc[:, i]) for i in range(table.shape[1])]
    headers = [_text(c) for c in table.columns]
    bold = Font(bold=True)
    for j, name in enumerate(headers, start=1):
        ws.cell(row=header_row, column=j, value=name).font = bold
    for j, cells in enumerate(columns, start=1):
        for i, value in enumerate(cells, start=header_row + 1):
            if value is not None:
                ws.cell(row=i, column=j, value=value)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for j, (name, cells) in enumerate(zip(headers, columns), start=1):
        # wide enough for the header and the longest value, within reason (the notice in A1 may
        # run on over the empty cells beside it)
        longest = max([len(name)] + [len(_shown(v)) for v in cells])
        ws.column_dimensions[get_column_letter(j)].width = min(max(longest + 2, 8), 60)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


@_drawing
def room_svg(spec: dict) -> str:
    """A presentation chart as SVG (charts.room_spec): it scales with the screen, so its text is as
    large at 1280×720 as the room needs, relative to the picture."""
    register_for_export()
    return vlc.vegalite_to_svg(spec)


def excel_label(label: str) -> str:
    """The Excel button says what the CSV button says, with Excel as the format."""
    return label.replace("CSV för Excel", "Excel") if "CSV för Excel" in label else label.replace("CSV", "Excel")
