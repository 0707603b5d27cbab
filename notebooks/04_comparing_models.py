# %% [markdown]
# # Comparing two models: where do they differ, and is it more than noise?
#
# Two models score 94% and 17%: clearly different. But 52% and 46% on 50 tasks? After this
# notebook you can compare models **sample by sample** on the same tasks, see where each one wins,
# test whether the difference is more than chance with McNemar's exact test, and open the samples
# on which they disagree side by side.
#
# It uses the workbench's bundled demo: two made-up models (`demo/careful-coder`,
# `demo/hasty-coder`) with synthetic answers to the same 18 tasks, 2 samples each, all executed
# for real. Point `samples_path` and `data` at your own outputs (with two or more models) to
# compare yours.

# %%
import tempfile
from pathlib import Path

import pandas as pd

import workbench as wb

pd.set_option("display.max_colwidth", 100)

# %% tags=["parameters"]
data = wb.DEMO_DATA  # a McEval folder for the real benchmark
samples_path = wb.DEMO_DATA / "samples.jsonl"  # outputs of two or more models
model_a, model_b = "demo/careful-coder", "demo/hasty-coder"
store = Path(tempfile.mkdtemp()) / "compare.duckdb"
run_timeout = 2.0  # seconds; the demo's endless loops need no more to be judged timeout

# %%
samples = wb.load_samples(samples_path)
tasks = wb.load_tasks(data, languages=sorted({t.split("/")[0] for t in samples["task_id"]}))
results = wb.evaluate(samples, tasks, store=store, limits={"run_timeout": run_timeout})

# %% [markdown]
# ## Side by side: scores and their intervals
#
# The usual comparison puts two scores side by side, each with its 95% interval over tasks
# (in percent; the `AVG` rows are over all languages). Overlapping intervals do not prove the
# models equal: the intervals ignore that both models answered the *same* tasks. Each score is
# also given with the tasks known to be defective set aside (none of the demo's is).

# %%
wb.score_table(results, store=store)

# %% [markdown]
# ## Sample by sample: four cells and McNemar's test
#
# Pair each sample of A with the same sample of B (same task, same sample index). A pair falls in
# one of four cells: both pass, only A, only B, both fail. Pairs where both agree say nothing about
# which model is better; the test looks only at the **discordant** pairs: if the models were
# equally good, each discordant pair would be a fair coin. McNemar's exact test gives the
# probability of a split at least as uneven as the one seen (the p-value). Pairs with a verdict
# about the machine (`toolchain_missing`) are left out. The table leads with what decides: the
# discordant counts (`only A`, `only B`) and `p`, marked `*` below 0.05; the same again with the
# defective tasks set aside (`aside`); then pass rates and the other counts.

# %%
comparison = wb.compare_models(results, model_a, model_b, set_aside=wb.defective_tasks(store))
wb.comparison_table(comparison)

# %% [markdown]
# **What to look at.** Per language there are only 6 pairs, and a p-value below 0.05 needs at
# least 5 discordant pairs all going one way (a split of 5 to 0 has p = 0.0625, 6 to 0 has
# p = 0.03): a single language rarely decides. Over all languages (`ALL`), the careful model wins
# most discordant pairs, and the p-value is far below 0.05: the difference is not noise. When you
# compare many languages, expect about one in twenty to show p < 0.05 by chance alone.
#
# ## The disagreements
#
# Each discordant pair with the loser's status and error message: where to look first.

# %%
columns = ["language", "task_id", "sample_index", "winner", "status_a", "status_b", "message_b"]
comparison.disagreements[columns]

# %% [markdown]
# ## Open them: the ModelComparison widget
#
# Choose a model pair, click a count in the table (say, the samples only A passed in one
# language), then a sample: both answers and their programs are shown side by side, with each
# verdict and output.

# %%
wb.ModelComparison(store, [model_a, model_b], tasks=tasks)
