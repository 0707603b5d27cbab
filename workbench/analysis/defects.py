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

Those entries are the shipped list of defective tasks (:func:`shipped_defects`); a user adds a
task of their own to it, or lifts one, in a store (``evaluation.task_defects``), and
:func:`defective_tasks` is the list that applies to a store. A score never drops them silently:
``pass_at_k_table(..., set_aside=...)`` keeps the benchmark's score and adds a second one beside
it, and :func:`applied_defects` lists what the second one left out (every view's footnote).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from workbench.analysis.rows import of_kind
from workbench.evaluation.notes import StoreLike
from workbench.evaluation.task_defects import SET_ASIDE, defect_marks
from workbench.execution.records import TASK_KINDS
from workbench.inputs.tasks import base_id
from workbench.registry.languages import DATASET_KIND, all_languages

# A defective task as the scores read it: which task (``task``: one kind, or empty for every
# kind), why, how it was seen, where the entry comes from (``SHIPPED`` or ``USER``), who set it
# aside and when (a user's mark), and ``test_line`` (a shipped entry: a line of McEval's test of
# the task; the entry applies only to results whose program holds it).
DEFECT_COLUMNS = [
    "task_id",
    "task",
    "language",
    "reason",
    "evidence",
    "source",
    "author",
    "created_at",
    "test_line",
]
SHIPPED = "registry"  # the source of the defects the workbench ships
USER = "user"  # the source of a task a user set aside in a store (``mark_defective``)


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
                        "author": None,
                        "created_at": None,
                        "test_line": entry.get("test_line"),
                    }
                )
    return pd.DataFrame(rows, columns=DEFECT_COLUMNS)


def defective_tasks(store: StoreLike | None = None) -> pd.DataFrame:
    """The tasks set aside for ``store``'s second score: the shipped list (``shipped_defects``)
    with the store's marks replayed over it in the order they were made — a ``set_aside`` adds a
    task (source ``user``, with its author and time), a ``restored`` lifts one (a kind restored
    out of an every-kind entry leaves the other kinds). Without a store: the shipped list.
    Columns ``DEFECT_COLUMNS``."""
    current = shipped_defects()
    if store is None:
        return current
    entries = current.to_dict("records")
    for mark in defect_marks(store, latest=False).to_dict("records"):
        kind = mark["task"] if isinstance(mark["task"], str) else None
        entries = _lifted(entries, mark["task_id"], kind)
        if mark["action"] == SET_ASIDE:
            entries.append(
                {
                    **{c: mark.get(c) for c in ("task_id", "language", "reason", "evidence")},
                    "task": kind,
                    "source": USER,
                    "author": mark["author"],
                    "created_at": mark["created_at"],
                    "test_line": None,
                }
            )
    return pd.DataFrame(entries, columns=DEFECT_COLUMNS).reset_index(drop=True)


def _lifted(entries: list[dict], task_id: str, kind: str | None) -> list[dict]:
    """``entries`` without ``task_id`` of ``kind`` (None: every kind); an every-kind entry of
    ``task_id`` stays for the other kinds."""
    kept = []
    for entry in entries:
        if entry["task_id"] != task_id:
            kept.append(entry)
        elif kind is not None and not isinstance(entry["task"], str):
            kept += [{**entry, "task": other} for other in TASK_KINDS if other != kind]
        elif kind is not None and entry["task"] != kind:
            kept.append(entry)
    return kept


def defective_mask(rows: pd.DataFrame, set_aside: Iterable[str] | pd.DataFrame) -> pd.Series:
    """True for the rows of ``rows`` (``task_id`` and ``task`` columns; results or per-task
    scores) that ``set_aside`` names. ``set_aside``: task ids, or a frame with ``task_id`` and
    optionally ``task`` (a task kind; empty: every kind) and ``test_line``. An id names its own
    record and, when it is a base id (``C/1``), every record built on it (``C/1-0-span``); an id
    of one completion record names that one. An entry with a ``test_line`` names a row only when
    the row's ``program`` holds that line (task ids repeat across data sets: the bundled demo's
    C/1 is not McEval's); a row without a program (none stored) is named by its id."""
    frame = _entries(set_aside)
    hits = np.zeros(len(rows), dtype=bool)
    if frame.empty or rows.empty:
        return pd.Series(hits, index=rows.index, dtype=bool)
    ids = rows["task_id"].astype(str)
    bases = ids.map(base_id)
    kinds = rows["task"].astype(object)
    programs = rows["program"] if "program" in rows.columns else None
    for entry in frame.to_dict("records"):
        named = ids.eq(entry["task_id"]) | bases.eq(entry["task_id"])
        if isinstance(entry["task"], str) and entry["task"]:
            named &= kinds.eq(entry["task"])
        line = entry.get("test_line")
        if programs is not None and isinstance(line, str) and line and named.any():
            wanted = _normalised(line)
            held = programs[named].map(
                lambda p, w=wanted: not isinstance(p, str) or w in _normalised(p)
            )
            named = named & held.reindex(rows.index, fill_value=False).astype(bool)
        hits |= named.to_numpy(dtype=bool)
    return pd.Series(hits, index=rows.index, dtype=bool)


def _entries(set_aside: Iterable[str] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(set_aside, pd.DataFrame):
        frame = set_aside.copy()
    else:
        frame = pd.DataFrame({"task_id": [str(t) for t in set_aside]})
    for column in ("task", "test_line"):
        if column not in frame.columns:
            frame[column] = None
    frame["task_id"] = frame["task_id"].astype(str)
    return frame


def _normalised(text: object) -> str:
    """``text`` with every run of white space one space (a test line as the program holds it,
    whatever its indentation)."""
    return " ".join(str(text).split()) if isinstance(text, str) else ""


def applied_defects(results: pd.DataFrame, defects: pd.DataFrame) -> pd.DataFrame:
    """The entries of ``defects`` that name at least one scored row of ``results``, with
    ``n_samples`` (the rows each names): what a score's footnote lists. Same columns as
    ``defects`` plus ``n_samples``; empty when none applies."""
    rows = of_kind(results)
    counts = [int(defective_mask(rows, defects.iloc[[i]]).sum()) for i in range(len(defects))]
    out = defects.assign(n_samples=counts)
    return out[out["n_samples"] > 0].reset_index(drop=True)


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
