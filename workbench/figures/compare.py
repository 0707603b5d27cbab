"""Compare result sets per language: a base model against its fine-tune (the paper's cross-lingual
transfer figure), or any two or more runs.

Input is either per-language scores (``model, language, pass_at_1``) or, through
:func:`scores_from_results`, the ``executions`` rows of one or more results stores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import altair as alt
import pandas as pd

from workbench.errors import InputError
from workbench.figures.paper import colours_for, language_order
from workbench.figures.results import language_scores
from workbench.figures.theme import FORMATS, FigureFiles, colour_scale, save_figure
from workbench.figures.theme import title as chart_title

AVG_LABEL = "AVG"


def scores_from_results(
    sets: Mapping[str, pd.DataFrame], task: str = "generation", subset: str | None = None
) -> pd.DataFrame:
    """Per-language pass@1 of each labelled result set (``executions`` rows), one task kind.

    A set holding several models is split into "label: model" so nothing is averaged across
    models by accident. Returns ``model, language, pass_at_1, n_tasks``.
    """
    frames = []
    for label, results in sets.items():
        scores = language_scores(results)
        scores = scores[scores["task"] == task]
        scores = (
            scores[scores["subset"].isna()]
            if subset is None
            else scores[scores["subset"] == subset]
        )
        models = scores["model"].unique()
        if len(models) == 0:
            raise InputError(f"result set {label!r} has no {task} results")
        name = scores["model"] if len(models) == 1 else label + ": " + scores["model"]
        frames.append(scores.assign(model=name if len(models) > 1 else label))
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
    order = [lang for lang in language_order() if lang in wide.index] + [AVG_LABEL]
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


def compare_chart(
    table: pd.DataFrame, title: str, subtitle: str = "", columns: int = 3
) -> alt.FacetChart:
    """Horizontal grouped bars per language, split into ``columns`` panels like the paper's."""
    models = list(dict.fromkeys(table["model"]))
    languages = list(dict.fromkeys(table["language"]))
    per_panel = -(-len(languages) // columns)
    panel = {lang: i // per_panel + 1 for i, lang in enumerate(languages)}
    data = table.assign(panel=table["language"].map(panel))
    # With an offset channel, a height step sizes one bar (not one language band).
    bar = max(5, 20 // len(models))
    return (
        alt.Chart(data)
        .mark_bar(strokeWidth=0)
        .encode(
            y=alt.Y("language:N", sort=languages, title=None),
            yOffset=alt.YOffset("model:N", sort=models),
            x=alt.X(
                "pass_at_1:Q",
                title="pass@1",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(grid=True),
            ),
            color=alt.Color(
                "model:N",
                sort=models,
                scale=colour_scale(models, colours_for(models)),
                legend=alt.Legend(title=None, orient="bottom", direction="horizontal"),
            ),
            tooltip=[
                "model",
                "language",
                alt.Tooltip("pass_at_1:Q", format=".3f"),
                alt.Tooltip("delta:Q", format="+.3f"),
            ],
        )
        .properties(width=260, height=alt.Step(bar))
        .facet(column=alt.Column("panel:O", title=None, header=alt.Header(labels=False)))
        .resolve_scale(y="independent")
        .properties(title=chart_title(title, subtitle))
    )


def compare_figure(
    scores: pd.DataFrame,
    models: Sequence[str],
    out_dir: Path,
    name: str,
    title: str,
    subtitle: str = "",
    *,
    formats: tuple[str, ...] = FORMATS,
) -> FigureFiles:
    """Write the comparison chart and its table (with per-language deltas to the first model)."""
    table = compare_table(scores, models)
    return save_figure(compare_chart(table, title, subtitle), table, out_dir, name, formats=formats)
