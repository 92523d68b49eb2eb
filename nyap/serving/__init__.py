"""The web app's shared state: the result store, the report workers, the filters and their links,
the page registry, the presentation's talk file. No Streamlit here."""
