"""Build the shipped default cache (data/cache) from the real Kolada extract of August 2024.

The extract (tests/fixtures/kolada/varmland_values_2024-08.csv, 31 KPIs, Källa: Kolada) is replayed
by the tests' fake Kolada server on 127.0.0.1 (an ephemeral port; it stops by itself) and fetched
with the project's own refresh code (nyap.ingest.refresh) into a temporary directory beside the cache,
which is then swapped in atomically (the previous cache is kept as data/cache.backup). The manifest
records the extract's origin and date, so every page, file and report says "Kolada, uttag augusti
2024" instead of a fetch date. Never demo data.

    make real-cache                      # or: .venv/bin/python scripts/build_real_cache.py
    .venv/bin/python scripts/build_real_cache.py --cache /tmp/cache
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nyap import cache_dir, goals_file  # noqa: E402
from nyap.data.cache import check_writable, load_cache, swap_in  # noqa: E402
from nyap.rules.goals import load_goals  # noqa: E402
from tests.fake_kolada import EXTRACT_FILE, EXTRACT_MANIFEST, refresh_from_fake  # noqa: E402


def build(target: Path, goals: Path, progress_stream=None):
    """Refresh from the replayed extract into a temporary directory next to `target`, then swap it
    in. Returns (cache, report)."""
    config = load_goals(goals)
    check_writable(target)
    work = Path(tempfile.mkdtemp(prefix=target.name + ".tmp-build-", dir=target.parent))
    try:
        _, report = refresh_from_fake(config, work / "cache", manifest_extra=EXTRACT_MANIFEST,
                                      progress_stream=progress_stream)
        swap_in(work / "cache", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return load_cache(target), report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=str(cache_dir()), help="cachekatalog (standard: data/cache)")
    parser.add_argument("--goals", default=str(goals_file()), help="sökväg till goals.toml")
    args = parser.parse_args(argv)
    target = Path(args.cache).resolve()
    print(f"Bygger {target} från {EXTRACT_FILE} (Kolada, uttag augusti 2024) …", file=sys.stderr)
    cache, report = build(target, Path(args.goals))
    for line in report.summary_lines():
        print(line)
    print(f"Klart: {len(cache.observations)} observationer, {cache.observations['indicator_id'].nunique()} "
          f"nyckeltal, källa: {cache.origin_text} (den förra cachen sparad som {target.name}.backup).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
