"""Load McEval tasks from a folder in the hub layout (or the hub itself) into one DataFrame."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from workbench.errors import InputError, UnknownLanguageError
from workbench.inputs.jsonl import read_jsonl, require
from workbench.paths import shared_dir
from workbench.registry.languages import get_language, language_names, language_of_task

HUB_DATASET = "Multilingual-Multimodal-NLP/McEval"
TASK_KINDS = ("generation", "explanation", "completion")
SUBSETS = ("single", "multi", "span", "light")
COLUMNS = [
    "task_id",
    "language",
    "task",
    "subset",
    "base_id",
    "level",
    "instruction",
    "prompt",
    "canonical_solution",
    "test",
    "entry_point",
    "signature",
    "docstring",
    "mask_code",
    "support_dir",
    "source_file",
    "source_line",
]
_BASE_ID = re.compile(r"^([^/]+/\d+)")
# Completion ids name their subset: ``C/1-0-single``, ``-multi``, ``-span``, ``-light-span``.
_COMPLETION_ID = re.compile(r"^[^/]+/\d+-\d+-(light-span|single|multi|span)$")
_SUBSET_OF_SUFFIX = {"light-span": "light", "single": "single", "multi": "multi", "span": "span"}


def default_data_dir() -> Path | None:
    """``MCEVAL_DATA``, else ``../shared/mceval`` (from here or the project root) when present;
    resolved (absolute, symbolic links followed), as ``resolve_source`` spells every data path."""
    env = os.environ.get("MCEVAL_DATA")
    if env:
        return Path(env).resolve()
    shared = shared_dir()
    if shared is None or not (shared / "mceval").is_dir():
        return None
    return (shared / "mceval").resolve()


def resolve_source(source: str | Path | None) -> Path:
    """A local folder for ``source``: a path, ``hf://owner/name`` (downloaded), or the default.

    The folder is resolved (absolute, symbolic links followed): a task's support folder is named
    under it, and a Dask worker or container mounts this same spelling, so a data folder reached
    through a link or a relative ``MCEVAL_DATA`` gives the same verdicts on every backend."""
    return _local_folder(source).resolve()


def _local_folder(source: str | Path | None) -> Path:
    if source is None:
        found = default_data_dir()
        if found is None:
            raise InputError(
                "no McEval data: pass a folder, set MCEVAL_DATA, or use "
                f"hf://{HUB_DATASET} when online"
            )
        return found
    text = str(source)
    if text.startswith("hf://"):
        return _download(text.removeprefix("hf://"))
    path = Path(text)
    if not path.is_dir():
        raise InputError(
            "not a folder with McEval data (expected generation/<Lang>.jsonl)", file=path
        )
    return path


def _download(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo_id=repo_id, repo_type="dataset"))
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError) as exc:
        raise InputError(
            f"cannot download hf://{repo_id} (offline or no access: {exc.__class__.__name__}); "
            "download it elsewhere and pass the folder, or set MCEVAL_DATA"
        ) from exc


def base_id(task_id: str) -> str:
    """``Rust/1-0-light-span`` -> ``Rust/1``."""
    match = _BASE_ID.match(task_id)
    return match.group(1) if match else task_id


def completion_subset(task_id: str) -> str | None:
    """The completion subset a task id names (``Rust/1-0-light-span`` -> ``light``), or None for
    the ids of generation and explanation tasks, which share their ids (``Rust/1``)."""
    match = _COMPLETION_ID.match(task_id)
    return _SUBSET_OF_SUFFIX[match.group(1)] if match else None


def _support_dir(root: Path, language: str) -> str | None:
    lang = get_language(language)
    for name in (lang.support_folder, language):
        if name and (root / "generation" / name).is_dir():
            return str(root / "generation" / name)
    return None


def _files(
    root: Path, task: str, subset: str | None, languages: list[str]
) -> list[tuple[str | None, str, Path]]:
    if task == "completion":
        subsets = [subset] if subset else list(SUBSETS)
        return [
            (s, lang, root / "completion" / s / f"{lang}.jsonl")
            for s in subsets
            for lang in languages
        ]
    return [(None, lang, root / task / f"{lang}.jsonl") for lang in languages]


def load_tasks(
    source: str | Path | None = None,
    task: str = "generation",
    subset: str | None = None,
    languages: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read McEval tasks into a DataFrame with normalised columns (see ``COLUMNS``).

    ``languages`` accepts McEval names, leaderboard keys or aliases. Completion records without
    a ``level`` get the level of their generation task (joined on the base id).
    """
    if task not in TASK_KINDS:
        raise InputError(f"unknown task kind {task!r}; expected one of {', '.join(TASK_KINDS)}")
    if subset is not None and (task != "completion" or subset not in SUBSETS):
        raise InputError(
            f"subset {subset!r} needs task='completion' and one of {', '.join(SUBSETS)}"
        )
    root = resolve_source(source)
    names = [get_language(n).name for n in languages] if languages else language_names()
    rows: list[dict] = []
    for sub, lang, path in _files(root, task, subset, names):
        if not path.exists():
            if languages:
                raise InputError(f"no {task} file for {lang}", file=path)
            continue
        support = _support_dir(root, lang)
        for line, record in read_jsonl(path):
            task_id = require(record, "task_id", path, line)
            try:
                prefix = language_of_task(task_id).name
            except UnknownLanguageError as exc:
                raise InputError(str(exc), file=path, line=line, field="task_id") from exc
            if prefix != lang:
                raise InputError(
                    f"task of {prefix} in the {lang} file", file=path, line=line, field="task_id"
                )
            row = {
                **record,
                "task_id": task_id,
                "language": lang,
                "task": task,
                "subset": sub,
                "base_id": base_id(task_id),
                "support_dir": support,
                "source_file": str(path),
                "source_line": line,
            }
            rows.append(row)
    frame = pd.DataFrame(rows)
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    if task != "generation" and frame["level"].isna().any():
        levels = _generation_levels(root, names)
        frame["level"] = frame["level"].fillna(frame["base_id"].map(levels))
    extra = [c for c in frame.columns if c not in COLUMNS]
    return frame[COLUMNS + extra].reset_index(drop=True)


def _generation_levels(root: Path, languages: list[str]) -> dict[str, str]:
    levels: dict[str, str] = {}
    for lang in languages:
        path = root / "generation" / f"{lang}.jsonl"
        if path.exists():
            for _, record in read_jsonl(path):
                if record.get("level"):
                    levels[base_id(record["task_id"])] = record["level"]
    return levels
