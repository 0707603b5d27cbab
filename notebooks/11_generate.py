# %% [markdown]
# # Generate samples with a model, then evaluate them
#
# The other notebooks evaluate outputs that already exist. This one makes them: it sends McEval's
# prompts to a transformers causal language model, writes the answers in the official evaluator's
# layout, and evaluates them. After it you can run any model from the Hugging Face hub or a local
# folder on a slice of McEval, on a laptop CPU or a GPU, and read its pass@1.
#
# **The default model is a toy**, built here in seconds because nothing can be downloaded in CI:
# a two-layer GPT-2 with random weights and a tokenizer trained on the tasks' own text. Its
# answers are random tokens, so every one fails; it shows the pipeline, not a score. For a real
# run set `model` to a hub id (for example `"Qwen/Qwen2.5-Coder-1.5B-Instruct"`) or a folder,
# and raise `max_new_tokens` to 512 or more.

# %%
import tempfile
from pathlib import Path

import pandas as pd

import workbench as wb
from workbench import default_data_dir, shared_path, toy_model

pd.set_option("display.max_colwidth", 100)


# %% tags=["parameters"]
model = None  # a hub id or a model folder; None builds the toy model
task, languages, limit = "generation", ["C", "Python"], 2  # tasks: the first `limit` per language
max_new_tokens = 32
data = default_data_dir() or shared_path("mceval")  # $MCEVAL_DATA, else ../shared/mceval
# answers go to out/<model name>/<Lang>.jsonl (and resume from there)
out = Path(tempfile.mkdtemp())

# %% [markdown]
# ## The tasks and the model

# %%
tasks = wb.load_tasks(data, task=task, languages=languages).groupby("language").head(limit)
if model is None:
    model = toy_model(
        out / "models" / "toy-gpt2", list(tasks["instruction"]) + list(tasks["prompt"])
    )
print(f"{len(tasks)} tasks; model: {model}")

# %% [markdown]
# ## Generate
#
# Each task's instruction is sent through the model's chat template when it has one; prompts are
# decoded in batches, longest first, greedily (temperature 0, the paper's setting). Every batch is
# appended to a folder in `out` named after the model as it finishes, with the settings beside it: run the cell again and what is
# already there is not generated again.

# %%
samples = wb.generate(model, tasks, max_new_tokens=max_new_tokens, out=out / Path(str(model)).name)
samples[["task_id", "model", "sample_index", "raw_generation"]]

# %% [markdown]
# What was sent for the first task, exactly, and what came back:

# %%
first = samples.iloc[0]
print(first["model_input"], "\n──── answer\n", first["raw_generation"], sep="")

# %% [markdown]
# ## Evaluate
#
# The samples are a DataFrame as `load_samples` reads them (and the files in `out` are what
# `workbench evaluate --samples` reads), so evaluation is the same call as for any model's outputs.

# %%
results = wb.evaluate(samples, tasks)
results[["task_id", "status", "cause", "extraction"]]

# %%
wb.score_table(results)

# %% [markdown]
# **What to look at.** With the toy model every answer fails, most as `extraction_failed` or a
# compile error: random tokens are no program. With a real model, read the causes as in
# `03_failure_analysis` (`wb.FailureBrowser(results)` works on these results too), and compare two
# models as in `04_comparing_models`. From the command line the same run is
# `workbench run --model M --task generation --languages C Python --limit 2`.
