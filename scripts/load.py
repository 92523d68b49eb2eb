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
The app is measured once it logs that its background preparation is done (`wait_prepared`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nyap.ops.browser import stop_group  # noqa: E402
from nyap.ops.replicas import free_port, wait_healthy  # noqa: E402
from nyap.ui.client import CLICK_TIMEOUT, Session, WidgetState, connect, warm_up  # noqa: E402

FLOOR_APP = '''
import streamlit as st
st.title("Golv")
choice = st.selectbox("Kommun", [f"Kommun {i}" for i in range(17)], key="area")
st.write(f"Vald: {choice}")
'''


# --------------------------------------------------------------------------- one session

@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    first_pages: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # what each click was (the slowest are printed)
    clicks: int = 0


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
            results.kinds.append(f"sida {what}" if kind == "page" else f"filter {what.id.rsplit('-', 1)[-1][:40]}")
            results.clicks += 1
            if error:
                results.errors.append(error)
    except Exception as exc:  # noqa: BLE001
        results.errors.append(f"session: {type(exc).__name__}: {exc}"[:120])
    finally:
        with contextlib.suppress(Exception):
            await session.ws.close()


async def report_press(base: str, area: str, start_delay: float, results: Results) -> None:
    """A strategist on the overview pressing "Skapa rapport (PDF)" for a municipality and waiting for
    the file (the script run ends when the report is handed over). Not counted as a click."""
    await asyncio.sleep(start_delay)
    session = None
    try:
        session = await connect(base)
        session.query = f"kommun={area}"
        await session.run()
        label = next((b for b in session.buttons if b.startswith("Skapa rapport")), None)
        if label is None:
            results.errors.append("rapport: ingen knapp")
            return
        press = WidgetState(id=session.buttons[label], trigger_value=True)
        elapsed, error, _ = await session.run(changed=press)
        results.first_pages.append(elapsed)  # the report's own wait, reported apart
        if error:
            results.errors.append(f"rapport: {error}")
    except Exception as exc:  # noqa: BLE001
        results.errors.append(f"rapport: {type(exc).__name__}: {exc}"[:120])
    finally:
        if session is not None:
            with contextlib.suppress(Exception):
                await session.ws.close()


async def cache_clearer(base: str, every: float, until: float, results: Results) -> None:
    """A visitor whose browser sends Streamlit's "clear cache" message every `every` seconds (the
    menu item is hidden; the message is not). Not counted as clicks."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    session = await connect(base)
    try:
        while time.monotonic() < until:
            msg = BackMsg()
            msg.clear_cache = True
            await session.ws.send(msg.SerializeToString())
            results.clicks += 1
            await asyncio.sleep(every)
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


def cpu_seconds(pid: int | None, since: float) -> float:
    """The server process's CPU time (user + system) since `since` (its children, e.g. the report
    workers, are not the web process and not counted)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") - since
    except (OSError, IndexError, ValueError):
        return float("nan")


async def quiet(pid: int | None, limit_s: float = 120.0) -> None:
    """Wait until the server has finished what it prepares in the background after a start
    (its CPU time stops growing for a second), as a workshop meets a server started beforehand."""
    if not pid:
        return
    deadline = time.monotonic() + limit_s
    before = cpu_seconds(pid, 0.0)
    while time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        now = cpu_seconds(pid, 0.0)
        if not now - before >= 0.05:  # quiet (or the process is not readable: NaN)
            return
        before = now


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


@contextlib.contextmanager
def server(script: Path, env_extra: dict[str, str] | None = None):
    """Start the app (or the bare floor page) on a free loopback port; stop it on exit."""
    port = free_port()
    env = dict(os.environ, **(env_extra or {}))
    env.setdefault("MALLOC_ARENA_MAX", "2")  # as `make run` and the systemd unit run the app
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    if script.name == "app.py" and (script.parent / "nyap" / "ui" / "launch.py").exists():
        # the app as `make run`, `make serve` and the systemd unit start it (prepared before it
        # answers, drawings in a helper process); an older checkout: streamlit run
        cmd = [sys.executable, "-m", "nyap.ui.launch", "--server.address", "127.0.0.1", "--server.port", str(port)]
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=script.parent, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc=proc, timeout=300)
        wait_prepared(script.parent, log)
        yield base, proc.pid
    finally:
        stop_group(proc)  # the server and its report workers
        log.close()


# The last line a server logs when it has prepared a data version in the background (newest
# checkout first): a workshop meets a server that has been up for a while, so the load is measured
# after it (and its memory "warm" includes what was prepared). A checkout that logs none of these
# is measured at once.
PREPARED_LINES = ("tidigare år förberedda", "dataversion förberedd")


def wait_prepared(checkout: Path, log, timeout: float = 900.0) -> None:
    loaders = checkout / "nyap" / "ui" / "loaders.py"
    source = loaders.read_text(encoding="utf-8") if loaders.exists() else ""
    # a server told to prepare less (NYAP_PREPARE, nyap/ui/loaders.py) logs only the first line
    lines = PREPARED_LINES if os.environ.get("NYAP_PREPARE", "all").strip().lower() == "all" else PREPARED_LINES[1:]
    line = next((x for x in lines if x in source), None)
    if line is None:
        return
    started, deadline = time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        log.seek(0)
        if line.encode() in log.read():
            print(f"  servern förberedd efter {time.monotonic() - started:.0f} s till (\"{line}\")".replace(".", ","),
                  file=sys.stderr, flush=True)
            return
        time.sleep(0.5)
    print(f"  servern skrev inte \"{line}\" inom {timeout:.0f} s; mäter ändå", file=sys.stderr, flush=True)


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
    from nyap import goals_file
    from nyap.rules.goals import load_goals
    page = rng.choice(page_names)
    return page, f"kommun={rng.choice(list(load_goals(goals_file()).region.municipalities))}"


async def run_scenario(base: str, pid: int | None, sc: Scenario, *, is_floor: bool, seed: int,
                       reports: int = 0, clear_every: float = 0.0) -> dict:
    rng = random.Random(seed)
    names = await warm_up(base, [])
    page_names = [] if is_floor else names
    await asyncio.sleep(1.0)
    await quiet(pid)
    warm_rss = rss_mb(pid)
    results = Results()
    health, memory = HealthProbe(base), MemoryProbe(pid)
    health.start()
    memory.start()
    cpu_start = cpu_seconds(pid, 0.0) if pid else 0.0
    start = time.monotonic()
    until = start + sc.duration
    tasks = []
    for i in range(sc.users):
        page, query = ("", "") if is_floor else app_links(page_names, rng)
        tasks.append(asyncio.ensure_future(user(
            base, random.Random(seed * 1000 + i), results, start_delay=rng.uniform(0, sc.arrival),
            first_page=page, first_query=query, think=sc.think, until=until, page_names=page_names)))
    press_results = Results()
    if reports and not is_floor:
        from nyap import goals_file
        from nyap.rules.goals import load_goals
        codes = list(load_goals(goals_file()).region.municipalities)
        for i in range(reports):  # different municipalities, pressed during the first half
            tasks.append(asyncio.ensure_future(report_press(base, codes[i % len(codes)],
                                                            rng.uniform(sc.arrival, sc.duration / 2), press_results)))
    if clear_every and not is_floor:
        tasks.append(asyncio.ensure_future(cache_clearer(base, clear_every, until, press_results)))
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
    if not is_floor and results.latencies:
        # where the tail is: the slowest clicks and what they were (stderr, beside the table)
        slow = sorted(zip(results.latencies, results.kinds), reverse=True)[:max(3, len(results.latencies) // 20)]
        print("  långsammast: " + "; ".join(f"{t:.2f} s {k}" for t, k in slow).replace(".", ","), file=sys.stderr)
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
        "reports": sorted(press_results.first_pages), "report_errors": press_results.errors,
        "cpu_per_click": cpu_seconds(pid, cpu_start) / results.clicks if pid and results.clicks else float("nan"),
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
            f"| {mb(r['rss_warm'])} / {mb(r['rss_peak'])} / {mb(r['rss_after'])} | {mb(r['cpu_per_click'] * 1000)} |")


HEADER = ("| scenario | mot | klick | median s | p95 s | max s | första sidan median / max s | klick/s | fel "
          "| health p95 / max s (andel > 0,5 s) | kB per klick | minne MB varm / topp / efter | server-CPU ms per klick |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|")


async def versions_scenario(base: str, pid: int, cache_dir: Path, n: int) -> list[float]:
    """Memory as the data changes: write n new cache versions (a refresh each), open every page
    after each, and read the server's memory. Only the current version and the one it replaced
    may stay in memory."""
    from nyap.data.cache import load_cache, write_cache

    await warm_up(base, [])
    rss = [rss_mb(pid)]
    for i in range(n):
        cache = load_cache(cache_dir)
        obs = cache.observations.copy()
        obs.loc[obs["value"].notna().idxmax(), "value"] += 0.1  # another data version
        write_cache(type(cache)(obs, cache.indicators, cache.areas, cache.manifest), cache_dir,
                    {k: cache.manifest[k] for k in ("demo", "demo_sources") if k in cache.manifest})
        await warm_up(base, [])
        await asyncio.sleep(1.0)
        rss.append(rss_mb(pid))
    return rss


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


def cold_start(app: Path, runs: int, page: str) -> None:
    """The first visitor after a start: the server is started the way `make run` starts it (`python
    -m nyap run`, which prepares every page in the background; a checkout without it: `streamlit
    run`), and the first page is opened as soon as the server answers. Against the bare page's
    first visit after its own start, in the same run. Prints medians of `runs` starts."""
    def first_visit(cmd: list[str], cwd: Path, page_name: str) -> float:
        port = free_port()
        proc = subprocess.Popen([*cmd, "--port", str(port)] if cmd[2] == "nyap" else
                                [*cmd, "--server.port", str(port)], cwd=cwd, env=dict(os.environ, MALLOC_ARENA_MAX="2"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc=proc, timeout=120)

            async def visit() -> float:
                t = time.perf_counter()
                session = await connect(base)
                _, error, _ = await session.run(page_name=page_name)  # the link opens this page
                await session.ws.close()
                if error:
                    raise RuntimeError(error)
                return time.perf_counter() - t

            return run(visit())
        finally:
            stop_group(proc)

    root = app.parent
    has_run = (root / "nyap" / "__main__.py").read_text(encoding="utf-8").find('add_parser("run"') >= 0
    app_cmd = ([sys.executable, "-m", "nyap", "run", "--address", "127.0.0.1"] if has_run else
               [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", "127.0.0.1",
                "--server.headless", "true"])
    with tempfile.TemporaryDirectory() as tmp:
        floor = Path(tmp) / "floor.py"
        floor.write_text(FLOOR_APP, encoding="utf-8")
        floor_cmd = [sys.executable, "-m", "streamlit", "run", str(floor), "--server.address", "127.0.0.1",
                     "--server.headless", "true"]
        apps, floors = [], []
        for _ in range(runs):  # interleaved, so both see the same machine
            floors.append(first_visit(floor_cmd, Path(tmp), ""))
            apps.append(first_visit(app_cmd, root, page))
    a, f = statistics.median(apps), statistics.median(floors)
    how = "nyap run" if has_run else "streamlit run"
    print(f"första besökaren efter start ({how}, sidan {page or 'Översikt'}), median av {runs}: "
          f"appen {a:.2f} s, golvet {f:.2f} s, kvot {a / f:.1f}×".replace(".", ","), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS),
                        help="one or more; default: all three")
    parser.add_argument("--users", type=int, help="override the scenario's number of users")
    parser.add_argument("--duration", type=float, help="override the scenario's duration (s)")
    parser.add_argument("--url", help="measure an already running server instead of starting one")
    parser.add_argument("--app", type=Path, default=ROOT / "app.py",
                        help="the app to start (e.g. another checkout's app.py, for before/after figures)")
    parser.add_argument("--replicas", type=int, default=0,
                        help="start this many replicas behind nginx (python -m nyap serve) and measure through it")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare-page floor")
    parser.add_argument("--reports", type=int, default=0,
                        help="also run the scenario with this many report presses (different municipalities) "
                             "during it, and print both")
    parser.add_argument("--clear-cache", type=float, default=0.0, metavar="S",
                        help="also run the scenario with one more visitor sending Streamlit's clear_cache "
                             "message every S seconds, and print both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache-versions", type=int, default=0,
                        help="instead of users: write this many new cache versions and report memory after each")
    parser.add_argument("--cold-start", type=int, default=0, metavar="N",
                        help="instead of users: start the server N times and time the first visitor's page")
    parser.add_argument("--page", default="Presentation", help="the page the first visitor opens (--cold-start)")
    args = parser.parse_args()
    if args.cold_start:
        cold_start(args.app.resolve(), args.cold_start, args.page)
        return 0

    if args.cache_versions:
        import shutil

        from nyap import DEFAULT_CACHE_DIR
        with tempfile.TemporaryDirectory() as tmp:
            cache_dir = Path(tmp) / "cache"
            shutil.copytree(DEFAULT_CACHE_DIR, cache_dir)
            with server(args.app.resolve(), {"NYAP_CACHE_DIR": str(cache_dir)}) as (base, pid):
                rss = run(versions_scenario(base, pid, cache_dir, args.cache_versions))
        print("minne (MB) efter varje ny dataversion, alla sidor öppnade:",
              " → ".join(f"{v:.0f}" for v in rss), flush=True)
        return 0
    names = args.scenario or list(SCENARIOS)
    rows = []
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {len(os.sched_getaffinity(0))} av {os.cpu_count()} kärnor · "
          f"Python {platform.python_version()}", flush=True)
    for name in names:
        sc = SCENARIOS[name]
        if args.users:
            sc = Scenario(sc.name.replace(str(sc.users), str(args.users), 1), args.users, sc.think, sc.duration, sc.arrival)
        if args.duration:
            sc = Scenario(sc.name, sc.users, sc.think, args.duration, sc.arrival)
        if args.url:
            rows.append(run(run_scenario(args.url.rstrip("/"), None, sc, is_floor=False, seed=args.seed)))
        elif args.replicas:
            from nyap.ops.replicas import Replicas
            with Replicas(n=args.replicas) as r:
                row = run(run_scenario(r.url, None, sc, is_floor=False, seed=args.seed))
                row["target"] = f"{args.replicas} repliker bakom nginx"
                row["rss_after"] = sum(rss_mb(p.pid) for p in r.processes)
                rows.append(row)
        else:
            with server(args.app.resolve()) as (base, pid):
                plain = run(run_scenario(base, pid, sc, is_floor=False, seed=args.seed))
                rows.append(plain)

                def variant(target: str, **extra) -> dict:
                    """The same scenario with one more kind of visitor, printed below the plain run."""
                    row = run(run_scenario(base, pid, sc, is_floor=False, seed=args.seed, **extra))
                    row["target"] = target
                    rows.append(row)
                    print(fmt_row(row), flush=True)
                    return row

                if args.clear_cache or args.reports:
                    print(HEADER + "\n" + fmt_row(plain), flush=True)
                if args.clear_cache:
                    row = variant(f"appen + clear_cache var {args.clear_cache:g} s", clear_every=args.clear_cache)
                    print(f"  övrigas median / p95 med clear_cache mot utan: {row['median'] / plain['median']:.2f}× / "
                          f"{row['p95'] / plain['p95']:.2f}×".replace(".", ","), flush=True)
                if args.reports:
                    row = variant(f"appen + {args.reports} rapporttryck", reports=args.reports)
                    waits = ", ".join(f"{w:.1f}".replace(".", ",") for w in row["reports"])
                    print(f"  rapporterna: {len(row['reports'])} av {args.reports} klara, väntan {waits} s; "
                          f"fel: {row['report_errors'] or 'inga'}", flush=True)
                    print(f"  övrigas p95 med rapporter / utan: {row['p95'] / plain['p95']:.2f}×; "
                          f"health max {row['health_max']:.2f} s".replace(".", ","), flush=True)
        if not (args.reports or args.clear_cache) or args.url or args.replicas:
            print(fmt_row(rows[-1]) if len(rows) > 1 else HEADER + "\n" + fmt_row(rows[-1]), flush=True)
        if rows[-1]["error_kinds"]:
            print("  fel:", "; ".join(rows[-1]["error_kinds"]), flush=True)
        if not args.no_floor and not args.url and not args.replicas:
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
