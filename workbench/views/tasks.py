"""The McEval task behind a stored sample, for the views: its instruction, its canonical program,
and the task table a rerun needs.

A store keeps verdicts and programs, not tasks, so tasks come from a table the user gives or are
loaded on demand from a data folder (default: ``MCEVAL_DATA`` or ``../shared/mceval``, then the
bundled demo), one (kind, subset, language) at a time. Task ids repeat across data sets (the bundled demo's
``Python/1`` is not McEval's), so a task is used only when its test is in the program that ran.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import InputError, WorkbenchError
from workbench.inputs.samples import tasks_for_samples
from workbench.inputs.tasks import completion_subset
from workbench.paths import demo_data_dir
from workbench.programs.assemble import canonical_program


def _normalised(line: str) -> str:
    return " ".join(line.split())


def fits(task: Mapping[str, Any], program: str) -> bool:
    """True when ``program`` ran ``task``'s test: its longest line is in the program (a task
    without a test, judged by comparison, always fits)."""
    test = task.get("test")
    lines = [_normalised(x) for x in test.splitlines()] if isinstance(test, str) else []
    lines = [x for x in lines if x]
    if not lines:
        return True
    longest = max(lines, key=len)
    return any(longest in _normalised(line) for line in program.splitlines())


class TaskLookup:
    """Finds the task of a result row in ``tasks`` (when given), else in ``data``: a McEval
    folder, or by default the McEval data (``MCEVAL_DATA`` / ``../shared/mceval``) and then the
    bundled demo, whichever holds the task the sample ran."""

    def __init__(self, tasks: pd.DataFrame | None = None, data: str | Path | None = None) -> None:
        self.given = tasks
        self.data = data
        self._loaded: dict[tuple[Any, str, str | None, str], pd.DataFrame] = {}
        self._found: dict[tuple[str, str, str], tuple[dict[str, Any] | None, str]] = {}

    def _sources(self) -> list[str | Path | None]:
        if self.data is not None:
            return [self.data]
        return [None, demo_data_dir()]  # None: the McEval data wherever load_tasks finds it

    def _candidates(self, row: Mapping[str, Any], source: str | Path | None) -> pd.DataFrame:
        kind, task_id = str(row["task"]), str(row["task_id"])
        if self.given is not None:
            found = self.given[self.given["task_id"] == task_id]
            if "task" in found.columns and found["task"].notna().any():
                found = found[found["task"] == kind]
            return found
        subset = completion_subset(task_id)
        memo = (source, kind, subset, str(row["language"]))
        if memo not in self._loaded:
            sample = pd.DataFrame([{"task": kind, "task_id": task_id}])
            try:
                self._loaded[memo] = tasks_for_samples(sample, source)
            except WorkbenchError:
                if source is not None:  # the bundled demo lacks that kind or language
                    self._loaded[memo] = pd.DataFrame(columns=["task_id"])
                else:
                    raise
        loaded = self._loaded[memo]
        return loaded[loaded["task_id"] == task_id]

    def find(self, row: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str]:
        """The row's task, or None and why not (remembered per task and program)."""
        memo = (str(row["task"]), str(row["task_id"]), str(row.get("program_hash") or ""))
        if memo[2] and memo in self._found:
            return self._found[memo]
        found = self._find(row)
        if memo[2]:
            self._found[memo] = found
        return found

    def _find(self, row: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str]:
        program = str(row.get("program") or "")
        why = ""
        for source in [None] if self.given is not None else self._sources():
            try:
                found = self._candidates(row, source)
            except WorkbenchError as exc:
                why = why or f"task not available: {exc}"
                continue
            if found.empty:
                continue
            task = found.iloc[0].to_dict()
            if fits(task, program):
                return task, ""
            why = (
                f"the task {row['task_id']} found in the data is not the one this sample ran "
                "(another data set with the same ids?): pass tasks= to the view"
            )
        if not why:
            where = "the tasks given" if self.given is not None else "the McEval data"
            why = f"{row['task_id']} is not in {where}"
        return None, why

    def reference(self, task: Mapping[str, Any]) -> str | None:
        """The canonical program of ``task`` (prompt, canonical solution, test), if it has one."""
        try:
            return canonical_program(task)
        except (KeyError, OSError, TypeError):
            return None

    def tasks_for(self, row: Mapping[str, Any]) -> pd.DataFrame:
        """A one-row task table for re-running ``row``; an InputError when there is none."""
        task, why = self.find(row)
        if task is None:
            raise InputError(f"cannot rerun: {why}", field="task_id")
        return pd.DataFrame([task])
