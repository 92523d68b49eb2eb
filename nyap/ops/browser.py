"""Start the app on loopback and drive Debian's Chromium with Playwright: the browser tests and
scripts/screenshots.py share these (Playwright is a test dependency, imported only when used)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project
CHROMIUM = os.environ.get("NYAP_CHROMIUM", "/usr/bin/chromium")
# Software rendering costs most of a browser test's CPU: no GPU compositing, no threaded or smooth
# animation (measured: 7,7 → 4,8 s of Chromium CPU for six pages), and the app's own rule for
# visitors who ask for less motion (nyap/ui/style.py)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-gpu-compositing", "--disable-smooth-scrolling", "--disable-threaded-animation",
                 "--disable-extensions", "--mute-audio", "--disable-renderer-backgrounding",
                 "--force-prefers-reduced-motion"]
# Streamlit's shimmering placeholders run before the app's CSS arrives: still them from the first
# paint in every page a test opens (4,8 → 4,0 s of Chromium CPU for six pages)
_STILL = ("document.addEventListener('DOMContentLoaded', () => { const s = document.createElement('style'); "
          "s.textContent = '*, *::before, *::after { animation: none !important; transition: none !important }'; "
          "document.head.appendChild(s); });")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(cache_dir: Path | None = None, timeout: float = 300.0, log_path: Path | None = None,
                prepared: bool = False):
    """Start `streamlit run app.py` on 127.0.0.1 and a free port; stop it afterwards. `log_path`:
    where the server's output goes (a test reads it); by default a temporary file. `prepared`: start
    it as `make run` does (nyap/ui/launch.py: it answers once the data and first pages are prepared)."""
    from nyap.ops.replicas import app_command

    port = free_port()
    env = dict(os.environ)
    if cache_dir is not None:
        env["NYAP_CACHE_DIR"] = str(cache_dir)
    flags = ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    cmd = app_command("127.0.0.1", port) + flags if prepared else \
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), *flags]
    log = open(log_path, "w+b") if log_path is not None else tempfile.TemporaryFile()
    # its own process group: the app's report workers go with it when it is stopped
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError("streamlit exited: " + log.read().decode(errors="replace")[-2000:])
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start in time")
        yield base
    finally:
        stop_group(proc)
        log.close()


def stop_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a process started in its own group, and everything it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # the leader's children, had any outlived it
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


@contextlib.contextmanager
def launch_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        _still_every_context(browser)
        try:
            yield browser
        finally:
            browser.close()


def _still_every_context(browser) -> None:
    """Every context (also those `browser.new_page()` makes) gets the still-animations script.
    Playwright has no browser-wide init script; its Browser makes each context through its own
    `new_context`, so that one is wrapped. Only speed depends on it: if a Playwright version lays
    this out differently, pages animate as before."""
    impl = getattr(browser, "_impl_obj", None)
    make = getattr(impl, "new_context", None)
    if make is None:
        return

    async def new_context(*args, **kwargs):
        context = await make(*args, **kwargs)
        await context.add_init_script(script=_STILL, path=None)
        return context

    impl.new_context = new_context


def wait_until_idle(page, timeout: float = 60_000) -> None:
    """Streamlit is done when connected and the script is not running."""
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    # charts and text draw after the script finished (Streamlit shows grey placeholders while its
    # markdown and chart code loads): wait until no placeholder is left and every visible chart has
    # its drawing — as long as a slow machine needs, no longer than a quick one does
    # (polled every 50 ms: by default Playwright asks on every animation frame, which keeps a
    # software-rendering browser drawing frames while it waits)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stSkeleton]') && "
        "[...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
        ".filter(c => c.offsetParent !== null).every(c => c.querySelector('canvas, svg'))",
        polling=50, timeout=timeout)
    page.wait_for_timeout(50)


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_until_idle(page)


def full_screenshot(page, path: str, width: int = 1600) -> None:
    """Streamlit scrolls inside its own container, so grow the viewport to the content first."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]')]"
        ".map(e => e.scrollHeight), 800)")
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 16000)})
    page.wait_for_timeout(500)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size({"width": width, "height": 1000})
