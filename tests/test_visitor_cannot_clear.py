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


def test_the_served_app_lets_no_other_site_frame_and_drive_it_and_clear_cache_changes_nothing(tmp_path):
    """A raw websocket client sends Streamlit's clear_cache message to a running app; another
    session's next click and a new visitor are answered from the same prepared data version (the
    server loads it once: its log says so), and the app names no other site as allowed to frame
    and drive it."""
    import asyncio

    from streamlit.proto.BackMsg_pb2 import BackMsg

    from nyap.ui.client import WidgetState, connect

    log = tmp_path / "server.log"

    async def visitors(base: str) -> None:
        a = await connect(base)
        a.query = "kommun=1780&mal=behorighet"
        _, error, _ = await a.run(page_name="Ungdomslivet")
        assert error is None
        b = await connect(base)
        for _ in range(3):  # as a script would, again and again
            msg = BackMsg()
            msg.clear_cache = True
            await b.ws.send(msg.SerializeToString())
            await asyncio.sleep(0.3)
        area = a.widgets["Ungdomslivet__area"]
        _, error, _ = await a.run(changed=WidgetState(id=area.id, string_value=area.options[2]))
        assert error is None
        c = await connect(base)
        c.query = "kommun=1715"
        _, error, _ = await c.run(page_name="Vuxenlivet")
        assert error is None
        for s in (a, b, c):
            await s.ws.close()

    with running_app(log_path=log) as base:
        with urllib.request.urlopen(base + "/_stcore/host-config", timeout=30) as resp:
            host_config = json.load(resp)
        asyncio.run(asyncio.wait_for(visitors(base), 600))
    assert host_config["allowedOrigins"] == []
    said = log.read_text(encoding="utf-8", errors="replace")
    assert said.count("dataversion inläst") == 1, said[-2000:]
