"""Översikt (start page). Thin: everything is in nyap/."""

import streamlit as st

from nyap.cache import CacheError
from nyap.goals import GoalsError
from nyap.summary import county_rows, latest_year, summary_sentence
from nyap.goal_arithmetic import evaluate_all
from nyap.ui.loaders import get_cache, get_goals

st.set_page_config(page_title="Nya Perspektiv – översikt", layout="wide")
try:
    config = get_goals()
    cache, notice = get_cache()
except (GoalsError, CacheError) as exc:
    st.error("Appen kan inte starta:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
    st.stop()

if cache.is_demo:
    st.warning("**Demodata** – alla värden är påhittade och får inte användas som underlag.")
if notice:
    st.info(notice)
st.title(config.meta.title)
year = latest_year(cache)
rows = county_rows(evaluate_all(cache.observations, config, year))
st.write(f"Läget {year}: {summary_sentence(rows)}")
st.caption(f"Cachen innehåller {len(cache.observations):,} observationer för "
           f"{cache.indicators.shape[0]} indikatorer, skapad {cache.manifest.get('created')}.".replace(",", " "))
