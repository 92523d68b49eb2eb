"""What every page body shares: the Swedish error guard, page links, the link to presentation mode."""

from __future__ import annotations

import functools
import logging
import multiprocessing

import streamlit as st

from nyap.rules.goals import GoalsConfig
from nyap.serving.background import GATE
from nyap.serving.page_registry import PAGE_ERROR, PRESENTATION, page_by_key, page_for_challenge
from nyap.serving.presentation import CHARTS, OVERVIEW_CHART, Step
from nyap.present.tables import page_href
from nyap.present.periods import earliest_baseline
from nyap.ui.safe import esc
from nyap.ui.scaffold import PageContext


def guarded(render):
    """Never show Streamlit's English error box: log the traceback, say it in Swedish."""
    @functools.wraps(render)
    def wrapper(*args, **kwargs):
        if multiprocessing.current_process().name != "MainProcess":
            # A report worker or drawing helper started from a page run ("spawn") first runs the
            # parent's __main__, which under Streamlit is this page script: it rendered the page
            # and so loaded and prepared the whole data version in the background (a first report
            # waited 62 s, two such processes at 100 % CPU). A child process never draws a page.
            return None
        try:
            # the server's background preparation pauses while a page runs (nyap/serving/background.py)
            with GATE.visitor():
                return render(*args, **kwargs)
        except Exception:  # st.stop/st.rerun are BaseExceptions and pass through
            logging.getLogger("nyap").exception("page failed")
            # no library text or server path for the visitor: the details are in the server log
            st.error(f"**{PAGE_ERROR}** Prova ett annat urval eller ladda om sidan. "
                     "Detaljerna finns i serverns logg.")
    return wrapper


def page_for(config: GoalsConfig) -> dict[str, str]:
    return page_for_challenge(config)


def presentation_links(config: GoalsConfig, ctx: PageContext, charts: list[str], map_mode: str | None = None) -> str:
    """'Visa i presentationsläge': this view on the presentation page (room-sized, no chrome)."""
    page = page_by_key(config, PRESENTATION)
    if page is None:
        return ""
    f = ctx.filters
    links = []
    for chart in charts:
        step = Step(page=ctx.page_key, chart=chart, area=f.area, gender=f.gender,
                    goal=f.goal if chart != OVERVIEW_CHART else None, age_group=f.age_group, year=f.year,
                    map_mode=map_mode, compare=f.compare if chart != OVERVIEW_CHART else ())
        links.append(f'<a href="{esc(page_href(page.url_path, step.query()))}" target="_self">'
                     f'{esc(CHARTS[chart])}</a>')
    return f'<p class="nyap-note">Visa i presentationsläge (helskärm för projektor): {" · ".join(links)}</p>'


def before_baseline_notice(config: GoalsConfig, year: int) -> None:
    first = earliest_baseline(config)
    if year < first:
        st.info(f"Valt år ({year}) ligger före målens basår {first}: ingen måluppfyllelse kan "
                "bedömas ännu. Diagrammen visar utvecklingen fram till valt år.")
