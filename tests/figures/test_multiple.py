"""McEval vs MultiPL-E drawn: label placement and the files of the three-panel figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.figures.multiple import declutter_labels, multiple_figures


def test_labels_do_not_overlap() -> None:
    xs = pd.Series([44.0, 44.2, 45.0, 10.0])
    ys = pd.Series([87.2, 87.0, 86.5, 10.0])
    labels = pd.Series(["Nxcode-CQ-7B-orpo", "CodeQwen1.5-7B-Chat", "Third-model", "far"])
    lx, ly, sides = declutter_labels(xs, ys, labels)
    boxes = []
    for x, y, side, text in zip(lx, ly, sides, labels, strict=True):
        width = 1.7 * len(text)
        boxes.append(
            (x + 1.5, x + 1.5 + width, y) if side == "right" else (x - 1.5 - width, x - 1.5, y)
        )
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            assert abs(a[2] - b[2]) >= 3.8 or a[1] <= b[0] or b[1] <= a[0]
    assert (lx[3], ly[3], sides[3]) == (10.0, 10.0, "right")


def test_multiple_figure_files(tmp_path: Path) -> None:
    files, joined = multiple_figures(tmp_path, formats=("csv",))
    names = sorted(p.name for p in files.paths)
    assert names == [
        "mceval-vs-multiple-correlations.csv",
        "mceval-vs-multiple-unmatched.csv",
        "mceval-vs-multiple.csv",
    ]
    unmatched = pd.read_csv(tmp_path / "mceval-vs-multiple-unmatched.csv")
    assert len(unmatched) == len(joined.unmatched) == 16
    assert np.isfinite(
        pd.read_csv(tmp_path / "mceval-vs-multiple-correlations.csv")["pearson_r"]
    ).all()


def test_multiple_figure_renders(tmp_path: Path) -> None:
    files, _ = multiple_figures(tmp_path, formats=("svg",))
    assert files.paths == [tmp_path / "mceval-vs-multiple.svg"]
    svg = files.paths[0].read_text()
    assert "Pearson r = " in svg and "CodeGemma-7B-it" in svg
