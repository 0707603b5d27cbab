"""pass@1 per model, language and difficulty level, with task counts and intervals.

The paper stacks the three levels into one bar, which hides both the number of tasks behind each
level and how uncertain each value is; this table keeps both, one row per level.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from workbench.analysis.passk import UNKNOWN, pass_at_k_table, select_task_kind
from workbench.inputs.paper import model_order
from workbench.registry.languages import language_names

LEVELS: tuple[str, ...] = ("easy", "middle", "hard")
UNKNOWN_LEVEL = UNKNOWN


def difficulty_table(
    results: pd.DataFrame,
    task: str = "generation",
    subset: str | None = None,
    confidence: float = 0.95,
    set_aside: Iterable[str] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """pass@1 per model, language and level of one task kind, with its Wilson interval.

    ``results``: executions rows (task_id, language, task, model, status, level, ...).
    Tasks without a level are kept as level "unknown" rather than dropped. Columns: model,
    language, level, n_tasks, n_samples, n_passed, n_excluded, pass_at_1, pass_at_1_low,
    pass_at_1_high; models in published order, languages in canonical order, levels easy to hard.
    ``set_aside`` (defective tasks) adds the second reading, as ``pass_at_k_table`` does.
    """
    rows = select_task_kind(results, task, subset)
    table = pass_at_k_table(
        rows, k=1, by=["language", "level"], confidence=confidence, set_aside=set_aside
    )
    levels = [*LEVELS, UNKNOWN_LEVEL]
    languages = language_names()
    models = model_order(table["model"])
    table = table.assign(
        _m=table["model"].map({m: i for i, m in enumerate(models)}),
        _l=table["language"]
        .map({lang: i for i, lang in enumerate(languages)})
        .fillna(len(languages)),
        _v=table["level"].map({v: i for i, v in enumerate(levels)}).fillna(len(levels)),
    )
    table = table.sort_values(["_m", "_l", "language", "_v"]).drop(columns=["_m", "_l", "_v"])
    return table.reset_index(drop=True)
