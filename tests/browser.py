"""Helpers for browser tests: the app on loopback and Chromium via Playwright (nyap/ops/browser.py),
the page list from the app's registry, and what "fits" means."""

from __future__ import annotations

from nyap.ops.browser import (  # noqa: F401  (re-exported for the tests)
    CHROMIUM, CHROMIUM_ARGS, ROOT, chromium_available, free_port, full_screenshot, launch_browser, open_page,
    running_app, wait_until_idle,
)


def _pages() -> dict[str, str]:
    from nyap import DEFAULT_GOALS_FILE
    from nyap.rules.goals import load_goals
    from nyap.serving.page_registry import PRESENTATION, pages

    return {p.key: p.url_path for p in pages(load_goals(DEFAULT_GOALS_FILE)) if p.key != PRESENTATION}


# page key -> URL path, from the app's page registry: the pages with the sidebar's filters (the
# presentation page has its own tests, tests/test_presentation.py)
PAGES = _pages()


# What "fits" means: nothing scrolls sideways but a table's own box, no chart is wider than its
# column, no table sticks out of the window.
LAYOUT_PROBE = """() => {
  const vw = document.documentElement.clientWidth;
  const main = document.querySelector('[data-testid=stMain]');
  const out = {page: document.documentElement.scrollWidth - vw, main: main.scrollWidth - main.clientWidth,
               charts: [], tables: []};
  document.querySelectorAll('[data-testid=stVegaLiteChart]').forEach(c => {
    const g = c.querySelector('canvas, svg');
    if (!g) return;
    const col = c.closest('[data-testid=stVerticalBlock]').getBoundingClientRect();
    const r = g.getBoundingClientRect();
    out.charts.push({width: Math.round(r.width), column: Math.round(col.width), over: Math.round(r.right - col.right)});
  });
  document.querySelectorAll('table').forEach(t => {
    const box = (t.closest('.nyap-scroll') || t).getBoundingClientRect();
    if (box.right > vw + 1) out.tables.push((t.querySelector('caption') || {}).textContent);
  });
  out.scrolling = [...document.querySelectorAll('.nyap-scroll')].filter(b => b.scrollWidth > b.clientWidth + 1)
    // the data behind a chart (in its expander) may scroll; the goal tables may not
    .filter(b => b.offsetParent !== null && !b.querySelector('table.nyap-data')).map(b => b.getAttribute('aria-label'));
  return out;
}"""


def layout_problems(page, tables_may_scroll: bool = True) -> list[str]:
    """What does not fit. On a laptop (tables_may_scroll=False) the visible tables must fit whole:
    a projector audience cannot scroll a table sideways."""
    r = page.evaluate(LAYOUT_PROBE)
    problems = []
    if r["page"] > 0 or r["main"] > 0:
        problems.append(f"scrolls sideways by {max(r['page'], r['main'])} px")
    problems += [f"chart {c['width']} px in a {c['column']} px column" for c in r["charts"] if c["over"] > 1]
    problems += [f"table sticks out: {t}" for t in r["tables"]]
    if not tables_may_scroll:
        problems += [f"table needs sideways scrolling: {t}" for t in r["scrolling"]]
    return problems
