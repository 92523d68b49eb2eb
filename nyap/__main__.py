"""Command line: python -m nyap <command>.

  demo-cache   rebuild the shipped demonstration cache (deterministic)
  check        validate goals.toml and the cache, print a goal summary
  refresh      rebuild the cache from the Kolada API v3 (atomic swap, backup kept)
  import-livhalsa FILE   merge a Liv & Hälsa extract into the cache (validated, atomic)
  run          start the app and prepare every page and the talk in the background (make run)
  serve        several app replicas behind nginx (more users than one process serves)
  report …     Aktuellt perspektiv (the yearly report) per municipality and for the county, HTML and PDF
  warm URL…    open every page of running app processes once, so their first visitors don't wait
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from nyap import cache_dir, goals_file
from nyap.data.cache import CacheError, check_writable, load_cache
from nyap.rules.goals import GoalsError, load_goals


def _print_problems(title: str, problems: list[str]) -> None:
    print(title, file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)


def cmd_demo_cache(args) -> int:
    from nyap import PROJECT_ROOT
    from nyap.ingest.demo import write_demo_cache, write_example_files

    check_writable(Path(args.cache))  # before any work: say so at once, in Swedish
    config = load_goals(args.goals)
    cache = write_demo_cache(Path(args.cache), config)
    print(f"Demodata skriven till {args.cache}: {len(cache.observations)} observationer, "
          f"{len(cache.indicators)} indikatorer, {len(cache.areas)} områden.")
    # the example extracts sit beside the cache they belong to (the project's own in data/examples)
    cache_dir = Path(args.cache).resolve()
    examples = (PROJECT_ROOT / "data" / "examples" if cache_dir == (PROJECT_ROOT / "data" / "cache").resolve()
                else cache_dir.parent / "examples")
    for path in write_example_files(examples, config.region):
        print(f"Exempel på Liv & Hälsa-uttag: {path}")
    return 0


def cmd_import_livhalsa(args) -> int:
    from nyap.ingest.livhalsa import ExtractError, import_extract

    check_writable(Path(args.cache))  # before any work: say so at once, in Swedish
    config = load_goals(args.goals)
    try:
        cache, report = import_extract(Path(args.file), Path(args.cache), config, args.indikatorer)
    except ExtractError as exc:
        _print_problems("Importen avbröts – inget ändrades i cachen:", exc.problems)
        return 5
    for line in report.lines():
        print(line)
    print(f"Klart: cachen {args.cache} har nu {len(cache.observations)} observationer "
          f"(den förra sparad som {Path(args.cache).name}.backup).")
    return 0


def cmd_check(args) -> int:
    from nyap.present.summary import goal_summary_lines

    from nyap.serving.page_registry import page_problems

    config = load_goals(args.goals)
    problems = page_problems(config)
    if problems:
        _print_problems(f"{args.goals}: sidorna stämmer inte med utmaningarna:", problems)
        return 1
    print(f"{args.goals}: {len(config.goals)} mål i {len(config.challenges)} utmaningar – OK.")
    from nyap import comments_dir
    from nyap.rules.commentary import check_commentary_files

    directory = comments_dir()
    problems = check_commentary_files(directory, config)
    if problems:
        _print_problems(f"{directory}: kommunernas kommentarer har fel:", problems)
        return 1
    if directory.is_dir():
        print(f"{directory}: {len(list(directory.glob('*.toml')))} kommentarfiler – OK.")
    from nyap.serving.presentation import PresentationError, load_presentation, presentation_file, slide_problems

    talk_path = presentation_file()
    try:
        # a missing file too: the presentation page would show only an error in front of the room
        talk = load_presentation(talk_path, config)
    except PresentationError as exc:
        _print_problems(f"{talk_path}: presentationen har fel:", exc.problems)
        return 1
    if talk.problems:
        _print_problems(f"{talk_path}: presentationen har fel (de andra stegen visas, det felaktiga steget "
                        "visar felet):", list(talk.problems))
        return 1
    cache = load_cache(Path(args.cache))
    published = sorted({int(y) for y in cache.observations.loc[cache.observations["value"].notna(), "year"]})
    missing_years = [f"steg {i}: year = {step.year} finns inte i data (år med värden: "
                     f"{published[0]}–{published[-1]})." if published else f"steg {i}: year = {step.year}: cachen har inga värden."
                     for i, step in enumerate(talk.steps, 1) if step.year is not None and step.year not in published]
    if missing_years:
        _print_problems(f"{talk_path}: presentationen har fel:", missing_years)
        return 1
    # what each slide would otherwise say in front of the room (drawn as the page draws it)
    from nyap.serving.store import ResultStore

    said = slide_problems(ResultStore(cache, config), talk, talk_path.name)
    if said:
        _print_problems(f"{talk_path}: stegen skulle visa varningar för salen:", said)
        return 1
    print(f"{talk_path}: {len(talk.steps)} steg – OK.")
    kind = "DEMODATA" if cache.is_demo else f"riktiga data: {cache.origin_text}"
    print(f"{args.cache}: {len(cache.observations)} observationer ({kind}), skapad {cache.manifest.get('created')}.")
    for line in goal_summary_lines(cache, config, args.year):
        print(line)
    from nyap.present.missing import missing_data_notes

    notes = missing_data_notes(cache, config)
    if notes:
        print("Mål utan data – varför och vad som skulle ge data:")
        for goal_id, note in notes.items():
            print(f"  {goal_id}: {note}")
    return 0


def cmd_refresh(args) -> int:
    from nyap.ingest.kolada import KoladaClient, KoladaError
    from nyap.ingest.refresh import refresh

    check_writable(Path(args.cache))  # before any work: say so at once, in Swedish
    config = load_goals(args.goals)
    client = KoladaClient(args.base_url, timeout=args.timeout)
    print(f"Uppdaterar {args.cache} från {client.base_url} ({len(config.kolada_ids())} nyckeltal, "
          f"år {args.from_year}–{args.to_year or 'i år'}) …", file=sys.stderr)
    try:
        cache, report = refresh(config, Path(args.cache), client, args.from_year, args.to_year,
                                tuple(args.extra or ()))
    except KoladaError as exc:
        print(f"\nUppdateringen misslyckades: {exc}\nDen gamla cachen är orörd.", file=sys.stderr)
        return 4
    print()
    for line in report.summary_lines():
        print(line)
    print(f"Klart: {len(cache.observations)} observationer skrivna till {args.cache} "
          f"(den förra cachen sparad som {Path(args.cache).name}.backup).")
    return 0


def cmd_report(args) -> int:
    import time

    from nyap.present.report import ReportError, write_reports
    from nyap.serving.kept_evaluations import KeptEvaluations
    from nyap.serving.store import ResultStore

    config = load_goals(args.goals)
    region = config.region
    if args.all:
        areas = [*region.municipalities, config.meta.county]
    elif args.kommun:
        areas = []
        for code in args.kommun:
            if code != config.meta.county and not region.is_municipality(code):
                print(f"Okänd kommunkod {code!r}: ange en av länets kommuner "
                      f"({', '.join(region.municipalities)}) eller länet ({config.meta.county}).", file=sys.stderr)
                return 2
            areas.append(code)
    else:
        print("Ange --kommun KOD (en eller flera, länets kod för länet) eller --all.", file=sys.stderr)
        return 2
    cache = load_cache(Path(args.cache))
    # what the app (or an earlier run) evaluated for this data version is read, not computed again
    store = ResultStore(cache, config, kept=KeptEvaluations.beside(args.cache, cache))
    if args.year is not None and args.year not in store.years:
        print(f"Året {args.year} finns inte i data (finns: {store.years[0]}–{store.years[-1]}).", file=sys.stderr)
        return 2
    out = Path(args.out)
    started = time.perf_counter()
    try:
        paths = write_reports(store, areas, out, args.year, pdf=not args.html_only)
    except ReportError as exc:
        print(str(exc), file=sys.stderr)
        return 9
    except OSError as exc:  # e.g. a full disk: each report is written whole or not at all
        from nyap.data.cache import os_reason
        print(f"Kunde inte skriva rapporten {getattr(exc, 'filename', '') or 'i ' + str(out)} ({os_reason(exc)}). "
              "Rapporter som redan fanns där är orörda.", file=sys.stderr)
        return 8
    for p in paths:
        print(p)
    kind = "HTML" if args.html_only else "HTML och PDF"
    print(f"{len(areas)} {'rapport' if len(areas) == 1 else 'rapporter'} ({kind}) {'skriven' if len(areas) == 1 else 'skrivna'} till {out} på {time.perf_counter() - started:.1f} s"
          + (" – DEMODATA, inte för verklig användning." if store.cache.is_demo else "."), file=sys.stderr)
    return 0


def cmd_serve(args) -> int:
    from nyap.ops.replicas import DeployError, serve

    try:
        return serve(args.replicas, args.port, args.address)
    except DeployError as exc:
        print(f"Kunde inte starta: {exc}", file=sys.stderr)
        return 6


def cmd_run(args) -> int:
    """The app on one process, prepared before it answers (nyap/ui/launch.py): the first visitor
    after a start finds the data version, the overview and the talk's first slides ready; the
    challenge pages' goals are prepared in the background while it serves."""
    import subprocess

    from nyap import PROJECT_ROOT
    from nyap.ops.replicas import app_command

    env = dict(os.environ)
    env.setdefault("MALLOC_ARENA_MAX", "2")  # fewer malloc arenas: a workshop's memory is returned
    print("  Förbereder data, översikten och presentationen innan appen svarar …", file=sys.stderr, flush=True)
    proc = subprocess.Popen([*app_command(args.address, args.port), *args.streamlit_args], cwd=PROJECT_ROOT, env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:  # Ctrl-C reached the app too (same process group); let it finish
        try:
            return proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            return 130


def cmd_warm(args) -> int:
    from nyap.ops.replicas import warm

    failed = [url for url in args.urls if not warm(url)]
    for url in failed:
        print(f"Kunde inte värma {url}: svarar inte eller visar ett fel.", file=sys.stderr)
    return 7 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nyap", description="Nya Perspektiv – kommandon")
    parser.add_argument("--goals", default=str(goals_file()), help="sökväg till goals.toml")
    parser.add_argument("--cache", default=str(cache_dir()), help="cachekatalog (standard: data/cache)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo-cache", help="skriv om demodatacachen").set_defaults(func=cmd_demo_cache)
    p = sub.add_parser("check", help="validera goals.toml och cachen")
    p.add_argument("--year", type=int, default=None, help="'per år' (standard: senaste året i cachen)")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("import-livhalsa", help="importera ett Liv & Hälsa-uttag (CSV eller .xlsx)")
    p.add_argument("file", help="uttaget (CSV i UTF-8 eller Windows-1252, ; eller , som avgränsare, eller .xlsx)")
    p.add_argument("--indikatorer", default=None, help="indikatortabell (standard: bladet 'indikatorer' "
                   "eller <fil>_indikatorer.csv)")
    p.set_defaults(func=cmd_import_livhalsa)
    p = sub.add_parser("refresh", help="uppdatera cachen från Kolada")
    p.add_argument("--base-url", default=None, help="Koladas API-adress (standard: https://api.kolada.se/v3 "
                   "eller NYAP_KOLADA_BASE_URL)")
    p.add_argument("--from-year", type=int, default=2010)
    p.add_argument("--to-year", type=int, default=None)
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--extra", nargs="*", help="fler Kolada-id att hämta")
    p.set_defaults(func=cmd_refresh)
    p = sub.add_parser("report", help="Aktuellt perspektiv: rapport per kommun och för länet (HTML och PDF)")
    p.add_argument("--kommun", nargs="+", help="kommunkod(er), t.ex. 1715; länets kod ger länets rapport")
    p.add_argument("--all", action="store_true", help="alla länets kommuner och länet")
    p.add_argument("--out", default="rapporter", help="katalog att skriva till (standard: rapporter)")
    p.add_argument("--year", "--ar", type=int, default=None, help="'läget per år' (standard: senaste året)")
    p.add_argument("--html-only", action="store_true", help="bara HTML, ingen PDF")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("serve", help="starta flera repliker av appen bakom nginx")
    p.add_argument("--replicas", type=int, default=2, help="antal appprocesser (en per processorkärna)")
    p.add_argument("--port", type=int, default=8080, help="port som nginx lyssnar på")
    p.add_argument("--address", default="127.0.0.1", help="adress som nginx lyssnar på (0.0.0.0: hela nätet, "
                   "t.ex. salens wifi; standard: bara den här datorn)")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("run", help="starta appen och förbered alla sidor i bakgrunden")
    p.add_argument("--address", default="127.0.0.1", help="adress att lyssna på (0.0.0.0: hela nätet)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("streamlit_args", nargs="*", help="fler flaggor till streamlit run (efter --)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("warm", help="öppna varje sida en gång i körande appprocesser")
    p.add_argument("urls", nargs="+", help="t.ex. http://127.0.0.1:8501")
    p.set_defaults(func=cmd_warm)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except GoalsError as exc:
        _print_problems("Fel i goals.toml:", exc.problems)
        return 2
    except CacheError as exc:
        _print_problems("Fel i cachen:", exc.problems)
        return 3
    except OSError as exc:  # e.g. the disk filled up while writing: the old cache is untouched
        from nyap.data.cache import os_reason
        print(f"Kunde inte läsa eller skriva {getattr(exc, 'filename', '') or 'en fil'} ({os_reason(exc)}). "
              "Den gamla cachen är orörd.", file=sys.stderr)
        return 8
    except KeyboardInterrupt:
        print("\nAvbrutet. Den gamla cachen är orörd.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
