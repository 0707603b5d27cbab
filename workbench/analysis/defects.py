"""Dataset defects a canonical run cannot see: a test that expects a string the task's own text
spells differently.

C/1 asks (in its instruction) for ``"Hello, MMCODEEVAL: Massively Multilingual Code
Evaluation"`` while its test and its canonical solution both say ``Masssively``. The canonical
solution passes, so ``workbench verify`` is blind to it; a model that follows the instruction
fails. :func:`expected_string_mismatches` finds defects of this kind in any McEval task table:
each quoted string of the instruction or docstring that the test does not contain, paired with
the test's string literals that are nearly the same. It lists candidates for a person to confirm
(a near-identical test *input* is no defect); ``shared_with_canonical`` marks the strongest
ones, where the canonical solution writes the test's spelling itself.

Confirmed defects go to the language's registry file under ``known_failures`` with
``kind = "dataset"`` and to ``docs/dataset-defects.md``; ``bench/dataset_defects.py`` reruns the
search on the real data and says which candidates are not listed yet.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from workbench.registry.languages import all_languages

DEFECT_COLUMNS = ["task_id", "task", "language", "reason", "evidence", "source"]
DATASET_KIND = "dataset"  # the known_failures kind of a defect of the data (not of a toolchain)
SHIPPED = "registry"  # the source of the defects the workbench ships


def shipped_defects() -> pd.DataFrame:
    """The defective tasks the workbench ships: every registry ``known_failures`` entry of kind
    ``dataset``, one row per entry and task kind (``task`` is empty when the entry names every
    kind; an entry's ``task_kinds`` list narrows it). Ready for ``pass_at_k_table(...,
    set_aside=...)``; ``source`` says where each row comes from."""
    rows = []
    for language in all_languages():
        for task_id, entry in language.known_failures.items():
            if entry.get("kind") != DATASET_KIND:
                continue
            for kind in entry.get("task_kinds") or [None]:
                rows.append(
                    {
                        "task_id": task_id,
                        "task": kind,
                        "language": language.name,
                        "reason": entry.get("reason", ""),
                        "evidence": entry.get("evidence", ""),
                        "source": SHIPPED,
                    }
                )
    return pd.DataFrame(rows, columns=DEFECT_COLUMNS)


# Strings quoted in prose or code: "…", '…', `…` and “…”, each on one line.
_QUOTED = re.compile(
    r'"((?:[^"\\\n]|\\.)*)"'
    r"|'((?:[^'\\\n]|\\.)*)'"
    r"|`([^`\n]*)`"
    r"|“([^”\n]*)”"
)
_WORDY = re.compile(r"[A-Za-z]{2}")
# Line ends written as escapes ("Not a triangle.\\n" in a C instruction) and spaces at either end
# are how a string is printed, not what it says.
_EDGES = re.compile(r"^(?:\s|\\[nrt])+|(?:\s|\\[nrt])+$")
# The fields whose words tell a model what to produce, in the order they are searched.
STATED_FIELDS = ("instruction", "docstring")
COLUMNS = [
    "task_id",
    "language",
    "task",
    "field",
    "stated",
    "expected",
    "similarity",
    "shared_with_canonical",
]


def quoted_strings(text: str) -> list[str]:
    """The strings quoted in ``text``, in order of appearance, each once."""
    found = (next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(text))
    return list(dict.fromkeys(found))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _bare(text: str) -> str:
    return _EDGES.sub("", text)


def _candidates(stated: str, literals: list[str], min_similarity: float) -> list[tuple[str, float]]:
    """Test literals close to ``stated`` but not the same words, with their similarity."""
    out = []
    for literal in literals:
        if _bare(literal) == _bare(stated):
            continue
        ratio = difflib.SequenceMatcher(None, stated, literal, autojunk=False).ratio()
        if ratio >= min_similarity:
            out.append((literal, round(ratio, 3)))
    return out


def _task_mismatches(task: dict, min_similarity: float, min_length: int) -> list[dict[str, object]]:
    test = _text(task.get("test"))
    literals = [s for s in quoted_strings(test) if len(s) >= min_length]
    canonical = _text(task.get("canonical_solution"))
    rows, seen = [], set()
    for field in STATED_FIELDS:
        for stated in quoted_strings(_text(task.get(field))):
            if len(stated) < min_length or not _WORDY.search(stated) or stated in test:
                continue
            for expected, ratio in _candidates(stated, literals, min_similarity):
                if (stated, expected) in seen:
                    continue
                seen.add((stated, expected))
                rows.append(
                    {
                        "task_id": task["task_id"],
                        "language": task.get("language"),
                        "task": task.get("task"),
                        "field": field,
                        "stated": stated,
                        "expected": expected,
                        "similarity": ratio,
                        "shared_with_canonical": expected in canonical,
                    }
                )
    return rows


def expected_string_mismatches(
    tasks: pd.DataFrame, *, min_similarity: float = 0.8, min_length: int = 5
) -> pd.DataFrame:
    """Candidate defects: a string the task's instruction or docstring quotes, absent from its
    test, next to a test string literal that is nearly the same (``similarity``, difflib's ratio,
    at least ``min_similarity``). Strings shorter than ``min_length`` or without two letters in a
    row are left out (numbers and single words match too much by chance). One row per pair,
    strongest first: those whose test spelling the canonical solution shares, then by similarity.
    ``tasks`` is a table from ``load_tasks`` (any task kind)."""
    rows: list[dict[str, object]] = []
    for task in tasks.to_dict("records"):
        rows.extend(_task_mismatches(task, min_similarity, min_length))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    order = ["shared_with_canonical", "similarity", "task_id"]
    return frame.sort_values(order, ascending=[False, False, True], kind="stable").reset_index(
        drop=True
    )
