"""Load model outputs: the official evaluator's layout or flat JSONL, one row per sample."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import InputError, UnknownLanguageError
from workbench.inputs.jsonl import read_jsonl, require
from workbench.registry.languages import language_of_task

SAMPLE_COLUMNS = [
    "task_id",
    "model",
    "sample_index",
    "raw_generation",
    "completion",
    "source_file",
    "source_line",
]


def _language_of(task_id: str, path: Path, line: int) -> str:
    try:
        return language_of_task(task_id).name
    except UnknownLanguageError as exc:
        raise InputError(str(exc), file=path, line=line, field="task_id") from exc


def _official_rows(path: Path, model: str) -> list[dict[str, Any]]:
    """One row per element of ``raw_generation`` (the official evaluator's layout)."""
    rows = []
    for line, record in read_jsonl(path):
        task_id = require(record, "task_id", path, line)
        _language_of(task_id, path, line)
        generations = require(record, "raw_generation", path, line, list)
        for index, text in enumerate(generations):
            if not isinstance(text, str):
                raise InputError(
                    f"element {index} is not a string", file=path, line=line, field="raw_generation"
                )
            rows.append(
                {
                    "task_id": task_id,
                    "model": record.get("model") or model,
                    "sample_index": index,
                    "raw_generation": text,
                    "completion": None,
                    "source_file": str(path),
                    "source_line": line,
                }
            )
    return rows


def _flat_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line, record in read_jsonl(path):
        task_id = require(record, "task_id", path, line)
        _language_of(task_id, path, line)
        model = require(record, "model", path, line)
        index = record.get("sample_index", 0)
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise InputError(
                "expected a non-negative integer", file=path, line=line, field="sample_index"
            )
        raw = record.get("raw_generation")
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        completion = record.get("completion")
        if raw is None and completion is None:
            raise InputError(
                "missing (give raw_generation or completion)",
                file=path,
                line=line,
                field="raw_generation",
            )
        for key, value in (("raw_generation", raw), ("completion", completion)):
            if value is not None and not isinstance(value, str):
                raise InputError(
                    f"expected str, got {type(value).__name__}", file=path, line=line, field=key
                )
        extra = {k: v for k, v in record.items() if k not in SAMPLE_COLUMNS}
        rows.append(
            {
                **extra,
                "task_id": task_id,
                "model": model,
                "sample_index": index,
                "raw_generation": raw,
                "completion": completion,
                "source_file": str(path),
                "source_line": line,
            }
        )
    return rows


def _is_official(path: Path) -> bool:
    for _, record in read_jsonl(path):
        return isinstance(record.get("raw_generation"), list) and "model" not in record
    return False


def load_samples(path: str | Path, model: str | None = None) -> pd.DataFrame:
    """Read samples from a flat JSONL (task_id, model, sample_index, raw_generation|completion),
    or the official layout: a folder of ``<Lang>.jsonl`` (or one such file) whose lines are task
    records with ``raw_generation: [text, ...]``; the model is named by ``model`` or the folder.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise InputError("no .jsonl files in the samples folder", file=path)
        rows = [r for f in files for r in _official_rows(f, model or path.name)]
    elif path.is_file():
        rows = _official_rows(path, model or path.stem) if _is_official(path) else _flat_rows(path)
    else:
        raise InputError("no such samples file or folder", file=path)
    frame = pd.DataFrame(rows)
    if frame.empty:
        raise InputError("no samples", file=path)
    dupes = frame.duplicated(["task_id", "model", "sample_index"], keep="first")
    if dupes.any():
        first = frame[dupes].iloc[0]
        raise InputError(
            f"duplicate sample {first.task_id} / {first.model} / {first.sample_index}",
            file=first.source_file,
            line=int(first.source_line),
            field="sample_index",
        )
    return frame


def attach_tasks(samples: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """Join samples to their tasks; a sample whose task is not in the data is an InputError."""
    known = set(tasks["task_id"])
    unknown = samples[~samples["task_id"].isin(known)]
    if not unknown.empty:
        row = unknown.iloc[0]
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise InputError(
            f"task {row.task_id!r} is not in the loaded tasks{more}",
            file=row.source_file,
            line=int(row.source_line),
            field="task_id",
        )
    task_cols = [c for c in tasks.columns if c not in ("source_file", "source_line")]
    return samples.merge(tasks[task_cols], on="task_id", how="left", validate="many_to_one")
