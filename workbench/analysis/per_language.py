"""Per-language score tables as the per-language figures show them: one row per model and
language, models in the published order with their size group, languages in canonical order."""

from __future__ import annotations

import pandas as pd

from workbench.inputs.paper import model_order, size_group_of
from workbench.registry.languages import language_names


def per_language_table(scores: pd.DataFrame, models: list[str] | None = None) -> pd.DataFrame:
    """``model, size_group, language, pass_at_1`` sorted by model order then language order.

    ``scores`` needs model, language and pass_at_1 (a leaderboard's rows, or the language rows
    of ``pass_at_k_table``); ``models`` restricts (and orders) models. Languages outside the
    40 come last.
    """
    frame = scores[["model", "language", "pass_at_1"]].copy()
    if models is not None:
        frame = frame[frame["model"].isin(models)]
    order = models or model_order(frame["model"])
    languages = language_names()
    frame["size_group"] = frame["model"].map(size_group_of(order))
    frame = frame.assign(
        _m=frame["model"].map({m: i for i, m in enumerate(order)}),
        _l=frame["language"].map({lang: i for i, lang in enumerate(languages)}),
    )
    frame = frame.sort_values(["_m", "_l"]).drop(columns=["_m", "_l"])
    return frame[["model", "size_group", "language", "pass_at_1"]].reset_index(drop=True)
