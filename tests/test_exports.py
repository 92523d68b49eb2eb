"""Downloads as a user opens them: the CSV and the Excel workbook hold the table's numbers (the
workbook as number cells), suppressed groups stay "..", the images are 16:9 slides at 2× that
carry the chart's title, source line and demo mark. Built from the shipped demo cache's charts."""

from __future__ import annotations

import html
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
import vl_convert as vlc
from PIL import Image

from nyap import DEFAULT_GOALS_FILE
from nyap.present.charts import trend_chart
from nyap.present.export import _fixed_width, chart_png, chart_svg, table_csv, table_xlsx
from nyap.present.views import source_line
from nyap.rules.goals import load_goals
from nyap.serving.store import ResultStore
from nyap.present.export import excel_label
from nyap.ui.components import DEMO_FILE_NOTICE

NAMES = load_goals(DEFAULT_GOALS_FILE).region.names()
DEMO_RED = (179, 38, 30)  # the demo subtitle's colour (#b3261e, charts.finish)


@pytest.fixture(scope="module")
def store(demo_cache, config) -> ResultStore:
    return ResultStore(demo_cache, config)


def charts(store, key, area="1780", genders=("T",), year=2022, age=None):
    view = store.goal_view(store.items[key], year, age)
    return view, store.goal_charts(view, area, genders, NAMES, source_line(view, store.cache.is_demo))


def workbook(table, notice=DEMO_FILE_NOTICE):
    return openpyxl.load_workbook(io.BytesIO(table_xlsx(table, notice))).active


def body(ws, header_row=2) -> list[tuple]:
    return list(ws.iter_rows(min_row=header_row + 1, values_only=True))


def csv_frame(raw: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", skiprows=1, encoding="utf-8-sig",
                       dtype={"Kod": str}, keep_default_na=False, na_values=[""])


# --- tables -------------------------------------------------------------------------------------


def test_csv_numbers_are_the_tables_numbers_with_decimal_comma(store):
    _, c = charts(store, "behorighet")
    table = c.gap.table
    raw = table_csv(table, DEMO_FILE_NOTICE)
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == f"# {DEMO_FILE_NOTICE}"
    assert text.splitlines()[1].split(";")[:3] == ["Kod", "Område", "Kön"]
    assert any("," in line.split(";")[4] for line in text.splitlines()[2:])  # Basvärde, decimal comma
    back = csv_frame(raw)
    for column in ("Basvärde", "Senaste värde", "Målvärde", "Återstår", "Förändring"):
        np.testing.assert_allclose(back[column].to_numpy(float), table[column].to_numpy(float), equal_nan=True)
    assert list(back["Kod"].fillna("")) == list(table["Kod"])  # "0017" keeps its zeros


def test_xlsx_has_number_cells_equal_to_the_table_and_the_notice_first(store):
    _, c = charts(store, "behorighet")
    table = c.gap.table
    ws = workbook(table)
    assert ws["A1"].value == DEMO_FILE_NOTICE and "DEMODATA" in ws["A1"].value
    assert [cell.value for cell in ws[2]] == list(table.columns)
    assert ws.freeze_panes == "A3"  # the header stays in view
    rows = body(ws)
    assert len(rows) == len(table)
    for j, column in enumerate(table.columns):
        cells = [r[j] for r in rows]
        if pd.api.types.is_numeric_dtype(table[column]):
            for cell, value in zip(cells, table[column]):
                if pd.isna(value):
                    assert cell is None, column
                else:
                    assert isinstance(cell, (int, float)) and not isinstance(cell, bool), (column, cell)
                    assert cell == pytest.approx(float(value)), column
    # codes keep their leading zeros: text, not the number 17
    assert "0017" in [r[0] for r in rows]
    # sensible widths: the area column fits "Region Värmland", no column is absurdly wide
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["B"] >= len("Region Värmland") and max(widths.values()) <= 60


def test_a_missing_number_is_an_empty_cell_never_zero(store):
    """Trygghet åk 5: one area has no distance left to compute; Excel shows an empty cell, not 0."""
    _, c = charts(store, "trygg5")
    table = c.gap.table
    missing = [(i, j) for j, col in enumerate(table.columns) if pd.api.types.is_numeric_dtype(table[col])
               for i, v in enumerate(table[col]) if pd.isna(v)]
    assert missing, "the test needs a table with a missing number"
    rows = body(workbook(table))
    assert all(rows[i][j] is None for i, j in missing)


def test_real_data_starts_with_its_source_line_and_no_demo_mark(store):
    _, c = charts(store, "behorighet")
    ws = workbook(c.gap.table, "Källa: Kolada (N15428). Data hämtad 2026-01-05.")
    assert ws["A1"].value.startswith("Källa: Kolada") and "DEMO" not in ws["A1"].value
    without = workbook(c.gap.table, "")
    assert [cell.value for cell in without[1]] == list(c.gap.table.columns)
    assert without.freeze_panes == "A2"


def test_swedish_number_text_becomes_numbers_and_suppressed_stays_dotdot(store):
    """Survey tables write "57,70" and ".." as text (screen and CSV); in Excel the numbers are
    numbers again and a suppressed group is still "..", never a number."""
    _, c = charts(store, "god_halsa", area="1762", genders=("K", "M"), age="65-84")
    table = c.bars.table
    munkfors = table["Område"] == "Munkfors"
    assert munkfors.any() and set(table.loc[munkfors, "Värde (%)"]) == {".."}

    back = csv_frame(table_csv(table, DEMO_FILE_NOTICE))
    assert set(back.loc[back["Område"] == "Munkfors", "Värde (%)"]) == {".."}
    assert set(back.loc[back["Område"] == "Munkfors", "KI nedre"]) == {".."}

    ws = workbook(table)
    header = [cell.value for cell in ws[2]]
    value_col, ci_col = header.index("Värde (%)"), header.index("KI nedre")
    rows = body(ws)
    shown = 0
    for row, (_, src) in zip(rows, table.iterrows()):
        if src["Värde (%)"] == "..":
            assert row[value_col] == ".." and row[ci_col] == ".."
        else:
            assert isinstance(row[value_col], (int, float)) and isinstance(row[ci_col], (int, float))
            assert row[value_col] == pytest.approx(float(src["Värde (%)"].replace(",", ".")))
            shown += 1
    assert shown > 10
    # series ids, periods and age groups are text
    assert all(isinstance(r[header.index("Serie")], str) for r in rows)
    assert all(isinstance(r[header.index("Period")], str) for r in rows)


def test_no_cell_starts_a_formula():
    table = pd.DataFrame({"=Titel": ["=HYPERLINK(\"http://x\",\"klicka\")", "@SUM(A1)", "vanlig", "-2,5"],
                          "Värde": [1.5, np.nan, -2.0, 3.0]})
    ws = openpyxl.load_workbook(io.BytesIO(table_xlsx(table, "=notis"))).active
    texts = [cell for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert texts and all(cell.data_type == "s" for cell in texts)
    assert not [cell.value for cell in texts if cell.value.startswith(("=", "+", "@"))]
    assert ws["A1"].value == "'=notis" and ws["A2"].value == "'=Titel"
    assert [r[1] for r in ws.iter_rows(min_row=3, values_only=True)] == [1.5, None, -2.0, 3.0]
    # the same rule as the CSV
    assert "'=HYPERLINK" in table_csv(table).decode("utf-8-sig")


def test_excel_button_label_follows_the_csv_label():
    assert excel_label("Ladda ner tabellen (CSV)") == "Ladda ner tabellen (Excel)"
    assert excel_label("Ladda ner profilen som tabell (kvinnor, CSV för Excel)") == \
        "Ladda ner profilen som tabell (kvinnor, Excel)"


# --- images -------------------------------------------------------------------------------------


def _raw_render(spec, scale=2):
    return Image.open(io.BytesIO(vlc.vegalite_to_png(_fixed_width(spec, 1100), scale=scale))).convert("RGBA")


def _contains_whole(canvas: Image.Image, raw: Image.Image) -> bool:
    """The vl-convert image sits centred on the canvas, uncut and unscaled."""
    left, top = (canvas.width - raw.width) // 2, (canvas.height - raw.height) // 2
    if left < 0 or top < 0:
        return False
    flat = Image.new("RGB", raw.size, "white")
    flat.paste(raw, (0, 0), raw)
    window = canvas.crop((left, top, left + raw.width, top + raw.height))
    return np.array_equal(np.asarray(window), np.asarray(flat))


def test_png_is_a_16_9_slide_at_twice_the_size(store):
    _, c = charts(store, "behorighet")
    png = chart_png(c.bars.spec)
    canvas = Image.open(io.BytesIO(png))
    assert canvas.size == (2560, 1440)  # 1280×720 drawn at 2×
    assert round(canvas.info["dpi"][0]) == 144
    assert _contains_whole(canvas.convert("RGB"), _raw_render(c.bars.spec))
    # white around the chart, not transparent or black
    assert canvas.convert("RGB").getpixel((0, 0)) == (255, 255, 255)


def test_a_tall_chart_widens_the_slide_and_is_never_cropped(store):
    _, c = charts(store, "god_halsa", area="1762", genders=("K", "M"), age="65-84")
    raw = _raw_render(c.gap.spec)
    assert raw.height > 1440, "the test needs a chart taller than a 16:9 slide"
    canvas = Image.open(io.BytesIO(chart_png(c.gap.spec))).convert("RGB")
    assert canvas.width * 9 == canvas.height * 16 and canvas.width > 2560
    assert canvas.height - raw.height < 9  # widened only as far as needed
    assert _contains_whole(canvas, raw)


def _red_in_title_band(png: bytes) -> int:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    band = pixels[: pixels.shape[0] // 4]
    return int(np.all(band == DEMO_RED, axis=-1).sum())


def test_png_and_svg_carry_title_source_line_and_demo_mark(store, demo_cache):
    view, c = charts(store, "behorighet")
    spec = c.trend.spec
    title, subtitle = spec["title"]["text"], spec["title"]["subtitle"]
    assert subtitle[0].startswith("DEMODATA")

    svg = html.unescape(chart_svg(spec))
    assert svg.lstrip().startswith("<svg")
    for line in title:
        assert line in svg
    assert subtitle[0] in svg

    real = trend_chart(view, "1780", ("T",), NAMES, source_line(view, False, "2026-01-05"), False)
    real_svg = html.unescape(chart_svg(real.spec))
    assert "Källa: Kolada (N15428)" in real_svg and "DEMO" not in real_svg

    # the image: the demo subtitle is drawn in its red above the chart, the real one is not red
    assert _red_in_title_band(chart_png(spec)) > 500
    assert _red_in_title_band(chart_png(real.spec)) == 0


def test_a_missing_value_is_an_empty_cell_never_the_word_saknas(store, demo_cache, config, full_store):
    """Tables write a missing value as "saknas" on screen and in the CSV (real Kolada: Forshaga
    has no 2022 value for särskilt boende). In Excel it is an empty cell, in a number column
    (the bars' values) and in a text column (the map's labels) alike."""
    from nyap.data.geometry import county_features
    from nyap.present.charts import map_chart

    real = full_store
    view = real.goal_view(real.items["aldreomsorg.2"], 2022)
    bars = real.goal_charts(view, "1763", ("T",), NAMES, source_line(view, False)).bars
    mapped = map_chart(view, 2022, "1763", "T", NAMES, "Källa: Kolada", False, county_features("0017"), "value")
    for table in (bars.table, mapped.table):
        assert (table == "saknas").any().any(), "the test needs a table that says saknas"
        ws = workbook(table, "Källa: Kolada")
        header = [cell.value for cell in ws[2]]
        rows = body(ws)
        assert all(v != "saknas" for row in rows for v in row)
        col = next(c for c in table.columns if (table[c] == "saknas").any())
        for row, src in zip(rows, table[col]):
            if src == "saknas":
                assert row[header.index(col)] is None
    # the CSV still says it in words (the screen's convention)
    assert "saknas" in table_csv(bars.table).decode("utf-8-sig")


def test_the_overview_and_profile_downloads_start_with_source_and_date(config, demo_cache):
    """Like a chart's download: the first line names the source and the data date (or the demo
    mark), in the CSV and as the workbook's first row."""
    from nyap.present.tables import overview_frame
    from nyap.present.views import table_notice

    store = ResultStore(demo_cache, config)
    table = overview_frame(config, store.overview_evaluations(2022), "T", NAMES, ("1715", config.meta.county), 2022)
    real = table_notice(False, "Kolada, uttag augusti 2024", 2022)
    assert real.startswith("Källa: Kolada, uttag augusti 2024") and "2022" in real and "DEMO" not in real
    assert "egen beräkning" in real  # statuses and targets are not Kolada's numbers
    assert table_notice(True, "demodata", 2022) == DEMO_FILE_NOTICE
    assert table_csv(table, real).decode("utf-8-sig").splitlines()[0] == f"# {real}"
    ws = workbook(table, real)
    assert ws["A1"].value == real and [c.value for c in ws[2]][:2] == ["Utmaning", "Mål"]


def test_files_from_the_shipped_cache_name_the_extract(default_cache, config, default_store):
    """The shipped cache's charts, and the CSV, Excel and SVG made of them, say "Kolada, uttag
    augusti 2024" (the manifest's source label), never a fetch date or DEMODATA."""
    from nyap.present.views import cache_source_line

    real = default_store
    view = real.goal_view(real.items["behorighet"], 2022, None)
    source = cache_source_line(view, default_cache)
    assert source.startswith("Källa: Kolada, uttag augusti 2024 (N15428)") and "hämtad" not in source
    c = real.goal_charts(view, "1780", ("T",), NAMES, source)
    notice = c.gap.layout["usermeta"]["notes"][0]  # what the page's download buttons write first
    assert notice == source
    csv_first = table_csv(c.gap.table, notice).decode("utf-8-sig").splitlines()[0]
    assert "Kolada, uttag augusti 2024" in csv_first
    ws = workbook(c.gap.table, notice)
    assert "Kolada, uttag augusti 2024" in str(ws.cell(1, 1).value)
    svg = html.unescape(chart_svg(c.trend.spec))
    assert "Kolada, uttag augusti 2024" in svg and "DEMO" not in svg
    # Karlstad's behörighet in 2022 is the extract's figure
    raw = pd.read_csv(config_root() / "tests" / "fixtures" / "kolada" / "varmland_values_2024-08.csv",
                      dtype={"municipality_id": str})
    expected = raw[(raw["kpi"] == "N15428") & (raw["municipality_id"] == "1780") & (raw["year"] == 2022)
                   & (raw["gender"] == "T")]["value"].item()
    assert view.evaluation("1780", "T")["latest"] == pytest.approx(expected)


def config_root():
    from nyap import PROJECT_ROOT
    return PROJECT_ROOT
