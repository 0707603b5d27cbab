"""Controls: a few canonical solutions judged with every run, so that a failing one says the
machine is broken, not the models (docs/health.md, check ``environment``).

Per language and task kind present in a run, :func:`control_tasks` picks ``n`` tasks whose
canonical solution is known to pass here:

- not a known failure: the registry's ``known_failures`` (canonical solutions that cannot pass
  with this toolchain, the dataset defects of docs/dataset-defects.md, and tests that check
  nothing, such as Lua/1's never-called test or AWK's empty expected outputs);
- verified: ``workbench verify`` recorded a passing run of it (``registry/canonical_times.csv``;
  for a completion task, of its generation form). A kind with fewer verified tasks than ``n``
  (a user's own tasks, a language only the Docker backend serves) is completed with unverified
  ones, marked ``verified`` False;
- cheap: the fastest recorded canonical runs first, then task order, so the choice is the same
  on every run and costs least.

:func:`control_samples` makes them samples of model ``canonical`` with the canonical solution
as the answer, ready for ``evaluate`` with the run's own backend, limits and sandbox. The runner
judges them uncached (a broken toolchain that still prints yesterday's version string would
otherwise get yesterday's pass back) and stores them as rows of kind ``control``, which no pass@k,
table or comparison counts; :func:`run_controls` is what ``evaluate`` asks for.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from workbench.errors import InputError
from workbench.evaluation.canonical import canonical_samples, known_failure
from workbench.execution.records import CONTROL, CONTROLS_PER_KIND, ROW_KIND
from workbench.inputs.samples import task_kind
from workbench.inputs.tasks import base_id, completion_subset
from workbench.registry.languages import get_language, language_of_task
from workbench.registry.limits import canonical_times


def run_kinds(samples: pd.DataFrame) -> pd.DataFrame:
    """The (language, task, subset) of every task kind present in ``samples``, in order of first
    appearance; the task kind is the ``task`` column, else read from the task id."""
    ids = samples["task_id"].astype(str)
    tasks = samples["task"].astype(str) if "task" in samples.columns else ids.map(task_kind)
    unique = ids.drop_duplicates()
    language = dict(zip(unique, unique.map(lambda t: language_of_task(t).name), strict=True))
    frame = pd.DataFrame(
        {
            "language": ids.map(language).to_numpy(),
            "task": tasks.to_numpy(),
            "subset": ids.map(completion_subset).to_numpy(),
        }
    )
    frame["subset"] = frame["subset"].astype(object).where(frame["subset"].notna(), None)
    return frame.drop_duplicates().reset_index(drop=True)


def _kind_keys(frame: pd.DataFrame) -> pd.Series:
    subset = frame["subset"].astype(object).where(frame["subset"].notna(), "")
    return frame["language"].astype(str) + "\0" + frame["task"].astype(str) + "\0" + subset


def _answerable(tasks: pd.DataFrame) -> pd.Series:
    """Tasks with an answer to give: a canonical solution, or a reference answer for the
    languages judged by comparison (their canonical answer is the reference file)."""
    canonical = tasks["canonical_solution"].map(lambda s: isinstance(s, str) and bool(s.strip()))
    compared = tasks["language"].map(lambda name: get_language(name).assembly == "answer_only")
    return canonical.astype(bool) | compared.astype(bool)


def _task_number(task_id: str) -> int:
    tail = base_id(task_id).rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def control_tasks(
    tasks: pd.DataFrame,
    samples: pd.DataFrame | None = None,
    n: int = CONTROLS_PER_KIND,
    times: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Up to ``n`` control tasks per (language, task, subset) of ``tasks`` — only the kinds
    present in ``samples`` when given — with their canonical solution known to pass (module
    docstring). Returns rows of ``tasks`` plus ``verified`` (a passing canonical run is on record)
    and ``canonical_seconds`` (its recorded run time). ``times``: task id -> seconds, by default
    the registry's record."""
    if n < 0:
        raise InputError(f"the number of controls must be 0 or more, got {n}", field="controls")
    frame = tasks
    if samples is not None and not frame.empty:
        frame = frame[_kind_keys(frame).isin(set(_kind_keys(run_kinds(samples))))]
    if n == 0 or frame.empty:
        return frame.iloc[0:0].assign(verified=pd.Series(dtype=bool), canonical_seconds=0.0)
    known = frame["task_id"].map(lambda t: known_failure(t) is not None).astype(bool)
    frame = frame[~known & _answerable(frame)]
    recorded = canonical_times() if times is None else times
    seconds = frame["task_id"].map(lambda t: recorded.get(base_id(t)))
    frame = frame.assign(
        verified=seconds.notna(),
        canonical_seconds=seconds.astype(float),
        _kind=pd.factorize(_kind_keys(frame))[0],
        _number=frame["task_id"].map(_task_number),
    )
    frame = frame.sort_values(
        ["_kind", "verified", "canonical_seconds", "_number", "task_id"],
        ascending=[True, False, True, True, True],
        na_position="last",
        kind="stable",
    )
    chosen = frame.groupby("_kind", sort=False).head(n)
    return chosen.drop(columns=["_kind", "_number"]).reset_index(drop=True)


def control_samples(
    tasks: pd.DataFrame,
    samples: pd.DataFrame | None = None,
    n: int = CONTROLS_PER_KIND,
    times: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The controls of :func:`control_tasks` as samples for ``evaluate``: model ``canonical``,
    sample 0, the canonical solution as the answer (assembled as ``workbench verify`` does), the
    ``task`` kind, and ``row_kind`` ``control``."""
    chosen = control_tasks(tasks, samples, n, times)
    frame = canonical_samples(chosen)
    frame.insert(0, "task", chosen["task"].to_numpy())
    frame[ROW_KIND] = CONTROL
    return frame.reset_index(drop=True)


# What control_tasks reads of a task table: a table built by hand without them gets no controls.
TASK_COLUMNS: tuple[str, ...] = (
    "task_id",
    "language",
    "task",
    "subset",
    "canonical_solution",
    "source_file",
    "source_line",
)


def run_controls(samples: pd.DataFrame, tasks: pd.DataFrame, n: int) -> pd.DataFrame:
    """The controls ``evaluate`` judges beside ``samples``: ``control_samples`` of the kinds
    they hold; none (an empty frame) when ``n`` is 0, when ``samples`` already hold controls,
    or when ``tasks`` lack a column a control needs (``TASK_COLUMNS``: a table built by hand)."""
    if n < 0:
        raise InputError(f"the number of controls must be 0 or more, got {n}", field="controls")
    held = ROW_KIND in samples.columns and samples[ROW_KIND].eq(CONTROL).any()
    if n == 0 or samples.empty or held or not set(TASK_COLUMNS) <= set(tasks.columns):
        return pd.DataFrame()
    return control_samples(tasks, samples, n)
