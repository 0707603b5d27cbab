"""Load model outputs: the official evaluator's layout or flat JSONL, one row per sample."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import InputError, UnknownLanguageError
from workbench.execution.records import SAMPLE_KEY
from workbench.inputs.jsonl import read_jsonl, require
from workbench.inputs.tasks import TASK_KINDS, completion_subset, load_tasks
from workbench.registry.languages import language_of_task

SAMPLE_COLUMNS = [
    "task",
    "task_id",
    "model",
    "sample_index",
    "raw_generation",
    "completion",
    "source_file",
    "source_line",
]
# Per sample, beside ``raw_generation`` in an output of ``workbench generate``: how many tokens
# the model generated (the end-of-sequence token included) and whether it stopped at its token
# limit rather than at its end-of-sequence token (an answer cut off mid-code: ``incomplete``).
TOKEN_FIELDS = ("generated_tokens", "token_limit_reached")


def _language_of(task_id: str, path: Path, line: int) -> str:
    try:
        return language_of_task(task_id).name
    except UnknownLanguageError as exc:
        raise InputError(str(exc), file=path, line=line, field="task_id") from exc


def task_kind(task_id: str, record: dict[str, Any] | None = None) -> str:
    """The task kind a sample answers, read from what it carries: a completion id
    (``C/1-0-single``) is completion, ``stage1_*`` fields (the two-pass explanation's first answer)
    are explanation, anything else is generation."""
    if completion_subset(task_id) is not None:
        return "completion"
    if record is not None and any(key.startswith("stage1_") for key in record):
        return "explanation"
    return "generation"


def _sample_indices(record: dict[str, Any], count: int, path: Path, line: int) -> list[int]:
    """``sample_indices`` (a partial record of an interrupted generation run), else 0..count-1."""
    indices = record.get("sample_indices")
    if indices is None:
        return list(range(count))
    if (
        not isinstance(indices, list)
        or len(indices) != count
        or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in indices)
    ):
        raise InputError(
            f"expected {count} non-negative integers, one per raw_generation",
            file=path,
            line=line,
            field="sample_indices",
        )
    return indices


def _official_rows(path: Path, model: str) -> list[dict[str, Any]]:
    """One row per element of ``raw_generation`` (the official evaluator's layout)."""
    rows = []
    for line, record in read_jsonl(path):
        task_id = require(record, "task_id", path, line)
        _language_of(task_id, path, line)
        generations = require(record, "raw_generation", path, line, list)
        indices = _sample_indices(record, len(generations), path, line)
        tokens = {
            name: record[name]
            for name in TOKEN_FIELDS
            if isinstance(record.get(name), list) and len(record[name]) == len(generations)
        }
        for position, (index, text) in enumerate(zip(indices, generations, strict=True)):
            if not isinstance(text, str):
                raise InputError(
                    f"element {index} is not a string", file=path, line=line, field="raw_generation"
                )
            rows.append(
                {
                    "task": task_kind(task_id, record),
                    "task_id": task_id,
                    "model": record.get("model") or model,
                    "sample_index": index,
                    "raw_generation": text,
                    "completion": None,
                    "source_file": str(path),
                    "source_line": line,
                    **{name: values[position] for name, values in tokens.items()},
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
        kind = record.get("task") or task_kind(task_id, record)
        is_completion = completion_subset(task_id) is not None
        if kind not in TASK_KINDS or (kind == "completion") != is_completion:
            raise InputError(
                f"{kind!r} does not fit the id {task_id!r} (expected one of "
                f"{', '.join(TASK_KINDS)}; completion ids end in -single, -multi, -span or "
                "-light-span)",
                file=path,
                line=line,
                field="task",
            )
        extra = {k: v for k, v in record.items() if k not in SAMPLE_COLUMNS}
        rows.append(
            {
                **extra,
                "task": kind,
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
    Each sample's ``task`` (kind) is read from its id and fields (``task_kind``), so one file may
    mix the kinds and completion subsets.
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
    dupes = frame.duplicated(list(SAMPLE_KEY), keep="first")
    if dupes.any():
        first = frame[dupes].iloc[0]
        raise InputError(
            f"duplicate sample {first.task} {first.task_id} / {first.model} / {first.sample_index}",
            file=first.source_file,
            line=int(first.source_line),
            field="sample_index",
        )
    return frame


def _join_keys(samples: pd.DataFrame, tasks: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The samples and the columns that join them to ``tasks``: the task id alone when the tasks
    are of one kind (every sample is taken as that kind), else (kind, task id), because generation
    and explanation tasks share their ids."""
    kinds = tasks["task"].dropna().unique() if "task" in tasks.columns else []
    if len(kinds) <= 1:
        return samples.drop(columns=["task"], errors="ignore"), ["task_id"]
    inferred = [task_kind(t) for t in samples["task_id"]]
    given = samples["task"] if "task" in samples.columns else pd.Series(None, index=samples.index)
    return samples.assign(task=given.fillna(pd.Series(inferred, index=samples.index))), [
        "task",
        "task_id",
    ]


def known_tasks(samples: pd.DataFrame, tasks: pd.DataFrame) -> pd.Series:
    """A boolean per sample: its task is among ``tasks`` (joined as ``attach_tasks`` joins)."""
    frame, keys = _join_keys(samples, tasks)
    if keys == ["task_id"]:
        return samples["task_id"].isin(set(tasks["task_id"]))
    loaded = pd.MultiIndex.from_frame(tasks[keys])
    return pd.Series(pd.MultiIndex.from_frame(frame[keys]).isin(loaded), index=samples.index)


def attach_tasks(samples: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """Join samples to their tasks; a sample whose task is not in the data is an InputError."""
    frame, keys = _join_keys(samples, tasks)
    unknown = frame[~known_tasks(samples, tasks)]
    if not unknown.empty:
        row = unknown.iloc[0]
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        subset = completion_subset(row.task_id)
        named = f"completion/{subset}" if subset else "generation or explanation"
        loaded = ", ".join(sorted(tasks["task"].dropna().unique())) if "task" in tasks else ""
        raise InputError(
            f"task {row.task_id!r} is not in the loaded tasks{more} (its id names a {named} "
            f"task; loaded: {loaded or 'tasks without a kind'})",
            file=row.source_file,
            line=int(row.source_line),
            field="task_id",
        )
    task_cols = [c for c in tasks.columns if c not in ("source_file", "source_line")]
    return frame.merge(tasks[task_cols], on=keys, how="left", validate="many_to_one")


def _fitting_flags(kind: str, subset: str | None) -> str:
    return f"--task {kind}" + (f" --subset {subset}" if subset else "")


def _check_kind(samples: pd.DataFrame, task: str, subset: str | None) -> None:
    """Raise an InputError naming the flags that fit when a sample contradicts ``task``/``subset``."""
    for row in samples.itertuples():
        inferred = row.task if isinstance(row.task, str) else task_kind(row.task_id)
        id_subset = completion_subset(row.task_id)
        if task == "completion" and id_subset is None:
            problem, fits = "is not a completion task", _fitting_flags(inferred, None)
        elif task != "completion" and id_subset is not None:
            problem, fits = "is a completion task", _fitting_flags("completion", id_subset)
        elif task == "generation" and inferred == "explanation":
            problem, fits = "carries stage1_* fields (explanation output)", "--task explanation"
        elif subset is not None and id_subset is not None and id_subset != subset:
            problem, fits = f"is in the {id_subset} subset", _fitting_flags(task, id_subset)
        else:
            continue
        given = _fitting_flags(task, subset)
        raise InputError(
            f"sample {row.task_id!r} {problem}, not {given}: use {fits}, or leave --task out "
            "to take each sample's kind from its id",
            file=row.source_file,
            line=int(row.source_line),
            field="task_id",
        )


def tasks_for_samples(
    samples: pd.DataFrame,
    source: str | Path | None = None,
    *,
    task: str | None = None,
    subset: str | None = None,
    languages: list[str] | None = None,
) -> pd.DataFrame:
    """The tasks the samples answer. Without ``task``, each sample's kind and completion subset
    come from its id and fields (``task_kind``) and the tasks of every kind present are loaded;
    a given ``task`` (and ``subset``) must fit every sample, else the InputError names the flags
    that do. ``languages`` defaults to the samples' languages."""
    if task is None and subset is not None:
        task = "completion"
    if "task" not in samples.columns:
        samples = samples.assign(task=[task_kind(t) for t in samples["task_id"]])
    prefixes = samples["task_id"].map(lambda t: language_of_task(t).name)
    if task is not None:
        _check_kind(samples, task, subset)
        names = languages or sorted(set(prefixes))
        return load_tasks(source, task=task, subset=subset, languages=names)
    groups = pd.DataFrame(
        {
            "task": samples["task"],
            "subset": samples["task_id"].map(completion_subset),
            "language": prefixes,
        }
    )
    frames = []
    for (kind, sub), part in groups.groupby(["task", "subset"], dropna=False, sort=True):
        sub = sub if isinstance(sub, str) else None
        names = languages or sorted(set(part["language"]))
        frames.append(load_tasks(source, task=kind, subset=sub, languages=names))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def samples_of_languages(
    samples: pd.DataFrame, tasks: pd.DataFrame, languages: Iterable[str]
) -> pd.DataFrame:
    """The samples whose task id names one of ``languages`` (as given, or as the tasks spell
    them): what ``workbench evaluate --languages`` keeps."""
    names = set(tasks["language"]) | set(languages)
    return samples[samples["task_id"].str.split("/").str[0].isin(names)]
