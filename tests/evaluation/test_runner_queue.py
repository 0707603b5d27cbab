"""The runner's queue: streaming in chunks, input order kept, identical programs run once (served
to the others by the execution in flight, the recent verdicts or the store), per-language caps
(``max_parallel``) and the slot limit respected, one warm compiler per language while other work
waits, batched cache hits. These tests count the executions of the samples themselves: their runs
turn controls off (``controls=0``), whose own executions ``test_controls.py`` counts."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import workbench.evaluation.cache as cache
import workbench.evaluation.runner as runner
from tests.conftest import DEMO
from workbench.evaluation.store import Store
from workbench.execution.records import Execution
from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import load_tasks
from workbench.registry.languages import Prebuilt, get_language

KEYS = ["task_id", "model", "sample_index"]


class FakeBackend:
    """Runs nothing: records how many executions of each language are in flight."""

    shares_servers = False

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.starts: list[tuple[str, int]] = []  # (language, its executions now in flight)
        self.pool = ThreadPoolExecutor(slots)
        self.lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.calls: list[str] = []  # the cache key of every execution asked for

    def _run(self, program, limits) -> Execution:
        with self.lock:
            self.now[program.language] += 1
            self.now["*"] += 1
            for key in (program.language, "*"):
                self.peak[key] = max(self.peak[key], self.now[key])
            self.starts.append((program.language, self.now[program.language]))
            reference = None  # the demo languages used here run their tests, nothing compares
            key = cache.cache_key(
                program.language,
                program.source,
                limits,
                reference,
                version=self.toolchain_version(program.language),
            )
            self.calls.append(key)
        time.sleep(0.01)
        with self.lock:
            self.now[program.language] -= 1
            self.now["*"] -= 1
        status = "failed" if "hasty" in program.source else "passed"
        return Execution(status=status, language=program.language, reason="fake")

    def submit(self, program, limits):
        return self.pool.submit(self._run, program, limits)

    def toolchain_version(self, language):
        return f"fake {language} 1.0"

    def wait(self, futures):
        from concurrent.futures import FIRST_COMPLETED, wait

        return wait(futures, return_when=FIRST_COMPLETED)[0]

    def result(self, future):
        return future.result()

    def close(self, pending, interrupted):
        for future in pending:
            future.cancel()  # the pool is reused by the next evaluate of the test


@pytest.fixture()
def demo(monkeypatch):
    samples = load_samples(DEMO / "samples.jsonl")
    samples = samples[samples["task_id"].str.match(r"(Python|Shell|C)/")]
    # Every sample twice, under another model name: identical programs.
    twin = samples.assign(model=samples["model"] + "-twin")
    samples = pd.concat([samples, twin], ignore_index=True).sample(frac=1, random_state=0)
    tasks = load_tasks(DEMO, languages=["Python", "Shell", "C"])
    monkeypatch.setattr(runner, "CHUNK", 7)  # many chunks
    python = dataclasses.replace(get_language("Python"), max_parallel=1)
    monkeypatch.setattr(
        runner, "get_language", lambda n: python if n == "Python" else get_language(n)
    )
    backend = FakeBackend(slots=3)
    monkeypatch.setattr(runner, "make_backend", lambda *a: backend)
    yield samples, tasks, backend
    backend.pool.shutdown()


def test_queue_streams_in_order_runs_identical_work_once_and_respects_caps(demo, tmp_path):
    samples, tasks, backend = demo
    store = tmp_path / "q.duckdb"
    results = runner.evaluate(samples, tasks, store=store, progress=False, controls=0)
    assert list(results[KEYS].itertuples(index=False)) == list(
        samples[KEYS].itertuples(index=False)
    )
    # Every distinct program ran exactly once: its twin (and any other row with the same program)
    # got its verdict without a backend call.
    calls = Counter(backend.calls)
    assert set(calls.values()) == {1}, calls.most_common(3)
    assert set(calls) == set(results["cache_key"])
    assert len(calls) <= len(samples) // 2
    assert (results.groupby("cache_key")["status"].nunique() == 1).all()
    assert backend.peak["Python"] == 1  # max_parallel
    assert 1 < backend.peak["*"] <= 3  # the slots

    backend.calls.clear()
    again = runner.evaluate(samples, tasks, store=store, progress=False, controls=0)
    assert backend.calls == [] and again["cached"].all()  # one query per chunk, no execution
    pd.testing.assert_series_equal(again["status"], results["status"])
    assert list(again.columns) == list(results.columns)
    with Store(store) as db:
        stored = db.results()
    assert len(stored) == len(samples) and stored["cached"].all()


def test_a_program_met_in_a_later_chunk_is_served_by_the_store(monkeypatch, tmp_path):
    samples = load_samples(DEMO / "samples.jsonl")
    originals = samples[samples["task_id"].str.match(r"(Python|Shell|C)/")]
    twins = originals.assign(model=originals["model"] + "-twin")
    # Originals first, twins in later chunks; no recent verdicts kept, so only the store can serve.
    samples = pd.concat([originals, twins], ignore_index=True)
    tasks = load_tasks(DEMO, languages=["Python", "Shell", "C"])
    monkeypatch.setattr(runner, "CHUNK", 7)
    monkeypatch.setattr(runner, "RECENT", 0)
    backend = FakeBackend(slots=3)
    monkeypatch.setattr(runner, "make_backend", lambda *a: backend)
    store = tmp_path / "later.duckdb"
    try:
        results = runner.evaluate(samples, tasks, store=store, progress=False, controls=0)
        calls = Counter(backend.calls)
        assert set(calls.values()) == {1}, calls.most_common(3)  # no program ran twice
        twin_rows = results[results["model"].str.endswith("-twin")]
        # A twin chunk is pulled when nothing is ready: every original has started and all but
        # the ones still in flight (fewer than the slots) have a verdict, committed before the
        # chunk's lookup. Only twins of those few wait for the execution instead.
        waited = twin_rows.loc[~twin_rows["cached"], "cache_key"].nunique()
        assert twin_rows["cached"].any() and waited < backend.slots
        merged = twin_rows.assign(model=twin_rows["model"].str.removesuffix("-twin")).merge(
            results, on=KEYS, suffixes=("", "_original")
        )
        assert len(merged) == len(twin_rows)
        assert (merged["status"] == merged["status_original"]).all()

        # Another model with the same programs, in a later run: all from the store.
        backend.calls.clear()
        third = runner.evaluate(
            originals.assign(model="third"), tasks, store=store, progress=False, controls=0
        )
        assert backend.calls == [] and third["cached"].all()
        assert list(third["status"]) == list(results["status"][: len(originals)])
    finally:
        backend.pool.shutdown()


def test_a_warm_compiler_language_gets_more_slots_only_when_nothing_else_waits(monkeypatch):
    samples = load_samples(DEMO / "samples.jsonl")
    samples = samples[samples["task_id"].str.match(r"(Python|Shell)/")].sample(
        frac=1, random_state=1
    )
    tasks = load_tasks(DEMO, languages=["Python", "Shell"])
    # As if Python compiled on a warm server: each concurrent sample would need one of its own.
    python = dataclasses.replace(get_language("Python"), server=("true",))
    monkeypatch.setattr(
        runner, "get_language", lambda n: python if n == "Python" else get_language(n)
    )
    backend = FakeBackend(slots=3)
    backend.shares_servers = True
    monkeypatch.setattr(runner, "make_backend", lambda *a: backend)
    try:
        results = runner.evaluate(samples, tasks, cache=False, progress=False)
    finally:
        backend.pool.shutdown()
    assert len(results) == len(samples) and (results["status"] == "passed").all()
    last_shell = max(i for i, (language, _) in enumerate(backend.starts) if language == "Shell")
    assert all(n == 1 for language, n in backend.starts[:last_shell] if language == "Python")
    # Once nothing else waits, the remaining Python samples take every free slot.
    assert backend.peak["Python"] >= 2

    # A backend whose slots are separate processes (Dask) never holds a language back.
    backend = FakeBackend(slots=3)
    monkeypatch.setattr(runner, "make_backend", lambda *a: backend)
    try:
        runner.evaluate(samples, tasks, cache=False, progress=False)
    finally:
        backend.pool.shutdown()
    last_shell = max(i for i, (language, _) in enumerate(backend.starts) if language == "Shell")
    assert any(n > 1 for language, n in backend.starts[:last_shell] if language == "Python")


def test_cache_false_runs_everything_again(demo, tmp_path):
    samples, tasks, backend = demo
    store = tmp_path / "q.duckdb"
    runner.evaluate(samples, tasks, store=store, progress=False, controls=0)
    first = len(backend.calls)
    runner.evaluate(samples, tasks, store=store, progress=False, cache=False, controls=0)
    assert len(backend.calls) == 2 * first


def test_cached_many_returns_one_row_per_known_key(tmp_path):
    with Store(tmp_path / "s.duckdb") as db:
        base = {
            "task": "generation",
            "task_id": "Python/1",
            "model": "m",
            "sample_index": 0,
            "language": "Python",
            "program_hash": "h",
            "status": "passed",
        }
        db.put({**base, "cache_key": "k1"})
        db.put({**base, "model": "n", "cache_key": "k1"})
        db.put({**base, "model": "o", "cache_key": "k2", "status": "infrastructure_error"})
        found = db.cached_many(["k1", "k2", "k3", "k1"])
    assert list(found["cache_key"]) == ["k1"]


def test_a_changed_recipe_misses_the_cache_but_prebuilt_changes_do_not(monkeypatch):
    python = get_language("Python")
    before = cache.cache_key("Python", "print(1)\n", python.limits, version="3.11")
    variants = {
        "env": dataclasses.replace(python, env={**python.env, "PYTHONHASHSEED": "1"}),
        "steps": dataclasses.replace(python, steps=python.steps[:0]),
        "prebuilt": dataclasses.replace(python, prebuilt=Prebuilt(folder="x", source="pass")),
    }
    keys = {}
    for name, changed in variants.items():
        monkeypatch.setattr(cache, "get_language", lambda _name, lang=changed: lang)
        cache.recipe_digest.cache_clear()
        keys[name] = cache.cache_key("Python", "print(1)\n", python.limits, version="3.11")
    cache.recipe_digest.cache_clear()
    assert keys["env"] != before and keys["steps"] != before
    assert keys["prebuilt"] == before
    # Another toolchain (a container image's, another release) misses as well.
    assert cache.cache_key("Python", "print(1)\n", python.limits, version="3.12") != before


def test_a_store_shared_by_two_backends_keeps_their_toolchains_apart(demo, tmp_path):
    """A container image's toolchains are not the host's: its runs miss the host's cache."""
    samples, tasks, backend = demo
    store = tmp_path / "shared.duckdb"
    runner.evaluate(samples, tasks, store=store, progress=False, controls=0)
    host_keys = set(backend.calls)
    backend.calls.clear()
    backend.toolchain_version = lambda language: f"image:{language} 2.0"
    runner.evaluate(samples, tasks, store=store, progress=False, controls=0)
    assert host_keys and set(backend.calls), "the image's run found the host's verdicts"
    assert not host_keys & set(backend.calls)
    backend.calls.clear()
    again = runner.evaluate(samples, tasks, store=store, progress=False, controls=0)
    assert backend.calls == [] and again["cached"].all()  # its own verdicts are found again
