"""Which rows a table counts, defined once for every table, view and comparison: the scored runs
of the samples, the failing ones among them, and the task kinds they cover.

A results frame may hold more than one run of a sample (``row_kind``: the scored verdict and
runs beside it, ``execution.records.ROW_KINDS``); every number is computed on the ``scored``
rows unless another kind is asked for. A frame without a ``row_kind`` column (one built by
hand, or read from an older export) is taken as all scored.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from workbench.execution.records import MACHINE_STATUSES, ROW_KIND, SCORED, Status

# Statuses that are not a failure of the sample: it passed, or the machine could not judge it.
NOT_FAILING: tuple[str, ...] = (str(Status.PASSED), *map(str, MACHINE_STATUSES))


def of_kind(results: pd.DataFrame, kinds: str | Iterable[str] = SCORED) -> pd.DataFrame:
    """The rows of ``results`` whose run is of ``kinds`` (default: the scored verdicts); the
    frame itself when every row is."""
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    if ROW_KIND not in results.columns:
        return results if SCORED in wanted else results.iloc[0:0]
    chosen = results[ROW_KIND].isin(wanted)
    return results if chosen.all() else results[chosen]


def is_failing(status: pd.Series | str) -> pd.Series | bool:
    """Whether a status (or each of a column of them) is a failure of the sample: not passed,
    and not a verdict about the machine (``toolchain_missing``, ``infrastructure_error``)."""
    if isinstance(status, str):
        return status not in NOT_FAILING
    return ~status.isin(NOT_FAILING)


def failing(results: pd.DataFrame) -> pd.DataFrame:
    """The scored rows of ``results`` whose sample failed (``is_failing``)."""
    scored = of_kind(results)
    return scored[is_failing(scored["status"])]


def task_kinds(results: pd.DataFrame) -> list[tuple[str, str | None]]:
    """The (task kind, completion subset) pairs ``results`` hold, sorted (no subset first)."""
    subsets = results["subset"] if "subset" in results.columns else pd.Series(None, results.index)
    pairs = {
        (str(t), None if pd.isna(s) else str(s))
        for t, s in zip(results["task"], subsets, strict=True)
    }
    return sorted(pairs, key=lambda pair: (pair[0], pair[1] or ""))


def task_number_key(task_ids: pd.Series) -> pd.Series:
    """A sort key of task ids that reads their number as a number: ``C/2`` before ``C/10``
    (``C/1-0-light-span`` after ``C/1``), whatever the language prefix."""
    parts = task_ids.astype(str).str.extract(r"^(?P<prefix>[^/]*/)?(?P<number>\d+)?(?P<rest>.*)$")
    number = pd.to_numeric(parts["number"], errors="coerce").fillna(-1).astype(int)
    return parts["prefix"].fillna("") + number.map("{:012d}".format) + parts["rest"].fillna("")


def in_task_order(
    frame: pd.DataFrame, by: Iterable[str] = ("model", "language", "task")
) -> pd.DataFrame:
    """``frame`` sorted by ``by`` (the columns it has), then by task id in numeric order
    (``task_number_key``) and sample index: the order every list of samples shows."""
    columns = [c for c in by if c in frame.columns]
    keys = [*columns, "task_id", *(["sample_index"] if "sample_index" in frame.columns else [])]
    return frame.sort_values(
        keys,
        key=lambda column: task_number_key(column) if column.name == "task_id" else column,
        kind="stable",
    )


def labelled(
    results: pd.DataFrame,
    tags: Iterable[str] = (),
    note: str | None = None,
    noted: bool = False,
) -> pd.DataFrame:
    """The rows of ``results`` (with ``tags`` and ``note`` columns: ``with_notes``) that carry
    one of ``tags``, whose note contains ``note`` (any case), and — with ``noted`` — that carry
    a tag or a note at all. No condition given: every row."""
    wanted = set(tags)
    row_tags = results["tags"].map(lambda t: set(t) if isinstance(t, list | tuple) else set())
    texts = results["note"].map(lambda n: n if isinstance(n, str) else "")
    keep = pd.Series(True, index=results.index)
    if wanted:
        keep &= row_tags.map(lambda t: bool(t & wanted))
    if note:
        keep &= texts.str.contains(note, case=False, regex=False)
    if noted:
        keep &= row_tags.map(bool) | texts.str.strip().ne("")
    return results[keep]
