"""Nothing one visitor does costs everyone: Streamlit's "clear cache" message (any browser can
send it, menu item or not) must not throw away the shared store, and no other site may drive the
app from a frame around it (Streamlit's default lets *.streamlit.app pages post such messages)."""

from __future__ import annotations

import json
import urllib.request

from streamlit.runtime import caching

from nyap.ui import loaders

from .browser import running_app


def test_a_visitors_clear_cache_leaves_the_shared_store(monkeypatch, demo_cache_dir):
    monkeypatch.setenv("NYAP_CACHE_DIR", str(demo_cache_dir))
    store, _ = loaders.get_data()
    store.ready.wait(300)
    view = store.overview_evaluations(max(store.years))
    # what the server does on a visitor's clear_cache message (AppSession._handle_clear_cache_request)
    caching.cache_data.clear()
    caching.cache_resource.clear()
    again, _ = loaders.get_data()
    assert again is store and again.overview_evaluations(max(store.years)) is view


def test_the_served_app_lets_no_other_site_frame_and_drive_it():
    with running_app() as base:
        with urllib.request.urlopen(base + "/_stcore/host-config", timeout=30) as resp:
            host_config = json.load(resp)
    assert host_config["allowedOrigins"] == []
