"""Evaluate samples: extract, assemble, execute in parallel, store each verdict as it lands.

The runner streams: samples are prepared (extracted, assembled, hashed) a chunk at a time, cache
hits of a chunk are looked up and committed in one query each, and only the executions that must
run are queued. One global queue serves every (task x model x sample); at most ``jobs`` executions
are in flight, and a language with ``max_parallel`` in the registry never has more than that many;
those capped, heavy languages are served first, so their long runs overlap the quick ones. On a
local pool, a language with a warm compiler (``workbench.execution.warm_compilers.pool``) gets a
second execution at once only when nothing else is ready: each concurrent sample of it needs a
server of its own, whose start and JIT warm-up cost far more CPU than a compile on a busy one.
With a store and the cache on, a cache key is executed once per run: an identical program met
later is served by the execution in flight, the run's recent verdicts or the store, which every
verdict recorded before a chunk's lookup has reached (``GroupCommit.flush``); verdicts about the
machine (``toolchain_missing``, ``infrastructure_error``) are never served from the store.
Executions run on a local thread pool (each thread drives one sandbox) or on Dask workers.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.evaluation.backends import Backend, make_backend
from workbench.evaluation.cache import cache_key
from workbench.evaluation.store import GroupCommit, Store
from workbench.execution import records
from workbench.execution.causes import explain, explain_frame
from workbench.execution.records import ROW_KIND, SCORED, Execution, Program, columns_of
from workbench.execution.toolchain import toolchain_version
from workbench.execution.warm_compilers import pool as warm_compilers
from workbench.inputs.samples import attach_tasks, known_tasks
from workbench.programs.assemble import reference_answer
from workbench.programs.prepare import prepare
from workbench.registry.languages import Limits, get_language
from workbench.registry.limits import task_limits

CHUNK = 2000  # samples prepared at a time: bounds the runner's memory
RECENT = 4096  # executions of this run remembered for identical programs in later chunks

# The result row's columns (``execution.records.RESULT_ROW``) by what fills them: the prepared
# sample, the verdict of its execution, and the cause columns, derived from the row and never
# part of the cache key.
ITEM_COLUMNS = columns_of("sample")
VERDICT_COLUMNS = columns_of("verdict")
RESULT_COLUMNS = list(records.RESULT_COLUMNS)
_INTERNED = ("raw_generation", "code", "program")


def _reference(row: dict[str, Any]) -> str:
    try:
        return reference_answer(row)
    except OSError:  # no reference file: the scorer reports it; keep the key task-specific
        return f"missing reference for {row['task_id']}"


def _text(value: Any) -> str | None:
    """A string field, or None for missing values (pandas gives NaN)."""
    return value if isinstance(value, str) and value else None


def _row(item: dict[str, Any], execution: Execution, key: str, cached: bool) -> dict[str, Any]:
    verdict = execution.to_dict()
    row = {
        **{k: item.get(k) for k in ITEM_COLUMNS},
        ROW_KIND: item[ROW_KIND],
        "cache_key": key,
        "cached": cached,
        **{k: verdict[k] for k in VERDICT_COLUMNS},
    }
    return {**row, **explain(row).as_dict()}


def evaluate(
    samples: pd.DataFrame,
    tasks: pd.DataFrame,
    *,
    jobs: int | None = None,
    backend: str | Backend = "local",
    cluster: Any = None,
    store: Store | str | Path | None = None,
    progress: bool = True,
    cache: bool = True,
    limits: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Run every sample against its task and return one result row per sample (input order).

    ``jobs`` defaults to the number of cores (with Dask: the cluster's threads). ``cluster`` — a
    scheduler address such as ``"tcp://host:8786"``, a ``dask.distributed.Client`` or a Dask
    cluster object — sends executions to Dask workers (``backend="dask"`` without one starts a
    local cluster); the store stays here. With a ``store``, each verdict is committed within a
    second of finishing (grouped with others that finish meanwhile: ``GroupCommit``) and identical
    work already stored (same cache key) is not run again unless ``cache=False``. ``limits``
    overrides registry limits (e.g. ``{"run_timeout": 5}``).
    Ctrl-C stops submitting, kills running sandboxes and re-raises ``KeyboardInterrupt``;
    everything finished before it is in the store. Warm compilers started for the run are
    closed at its end.
    """
    known = known_tasks(samples, tasks)  # on (kind, task id) when tasks of several kinds
    if not known.all():
        attach_tasks(samples[~known], tasks)  # raises the InputError naming the first one
    own_store = isinstance(store, str | Path)
    db = Store(store) if own_store else store
    run = _Run(samples, tasks, db, cache, limits, progress)
    try:
        run.execute(make_backend(backend, cluster, jobs))
    finally:
        try:
            if run.writer is not None:
                run.writer.close()  # commits what finished, also after Ctrl-C
        finally:
            run.close_bar()
            warm_compilers.shutdown()  # the warm compilers this run started
            if own_store and db is not None:
                db.close()
    return run.results()


class _Run:
    """The state of one ``evaluate`` call."""

    def __init__(
        self,
        samples: pd.DataFrame,
        tasks: pd.DataFrame,
        db: Store | None,
        cache: bool,
        limits: dict[str, float] | None,
        progress: bool,
    ) -> None:
        self.samples, self.tasks, self.db, self.cache = samples, tasks, db, cache
        self.overrides = limits or {}
        self.limits: dict[str, Limits] = {}
        self.frames: list[pd.DataFrame] = []  # cache hits, a frame per chunk
        self.rows: list[dict[str, Any]] = []  # executed here
        self.counts: Counter[str] = Counter()
        self.interned: dict[str, str] = {}
        self.bar = _progress(len(samples), progress)
        self.bar_lock = threading.Lock()
        # Executed verdicts are committed in groups by a background thread; the bar counts them
        # once committed, so what it shows is what a crash would keep.
        self.writer = (
            GroupCommit(db, on_commit=lambda rows: self._advance([r["status"] for r in rows]))
            if db is not None
            else None
        )
        # the queue
        self.ready: deque[tuple[str, dict[str, Any]]] = deque()
        self.blocked: dict[str, deque[tuple[str, dict[str, Any]]]] = {}
        self.waiters: dict[str, list[dict[str, Any]]] = {}
        self.recent: OrderedDict[str, Execution] = OrderedDict()
        self.running: Counter[str] = Counter()
        # The host's toolchains until ``execute`` is given a backend that judges elsewhere.
        self.version_of: Callable[[str], str | None] = toolchain_version
        self.probed: set[str] = set()
        self.chunks = self._chunks()
        self.exhausted = False

    # -- preparing ---------------------------------------------------------------------------
    def _limits(self, language: str, task_id: str | None = None) -> Limits:
        # Per task: the run limit follows the canonical solution's run time (workbench.registry.limits).
        memo = f"{language}\0{task_id}"
        if memo not in self.limits:
            self.limits[memo] = task_limits(get_language(language), task_id, self.overrides)
        return self.limits[memo]

    def _chunks(self) -> Iterator[pd.DataFrame]:
        for start in range(0, len(self.samples), CHUNK):
            prep = prepare(self.samples.iloc[start : start + CHUNK], self.tasks)
            prep["_pos"] = range(start, start + len(prep))
            # A sample's run is scored unless the samples say which kind of run it is.
            kinds = prep[ROW_KIND] if ROW_KIND in prep.columns else pd.Series(None, prep.index)
            prep[ROW_KIND] = kinds.where(kinds.notna(), SCORED)
            for column in _INTERNED:  # identical texts are kept once
                prep[column] = [self._intern(v) for v in prep[column]]
            languages = sorted(set(prep["language"]))
            _probe_versions(
                [lang for lang in languages if lang not in self.probed], self.version_of
            )
            self.probed.update(languages)
            memo: dict[tuple[str, str, str | None], str] = {}
            keys = []
            for row in prep[
                ["language", "program", "task_id", "canonical_solution", "support_dir"]
            ].to_dict("records"):
                language, program = row["language"], row["program"]
                # A compared answer's verdict depends on the task's reference, not only on it.
                reference = _reference(row) if get_language(language).scorer is not None else None
                key = memo.get((language, program, reference))
                if key is None:
                    key = memo[language, program, reference] = cache_key(
                        language,
                        program,
                        self._limits(language, row["task_id"]),
                        reference,
                        version=self.version_of(language),
                    )
                keys.append(key)
            prep["cache_key"] = keys
            yield prep

    def _intern(self, value: Any) -> Any:
        return self.interned.setdefault(value, value) if isinstance(value, str) else value

    def _pull(self) -> bool:
        """Prepare the next chunk: commit its cache hits, queue the rest. False at the end."""
        prep = next(self.chunks, None)
        if prep is None:
            self.exhausted = True
            return False
        hit = pd.Series(False, index=prep.index)
        if self.db is not None and self.cache:
            if self.writer is not None:
                # Verdicts recorded but not yet committed would otherwise be missed by the lookup
                # and run again once the recent cache has forgotten them.
                self.writer.flush()
            found = self.db.cached_many(prep["cache_key"])
            if not found.empty:
                hit = prep["cache_key"].isin(set(found["cache_key"]))
                verdicts = found[["cache_key", *VERDICT_COLUMNS]]
                hits = prep.loc[hit, [*ITEM_COLUMNS, ROW_KIND, "cache_key", "_pos"]].merge(
                    verdicts, on="cache_key", how="left"
                )
                hits["cached"] = True
                # Per sample, not from the stored row: whether the code came out of the
                # model's text, or an assertion is the answer's own, depends on this sample.
                hits = pd.concat([hits, explain_frame(hits)], axis=1)
                self.db.put_many(hits)
                self.frames.append(hits)
                self._advance(hits["status"].tolist())
        for item in prep.loc[~hit].to_dict("records"):
            key = item["cache_key"]
            if key in self.waiters:
                self.waiters[key].append(item)
            elif key in self.recent:
                self._record(item, self.recent[key], key)
            else:
                self.waiters[key] = [item]
                lang = get_language(item["language"])
                if lang.max_parallel is not None or lang.server:
                    # Heavy toolchains (capped: JVM, GHC; warm compilers, one per language while
                    # other work waits) go first whenever their cap allows, so their long runs
                    # and the compilers' start overlap everything else instead of forming the
                    # run's tail.
                    self.blocked.setdefault(item["language"], deque()).append((key, item))
                else:
                    self.ready.append((key, item))
        return True

    # -- running -----------------------------------------------------------------------------
    def _next_ready(self, spare_servers: bool) -> tuple[str, dict[str, Any]] | None:
        """The next item whose language has room; with ``spare_servers``, a language with a
        warm compiler has room for one execution only."""
        for language, queue in self.blocked.items():
            if queue and self._free(language, spare_servers):
                return queue.popleft()
        while self.ready:
            key, item = self.ready.popleft()
            if self._free(item["language"], spare_servers):
                return key, item
            self.blocked.setdefault(item["language"], deque()).append((key, item))
        return None

    def _free(self, language: str, spare_servers: bool = False) -> bool:
        lang = get_language(language)
        if spare_servers and lang.server and self.running[language] >= 1:
            return False
        return lang.max_parallel is None or self.running[language] < lang.max_parallel

    def _queued(self) -> int:
        return len(self.ready) + sum(len(q) for q in self.blocked.values())

    def execute(self, backend: Backend) -> None:
        self.version_of = backend.toolchain_version  # cache keys name the backend's toolchains
        pending: dict[Any, tuple[str, str]] = {}
        interrupted = False
        try:

            def fill() -> None:
                while len(pending) < backend.slots:
                    nxt = self._next_ready(spare_servers=backend.shares_servers)
                    if nxt is None:
                        if not self.exhausted and self._queued() < CHUNK and self._pull():
                            continue
                        # Nothing else to do: a second warm compiler beats an idle slot.
                        nxt = self._next_ready(spare_servers=False)
                        if nxt is None:
                            return
                    key, item = nxt
                    program = Program(
                        item["language"],
                        item["program"],
                        _support(item),
                        item["task_id"],
                        _text(item.get("canonical_solution")),
                    )
                    future = backend.submit(
                        program, self._limits(item["language"], item["task_id"])
                    )
                    pending[future] = (key, item["language"])
                    self.running[item["language"]] += 1

            fill()
            while pending:
                for future in backend.wait(list(pending)):
                    key, language = pending.pop(future)
                    self.running[language] -= 1
                    try:
                        execution = backend.result(future)
                    except Exception as exc:  # a broken worker must not end the whole run
                        execution = Execution(
                            status="infrastructure_error",
                            language=language,
                            reason=f"executor raised {type(exc).__name__}: {exc}",
                        )
                    self.recent[key] = execution
                    if len(self.recent) > RECENT:
                        self.recent.popitem(last=False)
                    for item in self.waiters.pop(key):
                        self._record(item, execution, key)
                fill()
        except BaseException:
            interrupted = True
            raise
        finally:
            backend.close(list(pending), interrupted)

    def _record(self, item: dict[str, Any], execution: Execution, key: str) -> None:
        row = _row(item, execution, key, False)
        row["_pos"] = item["_pos"]
        self.rows.append(row)
        if self.writer is not None:
            self.writer.add(row)  # committed within GroupCommit.window seconds
        else:
            self._advance([execution.status])

    def _advance(self, statuses: list[str]) -> None:
        with self.bar_lock:  # the main thread (cache hits) and the commit thread both report
            self.counts.update(statuses)
            if self.bar is not None:
                self.bar.set_postfix(dict(sorted(self.counts.items())), refresh=False)
                self.bar.update(len(statuses))

    def close_bar(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def results(self) -> pd.DataFrame:
        frames = [f for f in self.frames if not f.empty]
        if self.rows:
            frames.append(pd.DataFrame(self.rows))
        if not frames:
            return pd.DataFrame(columns=RESULT_COLUMNS)
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        out = out.sort_values("_pos", kind="stable").reset_index(drop=True)
        return out.reindex(columns=RESULT_COLUMNS)


def _probe_versions(languages: list[str], version_of: Callable[[str], str | None]) -> None:
    """Run the (cached) toolchain version probes of several languages at once."""
    if len(languages) > 1:
        with ThreadPoolExecutor(max_workers=min(8, len(languages))) as pool:
            list(pool.map(version_of, languages))


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="evaluate", unit="sample")


def _support(item: dict[str, Any]) -> Path | None:
    value = item.get("support_dir")
    return Path(value) if isinstance(value, str) and value else None
