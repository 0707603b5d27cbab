"""Per-language tables as the per-language figures show them: order and size groups."""

from __future__ import annotations

import pandas as pd

from workbench.analysis.per_language import per_language_table
from workbench.inputs.paper import load_leaderboard
from workbench.registry.languages import language_names


def test_leaderboard_rows_in_model_and_language_order() -> None:
    board = load_leaderboard("generation")
    models = ["GPT-4o-240513", "CodeLlama-7B-Instruct"]
    table = per_language_table(board, models)
    assert list(table.columns) == ["model", "size_group", "language", "pass_at_1"]
    assert table["model"].tolist() == [models[0]] * 40 + [models[1]] * 40
    assert table["language"].tolist()[:40] == language_names()
    assert table.set_index("model")["size_group"].to_dict() == {
        "GPT-4o-240513": "closed / >40B",
        "CodeLlama-7B-Instruct": "under 10B",
    }


def test_unknown_models_and_languages_come_last() -> None:
    scores = pd.DataFrame(
        {
            "model": ["mine", "mine", "GPT-4o-240513"],
            "language": ["COBOL", "Python", "Rust"],
            "pass_at_1": [0.1, 0.2, 0.3],
        }
    )
    table = per_language_table(scores)
    assert table[["model", "language"]].values.tolist() == [
        ["GPT-4o-240513", "Rust"],
        ["mine", "Python"],
        ["mine", "COBOL"],
    ]
    assert table["size_group"].tolist() == ["closed / >40B", "other", "other"]
