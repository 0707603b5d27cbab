# %% [markdown]
# # Paradigms and application scenarios: the paper's Tables 7 and 8
#
# McEval groups its 40 languages by programming paradigm (5: procedural, object oriented,
# functional, multiple paradigms, markup) and by application scenario (11: web frontend, editor
# scripts, scientific computing, …). After this notebook you can recompute both tables from
# per-language scores — the published leaderboard or your own results — draw them as heatmaps,
# and say which kinds of languages the models find hard.
#
# Scores are shown in percent, as the paper prints them.

# %%
import pandas as pd
from IPython.display import display

import workbench as wb
from workbench import Store, categories, category_chart, markdown_table, paper

# %% tags=["parameters"]
task, subset = "generation", None  # or ("explanation", None), ("completion", "span"), ...
# A results store of your own (a DuckDB file written by `evaluate`): its paradigm table is shown
# at the end. None: the published leaderboard only.
store = None

# %% [markdown]
# ## Which language belongs where
#
# The classification is the paper's; each language's file in `workbench/registry/` records it,
# with the number of tasks the language has for this task kind.

# %%
counts = paper.task_counts_for(task, subset)
languages = pd.DataFrame(
    {kind: categories.language_categories(kind) for kind in categories.CATEGORY_KINDS}
).join(counts.set_index("language")["n_tasks"])
for kind in categories.CATEGORY_KINDS:
    for category, group in languages.groupby(kind):
        print(f"{kind:9} {category:26} {group['n_tasks'].sum():5} tasks: {', '.join(group.index)}")

# %% [markdown]
# ## Pooling: solved tasks over tasks
#
# A category's score pools its languages' tasks: the sum of solved tasks (pass@1 × the language's
# number of tasks) over the sum of tasks. A language with more tasks (Java and Rust have 53)
# weighs a little more than in a plain mean. The overall `AVG` is the plain mean over the 40
# languages, as the leaderboard's AVG is.

# %%
board = paper.load_leaderboard(task, subset)
overall = categories.overall_average(board)
pooled = {
    kind: categories.pooled_categories(board, counts, kind) for kind in categories.CATEGORY_KINDS
}
pooled["paradigm"].head(6).style.format({"solved": "{:.1f}", "pass_at_1": "{:.1%}"})

# %% [markdown]
# ## Table 7: pass@1 (%) by paradigm

# %%
paradigms = categories.category_wide(pooled["paradigm"], overall, "paradigm").set_index("model")
paradigms.mul(100).round(1)

# %%
category_chart(pooled["paradigm"], "paradigm", f"McEval {task}: pass@1 by paradigm")

# %% [markdown]
# ## Table 8: pass@1 (%) by application scenario

# %%
scenarios = categories.category_wide(pooled["scenario"], overall, "scenario").set_index("model")
scenarios.mul(100).round(1)

# %%
category_chart(pooled["scenario"], "scenario", f"McEval {task}: pass@1 by application scenario")

# %% [markdown]
# **What to look at.** Read down a column to see which categories are hard for every model, and
# along a row for one model's profile. On the generation leaderboard, object-oriented languages
# are the easiest paradigm for nearly every model and procedural and markup languages the
# hardest; among scenarios, editor scripts (Emacs Lisp, VimScript) are the hardest by far.
# A category of two or three languages rests on 100–150 tasks: a difference of a few points
# between two models there is within noise (`05_pass_at_k` shows how wide such intervals are).
#
# The same tables as Markdown, ready for a paper or a README:

# %%
print(markdown_table(paradigms.reset_index()))

# %% [markdown]
# ## Your own results
#
# From per-sample results, `pass_at_k_table(results, by="paradigm")` pools the tasks actually
# scored in the same way, with a 95% interval over tasks. Set `store` above to a results store
# to see yours (`00_quickstart` writes one).

# %%
if store is not None:
    with Store(store) as db:
        results = db.results()
    display(wb.score_table(results, by="paradigm", store=store))
