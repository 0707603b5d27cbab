"""Evaluate samples: extract, assemble, execute in parallel, store each verdict as it lands."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.executor import Execution, Program, execute, toolchain_version
from workbench.languages import Limits, get_language
from workbench.samples import prepare
from workbench.store import Store


def cache_key(language: str, program: str, limits: Limits) -> str:
    """Content address of an execution: language, toolchain version, program (with its test),
    and limits. Identical programs from different models share it."""
    payload = json.dumps(
        [language, toolchain_version(language), program, asdict(limits)], sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _row(item: dict[str, Any], execution: Execution, key: str, cached: bool) -> dict[str, Any]:
    return {
        **{k: item.get(k) for k in ("task", "task_id", "model", "sample_index", "language",
                                    "subset", "level", "program_hash", "raw_generation", "code",
                                    "extraction", "program")},
        "cache_key": key,
        "cached": cached,
        **{k: v for k, v in execution.to_dict().items() if k not in ("language", "steps", "passed", "sandbox_uids")},
    }  # fmt: skip


def _from_cache(item: dict[str, Any], hit: dict[str, Any], key: str) -> dict[str, Any]:
    fields = ("status", "reason", "exit_code", "signal", "stdout", "stderr", "compile_seconds",
              "run_seconds", "output_truncated", "max_rss_kb", "toolchain_version", "sandbox")  # fmt: skip
    row = _row(item, Execution(status=hit["status"], language=item["language"]), key, True)
    row.update({f: hit[f] for f in fields})
    return row


def evaluate(
    samples: pd.DataFrame,
    tasks: pd.DataFrame,
    *,
    jobs: int | None = None,
    store: Store | str | Path | None = None,
    progress: bool = True,
    cache: bool = True,
    limits: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Run every sample against its task and return one result row per sample.

    ``jobs`` defaults to the number of cores. With a ``store``, each verdict is committed as it
    finishes and identical work already stored (same cache key) is not run again unless
    ``cache=False``. ``limits`` overrides registry limits (e.g. ``{"run_timeout": 5}``).
    """
    prepared = prepare(samples, tasks)
    own_store = isinstance(store, str | Path)
    db = Store(store) if own_store else store
    jobs = jobs or os.cpu_count() or 1
    rows: list[dict[str, Any]] = []
    try:
        items = prepared.to_dict("records")
        todo: list[tuple[dict[str, Any], str, Limits]] = []
        for item in items:
            lang_limits = get_language(item["language"]).limits.scaled(**(limits or {}))
            key = cache_key(item["language"], item["program"], lang_limits)
            hit = db.cached(key) if (db is not None and cache) else None
            if hit is not None:
                row = _from_cache(item, hit, key)
                rows.append(row)
                db.put(row)  # type: ignore[union-attr]
            else:
                todo.append((item, key, lang_limits))
        bar = _progress(len(items), len(rows), progress)
        counts = Counter(r["status"] for r in rows)
        for item, key, execution in _run_all(todo, jobs):
            row = _row(item, execution, key, False)
            rows.append(row)
            if db is not None:
                db.put(row)
            counts[execution.status] += 1
            if bar is not None:
                bar.set_postfix(dict(sorted(counts.items())), refresh=False)
                bar.update(1)
        if bar is not None:
            bar.close()
    finally:
        if own_store and db is not None:
            db.close()
    order = {
        k: i
        for i, k in enumerate(
            zip(prepared["task_id"], prepared["model"], prepared["sample_index"], strict=True)
        )
    }
    rows.sort(key=lambda r: order[(r["task_id"], r["model"], r["sample_index"])])
    return pd.DataFrame(rows)


def _progress(total: int, done: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, desc="evaluate", unit="sample")


def _run_all(
    todo: list[tuple[dict[str, Any], str, Limits]], jobs: int
) -> Iterator[tuple[dict[str, Any], str, Execution]]:
    """Execute with at most ``jobs`` in flight; identical work runs once and is shared."""
    first: dict[str, list[dict[str, Any]]] = {}
    unique: list[tuple[dict[str, Any], str, Limits]] = []
    for item, key, lim in todo:
        if key in first:
            first[key].append(item)
        else:
            first[key] = [item]
            unique.append((item, key, lim))
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="wb-exec")
    pending: dict[Future[Execution], str] = {}
    queue = iter(unique)
    try:

        def submit_next() -> bool:
            nxt = next(queue, None)
            if nxt is None:
                return False
            item, key, lim = nxt
            program = Program(
                item["language"],
                item["program"],
                _support(item),
                item["task_id"],
                item.get("canonical_solution") or None,
            )
            pending[pool.submit(execute, program, lim)] = key
            return True

        for _ in range(jobs * 2):
            if not submit_next():
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                key = pending.pop(future)
                execution = future.result()
                for item in first[key]:
                    yield item, key, execution
                submit_next()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _support(item: dict[str, Any]) -> Path | None:
    value = item.get("support_dir")
    return Path(value) if isinstance(value, str) and value else None
