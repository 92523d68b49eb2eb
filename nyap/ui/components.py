"""Reusable Streamlit pieces: a chart with its text alternative, data table and downloads."""

from __future__ import annotations

from html import escape

import streamlit as st
from streamlit import dataframe_util

from nyap.present.charts import ChartResult
from nyap.present.export import chart_png, chart_svg, excel_label, table_csv, table_xlsx
from nyap.present.formatting import file_slug
from nyap.present.tables import frame_html
from nyap.ui.safe import md

DEMO_FILE_NOTICE = "DEMODATA - påhittade värden, får inte användas som underlag"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _browser_spec(result: ChartResult) -> dict:
    """The spec as Streamlit sends it: datasets as Arrow bytes, which Streamlit passes through
    as they are. Encoded once per chart and kept with the shared result, so a rerun only sends
    what is already prepared (the rows are not converted again for every session)."""
    spec = result.prepared.get("browser")
    if spec is None:
        # the heading and notes are set as page text above the chart (they wrap at any width);
        # an exported image keeps them in its own title (result.spec)
        spec = {k: v for k, v in result.layout.items() if k != "title"}
        # the rows' Arrow bytes are shared by every municipality's version of a chart (for_area)
        shared = result.prepared.setdefault("shared", {})
        if "arrow" not in shared:
            shared["arrow"] = {name: dataframe_util.convert_anything_to_arrow_bytes(frame)
                               for name, frame in result.data.items()}
        spec["datasets"] = shared["arrow"]
        result.prepared["browser"] = spec
    return spec


def _table_html(result: ChartResult) -> str:
    shared = result.prepared.setdefault("shared", {})  # the same table for every municipality's version
    html = shared.get("table_html")
    if html is None:
        html = shared["table_html"] = frame_html(result.table, "Data bakom diagrammet", "nyap-data")
    return html


def _heading_html(result: ChartResult) -> str:
    """The chart's title and notes as text: a phone wraps them instead of cutting them off."""
    html = result.prepared.get("heading_html")
    if html is None:
        meta = result.layout.get("usermeta", {})
        heading, notes = meta.get("heading", []), meta.get("notes", [])
        lines = "".join(f'<span class="nyap-chart-l{i}">{escape(t)}</span>' for i, t in enumerate(heading))
        demo = ' nyap-demo' if meta.get("demo") else ""
        body = "".join(f'<li class="{"nyap-chart-source" + demo if i == 0 else ""}">{escape(n)}</li>'
                       for i, n in enumerate(notes))
        html = result.prepared["heading_html"] = (
            f'<div class="nyap-chart-head"><p class="nyap-chart-title">{lines}</p>'
            f'<ul class="nyap-chart-notes">{body}</ul></div>')
    return html


def show_chart(result: ChartResult | None, key: str, is_demo: bool, file_stem: str) -> None:
    if result is None:
        st.info("Det finns inga värden att visa för det här urvalet.")
        return
    st.html(_heading_html(result))
    # theme=None: our spec carries its own projector styling; Streamlit's theme would override it.
    # Streamlit hands a spec dict (not an Altair object) to the browser without converting it.
    st.vega_lite_chart(spec=_browser_spec(result), alt=result.alt_text, key=f"chart_{key}", theme=None)
    st.caption(md(result.alt_text))
    # the first line of the file says where the numbers come from (or that they are invented)
    notice = DEMO_FILE_NOTICE if is_demo else result.layout.get("usermeta", {}).get("notes", [""])[0]
    stem = ("DEMO-" if is_demo else "") + file_slug(file_stem)
    # every file is made only when its button is clicked (an image takes vl-convert a few tenths of
    # a second; most visitors never download)
    # two by two: four buttons in a row cut their labels at 1280 px ("Ladda ner data (C…")
    cols = st.columns(2) + st.columns(2)
    cols[0].download_button("Ladda ner data (CSV)", data=lambda: table_csv(result.table, notice),
                            file_name=f"{stem}.csv", mime="text/csv", key=f"csv_{key}", on_click="ignore")
    cols[1].download_button("Ladda ner data (Excel)", data=lambda: table_xlsx(result.table, notice),
                            file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"xlsx_{key}", on_click="ignore")
    cols[2].download_button("Ladda ner bild (PNG)", data=lambda: chart_png(result.spec),
                            file_name=f"{stem}.png", mime="image/png", key=f"png_{key}", on_click="ignore")
    cols[3].download_button("Ladda ner bild (SVG)", data=lambda: chart_svg(result.spec).encode("utf-8"),
                            file_name=f"{stem}.svg", mime="image/svg+xml", key=f"svg_{key}", on_click="ignore")
    with st.expander("Visa data som tabell"):
        # a plain HTML table: readable without a grid widget, and nothing to serialise per rerun
        st.html(_table_html(result))


def show_download(table, stem: str, is_demo: bool, label: str = "Ladda ner tabellen (CSV)",
                  notice: str | None = None) -> None:
    """`notice`: the file's first line (source and date); by default only the demo mark."""
    notice = DEMO_FILE_NOTICE if is_demo else (notice or "")
    name = ("DEMO-" if is_demo else "") + file_slug(stem)
    cols = st.columns(2)
    # keyed by the whole stem: two stems may share a shortened file name
    cols[0].download_button(label, data=lambda: table_csv(table, notice), file_name=f"{name}.csv",
                            mime="text/csv", key=f"csv_{stem}", on_click="ignore")
    cols[1].download_button(excel_label(label), data=lambda: table_xlsx(table, notice),
                            file_name=f"{name}.xlsx", mime=XLSX_MIME, key=f"xlsx_{stem}", on_click="ignore")
