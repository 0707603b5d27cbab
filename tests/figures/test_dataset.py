"""Dataset statistics drawn: the two figures and their tables from the real McEval data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.analysis.test_dataset import synthetic_tasks
from workbench.analysis.dataset import load_all_tasks, regex_tokenizer
from workbench.figures.dataset import stats_figures


def test_real_dataset_figures(mceval_dir: Path, tmp_path: Path) -> None:
    tasks = load_all_tasks(mceval_dir)
    files = stats_figures(tmp_path, tasks, regex_tokenizer(), formats=("csv",))
    assert [p.name for f in files for p in f.paths] == [
        "dataset-counts.csv",
        "dataset-languages.csv",
    ]
    counts = pd.read_csv(tmp_path / "dataset-counts.csv")
    assert counts["n"].sum() == 2007 * 3 + 2998 * 2 + 4014
    stats = pd.read_csv(tmp_path / "dataset-languages.csv")
    assert len(stats) == 40 and stats["tokenizer"].nunique() == 1


def test_figures_render_and_name_the_tokenizer(tmp_path: Path) -> None:
    files = stats_figures(tmp_path, synthetic_tasks(), regex_tokenizer(), formats=("svg",))
    assert [p.name for f in files for p in f.paths] == [
        "dataset-counts.svg",
        "dataset-languages.svg",
    ]
    assert "regex tokens" in (tmp_path / "dataset-languages.svg").read_text()
