"""The server's start and its background work: `nyap run` answers only when the first pages are
prepared, its preparation gives way to visitors, and charts are drawn by a helper process (which
comes back when killed, and goes when the server goes)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from nyap import PROJECT_ROOT
from nyap.ops.browser import free_port, stop_group
from nyap.ops.replicas import wait_healthy
from nyap.serving.background import Gate

from .processes import GENEROUS


# ------------------------------------------------------------------ the gate (no server)

def _in_background(gate: Gate) -> threading.Event:
    passed = threading.Event()
    threading.Thread(target=lambda: (gate.give_way(max_wait_s=GENEROUS), passed.set()), daemon=True).start()
    return passed


def test_preparation_waits_while_a_page_runs_and_goes_on_after():
    gate = Gate()
    with gate.visitor():
        passed = _in_background(gate)
        # however long the page takes, the preparation does not start its next piece meanwhile
        assert not passed.wait(0.5)
    assert passed.wait(GENEROUS)


def test_preparation_waits_while_the_server_starts_and_when_a_visitor_connects():
    gate = Gate()
    gate.hold()
    passed = _in_background(gate)
    assert not passed.wait(0.5)
    gate.release()
    assert passed.wait(GENEROUS)
    # a visitor connected: the preparation waits a moment for their page run, then goes on
    gate.arrived()
    assert _in_background(gate).wait(GENEROUS)


def test_steady_visitors_cannot_stop_the_preparation():
    gate = Gate()
    with gate.visitor():
        t = threading.Thread(target=gate.give_way, kwargs={"max_wait_s": 0.2})
        t.start()
        t.join(GENEROUS)
        assert not t.is_alive()  # it waited its bounded time and went on


# ------------------------------------------------------------------ drawing in a helper process

@pytest.mark.slow  # starts processes and draws PNGs: seconds
def test_a_chart_drawn_by_the_helper_process_is_the_same_and_a_killed_helper_comes_back(demo_cache, config):
    from nyap.present.export import chart_png, chart_svg, draw_elsewhere
    from nyap.serving.drawing import HelperProcess
    from nyap.serving.store import ResultStore

    store = ResultStore(demo_cache, config)
    item = next(iter(store.items.values()))
    view = store.goal_view(item, max(store.years), None)
    spec = store.goal_charts(view, "1715", ("T",), store.region.names(), "Källa: test", ()).trend.spec
    here_svg, here_png = chart_svg(spec), chart_png(spec)
    helper = HelperProcess()
    draw_elsewhere(helper)
    try:
        assert chart_svg(spec) == here_svg
        assert chart_png(spec) == here_png
        pids = [p.pid for p in helper._pool._processes.values()]
        assert pids and os.getpid() not in pids
        os.kill(pids[0], signal.SIGKILL)  # killed (out of memory, an operator)
        assert chart_svg(spec) == here_svg  # the next drawing starts a new helper
        assert [p.pid for p in helper._pool._processes.values()] != pids
    finally:
        draw_elsewhere(None)
        helper.shutdown()


# ------------------------------------------------------------------ `nyap run`

def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    members.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return members


@pytest.mark.slow
def test_nyap_run_answers_prepared_and_leaves_nothing_behind(tmp_path):
    from nyap.ui.client import connect

    port = free_port()
    log = open(tmp_path / "server.log", "w+b")
    proc = subprocess.Popen([sys.executable, "-m", "nyap", "run", "--address", "127.0.0.1", "--port", str(port)],
                            cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, timeout=GENEROUS, proc=proc)
        text = (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")
        # it said it was prepared before it answered: the first visitor gets prepared pages
        assert "Förberett på" in text, text[-2000:]
        helpers = [p for p in _group_members(proc.pid) if p != proc.pid]
        assert helpers, "the app process and its drawing helper"

        async def first_pages():
            for page in ("Presentation", "", "Ungdomslivet"):
                session = await connect(base)
                _, error, _ = await session.run(page_name=page)
                await session.ws.close()
                assert error is None, (page, error)

        asyncio.run(first_pages())
    finally:
        stop_group(proc)
        log.close()
    deadline = time.monotonic() + 60
    while _group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _group_members(proc.pid), "every process of the server is gone"
