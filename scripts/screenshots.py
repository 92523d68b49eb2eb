"""Screenshot every page in headless Chromium (Debian's /usr/bin/chromium) for a visual check.

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--query "kommun=1780&kon=KM"]

Starts the app on a free loopback port, opens each page by deep link, waits until Streamlit has
finished running the script, and saves full-page PNGs. The server is stopped at the end.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nyap import DEFAULT_GOALS_FILE  # noqa: E402
from nyap.ops.browser import full_screenshot, launch_browser, open_page, running_app  # noqa: E402
from nyap.rules.goals import load_goals  # noqa: E402
from nyap.serving.page_registry import pages  # noqa: E402

PAGES = {p.key: p.url_path for p in pages(load_goals(DEFAULT_GOALS_FILE))}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--query", default="")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--screen", action="store_true",
                        help="the screen only (a projector's view of presentation mode), not the whole page")
    parser.add_argument("--pages", nargs="*", default=list(PAGES))
    parser.add_argument("--cache", default=None, help="another cache directory (e.g. after a refresh)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with running_app(Path(args.cache) if args.cache else None) as base, launch_browser() as browser:
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        for name in args.pages:
            path = PAGES[name]
            url = f"{base}/{path}" + (f"?{args.query}" if args.query else "")
            open_page(page, url)
            target = out / f"{name}.png"
            if args.screen:
                page.wait_for_timeout(800)
                page.screenshot(path=str(target))
            else:
                full_screenshot(page, str(target), args.width)
            print(f"{url} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
