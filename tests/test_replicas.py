"""Two app replicas behind nginx (deploy/nyap-site.conf): sessions are spread and sticky, a
replica that dies costs no new session and no data, and a cache swap reaches every replica.

Speaks Streamlit's own websocket protocol through the proxy (scripts/load.py's client), on
loopback only; every process started here is stopped at the end.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import urllib.request

import pytest

from nyap import DEFAULT_CACHE_DIR
from nyap.data.cache import load_cache, write_cache
import threading
import time

from nyap.serving.replicas import NGINX, Replicas, render_site, supervise
from nyap.ui.client import WidgetState, connect

from .conftest import IN_CI

HAVE_NGINX = shutil.which("nginx") is not None or os.path.exists(NGINX)
# CI installs nginx (.ci/run): there the test must run, never skip
pytestmark = pytest.mark.skipif(not HAVE_NGINX and not IN_CI, reason="nginx is not installed (apt-get install nginx)")


def replica_of(base: str, cookie: str) -> str:
    """Which replica the proxy sends this browser to (the X-Nyap-Replica header)."""
    req = urllib.request.Request(base + "/_stcore/health", headers={"Cookie": cookie})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.headers["X-Nyap-Replica"]


async def open_page(base: str, page: str, query: str, cookie: str | None = None):
    session = await connect(base, cookie=cookie)
    session.query = query
    _, error, _ = await session.run(page_name=page)
    return session, error


def test_render_site_lists_every_replica_and_the_listen_address():
    text = render_site("127.0.0.1:9000", [9101, 9102, 9103])
    assert "listen 127.0.0.1:9000;" in text
    assert [line.strip().split()[1] for line in text.splitlines() if line.strip().startswith("server 127")] == [
        "127.0.0.1:9101", "127.0.0.1:9102", "127.0.0.1:9103"]
    assert "hash $nyap_route consistent" in text and "proxy_next_upstream error" in text


def test_the_room_address_is_what_nginx_listens_on_and_the_machine_reaches_it_locally():
    # not started: tests bind to loopback only
    r = Replicas(n=2, listen_port=8080, listen_address="0.0.0.0")
    assert r.url == "http://127.0.0.1:8080"
    assert "listen 0.0.0.0:8080;" in render_site(f"{r._host}:8080", [9101, 9102])
    assert Replicas(listen_port=8080, listen_address="::")._host == "[::]"
    assert Replicas(listen_port=8080, listen_address="192.168.1.20").url == "http://192.168.1.20:8080"


def test_a_replica_that_dies_is_started_again_and_serving_goes_on(tmp_path):
    """kill -9 of one replica under `nyap serve`: the other keeps answering through nginx, the
    dead one is started again on its port, and serving never stops (it used to stop everything)."""
    said: list[str] = []
    stop = threading.Event()
    with Replicas(n=2) as r:
        supervisor = threading.Thread(target=lambda: said.append(supervise(r, said.append, poll_s=0.2, stop=stop)))
        supervisor.start()
        try:
            first = r.processes[0]
            r.stop_replica(0)
            deadline = time.monotonic() + 180
            answered = 0
            while time.monotonic() < deadline:
                # the room keeps being served meanwhile
                urllib.request.urlopen(r.url + "/_stcore/health", timeout=10).read()
                answered += 1
                if r.processes[0] is not first:
                    try:
                        urllib.request.urlopen(r.replica_url(0) + "/_stcore/health", timeout=2).read()
                        break
                    except OSError:
                        pass
                time.sleep(0.3)
            else:
                pytest.fail(f"replica 1 was not started again: {said}")
            assert answered >= 1 and supervisor.is_alive()
            assert any("Replik 1" in m and "startar om" in m for m in said if isinstance(m, str)), said

            async def page_on_the_new_replica():
                session, error = await open_page(r.replica_url(0), "app", "kommun=1715")
                await session.ws.close()
                return error

            assert asyncio.run(asyncio.wait_for(page_on_the_new_replica(), 120)) is None
        finally:
            stop.set()
            supervisor.join(30)
    assert said[-1] == 0  # stopped by us, not given up


def test_two_replicas_behind_nginx_survive_losing_one(tmp_path):
    cache_dir = tmp_path / "cache"
    shutil.copytree(DEFAULT_CACHE_DIR, cache_dir)
    before = load_cache(cache_dir)

    async def scenario(r: Replicas):
        # 1. ten browsers: each gets a route cookie and a page; both replicas take some
        sessions = []
        for i in range(10):
            session, error = await open_page(r.url, "Ungdomslivet", f"kommun={['1780', '1715'][i % 2]}&mal=behorighet")
            assert error is None and session.widgets, error
            sessions.append(session)
        where = [replica_of(r.url, s.cookie) for s in sessions]
        assert len(set(where)) == 2, where
        # sticky: every request of a browser goes to its replica, and a click works there
        for s, w in zip(sessions, where):
            assert replica_of(r.url, s.cookie) == w
            area = s.widgets["Ungdomslivet__area"]
            _, error, _ = await s.run(changed=WidgetState(id=area.id, string_value=area.options[3]))
            assert error is None

        # 2. one replica dies
        r.stop_replica(0)
        dead = f"127.0.0.1:{r.ports[0]}"
        alive = f"127.0.0.1:{r.ports[1]}"
        # new browsers keep being served, all by the survivor
        for i in range(6):
            session, error = await open_page(r.url, "app", "kommun=1762")
            assert error is None and session.widgets, error
            assert replica_of(r.url, session.cookie) == alive
            await session.ws.close()
        # browsers whose replica died reconnect (as Streamlit's page does) and get their view back
        for s, w in zip(sessions, where):
            if w == dead:
                again, error = await open_page(r.url, "Ungdomslivet", "kommun=1780&mal=behorighet", cookie=s.cookie)
                assert error is None and again.widgets
                await again.ws.close()
            else:
                _, error, _ = await s.run(page_name="Om data")
                assert error is None
            await s.ws.close()

        # 3. a refresh swaps the shared cache: the surviving replica serves the new data
        obs = before.observations.copy()
        mask = ((obs["indicator_id"] == "N15428") & (obs["area_code"] == "1780") & (obs["gender"] == "T")
                & (obs["year"] == 2022))
        assert mask.sum() == 1
        obs.loc[mask, "value"] = 12.34
        write_cache(type(before)(obs, before.indicators, before.areas, before.manifest), cache_dir,
                    {"demo": True, "demo_sources": ["kolada", "livhalsa"]})
        session, error = await open_page(r.url, "Ungdomslivet", "kommun=1780&mal=behorighet&ar=2022")
        assert error is None
        assert any("12,3" in t for t in session.texts), session.texts[:20]
        await session.ws.close()

    with Replicas(n=2, env={"NYAP_CACHE_DIR": str(cache_dir)}) as r:
        asyncio.run(asyncio.wait_for(scenario(r), 240))

    # no data lost: the cache (and its backup, the version before the swap) read back cleanly
    assert load_cache(cache_dir).observations["value"].notna().sum() == before.observations["value"].notna().sum()
    assert load_cache(cache_dir.parent / "cache.backup").data_version == before.data_version
