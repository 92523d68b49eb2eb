"""Caches fail safe: readable by the serving user, any load failure falls back to the backup with
a Swedish notice, leftovers of killed refreshes are cleaned, a kill at any point of the swap
leaves something to serve, a vanished backup is noticed, and commands that cannot write say so
at once, in Swedish."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from nyap import DEFAULT_CACHE_DIR, PROJECT_ROOT
from nyap.data.cache import (
    CacheError, _sha256, backup_dir_for, load_cache, load_cache_or_backup, remove_stale_temporaries, version_token, write_cache,
)


@pytest.fixture
def cache_with_backup(tmp_path):
    """A cache whose backup is the shipped demo cache, and whose current version differs."""
    target = tmp_path / "cache"
    shutil.copytree(DEFAULT_CACHE_DIR, target)
    cache = load_cache(target)
    obs = cache.observations.copy()
    obs.loc[obs["value"].notna().idxmax(), "value"] += 1.0
    write_cache(type(cache)(obs, cache.indicators, cache.areas, cache.manifest), target,
                {"demo": True, "demo_sources": sorted(cache.demo_sources)})
    return target


def test_written_cache_is_readable_by_other_users(cache_with_backup):
    mode = stat.S_IMODE(os.stat(cache_with_backup).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o777 & ~umask  # 0755 with the usual umask 022, not mkdtemp's private 0700


def _break(cache_dir, how: str) -> None:
    manifest_path = cache_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if how == "tables not an object":
        manifest["tables"] = ["observations.parquet"]
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    elif how in ("no values", "zero rows"):
        # written past write_cache (which refuses such a cache): a checksum that matches
        obs = load_cache(cache_dir).observations
        obs = obs.iloc[0:0] if how == "zero rows" else obs.assign(value=float("nan"), ci_low=float("nan"),
                                                                   ci_high=float("nan"))
        path = cache_dir / "observations.parquet"
        obs.to_parquet(path, index=False)
        manifest["tables"]["observations"].update(sha256=_sha256(path), rows=len(obs))
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    elif how == "not parquet":
        (cache_dir / "observations.parquet").write_bytes(b"inte parquet")
        manifest["tables"]["observations"].pop("sha256")
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    elif how == "manifest gone":
        manifest_path.unlink()


@pytest.mark.parametrize("how", ["tables not an object", "no values", "zero rows", "not parquet", "manifest gone"])
def test_a_broken_cache_falls_back_to_the_backup_with_a_notice(cache_with_backup, how):
    _break(cache_with_backup, how)
    with pytest.raises(CacheError):
        load_cache(cache_with_backup)
    cache, notice = load_cache_or_backup(cache_with_backup)
    assert cache.data_version == load_cache(backup_dir_for(cache_with_backup)).data_version
    assert notice and "säkerhetskopian" in notice


def test_an_unreadable_file_falls_back_to_the_backup(cache_with_backup, monkeypatch):
    """Permissions (an app running as another user): simulated, since root reads every file."""
    real = pd.read_parquet

    def refuse(path, *a, **kw):
        if str(cache_with_backup / "observations.parquet") == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *a, **kw)

    monkeypatch.setattr(pd, "read_parquet", refuse)
    cache, notice = load_cache_or_backup(cache_with_backup)
    assert notice and cache.data_version == load_cache(backup_dir_for(cache_with_backup)).data_version


def test_write_cache_refuses_a_cache_without_values(cache_with_backup):
    cache = load_cache(cache_with_backup)
    before = cache.data_version
    with pytest.raises(CacheError, match="inga värden"):
        write_cache(type(cache)(cache.observations.assign(value=float("nan"), ci_low=float("nan"),
                                                           ci_high=float("nan")),
                                cache.indicators, cache.areas, cache.manifest), cache_with_backup)
    assert load_cache(cache_with_backup).data_version == before


def test_stale_temporaries_are_removed_but_a_running_refresh_is_not(cache_with_backup):
    old = cache_with_backup.parent / "cache.tmp-gammal"
    young = cache_with_backup.parent / "cache.tmp-pagaende"
    for d in (old, young):
        d.mkdir()
        (d / "x").write_text("x")
    past = time.time() - 2 * 3600
    os.utime(old, (past, past))
    removed = remove_stale_temporaries(cache_with_backup)
    assert removed == [old] and young.exists() and not old.exists()


KILLER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    import nyap.data.cache as c
    calls = {{"n": 0}}
    real_replace, real_rmtree = c.os.replace, c.shutil.rmtree
    def fatal(step):
        calls["n"] += 1
        if calls["n"] == {kill_at}:
            os.kill(os.getpid(), signal.SIGKILL)
    def replace(a, b):
        fatal("replace")
        return real_replace(a, b)
    def rmtree(p, *a, **kw):
        fatal("rmtree")
        return real_rmtree(p, *a, **kw)
    c.os.replace = replace
    c.shutil.rmtree = rmtree
    cache = c.load_cache({cache!r})
    obs = cache.observations.copy()
    obs.loc[obs["value"].notna().idxmax(), "value"] += 5.0
    c.write_cache(type(cache)(obs, cache.indicators, cache.areas, cache.manifest), {cache!r},
                  {{"demo": True}})
""")


@pytest.mark.parametrize("kill_at", [1, 2, 3, 4, 5])
def test_a_kill_at_any_point_of_the_swap_leaves_a_cache_to_serve(cache_with_backup, kill_at):
    """kill -9 before each rename and each removal of the swap (a refresh or import writing)."""
    before = {load_cache(cache_with_backup).data_version, load_cache(backup_dir_for(cache_with_backup)).data_version}
    script = KILLER.format(root=str(PROJECT_ROOT), cache=str(cache_with_backup), kill_at=kill_at)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    cache, _ = load_cache_or_backup(cache_with_backup)
    assert cache.observations["value"].notna().any()
    # what is served is the old current version, its backup, or the new one — never nothing
    assert proc.returncode in (-9, 0)
    if proc.returncode == -9:
        assert cache.data_version in before or cache.observations["value"].notna().sum() > 0
        # a later write cleans up what the killed one left, and works
        leftovers = list(cache_with_backup.parent.glob("cache.tmp-*")) + list(
            cache_with_backup.parent.glob("cache.backup.old-*"))
        for p in leftovers:
            os.utime(p, (time.time() - 7200, time.time() - 7200))
        good = load_cache_or_backup(cache_with_backup)[0]
        write_cache(good, cache_with_backup, {"demo": True})
        assert not list(cache_with_backup.parent.glob("cache.tmp-*"))
        assert load_cache(cache_with_backup) and load_cache(backup_dir_for(cache_with_backup))


def test_a_vanished_backup_is_not_served_from_memory(cache_with_backup):
    """The app keys its loaded cache by version_token: when the cache is broken and then the
    backup it was serving disappears, the token changes, so the app reloads and reports it."""
    _break(cache_with_backup, "manifest gone")
    serving_backup = version_token(cache_with_backup)
    shutil.rmtree(backup_dir_for(cache_with_backup))
    assert version_token(cache_with_backup) != serving_backup
    with pytest.raises(CacheError):
        load_cache_or_backup(cache_with_backup)


@pytest.mark.parametrize("command", [["demo-cache"], ["refresh", "--base-url", "http://127.0.0.1:9/v3"],
                                     ["import-livhalsa", "data/examples/livhalsa_exempel_DEMO.csv"]])
def test_commands_that_cannot_write_say_so_at_once_in_swedish(command):
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "nyap", "--cache", "/proc/nyap-test/cache", *command],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and time.monotonic() - start < 20
    assert "Kan inte skriva cachen" in proc.stderr and "Traceback" not in proc.stderr
