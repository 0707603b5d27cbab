"""Convert the published McEval numbers in ``../shared/paper`` into the tidy CSVs of ``data/paper``.

Run from the repository root: ``python -m workbench.ops.paper_data [--shared DIR]``. Without
``--shared`` the folder is ``../shared`` next to the working directory or the checkout
(``workbench.paths.shared_dir``); when there is none, or it lacks the published numbers, the
command says so and writes nothing.

The hand-curated files (``models.csv``, ``model_aliases.csv``, ``README.md``) are not touched.
The per-language task counts are read from the McEval data itself (``<shared>/mceval``): they are
facts about the dataset (record counts), not copies of it.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pandas as pd

from workbench.errors import InputError, WorkbenchError
from workbench.figures.theme import write_csv
from workbench.paths import bundled_paper_dir, shared_dir
from workbench.registry.languages import all_languages, get_language

DEFAULT_OUT = bundled_paper_dir()

# Leaderboard file stem -> (task, subset) in the workbench's vocabulary.
LEADERBOARD_FILES: dict[str, tuple[str, str]] = {
    "code_generation": ("generation", ""),
    "code_explain": ("explanation", ""),
    "code_infilling_single_line": ("completion", "single"),
    "code_infilling_multi_line": ("completion", "multi"),
    "code_infilling_span": ("completion", "span"),
    "code_infilling_light_span": ("completion", "light"),
}

COPIED_FILES = ("languages.csv", "multiple_bigcode_leaderboard.csv")

TASK_FOLDERS: dict[tuple[str, str], str] = {
    ("generation", ""): "generation",
    ("explanation", ""): "explanation",
    ("completion", "single"): "completion/single",
    ("completion", "multi"): "completion/multi",
    ("completion", "span"): "completion/span",
    ("completion", "light"): "completion/light",
}


def convert_leaderboards(paper: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tidy (task, subset, model, language, leaderboard_key, pass_at_1) rows and published AVGs."""
    order = {lang.name: i for i, lang in enumerate(all_languages())}
    rows: list[dict] = []
    avgs: list[dict] = []
    for file_index, (stem, (task, subset)) in enumerate(LEADERBOARD_FILES.items()):
        performances = json.loads((paper / "leaderboard" / f"{stem}.json").read_text())[
            "performances"
        ]
        for model_index, perf in enumerate(performances):
            model = perf["model"]
            for key, value in perf.items():
                if key == "model":
                    continue
                # Rounded to 6 places: the JSON holds float noise like 0.7170000000000001.
                score = round(float(value), 6)
                if key == "AVG":
                    avgs.append(dict(task=task, subset=subset, model=model, avg_published=score))
                    continue
                language = get_language(key).name
                rows.append(
                    dict(
                        task=task,
                        subset=subset,
                        model=model,
                        language=language,
                        leaderboard_key=key,
                        pass_at_1=score,
                        _sort=(file_index, model_index, order[language]),
                    )
                )
    # Files in LEADERBOARD_FILES order, models in the leaderboard's order, languages canonical.
    rows.sort(key=lambda row: row.pop("_sort"))
    return pd.DataFrame(rows), pd.DataFrame(avgs)


def count_tasks(mceval: Path) -> pd.DataFrame:
    """Number of records per language for every task kind and completion subset."""
    rows = []
    for (task, subset), folder in TASK_FOLDERS.items():
        for lang in all_languages():
            path = mceval / folder / f"{lang.name}.jsonl"
            if not path.exists():
                raise InputError("missing McEval file", file=path)
            with path.open(encoding="utf-8") as handle:
                n = sum(1 for line in handle if line.strip())
            rows.append(dict(language=lang.name, task=task, subset=subset, n_tasks=n))
    return pd.DataFrame(rows)


def source_folder(shared: Path | None = None) -> Path:
    """The shared folder to convert from: ``shared`` when given, else ``../shared`` found by
    ``shared_dir``. Raises ``InputError`` naming what is missing, before anything is written."""
    if shared is None:
        shared = shared_dir()
        if shared is None:
            raise InputError(
                "no shared folder: ../shared was not found next to the working directory or the "
                "checkout; pass --shared DIR (the folder holding paper/ and mceval/)"
            )
    paper = shared / "paper"
    needed = [paper / "leaderboard" / f"{stem}.json" for stem in LEADERBOARD_FILES]
    needed += [paper / name for name in COPIED_FILES]
    for path in [*needed, shared / "mceval"]:
        if not path.exists():
            raise InputError(
                "missing: the shared folder holds paper/ (the published numbers) and mceval/ "
                "(the McEval data); pass it as --shared DIR",
                file=path,
            )
    return shared


def build(shared: Path | None = None, out: Path = DEFAULT_OUT) -> list[Path]:
    """Write every converted CSV into ``out``; returns the paths written."""
    shared = source_folder(shared)
    paper = shared / "paper"
    # Everything is read before anything is written, so a missing file leaves ``out`` as it was.
    leaderboard, avgs = convert_leaderboards(paper)
    counts = count_tasks(shared / "mceval")
    out.mkdir(parents=True, exist_ok=True)
    written = [
        write_csv(leaderboard, out / "leaderboard.csv"),
        write_csv(avgs, out / "leaderboard_avg.csv"),
        write_csv(counts, out / "task_counts.csv"),
    ]
    # These are already tidy, with their sources in them: copied byte for byte.
    for name in COPIED_FILES:
        shutil.copyfile(paper / name, out / name)
        written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, help="default: ../shared, when found")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        written = build(args.shared, args.out)
    except WorkbenchError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
