"""Command line: python -m nyap <command>.

  demo-cache   rebuild the shipped demonstration cache (deterministic)
  check        validate goals.toml and the cache, print a goal summary
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import DEFAULT_CACHE_DIR, DEFAULT_GOALS_FILE
from .cache import CacheError, load_cache
from .goals import GoalsError, load_goals


def _print_problems(title: str, problems: list[str]) -> None:
    print(title, file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)


def cmd_demo_cache(args) -> int:
    from .demo import write_demo_cache

    config = load_goals(args.goals)
    cache = write_demo_cache(Path(args.cache), config)
    print(f"Demodata skriven till {args.cache}: {len(cache.observations)} observationer, "
          f"{len(cache.indicators)} indikatorer, {len(cache.areas)} områden.")
    return 0


def cmd_check(args) -> int:
    from .summary import goal_summary_lines

    config = load_goals(args.goals)
    print(f"{args.goals}: {len(config.goals)} mål i {len(config.challenges)} utmaningar – OK.")
    cache = load_cache(Path(args.cache))
    kind = "DEMODATA" if cache.is_demo else "riktiga data"
    print(f"{args.cache}: {len(cache.observations)} observationer ({kind}), skapad {cache.manifest.get('created')}.")
    for line in goal_summary_lines(cache, config, args.year):
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nyap", description="Nya Perspektiv – kommandon")
    parser.add_argument("--goals", default=str(DEFAULT_GOALS_FILE), help="sökväg till goals.toml")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE_DIR), help="cachekatalog")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo-cache", help="skriv om demodatacachen").set_defaults(func=cmd_demo_cache)
    p = sub.add_parser("check", help="validera goals.toml och cachen")
    p.add_argument("--year", type=int, default=None, help="'per år' (standard: senaste året i cachen)")
    p.set_defaults(func=cmd_check)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except GoalsError as exc:
        _print_problems("Fel i goals.toml:", exc.problems)
        return 2
    except CacheError as exc:
        _print_problems("Fel i cachen:", exc.problems)
        return 3
    except KeyboardInterrupt:
        print("Avbrutet. Inget ändrades.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
