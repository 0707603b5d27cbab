"""Dataset statistics: tasks per kind, subset and difficulty; per-language prompt and solution
lengths in tokens and the number of test cases.

Token counts use a Llama-3 tokenizer when one is available locally (a path or hub id given
explicitly or in $WORKBENCH_TOKENIZER, or Meta-Llama-3 in the local Hugging Face cache). Without
one they fall back to a documented regex tokenizer (identifiers, numbers, single punctuation
characters), and every figure names the tokenizer that made it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.errors import InputError
from workbench.inputs.paper import LEADERBOARD_KINDS
from workbench.registry.languages import language_names

TOKENIZER_ENV = "WORKBENCH_TOKENIZER"
LLAMA3_REPOS: tuple[str, ...] = (
    "meta-llama/Meta-Llama-3-8B",
    "meta-llama/Meta-Llama-3-8B-Instruct",
    "meta-llama/Llama-3.1-8B",
    "meta-llama/Llama-3.1-8B-Instruct",
)
FALLBACK_NAME = "regex tokens (fallback: no Llama-3 tokenizer available locally)"
_FALLBACK_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[^\sA-Za-z0-9_]")

# A line of a test that asserts something, in any of McEval's languages: assert/check/expect
# calls and the "print failed; exit/error" idiom of the shell-like and Tcl tests.
_ASSERTION = re.compile(
    r"assert|stopifnot|check-equal|check-true|check-false|expect|should|@test\b|\bcq\b"
    r"|\berror\b|\bfail|exit\s+1|die\b|raise\b|throw\b|\bok\s*=",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"^\s*(#|//|--|;|%|\"|')")
# Lines that define an assertion helper rather than use it (CoffeeScript, JavaScript tests).
_HELPER = re.compile(
    r"^\s*class\s|^\s*[\w.]+\s*=\s*\(.*\)\s*[-=]>|throw new \w*Assert", re.IGNORECASE
)
# One row of a table of cases: "([1, 2], 3)," (Haskell and other table-driven tests).
# A tuple starts with a literal (not a name), which keeps Lisp calls like "(check ...)" out.
_TABLE_ROW = re.compile(r"^\s*[\[,]?\s*\(\s*[\[\"\d(\-].*,.*\)\s*,?\s*\]?\s*$")

TASK_KIND_ORDER = LEADERBOARD_KINDS


@dataclass(frozen=True)
class Tokenizer:
    """A named token counter."""

    name: str
    count: Callable[[str], int]


def regex_tokenizer() -> Tokenizer:
    """The documented fallback: identifiers, numbers and single punctuation characters."""
    return Tokenizer(FALLBACK_NAME, lambda text: len(_FALLBACK_PATTERN.findall(text or "")))


def _from_tokenizer_json(path: Path, name: str) -> Tokenizer:
    from tokenizers import Tokenizer as HFTokenizer

    tok = HFTokenizer.from_file(str(path))
    return Tokenizer(name, lambda text: len(tok.encode(text or "", add_special_tokens=False).ids))


def _cached_tokenizer_json(repo_id: str) -> Path | None:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    try:
        found = try_to_load_from_cache(repo_id, "tokenizer.json")
    except ValueError:  # not a valid hub id (e.g. a path that does not exist)
        return None
    return Path(found) if isinstance(found, str) else None


def get_tokenizer(spec: str | Path | None = None) -> Tokenizer:
    """A token counter: ``spec`` (a tokenizer.json, a model folder, a cached hub id or "regex"),
    else $WORKBENCH_TOKENIZER, else a locally cached Llama-3 tokenizer, else the regex fallback.

    Nothing is downloaded. An explicit spec that cannot be loaded is an error, not a fallback.
    """
    spec = spec if spec is not None else os.environ.get(TOKENIZER_ENV) or None
    if spec is not None and str(spec) == "regex":
        return regex_tokenizer()
    if spec is not None:
        path = Path(spec)
        if path.is_file():
            return _from_tokenizer_json(path, path.parent.name or path.name)
        if path.is_dir() and (path / "tokenizer.json").is_file():
            return _from_tokenizer_json(path / "tokenizer.json", path.name)
        cached = _cached_tokenizer_json(str(spec))
        if cached is not None:
            return _from_tokenizer_json(cached, str(spec))
        raise InputError(
            "tokenizer not found locally (give a tokenizer.json, a folder holding one, "
            "a hub id already in the local cache, or 'regex')",
            field=str(spec),
        )
    for repo in LLAMA3_REPOS:
        cached = _cached_tokenizer_json(repo)
        if cached is not None:
            return _from_tokenizer_json(cached, repo)
    return regex_tokenizer()


def count_test_cases(test: str | None) -> int:
    """Number of test cases in a task's ``test`` code (an approximation, at least 1).

    Counts non-comment lines that assert something (helper definitions excluded), or, for tests
    written as a table of cases with one assertion (Haskell), the table's rows, whichever is
    larger. Erlang-style pattern-match tests (``11 = f(2),``) have no keyword: for them
    the lines of the form ``value = call(...)`` are counted. Tasks without test code (AWK, and
    HTML/JSON/Markdown, which compare with a reference) count one.
    """
    if not test or not str(test).strip():
        return 1
    lines = [line for line in str(test).splitlines() if line.strip() and not _COMMENT.match(line)]
    asserting = sum(1 for line in lines if _ASSERTION.search(line) and not _HELPER.search(line))
    table_rows = sum(1 for line in lines if _TABLE_ROW.match(line))
    if asserting or table_rows:
        return max(asserting, table_rows)
    matches = sum(1 for line in lines if re.match(r"^\s*[-\w\"'\[{<.]+.*\s=\s*\w+\(", line))
    return max(1, matches)


def dataset_counts(tasks: pd.DataFrame) -> pd.DataFrame:
    """Tasks per task kind, subset and difficulty level: ``task, subset, kind, level, n``."""
    frame = tasks.assign(
        level=tasks["level"].where(tasks["level"].notna(), "unknown"),
        kind=[
            t if s is None or pd.isna(s) else f"{t} ({s})"
            for t, s in zip(tasks["task"], tasks["subset"], strict=True)
        ],
    )
    counts = (
        frame.groupby(["task", "subset", "kind", "level"], dropna=False, sort=False)
        .size()
        .rename("n")
        .reset_index()
    )
    kinds = [t if s is None else f"{t} ({s})" for t, s in TASK_KIND_ORDER]
    levels = ["easy", "middle", "hard", "unknown"]
    counts = counts.assign(
        _k=counts["kind"].map({k: i for i, k in enumerate(kinds)}).fillna(len(kinds)),
        _v=counts["level"].map({v: i for i, v in enumerate(levels)}).fillna(len(levels)),
    )
    counts = counts.sort_values(["_k", "kind", "_v"]).drop(columns=["_k", "_v"])
    return counts.reset_index(drop=True)


def language_stats(tasks: pd.DataFrame, tokenizer: Tokenizer) -> pd.DataFrame:
    """Per-language means over tasks of prompt tokens, solution tokens and test cases.

    Solution tokens are NaN for languages without a canonical_solution in the records (HTML,
    JSON, Markdown keep their reference answers in files). Columns: language, n_tasks,
    prompt_tokens, solution_tokens, test_cases, tokenizer.
    """
    frame = tasks.assign(
        prompt_tokens=[tokenizer.count(t) for t in tasks["prompt"].fillna("")],
        solution_tokens=[
            tokenizer.count(s) if isinstance(s, str) and s.strip() else float("nan")
            for s in tasks["canonical_solution"]
        ],
        test_cases=[count_test_cases(t) for t in tasks["test"]],
    )
    out = (
        frame.groupby("language", sort=False)
        .agg(
            n_tasks=("task_id", "count"),
            prompt_tokens=("prompt_tokens", "mean"),
            solution_tokens=("solution_tokens", "mean"),
            test_cases=("test_cases", "mean"),
        )
        .reset_index()
    )
    order = {lang: i for i, lang in enumerate(language_names())}
    out = out.sort_values("language", key=lambda s: s.map(order).fillna(len(order)))
    return out.assign(tokenizer=tokenizer.name).reset_index(drop=True)


def load_all_tasks(data: Path | None) -> pd.DataFrame:
    """Every task kind and completion subset of the McEval data at ``data`` (or the default)."""
    from workbench.inputs.tasks import load_tasks

    frames = [load_tasks(data, task=task, subset=subset) for task, subset in TASK_KIND_ORDER]
    return pd.concat(frames, ignore_index=True)
