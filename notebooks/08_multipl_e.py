# %% [markdown]
# # McEval and MultiPL-E: do the two benchmarks rank models alike?
#
# MultiPL-E translates HumanEval's Python problems into other languages; McEval writes new problems
# for 40 languages. If both measure the same skill, a model's rank on one should predict its rank
# on the other. After this notebook you can pair the models of both leaderboards (their names are
# spelled differently), read three correlations, and rerun the comparison with your own MultiPL-E
# results.
#
# Inputs are the published numbers shipped in `data/paper/` (sources in `data/paper/README.md`):
# the McEval generation leaderboard and the BigCode leaderboard's MultiPL-E table. Nothing is run.

# %%
from pathlib import Path

from workbench import multiple, multiple_chart, paper

# %% tags=["parameters"]
# A MultiPL-E run of your own: a folder of MultiPL-E result directories, BigCode community-results
# JSON or bigcode-evaluation-harness metrics JSON (None: the shipped BigCode leaderboard table).
multiple_results = None
# Count HumanEval (Python) in MultiPL-E's multilingual average (False: panel 3 does not reuse
# panel 1's y).
include_python_in_average = False

# %%
scores = None if multiple_results is None else paper.load_multiple_results(Path(multiple_results))
joined = multiple.join_mceval_multiple(
    multiple=scores, include_python_in_average=include_python_in_average
)
print(f"{len(joined.points)} models on both leaderboards")

# %% [markdown]
# ## Pairing the models
#
# The leaderboards spell models differently (`DeepSeek-Coder-33b-instruct` vs
# `DeepSeekCoder-33B-Instruct`). `data/paper/model_aliases.csv` maps every spelling to one name
# and says how sure the mapping is: `exact`, a `spelling` variant, or an `approximate` judgement
# (drawn as triangles below). Scores are shown in percent.

# %%
points = joined.points.set_index("model")
scores_in_percent = [
    "mceval_python",
    "mceval_multilingual",
    "multiple_python",
    "multiple_multilingual",
]
points[scores_in_percent].mul(100).round(1).join(points[["match", "mceval_name", "multiple_name"]])

# %% [markdown]
# Nothing is dropped silently: every model that could not be paired is listed with the reason.
# McEval evaluated closed models and newer open ones that the BigCode leaderboard does not list,
# and a few base models on MultiPL-E have no McEval row.

# %%
joined.unmatched

# %% [markdown]
# ## Three comparisons
#
# 1. McEval Python vs MultiPL-E Python (HumanEval): the same language, different problems.
# 2. McEval's multilingual average vs HumanEval: does one Python benchmark predict 40 languages?
# 3. McEval's multilingual average vs MultiPL-E's (its languages other than Python).
#
# Pearson's r measures a linear relation of the scores, Spearman's ρ the agreement of the
# rankings; each comes with its p-value over the paired models.

# %%
corr = multiple.correlations(joined.points)
corr

# %%
multiple_chart(joined.points, corr, f"{len(joined.points)} models on both leaderboards")

# %% [markdown]
# **What to look at.** Points near the y = x line score alike on both benchmarks; points below it
# find McEval harder. Compare Spearman's ρ across the three panels in the table above: expect
# the multilingual comparisons to agree more than Python alone, because one language's 50 tasks
# are a noisy ranking (see `05_pass_at_k` for how wide a 50-task interval is). With a dozen
# models, a correlation's own uncertainty is large too: read the p-values before concluding that
# the benchmarks agree.
