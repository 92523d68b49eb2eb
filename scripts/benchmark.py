"""Benchmark: prints medians of several runs and ratios against a baseline measured in the same run.

    .venv/bin/python scripts/benchmark.py [--runs 7]

What it measures (all on the shipped cache):
  * core: cache load, every goal evaluated for the overview, one goal view, the three charts
  * a full garbage collection with the app's modules loaded, with and without gc.freeze()
    (Streamlit runs one after every script run; the page scaffold freezes the heap once)
  * page script runs through streamlit's AppTest (first run and reruns, which hit the caches)
Timings are a report, not a test: nothing here fails on a number.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--all-reports", action="store_true", help="also time `nyap report --all` (a minute or two)")
    args = parser.parse_args()
    runs = args.runs

    from nyap import DEFAULT_CACHE_DIR, DEFAULT_GOALS_FILE
    from nyap.data.cache import load_cache
    from nyap.present.charts import goal_gap_chart, municipalities_chart, trend_chart
    from nyap.rules.goals import load_goals
    from nyap.present.views import all_focus_items, goal_view, overview_evaluations, source_line

    config = load_goals(DEFAULT_GOALS_FILE)
    cache = load_cache(DEFAULT_CACHE_DIR)
    items = {i.key: i for i in all_focus_items(config)}
    names = config.region.names()
    rows = []

    rows.append(("load cache (4 files, validated)", median_ms(lambda: load_cache(DEFAULT_CACHE_DIR), runs)))
    rows.append(("overview: all goals × areas × genders", median_ms(lambda: overview_evaluations(cache, config, 2022), runs)))
    view = goal_view(cache, config, items["god_halsa"], 2022, "18-84")
    rows.append(("goal view (god_halsa, 18–84)", median_ms(lambda: goal_view(cache, config, items["god_halsa"], 2022, "18-84"), runs)))
    src = source_line(view, True)

    def three_charts():
        for r in (trend_chart(view, "1780", ("T",), names, src, True),
                  municipalities_chart(view, 2022, "1780", ("T",), names, src, True),
                  goal_gap_chart(view, "1780", ("T",), names, src, True)):
            r.spec

    rows.append(("three charts built and serialised", median_ms(three_charts, runs)))

    print(f"{'core (median of %d runs)' % runs:45s} {'ms':>9s}")
    for name, ms in rows:
        print(f"{name:45s} {ms:9.1f}")

    # the shared store (nyap/serving/store.py) against the plain functions, same data, same run
    from nyap.serving.store import ResultStore

    def new_store():
        s = ResultStore(cache, config)
        s.warm()
        return s

    plain = median_ms(lambda: overview_evaluations(cache, config, 2022), runs)
    build = median_ms(new_store, max(3, runs // 2))
    store = new_store()
    store.overview_evaluations(2022)
    warm = median_ms(lambda: store.overview_evaluations(2022).frame, runs)
    other_year = median_ms(lambda: [store.challenge_evaluations(c.name, y).frame for y in store.years
                                    for c in config.challenges][-1], 3) / (len(store.years) * len(config.challenges))
    print()
    print(f"{'shared store (median of %d runs)' % runs:45s} {'ms':>9s}")
    print(f"{'overview, plain evaluation of every goal':45s} {plain:9.1f}  (baseline)")
    print(f"{'store built: every goal, every year':45s} {build:9.1f}  ratio {build / plain:.2f} (once per data version)")
    print(f"{'overview from the store, seen before':45s} {warm:9.3f}  ratio {warm / plain:.4f}")
    print(f"{'a page table for a year not seen before':45s} {other_year:9.1f}  ratio {other_year / plain:.3f}")

    import streamlit.testing.v1  # noqa: F401  (Streamlit's modules, as in the server)

    gc.collect()
    baseline = median_ms(gc.collect, runs)
    gc.freeze()
    frozen = median_ms(gc.collect, runs)
    gc.unfreeze()
    print()
    print(f"{'full GC with app modules loaded':45s} {baseline:9.1f}  (baseline)")
    print(f"{'full GC after gc.freeze()':45s} {frozen:9.1f}  ratio {frozen / baseline:.2f}")

    import logging

    from streamlit.testing.v1 import AppTest

    # AppTest's runs outside a server make Streamlit warn "missing ScriptRunContext": noise
    # between the figures (a filter: Streamlit resets its loggers' levels when AppTest starts)
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())

    from nyap import PROJECT_ROOT
    from nyap.serving.page_registry import pages

    files = {p.key: p.file for p in pages(config)}

    def open_app(page: str, query: dict) -> AppTest:
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=90)
        for k, v in query.items():
            at.query_params[k] = v
        if files[page] != "app.py":
            at.switch_page(files[page])
        return at.run()

    def first_run():
        open_app("Ungdomslivet", {"kommun": "1780"})

    t = time.perf_counter()
    at = open_app("Ungdomslivet", {"kommun": "1780"})
    cold = (time.perf_counter() - t) * 1000
    # the server prepares the defaults in a background thread after its first request; measure
    # the clicks after that, as a visitor after `make run` meets them
    from nyap.ui.loaders import get_data
    get_data()[0].pages_ready.wait(600)

    def rerun():
        at.run()

    warm = median_ms(rerun, runs)
    fresh = median_ms(first_run, max(3, runs // 2))

    def change_year():
        box = at.selectbox(key="Ungdomslivet__year")
        box.set_value(2021 if box.value != 2021 else 2022).run()

    switch = median_ms(change_year, runs)
    codes = iter([c for c in config.region.municipalities if c != "1780"])

    def new_municipality():  # a selection not seen before: the three charts are built anew
        at.selectbox(key="Ungdomslivet__area").set_value(next(codes)).run()

    fresh_area = median_ms(new_municipality, min(runs, 15))
    print()
    print(f"{'page script (AppTest, Ungdomslivet)':45s} {'ms':>9s}")
    print(f"{'first run in a new process (cold caches)':45s} {cold:9.1f}")
    print(f"{'first run of a new session (warm caches)':45s} {fresh:9.1f}  ratio {fresh / warm:.2f} vs rerun")
    print(f"{'rerun, same selection':45s} {warm:9.1f}  (baseline)")
    print(f"{'rerun, year toggled (both years cached)':45s} {switch:9.1f}  ratio {switch / warm:.2f}")
    print(f"{'rerun, a municipality not chosen before':45s} {fresh_area:9.1f}  ratio {fresh_area / warm:.2f}")

    # Aktuellt perspektiv as the overview's button makes it: by the report worker process, the
    # worker prepared beforehand (as the page does when it shows the buttons)
    from nyap.present.report import pdf_available
    from nyap.serving.report_jobs import ReportJobs, ReportKey
    from nyap.data.cache import version_token

    def key(area: str, kind: str) -> ReportKey:
        return ReportKey(str(DEFAULT_CACHE_DIR), version_token(DEFAULT_CACHE_DIR), str(DEFAULT_GOALS_FILE), "bench",
                         area, max(store.years), kind)

    def made(jobs: ReportJobs, k: ReportKey) -> float:
        t = time.perf_counter()
        jobs.request(k)
        while not (state := jobs.status(k)).done:
            time.sleep(0.02)
        assert state.error is None, state.error
        return (time.perf_counter() - t) * 1000

    jobs = ReportJobs(workers=1)
    jobs.start(key("1715", "html"))
    made(jobs, key("1715", "html"))  # waits for the worker's preparation too
    kinds = ("html", "pdf") if pdf_available() else ("html",)
    # three municipalities per measure, each not made before (a press of one kind makes the page)
    others = [c for c in config.region.municipalities if c != "1715"]
    areas, html_areas, pdf_areas = others[:3], others[3:6], others[6:9]
    per_area = statistics.median(sum(made(jobs, key(a, k)) for k in kinds) for a in areas)
    html_only = statistics.median(made(jobs, key(a, "html")) for a in html_areas)
    pdf_only = statistics.median(made(jobs, key(a, "pdf")) for a in pdf_areas) if "pdf" in kinds else None
    again = statistics.median(made(jobs, key(areas[0], "html")) for _ in range(runs))
    jobs.shutdown(wait=True)
    print()
    print(f"{'report (worker process, prepared)':45s} {'ms':>9s}")
    print(f"{'page rerun (from above)':45s} {warm:9.1f}  (baseline)")
    print(f"{'one municipality, ' + ' + '.join(kinds).upper() + ' (median of 3)':45s} {per_area:9.1f}  "
          f"ratio {per_area / warm:.0f}")
    print(f"{'one municipality, HTML alone (median of 3)':45s} {html_only:9.1f}  ratio {html_only / warm:.0f}")
    if pdf_only is not None:
        print(f"{'one municipality, PDF alone (median of 3)':45s} {pdf_only:9.1f}  ratio {pdf_only / warm:.0f}")
    print(f"{'the same report pressed again (reused)':45s} {again:9.2f}  ratio {again / warm:.3f}")
    if args.all_reports:
        import subprocess
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "nyap", "report", "--all", "--out", tmp], cwd=ROOT, check=True,
                           capture_output=True)
            print(f"{'all 17 reports, HTML and PDF (report --all)':45s} {(time.perf_counter() - t) * 1000:9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
