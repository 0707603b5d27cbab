# %% [markdown]
# # A tour of McEval: tasks, subsets, difficulty, lengths, tests
#
# McEval is a benchmark of 16,000 coding tasks in 40 programming languages, in three task kinds:
# **generation** (write a function from an instruction), **explanation** (describe code, then
# rewrite it from your own description) and **completion** (fill in masked code: a single line,
# several lines, a span, or a "light" span). After this notebook you know what a task record holds,
# how many tasks there are of each kind and level, how long prompts and solutions are per
# language, how tasks are tested, and what an example of each language looks like.
#
# It reads the data from `MCEVAL_DATA`, else `../shared/mceval` (the layout of the Hugging Face
# dataset `Multilingual-Multimodal-NLP/McEval`); without either it falls back to the workbench's
# bundled demo tasks, which use the same format.

# %%
import ipywidgets as widgets

from workbench import DEMO_DATA, counts_chart, dataset, default_data_dir, language_stats_chart

# %% tags=["parameters"]
data = default_data_dir() or DEMO_DATA
language = "Python"  # the language whose example is printed in full

# %% [markdown]
# ## One table of every task
#
# `load_all_tasks` reads every task kind and completion subset into one DataFrame with the same
# columns (`workbench.load_tasks` reads one kind at a time).

# %%
tasks = dataset.load_all_tasks(data)
print(f"{len(tasks)} tasks in {tasks['language'].nunique()} languages from {data}")
tasks.groupby(["task", "subset"], dropna=False).size().rename("tasks").to_frame()

# %% [markdown]
# The fields of a generation task: `instruction` is what a model is asked, `prompt` the code it
# starts from (signature and docstring), `canonical_solution` a reference answer, `test` the code
# that checks an answer, `entry_point` the function under test, `level` the authors' difficulty.

# %%
generation = tasks[tasks["task"] == "generation"]
example = generation[generation["language"] == language].iloc[0]
for field in [
    "task_id",
    "level",
    "entry_point",
    "instruction",
    "prompt",
    "canonical_solution",
    "test",
]:
    print(f"──── {field}\n{example[field]}\n")

# %% [markdown]
# A completion task hides part of the same solution behind `[MASK]`; the model writes the missing
# part and the workbench puts it back before running the same tests.

# %%
completion = tasks[(tasks["task"] == "completion") & (tasks["base_id"] == example["task_id"])]
print(completion[["task_id", "subset"]].to_string(index=False))
print(completion["mask_code"].iloc[0] if len(completion) else "(no completion tasks in this data)")

# %% [markdown]
# ## How many tasks, of which difficulty
#
# Generation and explanation have one task per problem (2,007); the completion subsets cut each
# problem's solution in several places, so they have more. Completion records without a level take
# their generation task's level.

# %%
counts = dataset.dataset_counts(tasks)
counts_chart(counts, "McEval tasks per task kind and level")

# %% [markdown]
# **What to look at.** About 60% of the problems are easy, 20% middle and 20% hard. With 50
# problems per language, a per-language score rests on 50 tasks, and a per-language, per-level
# score on 10–30 (`06_difficulty` shows what that means for the uncertainty).
#
# ## Lengths and tests per language
#
# Prompt and solution lengths in tokens (a Llama-3 tokenizer when one is cached locally, else a
# simple regex tokenizer: the chart names which), and the number of test cases per task: lines of
# the test that assert something, or rows of a table of cases.

# %%
stats = dataset.language_stats(generation, dataset.get_tokenizer())
language_stats_chart(stats, "McEval generation tasks per language", stats["tokenizer"].iloc[0])

# %% [markdown]
# **What to look at.** HTML, JSON and Markdown have no solution length: their reference answers
# are files, and an answer is compared with the reference instead of executed (so is AWK's output:
# one "case" each). Most languages check 3–9 cases per task; a task with one or two cases accepts
# more wrong answers. The count is a heuristic read from the test code (`docs/figures.md` says
# how), close to the paper's Figure 1 for most languages.
#
# ## An example per language
#
# Pick a language to see its first generation task:

# %%
pick = widgets.Dropdown(options=sorted(generation["language"].unique()), value=language)
shown = widgets.Output()


def show(change: dict | None = None) -> None:
    row = generation[generation["language"] == pick.value].iloc[0]
    shown.clear_output()
    with shown:
        print(f"{row['task_id']} ({row['level']})\n\n{row['instruction']}\n\n{row['test']}")


pick.observe(show, names="value")
show()
widgets.VBox([pick, shown])
