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
A run's controls (canonical solutions known to pass, ``controls.py``) are queued before its
samples and, like every run of kind ``FRESH_KINDS``, always executed: never served from the store.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.evaluation.backends import Backend, make_backend
from workbench.evaluation.cache import cache_key
from workbench.evaluation.checks import after_evaluate
from workbench.evaluation.controls import CONTROLS_PER_KIND, run_controls
from workbench.evaluation.store import GroupCommit, Store
from workbench.execution import records
from workbench.execution.causes import explain, explain_frame
from workbench.execution.records import (
    FRESH_KINDS,
    ROW_KIND,
    RUN_INDEX,
    SCORED,
    Execution,
    Program,
    columns_of,
)
from workbench.execution.toolchain import toolchain_version
from workbench.execution.warm_compilers import pool as warm_compilers
from workbench.inputs.language_id import identifier
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
RUN_COLUMNS = (ROW_KIND, RUN_INDEX)  # which run of the sample an item is
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
        **{k: item[k] for k in RUN_COLUMNS},
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
    checks: bool = False,
    controls: int = CONTROLS_PER_KIND,
    with_controls: bool = False,
) -> pd.DataFrame:
    """Run every sample against its task and return one result row per sample (input order).

    ``jobs`` defaults to the number of cores (with Dask: the cluster's threads). ``cluster`` — a
    scheduler address such as ``"tcp://host:8786"``, a ``dask.distributed.Client`` or a Dask
    cluster object — sends executions to Dask workers (``backend="dask"`` without one starts a
    local cluster); the store stays here. With a ``store``, each verdict is committed within a
    second of finishing (grouped with others that finish meanwhile: ``GroupCommit``) and identical
    work already stored (same cache key) is not run again unless ``cache=False``. ``limits``
    overrides registry limits (e.g. ``{"run_timeout": 5}``).
    ``controls`` canonical solutions per language and task kind of the samples, known to pass,
    are judged first with the same backend and limits, never served from the cache, and stored
    as rows of kind ``control`` (``evaluation.controls``; docs/health.md): no pass@k counts them.
    They run when their verdicts are kept — with a ``store``, or returned after the samples'
    rows when ``with_controls`` — and ``controls=0`` turns them off.
    Ctrl-C stops submitting, kills running sandboxes and re-raises ``KeyboardInterrupt``;
    everything finished before it is in the store. Warm compilers started for the run are
    closed at its end. ``checks``: then run the failing samples again with every check of their
    test judged (``evaluation.checks.run_checks``, docs/checks.md): the rows gain
    ``checks_passed``, ``checks_total``, ``checks_note``, ``miss``, the first failing check's
    values and a ``checks`` list; no verdict changes.
    """
    known = known_tasks(samples, tasks)  # on (kind, task id) when tasks of several kinds
    if not known.all():
        attach_tasks(samples[~known], tasks)  # raises the InputError naming the first one
    # The language identifier the causes consult (wrong_language), trained on the McEval data
    # once per machine (about 20 s) and loaded once per process: here, not in the middle of the
    # run, where it would hold up every execution slot.
    identifier()
    kept = store is not None or with_controls
    extra = run_controls(samples, tasks, controls if kept else 0)
    own_store = isinstance(store, str | Path)
    db = Store(store) if own_store else store
    bar = _Progress(len(samples) + len(extra), progress)
    run = _Evaluation(samples, tasks, db, cache, limits, bar, extra)
    try:
        run.execute(make_backend(backend, cluster, jobs))
    finally:
        try:
            run.close()  # commits what finished, also after Ctrl-C
        finally:
            warm_compilers.shutdown()  # the warm compilers this run started
            if own_store and db is not None:
                db.close()
    # The checks run of the failing samples, or an earlier one's columns kept (docs/checks.md).
    with Store(store) if own_store else nullcontext(db) as opened:
        results = after_evaluate(
            run.results(),
            tasks,
            opened,
            checks=checks,
            jobs=jobs,
            limits=limits,
            backend=backend,
            cluster=cluster,
            cache=cache,
            progress=progress,
        )
    if not with_controls:
        return results
    return pd.concat([results, run.control_rows()], ignore_index=True)


Item = dict[str, Any]  # a prepared sample: its columns, program and cache key


class _Progress:
    """The progress bar of a run and its counts per status. The main thread (cache hits) and
    the commit thread (executed verdicts, once committed) both advance it."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.bar = _progress_bar(total) if enabled else None

    def advance(self, statuses: list[str]) -> None:
        with self.lock:
            self.counts.update(statuses)
            if self.bar is not None:
                self.bar.set_postfix(dict(sorted(self.counts.items())), refresh=False)
                self.bar.update(len(statuses))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class _Schedule:
    """Which execution starts next. Heavy toolchains (capped by ``max_parallel``: JVM, GHC; or
    with a warm compiler, one per language while other work waits) go first whenever their cap
    allows, so their long runs and the compilers' start overlap everything else instead of
    forming the run's tail; the rest run in the order they came."""

    def __init__(self) -> None:
        self.ready: deque[tuple[str, Item]] = deque()
        self.blocked: dict[str, deque[tuple[str, Item]]] = {}
        self.running: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self.ready) + sum(len(q) for q in self.blocked.values())

    def add(self, key: str, item: Item) -> None:
        lang = get_language(item["language"])
        if lang.max_parallel is not None or lang.server:
            self.blocked.setdefault(item["language"], deque()).append((key, item))
        else:
            self.ready.append((key, item))

    def next(self, spare_servers: bool) -> tuple[str, Item] | None:
        """The next item whose language has room (and count it as running); with
        ``spare_servers``, a language with a warm compiler has room for one execution only."""
        found = self._next(spare_servers)
        if found is not None:
            self.running[found[1]["language"]] += 1
        return found

    def _next(self, spare_servers: bool) -> tuple[str, Item] | None:
        for language, queue in self.blocked.items():
            if queue and self._free(language, spare_servers):
                return queue.popleft()
        while self.ready:
            key, item = self.ready.popleft()
            if self._free(item["language"], spare_servers):
                return key, item
            self.blocked.setdefault(item["language"], deque()).append((key, item))
        return None

    def done(self, language: str) -> None:
        self.running[language] -= 1

    def _free(self, language: str, spare_servers: bool) -> bool:
        lang = get_language(language)
        if spare_servers and lang.server and self.running[language] >= 1:
            return False
        return lang.max_parallel is None or self.running[language] < lang.max_parallel


class _Evaluation:
    """One ``evaluate`` call: its samples prepared a chunk at a time with their cache keys,
    identical work found in the store, in flight or among recent verdicts (the caching), the
    rest handed to the ``_Schedule`` and the backend, every verdict recorded and committed."""

    def __init__(
        self,
        samples: pd.DataFrame,
        tasks: pd.DataFrame,
        db: Store | None,
        cache: bool,
        limits: dict[str, float] | None,
        progress: _Progress,
        controls: pd.DataFrame,
    ) -> None:
        self.samples, self.tasks, self.db, self.cache = samples, tasks, db, cache
        self.controls = controls  # judged first, their rows after the samples' (``_pos``)
        self.overrides = limits or {}
        self.limits: dict[str, Limits] = {}
        self.frames: list[pd.DataFrame] = []  # cache hits, a frame per chunk
        self.rows: list[Item] = []  # executed here
        self.interned: dict[str, str] = {}
        self.progress = progress
        # Executed verdicts are committed in groups by a background thread; the bar counts them
        # once committed, so what it shows is what a crash would keep.
        self.writer = (
            GroupCommit(db, on_commit=lambda rows: progress.advance([r["status"] for r in rows]))
            if db is not None
            else None
        )
        self.schedule = _Schedule()
        self.waiters: dict[str, list[Item]] = {}  # cache key -> the items its execution serves
        self.recent: OrderedDict[str, Execution] = OrderedDict()
        # The host's toolchains until ``execute`` is given a backend that judges elsewhere.
        self.version_of: Callable[[str], str | None] = toolchain_version
        self.probed: set[str] = set()
        self.chunks = self._chunks()
        self.exhausted = False

    # -- preparing and caching ---------------------------------------------------------------
    def _limits(self, language: str, task_id: str | None = None) -> Limits:
        # Per task: the run limit follows the canonical solution's run time (workbench.registry.limits).
        memo = f"{language}\0{task_id}"
        if memo not in self.limits:
            self.limits[memo] = task_limits(get_language(language), task_id, self.overrides)
        return self.limits[memo]

    def _chunks(self) -> Iterator[pd.DataFrame]:
        parts = ((self.controls, len(self.samples)), (self.samples, 0))
        for frame, offset in parts:
            for start in range(0, len(frame), CHUNK):
                yield self._prepared(frame.iloc[start : start + CHUNK], offset + start)

    def _prepared(self, samples: pd.DataFrame, start: int) -> pd.DataFrame:
        """``samples`` (rows ``start``... of the run) prepared, with their runs and cache keys."""
        prep = prepare(samples, self.tasks)
        prep["_pos"] = range(start, start + len(prep))
        for column in ITEM_COLUMNS:  # what a sample may not carry: token counts, repairs
            if column not in prep.columns:
                prep[column] = None
        # A sample's run is scored (run 0) unless the samples say which run it is.
        for column, default in ((ROW_KIND, SCORED), (RUN_INDEX, 0)):
            given = prep[column] if column in prep.columns else pd.Series(None, prep.index)
            prep[column] = given.where(given.notna(), default)
        prep[RUN_INDEX] = prep[RUN_INDEX].astype("int64")
        for column in _INTERNED:  # identical texts are kept once
            prep[column] = [self._intern(v) for v in prep[column]]
        languages = sorted(set(prep["language"]))
        _probe_versions([lang for lang in languages if lang not in self.probed], self.version_of)
        self.probed.update(languages)
        prep["cache_key"] = self._cache_keys(prep)
        return prep

    def _cache_keys(self, prep: pd.DataFrame) -> list[str]:
        """Each prepared sample's cache key (one computation per distinct program)."""
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
        return keys

    def _intern(self, value: Any) -> Any:
        return self.interned.setdefault(value, value) if isinstance(value, str) else value

    def _pull(self) -> bool:
        """Prepare the next chunk: commit its cache hits, queue the rest. False at the end."""
        prep = next(self.chunks, None)
        if prep is None:
            self.exhausted = True
            return False
        hit = self._stored_hits(prep)
        for item in prep.loc[~hit].to_dict("records"):
            key = item["cache_key"]
            if key in self.waiters:  # identical work in flight
                self.waiters[key].append(item)
            elif key in self.recent:  # identical work done by this run
                self._record(item, self.recent[key], key)
            else:
                self.waiters[key] = [item]
                self.schedule.add(key, item)
        return True

    def _stored_hits(self, prep: pd.DataFrame) -> pd.Series:
        """Record the chunk's samples whose verdict the store holds (the cache on); returns
        which they are."""
        hit = pd.Series(False, index=prep.index)
        # Controls, probes and repeats are always executed: a stored verdict is what they check.
        fresh = prep[ROW_KIND].isin(FRESH_KINDS)
        if self.db is None or not self.cache or fresh.all():
            return hit
        if self.writer is not None:
            # Verdicts recorded but not yet committed would otherwise be missed by the lookup
            # and run again once the recent cache has forgotten them.
            self.writer.flush()
        found = self.db.cached_many(prep.loc[~fresh, "cache_key"])
        if found.empty:
            return hit
        hit = prep["cache_key"].isin(set(found["cache_key"])) & ~fresh
        verdicts = found[["cache_key", *VERDICT_COLUMNS]]
        hits = prep.loc[hit, [*ITEM_COLUMNS, *RUN_COLUMNS, "cache_key", "_pos"]].merge(
            verdicts, on="cache_key", how="left"
        )
        hits["cached"] = True
        # Per sample, not from the stored row: whether the code came out of the model's text,
        # or an assertion is the answer's own, depends on this sample.
        hits = pd.concat([hits, explain_frame(hits)], axis=1)
        self.db.put_many(hits)
        self.frames.append(hits)
        self.progress.advance(hits["status"].tolist())
        return hit

    # -- running -----------------------------------------------------------------------------
    def execute(self, backend: Backend) -> None:
        """Run every sample not served by the cache on ``backend``, ``backend.slots`` at once."""
        self.version_of = backend.toolchain_version  # cache keys name the backend's toolchains
        pending: dict[Any, tuple[str, str]] = {}
        interrupted = False
        try:
            self._fill(backend, pending)
            while pending:
                for future in backend.wait(list(pending)):
                    key, language = pending.pop(future)
                    self.schedule.done(language)
                    self._served(key, _outcome(backend, future, language))
                self._fill(backend, pending)
        except BaseException:
            interrupted = True
            raise
        finally:
            backend.close(list(pending), interrupted)

    def _fill(self, backend: Backend, pending: dict[Any, tuple[str, str]]) -> None:
        """Submit work until every slot of ``backend`` is busy or nothing is left."""
        while len(pending) < backend.slots:
            nxt = self.schedule.next(spare_servers=backend.shares_servers)
            if nxt is None:
                if not self.exhausted and len(self.schedule) < CHUNK and self._pull():
                    continue
                # Nothing else to do: a second warm compiler beats an idle slot.
                nxt = self.schedule.next(spare_servers=False)
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
            future = backend.submit(program, self._limits(item["language"], item["task_id"]))
            pending[future] = (key, item["language"])

    def _served(self, key: str, execution: Execution) -> None:
        """One execution finished: remember it, and record it for every item it serves."""
        self.recent[key] = execution
        if len(self.recent) > RECENT:
            self.recent.popitem(last=False)
        for item in self.waiters.pop(key):
            self._record(item, execution, key)

    def _record(self, item: Item, execution: Execution, key: str) -> None:
        row = _row(item, execution, key, False)
        row["_pos"] = item["_pos"]
        self.rows.append(row)
        if self.writer is not None:
            self.writer.add(row)  # committed within GroupCommit.window seconds
        else:
            self.progress.advance([execution.status])

    def close(self) -> None:
        """Commit what is queued (raising a commit's error) and close the progress bar."""
        try:
            if self.writer is not None:
                self.writer.close()
        finally:
            self.progress.close()

    def results(self) -> pd.DataFrame:
        """The samples' rows, in the samples' order."""
        return self._rows(lambda pos: pos < len(self.samples))

    def control_rows(self) -> pd.DataFrame:
        """The controls' rows, in the order they were chosen."""
        return self._rows(lambda pos: pos >= len(self.samples))

    def _rows(self, chosen: Callable[[pd.Series], pd.Series]) -> pd.DataFrame:
        frames = [f for f in self.frames if not f.empty]
        if self.rows:
            frames.append(pd.DataFrame(self.rows))
        if not frames:
            return pd.DataFrame(columns=RESULT_COLUMNS)
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        out = out[chosen(out["_pos"])]
        out = out.sort_values("_pos", kind="stable").reset_index(drop=True)
        return out.reindex(columns=RESULT_COLUMNS)


def _outcome(backend: Backend, future: Any, language: str) -> Execution:
    """A finished future's verdict; a broken worker's error is an infrastructure error of that
    sample, not the end of the whole run."""
    try:
        return backend.result(future)
    except Exception as exc:
        return Execution(
            status="infrastructure_error",
            language=language,
            reason=f"executor raised {type(exc).__name__}: {exc}",
        )


def _probe_versions(languages: list[str], version_of: Callable[[str], str | None]) -> None:
    """Run the (cached) toolchain version probes of several languages at once."""
    if len(languages) > 1:
        with ThreadPoolExecutor(max_workers=min(8, len(languages))) as pool:
            list(pool.map(version_of, languages))


def _progress_bar(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="evaluate", unit="sample")


def _support(item: dict[str, Any]) -> Path | None:
    value = item.get("support_dir")
    return Path(value) if isinstance(value, str) and value else None
