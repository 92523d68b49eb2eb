"""Om data: the cache's origin, the method, every indicator and its definition."""

from __future__ import annotations

import streamlit as st

from nyap.present.catalogue import method_notes
from nyap.present.tables import frame_html
from nyap.serving.page_content import catalogue
from nyap.ui.components import show_download
from nyap.ui.pages.common import guarded
from nyap.ui.safe import md, paragraphs
from nyap.ui.scaffold import publish, shared_filters, start_page


@guarded
def render_about() -> None:
    store = start_page("Om data", "Om data")
    config, cache = store.config, store.cache
    ctx = shared_filters(store, "Om data")
    publish(ctx)
    st.title("Om data")
    m = cache.manifest
    if cache.is_demo:
        st.markdown("**Cachen innehåller demodata.** Alla värden är påhittade för att visa hur appen fungerar. "
                    "De följer Koladas struktur (kommuner, län, riket, kön, åldersgrupper, saknade värden och "
                    "seriebrott) men är inte riktiga siffror.")
    if cache.source_label:
        st.markdown(f"Källa: **{md(cache.source_label)}** – cachen är byggd från det uttaget med appens egen "
                    "uppdatering (`make real-cache`). `make refresh` hämtar aktuella siffror från Kolada.")
    st.markdown(f"Data skapad **{md(str(m.get('created', ''))[:16].replace('T', ' '))}**; "
                + md("; ".join(str(s.get("description", s.get("name", ""))) for s in m.get("sources", [])
                               if isinstance(s, dict))))
    for w in m.get("warnings", []):
        st.caption("⚠ " + md(w))
    for title, text in method_notes(config):
        st.markdown(f"#### {title}\n{text}")
    st.markdown("#### Indikatorerna")
    indicators = store.call(catalogue)
    st.html(frame_html(indicators.drop(columns=["Definition"]),
                       "Alla indikatorer i cachen: källa, typ, år, datadatum, mål och anmärkningar", "nyap-catalogue"))
    show_download(indicators, "indikatorer", cache.is_demo)
    st.markdown("#### Definitioner")
    for row in indicators.drop_duplicates("Id").itertuples(index=False):
        with st.expander(md(f"{row.Id} – {row.Titel}")):
            st.html(paragraphs(row.Definition) or "<p>Ingen definition i cachen.</p>")
