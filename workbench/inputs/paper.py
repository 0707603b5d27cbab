"""Published numbers as inputs: the McEval leaderboard, task counts, the model tables (order,
size groups, aliases) and MultiPL-E results in the three layouts people have them in.

All score columns returned here are pass@1 as a fraction in [0, 1], whatever the file's scale.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.errors import InputError, UnknownLanguageError
from workbench.execution import records

PAPER_DATA_ENV = "WORKBENCH_PAPER_DATA"

# (task, subset) pairs of the leaderboard, in the order figures are made: completion by subset.
LEADERBOARD_KINDS: tuple[tuple[str, str | None], ...] = (
    *((task, None) for task in records.TASK_KINDS if task != "completion"),
    *(("completion", subset) for subset in records.SUBSETS),
)

# Which alias-table source names a leaderboard task's model names.
LEADERBOARD_SOURCES: dict[str, str] = {
    "generation": "mceval_generation",
    "explanation": "mceval_explanation",
    "completion": "mceval_completion",
}
MULTIPLE_SOURCE = "multiple_bigcode"

SIZE_GROUPS: tuple[str, ...] = ("under 10B", "10-40B", "closed / >40B")

# MultiPL-E language keys: full names as the BigCode leaderboard spells them, plus the file-name
# abbreviations MultiPL-E uses in its result directories (humaneval-<abbr>-<model>-...).
MULTIPLE_LANGUAGES: dict[str, str] = {
    "py": "python",
    "python": "python",
    "humaneval-python": "python",
    "humaneval": "python",
    "java": "java",
    "js": "javascript",
    "javascript": "javascript",
    "cpp": "cpp",
    "c++": "cpp",
    "php": "php",
    "jl": "julia",
    "julia": "julia",
    "lua": "lua",
    "r": "r",
    "rkt": "racket",
    "racket": "racket",
    "rs": "rust",
    "rust": "rust",
    "swift": "swift",
    "d": "d",
    "go": "go",
    "go_test.go": "go",
    "scala": "scala",
    "sh": "shell",
    "bash": "shell",
    "ts": "typescript",
    "typescript": "typescript",
    "cs": "csharp",
    "csharp": "csharp",
    "pl": "perl",
    "perl": "perl",
    "rb": "ruby",
    "ruby": "ruby",
    "ml": "ocaml",
    "hs": "haskell",
    "elixir": "elixir",
    "ex": "elixir",
    "clj": "clojure",
    "dart": "dart",
    "f90": "fortran",
}


def paper_data_dir(data_dir: Path | None = None) -> Path:
    """The folder of shipped paper CSVs: ``data_dir``, $WORKBENCH_PAPER_DATA, or data/paper."""
    if data_dir is not None:
        return Path(data_dir)
    env = os.environ.get(PAPER_DATA_ENV)
    if env:
        return Path(env)
    from workbench.paths import bundled_paper_dir

    return bundled_paper_dir()


def _read(name: str, data_dir: Path | None) -> pd.DataFrame:
    path = paper_data_dir(data_dir) / name
    if not path.exists():
        raise InputError(f"shipped paper data not found: {path}", file=path)
    # keep_default_na=False: an empty subset means "no subset", not a missing value to guess.
    return pd.read_csv(path, keep_default_na=False, na_values=[])


def _subset_or_none(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.astype(str) != "", None)


def load_aliases(data_dir: Path | None = None) -> pd.DataFrame:
    """The model alias table: ``source, name, model, match, note``."""
    return _read("model_aliases.csv", data_dir)


def load_models(data_dir: Path | None = None) -> pd.DataFrame:
    """Canonical models: ``model, params_b, open_weights, size_group, note`` (file order)."""
    frame = _read("models.csv", data_dir)
    frame["params_b"] = pd.to_numeric(frame["params_b"].replace("", np.nan))
    frame["open_weights"] = frame["open_weights"].astype(str).str.lower() == "true"
    return frame


@dataclass
class AliasResolution:
    """How names of one source map to canonical models, and which names had no alias entry."""

    mapping: dict[str, str] = field(default_factory=dict)
    match: dict[str, str] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)


def resolve_models(
    names: Iterable[str], source: str, aliases: pd.DataFrame | None = None
) -> AliasResolution:
    """Map each name of ``source`` to its canonical model through the alias table.

    Names without an entry keep their own spelling (so a user's model still shows up) and are
    listed in ``unmatched``: the caller reports them rather than dropping them.
    """
    table = load_aliases() if aliases is None else aliases
    rows = table[table["source"] == source]
    known = dict(zip(rows["name"], rows["model"], strict=True))
    kinds = dict(zip(rows["name"], rows["match"], strict=True))
    result = AliasResolution()
    for name in dict.fromkeys(names):
        if name in known:
            result.mapping[name] = known[name]
            result.match[name] = kinds[name]
        else:
            result.mapping[name] = name
            result.match[name] = "no alias entry"
            result.unmatched.append(name)
    return result


def load_leaderboard(
    task: str | None = None,
    subset: str | None = None,
    *,
    data_dir: Path | None = None,
    aliases: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Published pass@1 per model and language, tidy.

    Columns: task, subset (None for generation/explanation), model (canonical), source_model (as
    published), language (McEval name), pass_at_1 (fraction). ``task``/``subset`` filter rows.
    """
    frame = _read("leaderboard.csv", data_dir)
    frame["subset"] = _subset_or_none(frame["subset"])
    if task is not None:
        frame = frame[frame["task"] == task]
    if subset is not None:
        frame = frame[frame["subset"] == subset]
    frame = frame.rename(columns={"model": "source_model"}).copy()
    frame["model"] = frame["source_model"]
    for name, group in frame.groupby("task", sort=False):
        resolution = resolve_models(group["source_model"], LEADERBOARD_SOURCES[name], aliases)
        frame.loc[group.index, "model"] = group["source_model"].map(resolution.mapping)
    frame["pass_at_1"] = frame["pass_at_1"].astype(float)
    columns = ["task", "subset", "model", "source_model", "language", "pass_at_1"]
    return frame[columns].reset_index(drop=True)


def load_leaderboard_avg(data_dir: Path | None = None) -> pd.DataFrame:
    """The AVG column the leaderboard publishes: ``task, subset, model, avg_published``."""
    frame = _read("leaderboard_avg.csv", data_dir)
    frame["subset"] = _subset_or_none(frame["subset"])
    return frame


def load_task_counts(data_dir: Path | None = None) -> pd.DataFrame:
    """Tasks per language and task kind: ``language, task, subset, n_tasks`` (from the data)."""
    frame = _read("task_counts.csv", data_dir)
    frame["subset"] = _subset_or_none(frame["subset"])
    return frame


def task_counts_for(task: str, subset: str | None, data_dir: Path | None = None) -> pd.DataFrame:
    """``language, n_tasks`` for one task kind (and completion subset)."""
    counts = load_task_counts(data_dir)
    if subset is None:
        rows = counts[(counts["task"] == task) & counts["subset"].isna()]
    else:
        rows = counts[(counts["task"] == task) & (counts["subset"] == subset)]
    return rows[["language", "n_tasks"]].reset_index(drop=True)


def multiple_language(key: str) -> str:
    """MultiPL-E's full language name for a key or abbreviation (``"rkt"`` -> ``"racket"``)."""
    norm = key.strip().lower()
    norm = norm.removeprefix("multiple-").removeprefix("humaneval-").removeprefix("mbpp-")
    if norm in MULTIPLE_LANGUAGES:
        return MULTIPLE_LANGUAGES[norm]
    if key.strip().lower() in MULTIPLE_LANGUAGES:
        return MULTIPLE_LANGUAGES[key.strip().lower()]
    raise UnknownLanguageError(f"unknown MultiPL-E language {key!r}")


def load_multiple_leaderboard(path: Path | None = None) -> pd.DataFrame:
    """The shipped MultiPL-E table (tidy, percent) as ``model, variant, language, pass_at_1``.

    ``pass_at_1`` is converted to a fraction; the ``python`` rows are HumanEval.
    """
    source = path or paper_data_dir() / "multiple_bigcode_leaderboard.csv"
    frame = pd.read_csv(source)
    missing = {"model", "language", "pass_at_1"} - set(frame.columns)
    if missing:
        raise InputError(f"missing columns {sorted(missing)}", file=source)
    frame["language"] = frame["language"].map(multiple_language)
    frame["pass_at_1"] = frame["pass_at_1"].astype(float) / 100.0
    if "variant" not in frame.columns:
        frame["variant"] = ""
    return frame[["model", "variant", "language", "pass_at_1"]].reset_index(drop=True)


# Columns of the BigCode leaderboard's code_eval_board.csv that are not per-language scores.
_BOARD_NON_LANGUAGE = {
    "t",
    "model",
    "models",
    "size (b)",
    "win rate",
    "average score",
    "average",
    "throughput (tokens/s)",
    "throughput (tokens/s) bs=50",
    "seq_length",
    "#languages",
    "peak memory (mb)",
    "models_query",
    "links",
    "link",
    "submission pr",
}


def load_bigcode_board(path: Path) -> pd.DataFrame:
    """Read the BigCode models leaderboard's wide ``code_eval_board.csv`` into tidy rows.

    The board has one row per model (column ``Models`` or ``Model``) and one column per language
    (``humaneval-python``, ``java``, ..., percent). Returns ``model, language, pass_at_1``.
    """
    wide = pd.read_csv(path)
    model_column = next((c for c in wide.columns if c.strip().lower() in ("models", "model")), None)
    if model_column is None:
        raise InputError("no 'Models' or 'Model' column", file=path)
    rows = []
    for column in wide.columns:
        key = column.strip().lower()
        if key in _BOARD_NON_LANGUAGE:
            continue
        try:
            language = multiple_language(key)
        except UnknownLanguageError:
            continue  # an unknown extra column (the board grows new ones): not a language score
        values = pd.to_numeric(wide[column], errors="coerce")
        for model, value in zip(wide[model_column], values, strict=True):
            if not np.isnan(value):
                rows.append(
                    dict(model=str(model).strip(), language=language, pass_at_1=value / 100)
                )
    return pd.DataFrame(rows, columns=["model", "language", "pass_at_1"])


def _load_json(path: Path) -> dict:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


_RESULT_DIR = re.compile(
    r"^(?:humaneval|mbpp)-(?P<lang>[a-z0-9+_.]+?)-(?P<model>.+?)-(?P<temp>[0-9.]+)"
)


def load_multiple_results(path: Path, model: str | None = None) -> pd.DataFrame:
    """pass@1 per language from MultiPL-E's own outputs. Returns ``model, language, pass_at_1,
    n_problems``.

    ``path`` may be (a) a MultiPL-E results directory of ``*.results.json(.gz)`` files, one per
    problem (pass@1 = mean over problems of the passed fraction, MultiPL-E's estimator at
    k = 1; passed = status OK and exit code 0),
    or a folder of such directories; (b) a BigCode leaderboard community-results JSON
    (``{"results": [{"task": "multiple-lua", "pass@1": 0.3}], "meta": {"model": ...}}``);
    (c) a bigcode-evaluation-harness metrics JSON (``{"multiple-lua": {"pass@1": 0.3}, ...}``);
    (d) the BigCode models leaderboard's wide ``code_eval_board.csv`` (``load_bigcode_board``:
    every model of it, whatever ``model`` says).
    """
    path = Path(path)
    if path.suffix == ".csv":
        return load_bigcode_board(path).assign(n_problems=np.nan)
    if path.is_dir():
        directories = (
            [path] if _problem_files(path) else sorted(p for p in path.iterdir() if p.is_dir())
        )
        frames = [_results_directory(d, model) for d in directories if _problem_files(d)]
        if not frames:
            raise InputError("no *.results.json(.gz) files found", file=path)
        return pd.concat(frames, ignore_index=True)
    data = _load_json(path)
    rows = []
    if isinstance(data.get("results"), list):
        name = model or str(data.get("meta", {}).get("model", path.stem))
        for entry in data["results"]:
            task = str(entry.get("task", ""))
            if "pass@1" not in entry or not task.startswith(("multiple-", "humaneval")):
                continue
            rows.append(
                dict(
                    model=name,
                    language=multiple_language(task),
                    pass_at_1=float(entry["pass@1"]),
                    n_problems=np.nan,
                )
            )
    else:
        name = model or str(data.get("config", {}).get("model", path.stem))
        for task, metrics in data.items():
            if not isinstance(metrics, dict) or "pass@1" not in metrics:
                continue
            if not task.startswith(("multiple-", "humaneval")):
                continue
            rows.append(
                dict(
                    model=name,
                    language=multiple_language(task),
                    pass_at_1=float(metrics["pass@1"]),
                    n_problems=np.nan,
                )
            )
    if not rows:
        raise InputError("no MultiPL-E pass@1 entries found", file=path)
    return pd.DataFrame(rows)


def _problem_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.results.json"), *directory.glob("*.results.json.gz")])


def _results_directory(directory: Path, model: str | None) -> pd.DataFrame:
    scores = []
    language = None
    for file in _problem_files(directory):
        data = _load_json(file)
        results = data.get("results", [])
        n = len(results)
        if n == 0:
            continue
        c = sum(1 for r in results if r.get("status") == "OK" and r.get("exit_code") == 0)
        scores.append(c / n)  # pass@1 of one problem: its passed fraction
        language = language or data.get("language")
    match = _RESULT_DIR.match(directory.name)
    if language is None and match:
        language = match.group("lang")
    if language is None:
        raise InputError("cannot tell the language of this results directory", file=directory)
    name = model or (match.group("model") if match else directory.name)
    return pd.DataFrame(
        [
            dict(
                model=name,
                language=multiple_language(language),
                pass_at_1=float(np.mean(scores)) if scores else np.nan,
                n_problems=len(scores),
            )
        ]
    )


def model_order(models: Iterable[str], table: pd.DataFrame | None = None) -> list[str]:
    """``models`` sorted as in models.csv (size group, then size); unknown models last, by name."""
    table = load_models() if table is None else table
    rank = {name: i for i, name in enumerate(table["model"])}
    unique = list(dict.fromkeys(models))
    return sorted(unique, key=lambda m: (rank.get(m, len(rank)), m))


def size_group_of(models: Iterable[str], table: pd.DataFrame | None = None) -> dict[str, str]:
    """Each model's size group; models missing from models.csv get "other"."""
    table = load_models() if table is None else table
    groups = dict(zip(table["model"], table["size_group"], strict=True))
    return {m: groups.get(m, "other") for m in models}


def model_key(name: str) -> str:
    """A model name with case and punctuation aside: ``DeepSeek-Coder-33b-instruct`` and
    ``deepseek_coder_33B_Instruct`` both give ``deepseekcoder33binstruct``."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _model_index(aliases: pd.DataFrame) -> dict[str, str]:
    """``model_key`` of every alias and canonical name -> its canonical model; keys that two
    models share are left out (a guess would compare a model with another's numbers)."""
    pairs = [*zip(aliases["name"], aliases["model"], strict=True)]
    pairs += [(str(name).rsplit("/", 1)[-1], model) for name, model in pairs if "/" in str(name)]
    pairs += [(model, model) for model in aliases["model"]]
    found: dict[str, set[str]] = {}
    for name, model in pairs:
        found.setdefault(model_key(str(name)), set()).add(str(model))
    return {key: next(iter(models)) for key, models in found.items() if len(models) == 1}


def paper_model(name: str, aliases: pd.DataFrame | None = None) -> str | None:
    """The published model that ``name`` (as a store names it) stands for, or None.

    Matched through ``model_aliases.csv`` with case and punctuation aside; a Hugging Face id
    (``owner/repository``) is tried whole, then by its repository name, which is how
    ``workbench generate`` names a model.
    """
    index = _model_index(load_aliases() if aliases is None else aliases)
    for candidate in (name, name.rsplit("/", 1)[-1]):
        found = index.get(model_key(candidate))
        if found is not None:
            return found
    return None
