"""What every scorer shares: the task's reference answers, the verdict, a short diff."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

from workbench.execution.records import Execution, Program
from workbench.registry.languages import Language, Limits

# A scorer gets the language, the program (the model's answer), the limits, the prepared work
# folder and a partly filled Execution, and returns that Execution with its status and reason.
Scorer = Callable[[Language, Program, Limits, Path, Execution], Execution]

DIFF_LINES = 12  # lines of a diff kept in a reason


def reference_texts(language: Language, program: Program) -> list[str]:
    """The texts an answer may match: the generation reference file ``<N>.<ext>`` of the task's
    support folder (what the official evaluator compares with) and the record's own
    ``canonical_solution`` when it has one (completion records carry a re-spaced copy)."""
    texts: list[str] = []
    if program.task_id and program.support_dir is not None:
        number = program.task_id.split("/", 1)[-1].split("-", 1)[0]
        path = Path(program.support_dir) / f"{number}.{language.extension}"
        if path.is_file():
            texts.append(path.read_text(encoding="utf-8"))
    reference = reference_of(program)
    if reference and reference not in texts:
        texts.append(reference)
    return texts


def reference_of(program: Program) -> str | None:
    """The program's ``reference`` when it is text (a table row may carry NaN for "none")."""
    return program.reference if isinstance(program.reference, str) else None


def no_reference(base: Execution, program: Program) -> Execution:
    """The verdict when a task has no reference answer to compare with."""
    base.status = "infrastructure_error"
    base.reason = (
        f"no reference answer for {program.task_id or 'this program'}: the task has no "
        "canonical_solution and its support folder has no <N>.<ext> file"
    )
    return base


def diff_lines(expected: list[str], got: list[str], what: str = "reference") -> str:
    """A unified diff of two line lists, cut to ``DIFF_LINES`` lines."""
    lines = list(difflib.unified_diff(expected, got, what, "answer", n=1, lineterm=""))[2:]
    if len(lines) > DIFF_LINES:
        lines = lines[:DIFF_LINES] + [f"... ({len(lines) - DIFF_LINES} more diff lines)"]
    return "\n".join(lines)


def verdict(base: Execution, status: str, reason: str) -> Execution:
    """``base`` with its status and reason set."""
    base.status, base.reason = status, reason
    return base
