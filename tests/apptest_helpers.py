"""Helpers to drive the app with streamlit.testing.v1.AppTest and read what the charts show."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from nyap import DEFAULT_GOALS_FILE, PROJECT_ROOT
from nyap.rules.goals import load_goals
from nyap.serving.page_registry import pages
from nyap.serving.page_registry import PAGE_ERROR

# the app's own page list (nyap/serving/page_registry.py): page key -> file AppTest switches to
_PAGES = pages(load_goals(DEFAULT_GOALS_FILE))
PAGE_FILES = {p.key: (None if p.file == "app.py" else p.file) for p in _PAGES}
CHALLENGES = tuple(p.key for p in _PAGES if p.challenge)


def open_app(page: str = "Översikt", query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=90)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if PAGE_FILES[page]:
        at.switch_page(PAGE_FILES[page])
    return at.run()


def switch(at: AppTest, page: str) -> AppTest:
    at.switch_page(PAGE_FILES[page] or "app.py")
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    errors = [e.value for e in at.error]
    assert not any(PAGE_ERROR in e for e in errors), errors


def charts(at: AppTest) -> list:
    return list(at.get("vega_lite_chart"))


def chart_spec(element) -> dict:
    return json.loads(element.proto.spec)


def chart_datasets(element) -> list[pd.DataFrame]:
    """Every dataset of a chart (they travel as Arrow IPC streams)."""
    return [pa.ipc.open_stream(ds.data.data).read_all().to_pandas() for ds in element.proto.datasets]


def chart_data(element) -> pd.DataFrame:
    """All rows of every dataset of a chart, as one frame."""
    frames = chart_datasets(element)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def chart_title(element) -> str:
    """The chart's heading as the page shows it (text above the chart, from the spec's usermeta;
    exported images carry it as their Vega title)."""
    return " ".join(chart_spec(element).get("usermeta", {}).get("heading", []))


def page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [c.value for c in at.caption] + [t.value for t in at.title]
    parts += [h.proto.body for h in at.get("html")]
    return "\n".join(str(p) for p in parts)


def chosen_value(layout: dict) -> str:
    """The chosen municipality of a chart drawn for all of them (its parameter), or ''."""
    return next((p.get("value", "") for p in layout.get("params", []) if p.get("name") == "nyap_chosen"), "")


def highlighted(frame: pd.DataFrame, layout: dict) -> pd.DataFrame:
    """The rows of the highlighted line of a chart over time: role 'area' where the chart was drawn
    for one municipality, or a municipality's rows whose code is the chosen parameter where it was
    drawn for all of them."""
    if "role" not in frame:
        return frame.iloc[:0]
    chosen = chosen_value(layout)
    own = frame["role"].eq("area")
    if chosen and "area_code" in frame:
        own |= frame["role"].eq("muni") & frame["area_code"].astype(str).eq(chosen)
    return frame[own]
