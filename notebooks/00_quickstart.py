# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Quickstart: evaluate model outputs on McEval tasks
#
# This notebook runs the workbench's bundled demo: 18 small tasks in McEval format (Python, C, C++,
# JavaScript, Java, Shell) and 72 **synthetic** answers from two made-up models, written by the project to
# fail in instructive ways. Every answer is executed for real, in a sandbox, with the language's toolchain.
#
# The same calls work on the real benchmark: pass a McEval folder (or `hf://Multilingual-Multimodal-NLP/McEval`)
# to `load_tasks` and your model's outputs to `load_samples`.

# %%
import tempfile
from pathlib import Path

import workbench as wb

# One store for this session, made once: rerunning a cell below reuses its verdicts.
store = Path(tempfile.mkdtemp()) / "quickstart.duckdb"
tasks = wb.load_tasks(wb.DEMO_DATA, languages=["Python", "C", "CPP", "JavaScript", "Java", "Shell"])
samples = wb.load_samples(wb.DEMO_DATA / "samples.jsonl")
tasks[["task_id", "level", "entry_point"]].head(6)

# %% [markdown]
# Each sample keeps the model's raw text; `prepare` shows what the workbench extracts from it and the
# program it will run (prompt imports + answer + the task's test).

# %%
prepared = wb.prepare(samples, tasks)
example = prepared.iloc[2]
print(example["note"])
print("--- extracted by", example["extraction"])
print(example["program"])

# %% [markdown]
# ## Evaluate
#
# `evaluate` runs every sample in parallel (one job per core), commits each verdict to a DuckDB store as it
# finishes, and reuses stored verdicts for identical programs. Run this cell again:
# the store, made once in the first cell, already holds the verdicts, so the rerun takes them from it
# (`cached` is True) instead of executing anything; only verdicts about the machine (a missing
# toolchain) are checked anew.

# %%
results = wb.evaluate(samples, tasks, store=store, limits={"run_timeout": 5.0})
results.groupby(["model", "status"]).size().unstack(fill_value=0)

# %% [markdown]
# ## pass@1 per language
#
# The overall score is the plain mean over languages, as in the McEval paper.

# %%
table = wb.pass_at_k_table(results)  # pass@1 with 95% Wilson intervals
table.pivot(index="language", columns="model", values="pass_at_1").round(3)

# %%
wb.pass_at_1_chart(table, "Demo: pass@1 per language (synthetic outputs)")

# %% [markdown]
# ## Why did a sample fail?
#
# Each result row keeps the status, the reason, stdout/stderr tails and timings.

# %%
failures = results[results["status"] != "passed"]
failures[["task_id", "model", "sample_index", "status", "reason"]].head(10)
