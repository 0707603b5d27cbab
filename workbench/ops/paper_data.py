"""Convert the published McEval numbers in ``../shared/paper`` into the tidy CSVs of ``data/paper``.

Run from the repository root: ``python -m workbench.ops.paper_data [--shared DIR]``.
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

from workbench.figures.theme import write_csv
from workbench.paths import paper_data_dir, shared_dir
from workbench.registry.languages import all_languages, get_language

DEFAULT_SHARED = shared_dir() or Path("../shared")
DEFAULT_OUT = paper_data_dir()

# Leaderboard file stem -> (task, subset) in the workbench's vocabulary.
LEADERBOARD_FILES: dict[str, tuple[str, str]] = {
    "code_generation": ("generation", ""),
    "code_explain": ("explanation", ""),
    "code_infilling_single_line": ("completion", "single"),
    "code_infilling_multi_line": ("completion", "multi"),
    "code_infilling_span": ("completion", "span"),
    "code_infilling_light_span": ("completion", "light"),
}

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
                raise FileNotFoundError(f"missing McEval file {path}")
            with path.open(encoding="utf-8") as handle:
                n = sum(1 for line in handle if line.strip())
            rows.append(dict(language=lang.name, task=task, subset=subset, n_tasks=n))
    return pd.DataFrame(rows)


def build(shared: Path = DEFAULT_SHARED, out: Path = DEFAULT_OUT) -> list[Path]:
    """Write every converted CSV into ``out``; returns the paths written."""
    paper = shared / "paper"
    out.mkdir(parents=True, exist_ok=True)
    leaderboard, avgs = convert_leaderboards(paper)
    written = [
        write_csv(leaderboard, out / "leaderboard.csv"),
        write_csv(avgs, out / "leaderboard_avg.csv"),
        write_csv(count_tasks(shared / "mceval"), out / "task_counts.csv"),
    ]
    # These two are already tidy, with their sources in them: copied byte for byte.
    for name in ("languages.csv", "multiple_bigcode_leaderboard.csv"):
        shutil.copyfile(paper / name, out / name)
        written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    for path in build(args.shared, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
