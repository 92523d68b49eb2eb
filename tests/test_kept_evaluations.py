"""A data version's goal evaluations kept beside the cache (nyap/serving/kept_evaluations.py): a
restarted server, a report worker or `nyap report` reads what another process computed – and only
for exactly the same data, goal and code; anything else is computed, and a broken or unwritable
directory costs nothing but time."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pandas as pd
import pytest

from nyap.serving import store as store_module
from nyap.serving.kept_evaluations import KEEP_VERSIONS, KeptEvaluations, kept_dir_for
from nyap.serving.store import ResultStore

GOALS = 6  # the first goals of goals.toml (every track): enough to see files kept and read


def _measures(store: ResultStore):
    return {(g.id, t): store.measure(g, t, None).evaluations
            for g in store.config.goals[:GOALS] for t in g.tracks}


@pytest.fixture
def computing(monkeypatch):
    """Counts the goal evaluations actually computed (not read)."""
    calls = []
    real = store_module.evaluate_measure

    def counted(m, years):
        calls.append(m)
        return real(m, years)

    monkeypatch.setattr(store_module, "evaluate_measure", counted)
    return calls


def test_a_second_process_reads_what_the_first_computed_and_gets_the_same(default_cache, config, tmp_path,
                                                                            computing):
    kept = tmp_path / "cache.prepared"
    first = _measures(ResultStore(default_cache, config, kept=KeptEvaluations(kept, default_cache.data_version)))
    assert len(computing) == len(first)
    assert len(list(kept.glob("*/*.parquet"))) == len(first)
    computing.clear()
    # a new store, as a restarted server or a report worker makes it
    again = _measures(ResultStore(default_cache, config, kept=KeptEvaluations(kept, default_cache.data_version)))
    assert computing == []
    plain = _measures(ResultStore(default_cache, config))
    for key, frame in again.items():
        pd.testing.assert_frame_equal(frame, plain[key], check_exact=True)
        pd.testing.assert_frame_equal(first[key], plain[key], check_exact=True)


def test_another_goal_definition_or_data_version_is_computed_not_read(default_cache, config, tmp_path, computing):
    kept = tmp_path / "cache.prepared"
    _measures(ResultStore(default_cache, config, kept=KeptEvaluations(kept, default_cache.data_version)))
    goal = config.goals[0]
    turned = replace(goal, direction="decrease" if goal.direction == "increase" else "increase")
    edited = replace(config, goals=(turned, *config.goals[1:]))
    computing.clear()
    store = ResultStore(default_cache, edited, kept=KeptEvaluations(kept, default_cache.data_version))
    got = _measures(store)
    assert len(computing) == len(goal.tracks)  # the edited goal only; the others are read
    plain = _measures(ResultStore(default_cache, edited))
    original = _measures(ResultStore(default_cache, config))
    track = goal.tracks[0]
    pd.testing.assert_frame_equal(got[(goal.id, track)], plain[(goal.id, track)], check_exact=True)
    assert not got[(goal.id, track)]["status"].equals(original[(goal.id, track)]["status"])
    # another data version (a refresh): nothing of the old one is read
    computing.clear()
    _measures(ResultStore(default_cache, config, kept=KeptEvaluations(kept, "another-version")))
    assert len(computing) == sum(len(g.tracks) for g in config.goals[:GOALS])


def test_broken_files_and_an_unwritable_place_only_cost_time(default_cache, config, tmp_path, computing):
    kept = tmp_path / "cache.prepared"
    _measures(ResultStore(default_cache, config, kept=KeptEvaluations(kept, default_cache.data_version)))
    for path in kept.glob("*/*.parquet"):
        path.write_bytes(b"not parquet")
    plain = _measures(ResultStore(default_cache, config))
    computing.clear()
    got = _measures(ResultStore(default_cache, config, kept=KeptEvaluations(kept, default_cache.data_version)))
    assert len(computing) == len(plain)
    for key, frame in got.items():
        pd.testing.assert_frame_equal(frame, plain[key], check_exact=True)
    # written again whole: the next store reads them
    computing.clear()
    _measures(ResultStore(default_cache, config, kept=KeptEvaluations(kept, default_cache.data_version)))
    assert computing == []
    # a place that cannot be a directory (a file is in the way): computed, no error
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    got = _measures(ResultStore(default_cache, config, kept=KeptEvaluations(blocked / "kept", default_cache.data_version)))
    for key, frame in got.items():
        pd.testing.assert_frame_equal(frame, plain[key], check_exact=True)


def test_only_the_latest_data_versions_are_kept(default_cache, config, tmp_path):
    kept = tmp_path / "cache.prepared"
    goal = config.goals[0]
    for n in range(KEEP_VERSIONS + 2):
        store = ResultStore(default_cache, config, kept=KeptEvaluations(kept, f"version-{n}"))
        store.measure(goal, goal.tracks[0], None)
    names = sorted(p.name.split("-")[1] for p in kept.iterdir())
    assert names == [str(n) for n in range(2, KEEP_VERSIONS + 2)]


def test_the_app_keeps_its_evaluations_beside_its_cache(demo_cache_dir, tmp_path, monkeypatch):
    from nyap.ui import loaders

    cache_dir = tmp_path / "cache"
    shutil.copytree(demo_cache_dir, cache_dir)
    monkeypatch.setenv("NYAP_CACHE_DIR", str(cache_dir))
    store, _ = loaders.get_data()
    goal = store.config.goals[0]
    store.measure(goal, goal.tracks[0], None)
    assert store.kept is not None
    assert list(kept_dir_for(cache_dir).glob("*/*.parquet"))
    assert not list(cache_dir.glob("**/*.parquet.tmp"))
