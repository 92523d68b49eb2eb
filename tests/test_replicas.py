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
import time

from nyap.ops.replicas import NGINX, Replicas, render_site
from nyap.ui.client import WidgetState, connect

from .conftest import IN_CI
from .processes import GENEROUS

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
    """`python -m nyap serve`, kill -9 of one replica: nginx keeps answering (health and new
    sessions) through the other, the serve command starts the dead one again on its port, and
    serving never stops (it used to stop everything)."""
    import re
    import signal
    import subprocess
    import sys

    from nyap import PROJECT_ROOT
    from nyap.ops.browser import stop_group
    from nyap.ops.replicas import free_port

    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "nyap", "serve", "--replicas", "2", "--port", str(port)],
                                cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def said() -> str:
        return log.read_text(encoding="utf-8")

    def until(condition, what: str, timeout: float = GENEROUS):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            assert proc.poll() is None, f"serve ended (code {proc.returncode}): {said()}"
            time.sleep(0.3)
        pytest.fail(f"{what} within {timeout} s: {said()}")

    def healthy(url: str) -> bool:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=5).read()
            return True
        except OSError:
            return False

    try:
        until(lambda: len(re.findall(r"Replik \d: 127\.0\.0\.1:(\d+) \(pid (\d+)\)", said())) == 2, "two replicas")
        (port1, pid1), _ = re.findall(r"Replik \d: 127\.0\.0\.1:(\d+) \(pid (\d+)\)", said())
        os.killpg(int(pid1), signal.SIGKILL)
        # the room keeps being served meanwhile: health and a new session through nginx
        assert healthy(base)
        _, error = asyncio.run(asyncio.wait_for(_new_session(base), GENEROUS))
        assert error is None
        until(lambda: "Replik 1" in said() and "startar om" in said(), "the restart said")
        until(lambda: healthy(f"http://127.0.0.1:{port1}"), "replica 1 back on its port")
        assert proc.poll() is None and healthy(base)
        # SIGTERM (systemd's stop, kill) ends serving with everything it started
        started = [int(p) for _, p in re.findall(r"Replik \d: 127\.0\.0\.1:(\d+) \(pid (\d+)\)", said())]
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(GENEROUS)
        until_gone = time.monotonic() + 60
        while time.monotonic() < until_gone and (healthy(base) or healthy(f"http://127.0.0.1:{port1}")):
            time.sleep(0.3)
        assert not healthy(base) and not healthy(f"http://127.0.0.1:{port1}")
        assert not [p for p in started[1:] if os.path.exists(f"/proc/{p}")]
    finally:
        stop_group(proc)


async def _new_session(base: str):
    session, error = await open_page(base, "app", "kommun=1715")
    await session.ws.close()
    return session, error


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
        dead = str(r.ports[0])  # the proxy names a replica by its port
        alive = str(r.ports[1])
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
