# %% [markdown]
# # Regenerate every figure of the paper's appendix
#
# The McEval paper ships its figures as pictures only. Here each one is computed from a table, and
# the table is saved beside the picture as CSV, so a reader can check any bar. After this notebook
# you will have every figure in `figures/` (the same files as `workbench figures` writes), know
# which inputs each one needs, and have looked at a few of them.
#
# | input | figures |
# |---|---|
# | the published numbers in `data/paper/` (always there) | per-language pass@1 per model group, paradigm and scenario tables, McEval vs MultiPL-E, base vs fine-tune |
# | the McEval data (`MCEVAL_DATA`, else `../shared/mceval`) | dataset statistics, representation analysis (t-SNE, dendrogram) |
# | a results store of your own (`results` below) | the same analyses on your results, plus difficulty |
#
# A figure whose input is missing is skipped with a line saying what is missing. Details of every
# figure and of the choices behind it: `docs/figures.md`.

# %%
from pathlib import Path

import pandas as pd
from IPython.display import SVG, display

from workbench import build_figures, default_data_dir

# %% tags=["parameters"]
out = Path("..") / "figures"  # the project's figures/ folder (the notebook runs in notebooks/)
formats = ["svg", "csv"]  # add "png" for the 2x PNGs of the paper (about twice the time)
embedder = "tfidf"  # "auto" (CodeBERT when cached locally), "minilm", "codebert" or a folder
data = default_data_dir()  # the McEval data; None skips the dataset and representation figures
results = None  # a results store (DuckDB file) to draw your own results as well

# %% [markdown]
# ## Build
#
# One line per figure written. The shipped-data figures take a few seconds each; the dataset
# figures read all 15,000 McEval records and embed the 2,007 generation tasks.

# %%
written = build_figures(out, results=results, data=data, embedder=embedder, formats=formats)

# %% [markdown]
# ## What was written
#
# Every figure `NAME` is `NAME.svg` (and `.png` when asked) with `NAME.csv`, the tidy data drawn;
# some add tables (`-correlations.csv`, `-unmatched.csv`, `-table.csv`, `.md`). Per folder:

# %%
files = pd.DataFrame(
    {"folder": [p.parent.name for p in written], "kind": [p.suffix for p in written]}
)
files.value_counts().unstack(fill_value=0)

# %% [markdown]
# ## A few of them
#
# The per-language chart of the generation task for the largest models: each model keeps its
# colour in every figure, and languages follow the leaderboard's order.

# %%
SVG(filename=out / "per_language" / "generation-closed-over-40b.svg")

# %% [markdown]
# McEval against MultiPL-E (`08_multipl_e` explains the three panels):

# %%
SVG(filename=out / "multiple" / "mceval-vs-multiple.svg")

# %% [markdown]
# The dataset's task counts per task kind and difficulty (drawn when the McEval data is present):

# %%
counts_figure = out / "dataset" / "dataset-counts.svg"
if counts_figure.exists():
    display(SVG(filename=counts_figure))

# %% [markdown]
# **What to check.** Open any CSV next to a figure: the numbers drawn are there, rounded only when
# printed. A second run changes no byte of the CSVs (fixed seeds, fixed float format), so
# `git diff` or `cmp` tells you whether a change of code changed a figure.
