"""Generated samples on disk, in the official evaluator's layout: one ``<Lang>.jsonl`` per
language in a folder named after the model (or one ``.jsonl`` file), each line a task record plus
``raw_generation: [text, ...]``, so the official scripts and ``workbench evaluate`` both read it.

Each finished batch is appended and flushed, so a killed run loses at most the batch in flight.
A line then holds the samples of one task from one batch; a line continuing a task names its
samples in ``sample_indices``. At the end of a run each file is rewritten (atomically) with one
line per task in the dataset's order. The explanation task's first answers (stage 1) are kept in
``stage1/`` as the official stage-1 output, and the settings in ``generation-settings.json``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.inputs.samples import TOKEN_FIELDS, task_kind

SETTINGS_FILE = "generation-settings.json"
DEFAULT_ROOT = Path("generations")
# Columns ``load_tasks`` adds to a record; the rest of a row is the dataset's own record.
_WORKBENCH_COLUMNS = {
    "language",
    "task",
    "subset",
    "base_id",
    "support_dir",
    "source_file",
    "source_line",
}
# Settings that change what a sample is; resuming an output made with others would mix them.
FIXED_SETTINGS = (
    "model",
    "revision",
    "chat_template",
    "system_prompt",
    "decoding",
    "temperature",
    "top_p",
    "top_k",
    "max_new_tokens",
)

Key = tuple[str, str]  # (task kind, task id)


@dataclass(frozen=True)
class Output:
    """Where a model's samples go: a folder of ``<Lang>.jsonl`` or one ``.jsonl`` file."""

    path: Path

    @classmethod
    def at(cls, out: str | Path | None, model: str, label: str) -> Output:
        """``out`` as given, else ``generations/<label>/<model>`` (label: the task kind)."""
        return cls(Path(out) if out is not None else DEFAULT_ROOT / label / model)

    @property
    def is_file(self) -> bool:
        """True when every language goes to one file."""
        return self.path.suffix == ".jsonl"

    @property
    def model(self) -> str:
        """The model's name as ``load_samples`` reads it: the folder's (or file's) name."""
        return self.path.stem if self.is_file else self.path.name

    def records_file(self, language: str) -> Path:
        """The file that holds ``language``'s samples."""
        return self.path if self.is_file else self.path / f"{language}.jsonl"

    def stage1_file(self, language: str) -> Path:
        """The file that holds ``language``'s stage-1 explanations (outside what is read as
        samples: the official evaluator and ``load_samples`` read ``*.jsonl`` of the folder)."""
        if self.is_file:
            return self.path.with_name(f"{self.path.stem}.stage1") / f"{language}.jsonl"
        return self.path / "stage1" / f"{language}.jsonl"

    @property
    def settings_file(self) -> Path:
        """The side file with the generation settings and the model's revision."""
        if self.is_file:
            return self.path.with_name(f"{self.path.stem}.{SETTINGS_FILE}")
        return self.path / SETTINGS_FILE

    def record_files(self) -> list[Path]:
        """The sample files that exist."""
        if self.is_file:
            return [self.path] if self.path.is_file() else []
        return sorted(self.path.glob("*.jsonl")) if self.path.is_dir() else []

    def stage1_files(self) -> list[Path]:
        """The stage-1 files that exist."""
        folder = self.stage1_file("x").parent
        return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


@cache
def _dataset_lines(path: str, mtime_ns: int) -> dict[int, dict[str, Any]]:
    records = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                records[number] = json.loads(line)
    return records


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def task_record(task: Mapping[str, Any]) -> dict[str, Any]:
    """The dataset's own record of a task, with its fields in their order: read again from the
    file and line ``load_tasks`` noted, else the row without the workbench's columns."""
    source, line = task.get("source_file"), task.get("source_line")
    if isinstance(source, str) and not _missing(line) and os.path.isfile(source):
        record = _dataset_lines(source, os.stat(source).st_mtime_ns).get(int(line))
        if record is not None and record.get("task_id") == task.get("task_id"):
            return dict(record)
    return {k: v for k, v in task.items() if k not in _WORKBENCH_COLUMNS and not _missing(v)}


def sample_record(
    task: Mapping[str, Any],
    texts: list[str],
    indices: list[int],
    model_input: str,
    stage1: Mapping[str, Any] | None = None,
    tokens: Mapping[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """A task record with its answers ``texts`` (samples ``indices``), their ``tokens`` fields
    (``TOKEN_FIELDS``, one value per text) and the prompt sent. For the explanation task,
    ``stage1`` (``instruction``: the stage-2 prompt, ``text``: the model's description,
    ``model_input``) makes the record the official stage-2 layout."""
    record = task_record(task)
    if stage1 is not None:
        record["stage1_instruction"] = record.get("instruction")
        record["instruction"] = stage1["instruction"]
        record["stage1_raw_generation"] = [stage1["text"]]
    record["raw_generation"] = list(texts)
    if list(indices) != list(range(len(texts))):
        record["sample_indices"] = list(indices)
    for name in TOKEN_FIELDS:
        if tokens is not None and name in tokens:
            record[name] = list(tokens[name])
    record["model_input"] = model_input
    if stage1 is not None:
        record["stage1_model_input"] = stage1["model_input"]
    return record


def append_records(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Append lines and flush them to the disk before returning."""
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    if not data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of an output file. A last line cut short (the process was killed while
    writing it) is removed from the file; any other bad line is an InputError."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines[-1].strip():  # the file does not end with a newline
        try:
            json.loads(lines[-1])
            complete = True
        except ValueError:
            complete = False
        with open(path, "r+b") as handle:
            if complete:  # the next append starts a line of its own
                handle.seek(0, os.SEEK_END)
                handle.write(b"\n")
            else:
                handle.truncate(len(data) - len(lines[-1]))
                lines = lines[:-1]
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise InputError(f"malformed JSON ({exc})", file=path, line=number) from exc
        if not isinstance(record, dict) or not isinstance(record.get("task_id"), str):
            raise InputError("expected a task record", file=path, line=number, field="task_id")
        records.append(record)
    return records


def record_key(record: Mapping[str, Any]) -> Key:
    """(task kind, task id) of a sample record, read as ``load_samples`` reads it."""
    return task_kind(record["task_id"], dict(record)), record["task_id"]


def samples_of(record: Mapping[str, Any]) -> dict[int, str]:
    """Sample index -> text of a record."""
    texts = record.get("raw_generation") or []
    indices = record.get("sample_indices") or list(range(len(texts)))
    return dict(zip(indices, texts, strict=True))


def token_fields_of(record: Mapping[str, Any]) -> dict[str, dict[int, Any]]:
    """``TOKEN_FIELDS`` of a record, each as sample index -> value (the fields it has)."""
    indices = list(samples_of(record))
    return {
        name: dict(zip(indices, record[name], strict=True))
        for name in TOKEN_FIELDS
        if isinstance(record.get(name), list) and len(record[name]) == len(indices)
    }


def done_samples(files: Iterable[Path]) -> dict[Key, set[int]]:
    """The sample indices each task already has in ``files``."""
    done: dict[Key, set[int]] = {}
    for path in files:
        for record in read_records(path):
            done.setdefault(record_key(record), set()).update(samples_of(record))
    return done


def compact(
    path: Path,
    order: Mapping[Hashable, int],
    key_of: Callable[[Mapping[str, Any]], Hashable] = record_key,
) -> list[dict[str, Any]]:
    """Rewrite ``path`` with one line per task (its samples in index order), tasks in ``order``
    of their ``key_of`` (others after them, as found), atomically; returns the records."""
    merged: dict[Hashable, dict[str, Any]] = {}
    texts: dict[Hashable, dict[int, str]] = {}
    counts: dict[Hashable, dict[str, dict[int, Any]]] = {}
    for record in read_records(path):
        key = key_of(record)
        merged.setdefault(key, record)
        for index, text in samples_of(record).items():
            texts.setdefault(key, {}).setdefault(index, text)
        for name, values in token_fields_of(record).items():
            for index, value in values.items():
                counts.setdefault(key, {}).setdefault(name, {}).setdefault(index, value)
    records = []
    for key in sorted(merged, key=lambda k: order.get(k, len(order))):
        record = {k: v for k, v in merged[key].items() if k != "sample_indices"}
        indices = sorted(texts.get(key, {}))
        # raw_generation keeps its place among the fields.
        record["raw_generation"] = [texts[key][i] for i in indices]
        for name in TOKEN_FIELDS:
            values = counts.get(key, {}).get(name, {})
            if name in record or values:
                # A sample written before these fields existed has None.
                record[name] = [values.get(i) for i in indices]
        if indices != list(range(len(indices))):
            record = _with_indices(record, indices)
        records.append(record)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return records


def _with_indices(record: dict[str, Any], indices: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        out[key] = value
        if key == "raw_generation":
            out["sample_indices"] = indices
    return out


def read_settings(path: Path) -> dict[str, Any] | None:
    """The side file's content, or None when there is none."""
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"malformed JSON ({exc})", file=path) from exc


def check_settings(path: Path, settings: Mapping[str, Any]) -> None:
    """An InputError when the output at ``path`` was made with other settings (resuming it
    would mix samples of two settings in one model's output). Only the keys in ``settings`` are
    compared, so the settings known before the model is loaded can be checked first."""
    existing = read_settings(path)
    if existing is None:
        return
    for key in FIXED_SETTINGS:
        if key in existing and key in settings and existing[key] != settings[key]:
            raise InputError(
                f"this output was generated with {key}={existing[key]!r}, not "
                f"{settings.get(key)!r}: resuming it would mix the two; choose another output",
                file=path,
                field=key,
            )


def write_settings(path: Path, settings: Mapping[str, Any]) -> None:
    """Write the side file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n")
    os.replace(temporary, path)
