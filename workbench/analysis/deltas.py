"""Compare result sets per language: a base model against its fine-tune (the paper's
cross-lingual transfer figure), or any two or more runs, with deltas to the first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from workbench.analysis.passk import AVG_LABEL, pass_at_k_table, select_task_kind
from workbench.errors import InputError
from workbench.registry.languages import language_names


def scores_from_results(
    sets: Mapping[str, pd.DataFrame], task: str = "generation", subset: str | None = None
) -> pd.DataFrame:
    """Per-language pass@1 of each labelled result set (``executions`` rows), one task kind.

    A set holding several models is split into "label: model" so nothing is averaged across
    models by accident. Returns ``model, language, pass_at_1, n_tasks``.
    """
    frames = []
    for label, results in sets.items():
        scores = pass_at_k_table(select_task_kind(results, task, subset), k=1, by="language")
        scores = scores[scores["language"] != AVG_LABEL]
        models = scores["model"].unique()
        if len(models) == 0:
            raise InputError(f"result set {label!r} has no {task} results")
        name = label if len(models) == 1 else label + ": " + scores["model"]
        frames.append(scores.assign(model=name))
    out = pd.concat(frames, ignore_index=True)
    return out[["model", "language", "pass_at_1", "n_tasks"]]


def compare_table(scores: pd.DataFrame, models: Sequence[str] | None = None) -> pd.DataFrame:
    """Long table ``model, language, pass_at_1, delta`` with an AVG row per model.

    ``delta`` is the difference to the first model on the same language (the baseline), so a
    fine-tune's gains and losses per language are read off directly. AVG is the plain mean over
    the languages every compared model has.
    """
    models = list(models) if models is not None else list(dict.fromkeys(scores["model"]))
    if len(models) < 2:
        raise InputError(f"need at least two result sets to compare, got {models}")
    missing = [m for m in models if m not in set(scores["model"])]
    if missing:
        raise InputError(f"no scores for {missing}", field="model")
    frame = scores[scores["model"].isin(models)][["model", "language", "pass_at_1"]]
    wide = frame.pivot_table(index="language", columns="model", values="pass_at_1", aggfunc="mean")
    wide = wide[models]
    common = wide.dropna()
    wide.loc[AVG_LABEL] = common.mean()
    order = [lang for lang in language_names() if lang in wide.index] + [AVG_LABEL]
    extra = sorted(set(wide.index) - set(order))  # user languages outside McEval's 40
    wide = wide.loc[order[:-1] + extra + [AVG_LABEL]]
    long = wide.reset_index().melt(id_vars="language", var_name="model", value_name="pass_at_1")
    baseline = wide[models[0]]
    long["delta"] = long["pass_at_1"] - long["language"].map(baseline)
    long["model"] = pd.Categorical(long["model"], categories=models, ordered=True)
    long["language"] = pd.Categorical(long["language"], categories=list(wide.index), ordered=True)
    long = long.sort_values(["language", "model"]).reset_index(drop=True)
    long["model"] = long["model"].astype(str)
    long["language"] = long["language"].astype(str)
    return long[["model", "language", "pass_at_1", "delta"]]
