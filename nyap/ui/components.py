"""Reusable Streamlit pieces: a chart with its text alternative, data table and downloads."""

from __future__ import annotations

import re

import streamlit as st

from ..charts import ChartResult
from ..export import chart_png, table_csv

DEMO_FILE_NOTICE = "DEMODATA - påhittade värden, får inte användas som underlag"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(str.maketrans("åäö", "aao"))).strip("-")[:60]


def show_chart(result: ChartResult | None, key: str, is_demo: bool, file_stem: str) -> None:
    if result is None:
        st.info("Det finns inga värden att visa för det här urvalet.")
        return
    # theme=None: our spec carries its own projector styling; Streamlit's theme would override it
    st.altair_chart(result.chart, alt=result.alt_text, key=f"chart_{key}", theme=None)
    st.caption(result.alt_text)
    notice = DEMO_FILE_NOTICE if is_demo else ""
    stem = ("DEMO-" if is_demo else "") + _slug(file_stem)
    cols = st.columns([1, 1, 1])
    cols[0].download_button("Ladda ner data (CSV)", data=lambda: table_csv(result.table, notice),
                            file_name=f"{stem}.csv", mime="text/csv", key=f"csv_{key}", on_click="ignore")
    cols[1].download_button("Ladda ner bild (PNG)", data=lambda: chart_png(result.chart),
                            file_name=f"{stem}.png", mime="image/png", key=f"png_{key}", on_click="ignore")
    with st.expander("Visa data som tabell"):
        st.dataframe(result.table, hide_index=True, width="stretch")


def show_download(table, stem: str, is_demo: bool) -> None:
    notice = DEMO_FILE_NOTICE if is_demo else ""
    st.download_button("Ladda ner tabellen (CSV)", data=lambda: table_csv(table, notice),
                       file_name=("DEMO-" if is_demo else "") + f"{_slug(stem)}.csv", mime="text/csv",
                       key=f"csv_{_slug(stem)}", on_click="ignore")
