"""The representation figures: t-SNE scatter and dendrogram with their tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.analysis.test_representation import synthetic_corpus
from workbench.analysis.representation import TfidfEmbedder
from workbench.figures.representation import representation_figures


def test_representation_figures_write_tables(tmp_path: Path) -> None:
    files, rep = representation_figures(
        tmp_path, synthetic_corpus(12), TfidfEmbedder(), formats=("csv",)
    )
    names = sorted(p.name for f in files for p in f.paths)
    assert names == [
        "representation-dendrogram-clusters.csv",
        "representation-dendrogram-families.csv",
        "representation-dendrogram.csv",
        "representation-tsne-silhouette.csv",
        "representation-tsne.csv",
    ]
    points = pd.read_csv(tmp_path / "representation-tsne.csv")
    assert list(points.columns) == ["task_id", "language", "x", "y"] and len(points) == 36


def test_representation_figures_render(tmp_path: Path) -> None:
    files, rep = representation_figures(
        tmp_path, synthetic_corpus(12), TfidfEmbedder(), formats=("svg",)
    )
    assert sorted(p.name for f in files for p in f.paths) == [
        "representation-dendrogram.svg",
        "representation-tsne.svg",
    ]
    tsne = (tmp_path / "representation-tsne.svg").read_text()
    assert "TF-IDF" in tsne and "silhouette by language" in tsne
    dendrogram = (tmp_path / "representation-dendrogram.svg").read_text()
    assert "Scheme" in dendrogram and f"{rep.dendrogram.threshold:.3f}" in dendrogram
