"""Several app replicas behind nginx, for more users than one process serves.

One Streamlit process runs the app's Python on one core at a time. A seminar audience or several
workshops at once are served by N replicas (one per core) behind Debian's nginx with sticky
sessions (deploy/nyap-site.conf). All replicas read the same cache directory; a refresh swaps it
atomically and each replica picks up the new data version on its next script run.

`python -m nyap serve --replicas 2 --port 8080` starts the replicas and nginx in the foreground
(an operator's quick start and the tests use the same code); a server runs the systemd units in
deploy/ instead.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from nyap import PROJECT_ROOT

SITE_TEMPLATE = PROJECT_ROOT / "deploy" / "nyap-site.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


class DeployError(Exception):
    """A replica or nginx could not start; the message is Swedish and says what to do."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_site(listen: str, replica_ports: list[int], template: Path = SITE_TEMPLATE) -> str:
    """deploy/nyap-site.conf with this listen address and one server line per replica."""
    lines, replicas_done = [], False
    for line in template.read_text(encoding="utf-8").splitlines():
        if line.rstrip().endswith("# @replicas"):
            if not replicas_done:
                indent = line[: len(line) - len(line.lstrip())]
                lines += [f"{indent}server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in replica_ports]
                replicas_done = True
            continue
        if line.rstrip().endswith("# @listen"):
            line = re.sub(r"listen\s+\S+;", f"listen {listen};", line)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _main_conf(prefix: Path, site: Path) -> str:
    # a self-contained nginx in `prefix` (no root needed, nothing in /etc touched)
    return f"""worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""


def warm(base: str, timeout: float = 120.0) -> bool:
    """Open every page of a running app once, so that the shared results of the data version are
    ready before the first visitor arrives (a cold replica made a seminar's first page take 6 s
    instead of 1,4 s; docs/BENCHMARKS.md). True when every page ran without an error."""
    import asyncio

    from nyap.ui.client import warm_up

    async def visit() -> bool:
        errors: list[str] = []
        await warm_up(base, errors=errors, talk_steps=talk_length())
        return not errors

    try:
        return asyncio.run(asyncio.wait_for(visit(), timeout))
    except Exception:  # noqa: BLE001 - reported as "not warmed" by the caller
        return False


def talk_length() -> int:
    """The number of slides in the shipped talk (0 when it cannot be read: the page says why)."""
    from nyap import goals_file
    from nyap.rules.goals import load_goals
    from nyap.serving.presentation import load_presentation, presentation_file

    try:
        return len(load_presentation(presentation_file(), load_goals(goals_file())).steps)
    except Exception:  # noqa: BLE001 - a broken talk file is reported by the page and by `nyap check`
        return 0


# how long a replica may take to prepare and answer before the start is called failed
START_TIMEOUT_S = 300.0


def app_command(address: str, port: int) -> list[str]:
    """One app process: prepared before its port opens (nyap/ui/launch.py), so it answers
    health checks only when a visitor gets a prepared page (nginx uses the others meanwhile)."""
    return [sys.executable, "-m", "nyap.ui.launch", "--server.address", address, "--server.port", str(port)]


def wait_healthy(base: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/_stcore/health", timeout=2).read()
            return
        except Exception:  # noqa: BLE001 - not up yet
            if proc is not None and proc.poll() is not None:
                raise DeployError(f"Processen för {base} avslutades direkt (kod {proc.returncode}).")
            time.sleep(0.2)
    raise DeployError(f"{base} svarade inte inom {timeout:.0f} s.")


@dataclass
class Replicas:
    """N app processes on loopback behind one nginx. Use as a context manager."""

    n: int = 2
    listen_port: int = 0
    listen_address: str = "127.0.0.1"  # 0.0.0.0: the whole network (a seminar room's wifi)
    env: dict[str, str] = field(default_factory=dict)
    ports: list[int] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    workdir: Path | None = None

    @property
    def _host(self) -> str:
        """listen_address as nginx and a URL write it (an IPv6 address in brackets)."""
        return f"[{self.listen_address}]" if ":" in self.listen_address else self.listen_address

    @property
    def url(self) -> str:
        """Where this machine reaches nginx (every address: through loopback)."""
        host = "127.0.0.1" if self.listen_address in ("0.0.0.0", "::") else self._host
        return f"http://{host}:{self.listen_port}"

    def replica_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def start_replica(self, port: int) -> subprocess.Popen:
        env = dict(os.environ, **self.env)
        env.setdefault("MALLOC_ARENA_MAX", "2")  # fewer malloc arenas: memory returns after a workshop
        return subprocess.Popen(app_command("127.0.0.1", port), cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def __enter__(self) -> Replicas:
        if not Path(NGINX).exists():
            raise DeployError("nginx saknas: installera det med 'apt-get install nginx'.")
        self.workdir = Path(tempfile.mkdtemp(prefix="nyap-nginx-"))
        self.workdir.chmod(0o755)  # nginx's workers (user nobody) write their temp files here
        try:
            self.ports = [free_port() for _ in range(self.n)]
            self.listen_port = self.listen_port or free_port()
            self.processes = [self.start_replica(p) for p in self.ports]
            for port, proc in zip(self.ports, self.processes):
                # a replica answers once prepared: 10–20 s on a 2-core VM, longer on a slower one
                wait_healthy(f"http://127.0.0.1:{port}", timeout=START_TIMEOUT_S, proc=proc)
            self.start_nginx()  # each replica answered only once prepared (app_command)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def start_nginx(self) -> None:
        """nginx on listen_address:listen_port in front of the replicas (also to start it again)."""
        site = self.workdir / "nyap-site.conf"
        site.write_text(render_site(f"{self._host}:{self.listen_port}", self.ports), encoding="utf-8")
        conf = self.workdir / "nginx.conf"
        conf.write_text(_main_conf(self.workdir, site), encoding="utf-8")
        self.nginx = subprocess.Popen([NGINX, "-p", str(self.workdir), "-c", str(conf), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        wait_healthy(self.url, timeout=20, proc=self.nginx)

    def restart_replica(self, i: int) -> None:
        """Start replica i again on its port. It prepares its data version before it answers
        (app_command); nginx sends its browsers to the others meanwhile."""
        self.processes[i] = self.start_replica(self.ports[i])

    def stop_replica(self, i: int) -> None:
        """Stop one replica abruptly (as a crash or a kill would)."""
        proc = self.processes[i]
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def __exit__(self, *exc) -> None:
        for proc in [self.nginx, *self.processes]:
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(10)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


# a replica that dies this often within the window is left down (the others keep serving): a
# crash at every start would otherwise restart it forever
RESTART_LIMIT = 5
RESTART_WINDOW_S = 120.0


def supervise(r: Replicas, log=None, poll_s: float = 1.0, stop: threading.Event | None = None) -> int:
    """Keep N replicas and nginx running until `stop` is set (or Ctrl-C): a replica that dies is
    started again on its port and warmed, while nginx sends its visitors to the others (the page
    reconnects and the link restores the view); nginx is started again the same way. Only when
    every replica is down for good does serving end (return 1)."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    stop = stop or threading.Event()
    restarts: list[list[float]] = [[] for _ in r.processes]
    given_up: set[int] = set()
    while not stop.wait(poll_s):
        for i, proc in enumerate(r.processes):
            if i in given_up or proc.poll() is None:
                continue
            now = time.monotonic()
            restarts[i] = [t for t in restarts[i] if now - t < RESTART_WINDOW_S] + [now]
            if len(restarts[i]) > RESTART_LIMIT:
                given_up.add(i)
                log(f"Replik {i + 1} (port {r.ports[i]}) har avslutats {RESTART_LIMIT} gånger på "
                    f"{RESTART_WINDOW_S:.0f} s; den startas inte igen. De andra fortsätter att svara.")
                continue
            log(f"Replik {i + 1} (port {r.ports[i]}) avslutades (kod {proc.returncode}); startar om den. "
                "Dess besökare kopplas till en annan replik så länge.")
            r.restart_replica(i)
        if len(given_up) == len(r.processes):
            log("Ingen replik kan startas; allt stoppat.")
            return 1
        if r.nginx is not None and r.nginx.poll() is not None:
            log(f"nginx avslutades (kod {r.nginx.returncode}); startar om den.")
            try:
                r.start_nginx()
            except DeployError as exc:
                log(f"nginx kunde inte startas igen: {exc}")
                return 1
    return 0


def serve(n: int, port: int, address: str = "127.0.0.1") -> int:
    """Foreground: N replicas behind nginx on address:port until Ctrl-C; a replica or nginx that
    dies is started again (supervise)."""
    def stop(signum, frame):
        # SIGTERM (systemd, kill, a test) and SIGHUP (the terminal closed) end serving the way
        # Ctrl-C does: the replicas and nginx run in their own process groups and would be left
        # running otherwise
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    with Replicas(n=n, listen_port=port, listen_address=address) as r:
        where = r.url if address not in ("0.0.0.0", "::") else f"{r.url} och port {r.listen_port} på alla nätverkskort"
        print(f"{n} repliker bakom nginx: {where} (Ctrl-C avslutar)", flush=True)
        for i, (p, proc) in enumerate(zip(r.ports, r.processes), 1):
            print(f"  Replik {i}: 127.0.0.1:{p} (pid {proc.pid})", flush=True)
        try:
            return supervise(r)
        except KeyboardInterrupt:
            return 0
