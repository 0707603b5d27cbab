"""The opt-in runs of ``workbench health`` (docs/health.md): timed-out samples run again with more
time (rows of kind ``probe``: was the limit too tight?) and failing samples run again (rows of
kind ``repeat``: does the verdict hold?).

Both go through ``evaluate`` — the same extraction, assembly, sandbox and backend as the scored
run — never served from the cache, and are stored beside the scored rows, so a later ``workbench
health --store S`` reads them again. Neither changes a scored verdict. Which rows to run again is
the caller's choice (``analysis.health.probe_candidates``, ``analysis.rows.failing``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import InputError
from workbench.evaluation.runner import RESULT_COLUMNS, evaluate
from workbench.evaluation.store import Store
from workbench.execution.records import PROBE, REPEAT, ROW_KIND, RUN_INDEX, SAMPLE_KEY
from workbench.programs.prepare import prepare

# A timed-out sample is probed with this many times the limit it had: "finishes within a few
# times the limit" (docs/health.md, check ``limits``). Four: a machine twice as slow as the one
# the limits were fitted on, under a full load of parallel jobs, still finishes within it.
PROBE_FACTOR = 4.0


def as_samples(rows: pd.DataFrame) -> pd.DataFrame:
    """Stored result rows as samples again, ready for ``evaluate``: the sample key and the
    model's text, or the code for samples given as code (``extraction`` ``completion``)."""
    given_code = rows["extraction"].eq("completion").to_numpy()
    frame = rows[list(SAMPLE_KEY)].reset_index(drop=True)
    frame["raw_generation"] = rows["raw_generation"].where(~given_code, None).to_numpy()
    frame["completion"] = rows["code"].where(given_code, None).to_numpy()
    frame["source_file"] = "results store"
    frame["source_line"] = 0
    return frame


def probe_limits(row: dict[str, Any], factor: float = PROBE_FACTOR) -> dict[str, float]:
    """The limit a timed-out row is probed with: ``factor`` times the time its timed-out step
    had (its compile or run seconds: the limit it was stopped at), in whole seconds."""
    step = "compile" if str(row.get("reason") or "").startswith("compile") else "run"
    seconds = float(row.get(f"{step}_seconds") or 0.0)
    return {f"{step}_timeout": float(math.ceil(factor * max(seconds, 1.0)))}


def same_programs(rows: pd.DataFrame, tasks: pd.DataFrame) -> None:
    """Raise an InputError unless ``rows``, prepared again with ``tasks``, make the programs
    they were judged as: a rerun with other tasks (McEval's for the demo's samples, which share
    their ids) or after the assembly changed would judge other programs than the verdicts it is
    compared with."""
    again = prepare(as_samples(rows), tasks)["program_hash"].to_numpy()
    differs = again != rows["program_hash"].to_numpy()
    if differs.any():
        row = rows[differs].iloc[0]
        raise InputError(
            f"{int(differs.sum())} of {len(rows)} samples make other programs with these tasks "
            f"than the store holds (e.g. {row['task_id']} #{row['sample_index']}, "
            f"{row['model']}): give the tasks they were evaluated with (--data), or evaluate "
            "them again first if the workbench's assembly changed since"
        )


def _evaluate_as(
    samples: pd.DataFrame, tasks: pd.DataFrame, store: Store | str | Path, **options: Any
) -> pd.DataFrame:
    # Always executed (row kinds of FRESH_KINDS); no controls: these runs check verdicts, and
    # the scored run's controls already checked the machine.
    return evaluate(samples, tasks, store=store, cache=False, controls=0, **options)


def probe_timeouts(
    rows: pd.DataFrame,
    tasks: pd.DataFrame,
    *,
    store: Store | str | Path,
    factor: float = PROBE_FACTOR,
    jobs: int | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run the timed-out ``rows`` again with ``factor`` times the limit each had
    (``probe_limits``), stored in ``store`` as rows of kind ``probe``; returns those rows."""
    if rows.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    same_programs(rows, tasks)
    limits = [json.dumps(probe_limits(r, factor)) for r in rows.to_dict("records")]
    frames = []
    for limit, group in rows.groupby(pd.Series(limits, index=rows.index), sort=True):
        samples = as_samples(group).assign(**{ROW_KIND: PROBE})
        options = {"jobs": jobs, "progress": progress, "limits": json.loads(limit)}
        frames.append(_evaluate_as(samples, tasks, store, **options))
    return pd.concat(frames, ignore_index=True)


def repeat_failures(
    rows: pd.DataFrame,
    tasks: pd.DataFrame,
    times: int,
    *,
    store: Store | str | Path,
    jobs: int | None = None,
    limits: dict[str, float] | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run ``rows`` (failing samples) ``times`` more times under ``limits`` (the registry's by
    default, as ``evaluate``), each round stored in ``store`` as rows of kind ``repeat``
    numbered after the repeats it already holds (``run_index``: nothing earlier is replaced);
    returns the new rows."""
    if times < 1:
        raise ValueError(f"the number of repeats must be 1 or more, got {times}")
    if rows.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    same_programs(rows, tasks)
    first = _next_repeat(store)
    samples = as_samples(rows).assign(**{ROW_KIND: REPEAT})
    frames = [
        # One evaluate per round: within one, identical programs share an execution.
        _evaluate_as(
            samples.assign(**{RUN_INDEX: index}),
            tasks,
            store,
            jobs=jobs,
            limits=limits,
            progress=progress,
        )
        for index in range(first, first + times)
    ]
    return pd.concat(frames, ignore_index=True)


def _next_repeat(store: Store | str | Path) -> int:
    """The run index the next round of repeats takes in ``store``: after every stored one."""
    if isinstance(store, Store):
        held = store.results(kinds=REPEAT)
    else:
        with Store(store) as db:
            held = db.results(kinds=REPEAT)
    return 1 if held.empty else int(held[RUN_INDEX].max()) + 1
