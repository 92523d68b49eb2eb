"""Load benchmark: many users at once, speaking Streamlit's own websocket protocol on loopback.

    .venv/bin/python scripts/load.py                    # the standard table (app and floor)
    .venv/bin/python scripts/load.py --scenario workshop --users 10 --duration 60
    .venv/bin/python scripts/load.py --url http://127.0.0.1:8501   # an already running server

Each simulated user is one websocket session, as a browser tab would hold: it opens a link (a page
with a municipality), then clicks — a new municipality, sex, year, goal in focus, or another page —
after a think time, and waits for the server to finish the script run. A click's latency is the
time from sending the widget change to the server's "script finished" message (what the browser
waits for before it can draw; the browser's own drawing comes on top).

In the same run the same load goes against a bare one-selectbox Streamlit page: the framework's own
floor on this machine, so that the figures can be read as ratios.

Measured per scenario: click latency (median, p95, max), errors (exception elements, the app's
Swedish error box, timeouts), throughput (clicks/s), /_stcore/health latency sampled every 0.25 s
throughout, and the server's resident memory (warm, peak, and after all sessions have closed).
Bounded: every scenario stops after --duration seconds, every wait has a timeout, and the servers
this script starts are stopped at the end. Prints a Markdown table (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLICK_TIMEOUT = 60.0
FLOOR_APP = '''
import streamlit as st
st.title("Golv")
choice = st.selectbox("Kommun", [f"Kommun {i}" for i in range(17)], key="area")
st.write(f"Vald: {choice}")
'''
ERROR_TEXT = "Något gick fel"  # the app's own Swedish error box (nyap.ui.pages.PAGE_ERROR)


# --------------------------------------------------------------------------- one session

@dataclass
class Widget:
    id: str
    kind: str  # selectbox | radio
    options: list[str]
    value: str | None


@dataclass
class Session:
    """One browser tab: its websocket, the widgets drawn by the last run, the current link."""

    ws: object
    cookie: str = ""  # the browser's cookies (the proxy's route cookie)
    pages: dict[str, str] = field(default_factory=dict)  # page name -> script hash
    page_hash: str = ""
    query: str = ""
    widgets: dict[str, Widget] = field(default_factory=dict)  # user key -> widget
    texts: list[str] = field(default_factory=list)  # the text elements of the last run
    bytes_received: int = 0

    async def run(self, *, page_hash: str = "", page_name: str = "", changed: WidgetState | None = None
                  ) -> tuple[float, str | None, int]:
        """Send one rerun request and wait for the run to finish: (seconds, error, bytes)."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = page_hash or self.page_hash
        if page_name:
            state.page_name = page_name
        if changed is not None:
            # like the browser: every widget on the page, with the one the user changed
            for w in self.widgets.values():
                ws_ = state.widget_states.widgets.add()
                ws_.id = w.id
                if changed.id == w.id:
                    ws_.string_value = changed.string_value
                elif w.value is not None:
                    ws_.string_value = w.value
        if page_hash or page_name:
            self.widgets = {}
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        error, nbytes = None, 0
        new_widgets: dict[str, Widget] = {}
        texts: list[str] = []
        while True:
            try:
                raw = await asyncio.wait_for(self.ws.recv(), CLICK_TIMEOUT)
            except asyncio.TimeoutError:
                return time.perf_counter() - start, "timeout", nbytes
            nbytes += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.pages = {p.page_name: p.page_script_hash for p in fwd.new_session.app_pages}
                self.page_hash = fwd.new_session.page_script_hash
            elif kind == "navigation":  # multipage apps announce their pages here
                self.pages = {p.page_name: p.page_script_hash for p in fwd.navigation.app_pages}
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                etype = el.WhichOneof("type")
                if etype in ("markdown", "html", "alert", "heading"):
                    texts.append(getattr(el, etype).body)
                if etype == "exception":
                    error = error or f"exception: {el.exception.type}"
                elif etype == "alert" and ERROR_TEXT in el.alert.body:
                    error = error or "error box: " + el.alert.body[:80]
                elif etype in ("selectbox", "radio"):
                    proto = getattr(el, etype)
                    key = proto.id.rsplit("-", 1)[-1]
                    if proto.HasField("raw_value") and proto.set_value:
                        value = proto.raw_value
                    elif proto.HasField("default") and 0 <= proto.default < len(proto.options):
                        value = proto.options[proto.default]
                    else:
                        value = None
                    new_widgets[key] = Widget(proto.id, etype, list(proto.options), value)
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # our own rerun superseded it; the next finish counts
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    error = error or "compile error"
                elapsed = time.perf_counter() - start
                self.widgets.update(new_widgets)
                self.texts = texts
                self.bytes_received += nbytes
                return elapsed, error, nbytes


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    first_pages: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    clicks: int = 0


async def connect(base: str, cookie: str | None = None) -> Session:
    """A new browser tab: the page request, then the websocket to Streamlit's stream. A known
    cookie is a tab reconnecting in the same browser."""
    uri = base.replace("http://", "ws://") + "/_stcore/stream"
    if cookie is None:
        cookie = await asyncio.to_thread(_first_request, base)
    headers = {"Cookie": cookie} if cookie else None
    ws = await websockets.connect(uri, subprotocols=["streamlit"], max_size=64 * 2**20, additional_headers=headers,
                                  open_timeout=CLICK_TIMEOUT, close_timeout=2, ping_interval=None)
    return Session(ws, cookie=cookie or "")


def _first_request(base: str) -> str | None:
    """The page request a browser makes before its websocket: behind the replica proxy it
    hands out the route cookie that keeps the session on one replica."""
    try:
        with urllib.request.urlopen(base + "/", timeout=CLICK_TIMEOUT) as resp:
            cookies = [c.split(";", 1)[0] for c in resp.headers.get_all("Set-Cookie") or []]
    except OSError:
        return None
    return "; ".join(cookies) or None


def random_click(session: Session, rng: random.Random, page_names: list[str]):
    """A user's next action: change one of the page's filters, or open another page."""
    choices = [w for w in session.widgets.values() if len(w.options) > 1]
    if page_names and (not choices or rng.random() < 0.15):
        return ("page", rng.choice(page_names))
    w = rng.choice(choices)
    options = [o for o in w.options if o != w.value] or w.options
    change = WidgetState(id=w.id, string_value=rng.choice(options))
    return ("widget", change)


async def user(base: str, rng: random.Random, results: Results, *, start_delay: float, first_page: str,
               first_query: str, think: tuple[float, float], until: float, page_names: list[str]) -> None:
    await asyncio.sleep(start_delay)
    try:
        session = await connect(base)
    except Exception as exc:  # noqa: BLE001 - a refused connection is a measured error
        results.errors.append(f"connect: {type(exc).__name__}")
        return
    try:
        session.query = first_query
        elapsed, error, nbytes = await session.run(page_name=first_page)
        results.first_pages.append(elapsed)
        if error:
            results.errors.append(error)
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= until:
                break
            kind, what = random_click(session, rng, page_names)
            if kind == "page":
                elapsed, error, nbytes = await session.run(page_hash=session.pages.get(what, ""), page_name=what)
            else:
                elapsed, error, nbytes = await session.run(changed=what)
            results.latencies.append(elapsed)
            results.bytes.append(nbytes)
            results.clicks += 1
            if error:
                results.errors.append(error)
    except Exception as exc:  # noqa: BLE001
        results.errors.append(f"session: {type(exc).__name__}: {exc}"[:120])
    finally:
        with contextlib.suppress(Exception):
            await session.ws.close()


# --------------------------------------------------------------------------- server side measures

class HealthProbe(threading.Thread):
    """GET /_stcore/health every 0.25 s; a supervisor restarts a replica that doesn't answer."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.samples, self.stop = base, [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            t = time.perf_counter()
            try:
                urllib.request.urlopen(self.base + "/_stcore/health", timeout=5).read()
                self.samples.append(time.perf_counter() - t)
            except Exception:  # noqa: BLE001 - unanswered within 5 s
                self.samples.append(5.0)
            self.stop.wait(0.25)


def rss_mb(pid: int | None) -> float:
    if not pid:
        return float("nan")
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class MemoryProbe(threading.Thread):
    def __init__(self, pid: int | None):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid) or 0.0)
            self.stop.wait(0.2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(script: Path, env_extra: dict[str, str] | None = None):
    """Start `streamlit run script` on a free loopback port; stop it on exit."""
    port = free_port()
    env = dict(os.environ, **(env_extra or {}))
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=script.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/_stcore/health", timeout=2).read()
                break
            except Exception:  # noqa: BLE001
                if proc.poll() is not None:
                    raise RuntimeError("server exited: " + proc.stderr.read().decode()[-2000:])
                time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


# --------------------------------------------------------------------------- scenarios

@dataclass
class Scenario:
    name: str
    users: int
    think: tuple[float, float]
    duration: float
    arrival: float  # users arrive spread over this many seconds


SCENARIOS = {
    "workshop10": Scenario("10 användare, 1–3 s betänketid", 10, (1.0, 3.0), 45, 3),
    "workshop30": Scenario("30 användare, 5–15 s betänketid", 30, (5.0, 15.0), 60, 10),
    "seminar50": Scenario("50 öppnar länken inom 5 s", 50, (5.0, 10.0), 20, 5),
}


def app_links(page_names: list[str], rng: random.Random) -> tuple[str, str]:
    from nyap.areas import MUNICIPALITIES
    page = rng.choice(page_names)
    return page, f"kommun={rng.choice(list(MUNICIPALITIES))}"


async def warm_up(base: str, page_names: list[str]) -> list[str]:
    """One visit to every page (the way the first workshop participant would), so that the
    measured load is the steady state. Returns the page names the server announced."""
    session = await connect(base)
    try:
        await session.run()
        names = list(session.pages) or page_names
        for name in names:
            await session.run(page_hash=session.pages.get(name, ""), page_name=name)
        return names
    finally:
        await session.ws.close()


async def run_scenario(base: str, pid: int | None, sc: Scenario, *, is_floor: bool, seed: int) -> dict:
    rng = random.Random(seed)
    names = await warm_up(base, [])
    page_names = [] if is_floor else names
    await asyncio.sleep(1.0)
    warm_rss = rss_mb(pid)
    results = Results()
    health, memory = HealthProbe(base), MemoryProbe(pid)
    health.start()
    memory.start()
    start = time.monotonic()
    until = start + sc.duration
    tasks = []
    for i in range(sc.users):
        page, query = ("", "") if is_floor else app_links(page_names, rng)
        tasks.append(asyncio.ensure_future(user(
            base, random.Random(seed * 1000 + i), results, start_delay=rng.uniform(0, sc.arrival),
            first_page=page, first_query=query, think=sc.think, until=until, page_names=page_names)))
    # bounded: a session that hangs is counted as an error and left behind
    _, pending = await asyncio.wait(tasks, timeout=sc.duration + sc.arrival + CLICK_TIMEOUT + 10)
    for task in pending:
        task.cancel()
        results.errors.append("session hängde")
    elapsed = time.monotonic() - start
    health.stop.set()
    memory.stop.set()
    # sessions are closed: give the server a moment to drop them, then read its memory
    await asyncio.sleep(3.0)
    after_rss = rss_mb(pid)
    lat = sorted(results.latencies)
    firsts = sorted(results.first_pages)
    hs = sorted(health.samples)
    return {
        "scenario": sc.name, "target": "golv (bar sida)" if is_floor else "appen",
        "clicks": results.clicks, "median": _q(lat, 0.5), "p95": _q(lat, 0.95), "max": lat[-1] if lat else float("nan"),
        "first_median": _q(firsts, 0.5), "first_max": firsts[-1] if firsts else float("nan"),
        "throughput": results.clicks / elapsed if elapsed else 0.0, "errors": len(results.errors),
        "error_kinds": sorted(set(results.errors))[:5],
        "health_p95": _q(hs, 0.95), "health_max": hs[-1] if hs else float("nan"),
        "health_slow": sum(1 for h in hs if h > 0.5) / len(hs) if hs else 0.0,
        "kb_per_click": statistics.median(results.bytes) / 1024 if results.bytes else float("nan"),
        "rss_warm": warm_rss, "rss_peak": memory.peak, "rss_after": after_rss,
    }


def _q(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    idx = min(len(values) - 1, max(0, int(round(q * (len(values) - 1)))))
    return values[idx]


def fmt_row(r: dict) -> str:
    s = lambda v: "–" if v != v else f"{v:.2f}".replace(".", ",")  # noqa: E731
    mb = lambda v: "–" if v != v else f"{v:.0f}"  # noqa: E731
    return (f"| {r['scenario']} | {r['target']} | {r['clicks']} | {s(r['median'])} | {s(r['p95'])} | {s(r['max'])} "
            f"| {s(r['first_median'])} / {s(r['first_max'])} | {s(r['throughput'])} | {r['errors']} "
            f"| {s(r['health_p95'])} / {s(r['health_max'])} ({r['health_slow']:.0%}) | {s(r['kb_per_click'])} "
            f"| {mb(r['rss_warm'])} / {mb(r['rss_peak'])} / {mb(r['rss_after'])} |")


HEADER = ("| scenario | mot | klick | median s | p95 s | max s | första sidan median / max s | klick/s | fel "
          "| health p95 / max s (andel > 0,5 s) | kB per klick | minne MB varm / topp / efter |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|")


def run(coro):
    """asyncio.run, but never waits on a hung websocket when it tears down."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in pending:
            t.cancel()
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=5))
        loop.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS),
                        help="one or more; default: all three")
    parser.add_argument("--users", type=int, help="override the scenario's number of users")
    parser.add_argument("--duration", type=float, help="override the scenario's duration (s)")
    parser.add_argument("--url", help="measure an already running server instead of starting one")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare-page floor")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    names = args.scenario or list(SCENARIOS)
    rows = []
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {os.cpu_count()} kärnor · "
          f"Python {platform.python_version()}", flush=True)
    for name in names:
        sc = SCENARIOS[name]
        if args.users:
            sc = Scenario(sc.name.replace(str(sc.users), str(args.users), 1), args.users, sc.think, sc.duration, sc.arrival)
        if args.duration:
            sc = Scenario(sc.name, sc.users, sc.think, args.duration, sc.arrival)
        if args.url:
            rows.append(run(run_scenario(args.url.rstrip("/"), None, sc, is_floor=False, seed=args.seed)))
        else:
            with server(ROOT / "app.py") as (base, pid):
                rows.append(run(run_scenario(base, pid, sc, is_floor=False, seed=args.seed)))
        print(fmt_row(rows[-1]) if len(rows) > 1 else HEADER + "\n" + fmt_row(rows[-1]), flush=True)
        if rows[-1]["error_kinds"]:
            print("  fel:", "; ".join(rows[-1]["error_kinds"]), flush=True)
        if not args.no_floor and not args.url:
            with tempfile.TemporaryDirectory() as tmp:
                floor = Path(tmp) / "floor.py"
                floor.write_text(FLOOR_APP, encoding="utf-8")
                with server(floor) as (base, pid):
                    rows.append(run(run_scenario(base, pid, sc, is_floor=True, seed=args.seed)))
            app, fl = rows[-2], rows[-1]
            print(fmt_row(fl), flush=True)
            print(f"  kvot app/golv: median {app['median'] / fl['median']:.1f}×, p95 {app['p95'] / fl['p95']:.1f}×",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
