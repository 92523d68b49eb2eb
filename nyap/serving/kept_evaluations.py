"""A data version's goal evaluations kept on disk beside the cache, so that what one process
computed in seconds, the next reads in milliseconds: a restarted server or replica, a report
worker, `nyap serve` after `nyap refresh`. (The evaluation of every goal over every as-of year is
most of a start's and a report worker's preparation: about 7 of 10 s of CPU on the real extract.)

A file is used only for exactly what it was computed from: the cache's data version (a hash of its
files, checked when the cache is read), the goal's definition with its track and age group, the
county, the source preference and the years, and the code and libraries that compute it. Anything
else – another goals.toml, a refresh, a new release – names another file, so nothing stale can be
read. Parquet, not pickle: a file in a data directory is read as data, never run. Files are
written whole (a temporary file, then a rename) and a file that cannot be read is computed again;
a directory that cannot be written to only means computing, as before.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

KEEP_VERSIONS = 3  # data versions kept side by side (the current one, the one it replaced, a spare)


def kept_dir_for(cache_dir: Path | str) -> Path:
    """Beside the cache, not in it: a refresh swaps the cache directory whole."""
    cache_dir = Path(cache_dir)
    return cache_dir.parent / (cache_dir.name + ".prepared")


@functools.cache
def _code_digest() -> str:
    """The arithmetic's source and the libraries it runs on: a release that changes either
    computes again instead of reading what the old one wrote."""
    import numpy
    import pyarrow

    h = hashlib.sha256(f"pandas {pd.__version__} numpy {numpy.__version__} pyarrow {pyarrow.__version__}".encode())
    package = Path(__file__).resolve().parents[1]
    for sub in ("rules", "data", "serving"):
        for path in sorted((package / sub).glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


class KeptEvaluations:
    """One data version's kept evaluations: `load` what was kept (None when nothing usable is),
    `keep` what was computed."""

    def __init__(self, directory: Path | str, data_version: str):
        self.root = Path(directory)
        self.dir = self.root / f"{data_version or 'unversioned'}-{_code_digest()}"

    @classmethod
    def beside(cls, cache_dir: Path | str, cache) -> KeptEvaluations:
        """The kept evaluations of `cache` (read from `cache_dir`, or from its backup), beside it."""
        return cls(kept_dir_for(cache_dir), cache.data_version)

    def _path(self, inputs: tuple) -> Path:
        # repr of frozen dataclasses, strings, tuples and ints: the same text in every process
        return self.dir / (hashlib.sha256(repr(inputs).encode()).hexdigest()[:24] + ".parquet")

    def load(self, inputs: tuple) -> pd.DataFrame | None:
        path = self._path(inputs)
        if not path.is_file():
            return None
        try:
            return pd.read_parquet(path)
        except Exception:  # noqa: BLE001 - unreadable (a disk fault, an edit): computed again
            return None

    def keep(self, inputs: tuple, frame: pd.DataFrame) -> None:
        try:
            fresh = not self.dir.is_dir()
            self.dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".writing-", suffix=".parquet")
            try:
                with os.fdopen(fd, "wb") as f:
                    frame.to_parquet(f)
                os.replace(tmp, self._path(inputs))
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            if fresh:
                self._forget_old_versions()
        except OSError:
            pass  # a read-only or full disk: the next process computes, as it would without this

    def _forget_old_versions(self) -> None:
        others = sorted((p for p in self.root.iterdir() if p.is_dir() and p != self.dir),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[KEEP_VERSIONS - 1:]:
            shutil.rmtree(old, ignore_errors=True)
