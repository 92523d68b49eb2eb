"""Aktuellt perspektiv on the overview: a press starts a build in the report workers, the page
shows the wait and hands over the file (nyap/serving/report_jobs.py)."""

from __future__ import annotations

from __future__ import annotations

import time
from dataclasses import replace

import streamlit as st

from nyap.present.report import REPORT_NAME, pdf_available, report_stem
from nyap.serving.report_jobs import ReportBusy
from nyap.serving.store import ResultStore
from nyap.ui.loaders import report_jobs, report_key
from nyap.ui.safe import md


def report_downloads(store: ResultStore, area: str, year: int, label: str) -> None:
    """Aktuellt perspektiv for the chosen municipality (or the county). Made by the server's report
    workers, not this process (nyap/serving/report_jobs.py): a press starts it, the page shows the
    wait, and the file is handed over when ready. A report someone already made for this data
    version is offered at once."""
    st.markdown(f"#### {REPORT_NAME} – {md(label)}")
    st.caption("Alla mål på A4 för nämnd och fullmäktige: läget, återstående avstånd och länet, med diagram, "
               "källor och förbehåll – samma siffror och meningar som i appen.")
    kinds = ([("pdf", "PDF", "application/pdf")] if pdf_available() else []) + [("html", "HTML", "text/html")]
    if not pdf_available():
        st.caption("PDF går inte att skapa på den här servern (Pango saknas); HTML-rapporten skrivs ut lika bra.")
    _report_panel(area, year, report_stem(store, area, year), tuple(kinds))


@st.fragment
def _report_panel(area: str, year: int, stem: str, kinds: tuple[tuple[str, str, str], ...]) -> None:
    """A fragment: pressing, waiting and downloading redraw only this part of the page."""
    # the worker starts on the first press, not on every visit: a worker preparing data no one asked
    # for took the only core from the clicks on a 1-core server (scripts/load.py under taskset -c 0)
    jobs = report_jobs()
    cols = st.columns(2)  # wide enough for "Ladda ner rapport (HTML)" on one line at 1280 px
    waiting = []
    base = report_key(area, year, kinds[0][0])  # one read of the data version per run, not per kind
    asked = st.session_state.setdefault("nyap_reports_asked", set())
    for col, (kind, name, mime) in zip(cols, kinds):
        key = replace(base, kind=kind)
        slot = col.empty()
        state = jobs.status(key)
        # a report another visitor asked for and is still being made: this visitor's page does not
        # wait for it (their page run would last until it is done); a press joins the same job
        theirs = state is not None and not state.done and key not in asked
        if state is None or (state.done and state.error) or theirs:
            with slot.container():
                if state is not None and state.error:
                    st.error(state.error)
                if theirs:
                    st.caption(f"Rapporten ({name}) skapas redan på en annans begäran; tryck för att vänta på den.")
                pressed = st.button(f"Skapa rapport ({name})", key=f"report_make_{kind}")
            if not pressed:
                continue
            try:
                state = jobs.request(key, visitor=_session_id())
            except ReportBusy as exc:
                slot.warning(str(exc))
                continue
            asked.add(key)
        waiting.append((key, name, mime, slot))
    if not waiting:
        return
    _wait_for_reports(jobs, waiting)
    for key, name, mime, slot in waiting:
        state = jobs.status(key)
        if state is not None and state.data is not None:
            slot.download_button(f"Ladda ner rapport ({name})", data=state.data, file_name=f"{stem}.{key.kind}",
                                 mime=mime, key=f"report_{key.kind}", on_click="ignore", type="primary")
        elif state is not None and state.error:
            slot.error(state.error + " Ladda om sidan för att försöka igen.")


def _session_id() -> str:
    """This browser tab's session (a limit per visitor on the report queue)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


def _wait_for_reports(jobs, waiting) -> None:
    """Show the wait until every started report is done. This thread only waits (the work is in a
    worker process); each update is a Streamlit call, so another click interrupts the wait."""
    with st.spinner("Rapporten skapas …", show_time=True):
        while True:
            pending = 0
            for key, _name, _mime, slot in waiting:
                state = jobs.status(key)
                if state is None or state.done:
                    continue
                pending += 1
                ahead = (f" – {state.ahead} {'rapport' if state.ahead == 1 else 'rapporter'} före i kön"
                         if state.ahead else "")
                slot.caption(f"Rapporten ({key.kind.upper()}) skapas{ahead}. Det tar några sekunder.")
            if not pending:
                return
            time.sleep(0.4)
