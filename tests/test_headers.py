"""What the proxy in front of the room sends (deploy/nyap-site.conf, `nyap serve`): no content
sniffing, no framing by other sites, a content security policy the app passes on every page,
Streamlit's internals not served, and no internal addresses in the headers."""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request

import pytest

from nyap.ops.replicas import NGINX, Replicas

from .browser import PAGES, chromium_available, launch_browser, open_page
from .conftest import IN_CI

pytestmark = pytest.mark.skipif((shutil.which("nginx") is None and not os.path.exists(NGINX)
                                 or not chromium_available()) and not IN_CI,
                                reason="nginx and Chromium are needed (apt-get install nginx chromium)")


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_proxy_sends_safe_headers_and_every_page_passes_its_policy():
    with Replicas(n=1) as r:
        with urllib.request.urlopen(r.url + "/", timeout=30) as resp:
            headers = resp.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in csp and "default-src 'self'" in csp and "unsafe-eval'" not in csp.replace(
            "wasm-unsafe-eval'", "")
        # which replica answered: its port, never an address
        assert headers["X-Nyap-Replica"].isdigit()
        assert "127.0.0.1" not in str(headers)
        # what a visitor has no use for is not served; what the page needs is
        for path in ("/_stcore/metrics", "/_stcore/script-health-check", "/_stcore/agent/openapi.json",
                     "/Barnalivet/_stcore/metrics", "/_stcore/upload_file/x/y"):
            assert _status(r.url + path) == 404, path
        assert _status(r.url + "/_stcore/health") == 200 and _status(r.url + "/_stcore/host-config") == 200
        # the app takes no uploads: a large request body is refused at the proxy
        big = urllib.request.Request(r.url + "/", data=b"x" * (2 * 1024 * 1024), method="POST")
        try:
            urllib.request.urlopen(big, timeout=30)
            refused = None
        except urllib.error.HTTPError as exc:
            refused = exc.code
        except (ConnectionResetError, BrokenPipeError):  # closed by the proxy while the body was sent
            refused = 413
        assert refused == 413

        with launch_browser() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.add_init_script("window.__nyapViolations = []; document.addEventListener("
                                 "'securitypolicyviolation', e => window.__nyapViolations.push("
                                 "e.violatedDirective + ' ' + e.blockedURI))")
            drawn = {}
            for name, path in {**PAGES, "Presentation": "Presentation?steg=2"}.items():
                open_page(page, f"{r.url}/{path}")
                page.wait_for_timeout(1000)
                assert page.evaluate("window.__nyapViolations") == [], name
                # drawn and shown (a slide holds one drawing per projector shape; one is visible)
                drawn[name] = page.evaluate("[...document.querySelectorAll("
                                            "'.vega-embed canvas, .vega-embed svg.marks, .nyap-room-chart svg')]"
                                            ".filter(e => e.getBoundingClientRect().width > 0).length")
            # the charts are drawn under the policy (Vega without eval, Arrow's WebAssembly allowed)
            assert drawn["Ungdomslivet"] >= 3 and drawn["Presentation"] == 1, drawn
            page.close()
