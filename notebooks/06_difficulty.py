# %% [markdown]
# # pass@1 by difficulty, per language, with intervals
#
# Every McEval task is labelled easy, middle or hard. The paper draws stacked bars of pass@1 per
# level; they hide how many tasks stand behind each bar and how uncertain it is. After this
# notebook you can evaluate a model's outputs, break pass@1 down by language and level with a 95%
# interval and the number of tasks, and tell a real difference between levels from noise.
#
# The default input is real: the example outputs the official McEval repository ships for its
# evaluator (50 C generation answers of an unnamed model, `../shared/model-outputs/`). Point
# `samples` at your own outputs (the official evaluator's layout or flat JSONL) to analyse yours.

# %%
import tempfile
from pathlib import Path

import workbench as wb
from workbench import default_data_dir, difficulty_chart, difficulty_table, shared_path

# %% tags=["parameters"]
samples_path = shared_path("model-outputs", "mceval-examples", "generation", "C.jsonl")
model = "mceval-example"  # the name the results carry (the example outputs do not name theirs)
data = default_data_dir() or shared_path("mceval")  # $MCEVAL_DATA, else ../shared/mceval
store = Path(tempfile.mkdtemp()) / "difficulty.duckdb"  # a path of yours keeps the verdicts

# %% [markdown]
# ## Evaluate
#
# The tasks are those the samples answer (their languages and task kind); each answer is run
# against its task's tests in the sandbox (C compiles fast, so this cell is quick).

# %%
samples = wb.load_samples(samples_path, model=model)
tasks = wb.load_tasks(
    data, task="generation", languages=sorted({t.split("/")[0] for t in samples["task_id"]})
)
results = wb.evaluate(samples, tasks, store=store)
results.groupby(["language", "level", "status"]).size().unstack(fill_value=0)

# %% [markdown]
# ## pass@1 per language and level
#
# `difficulty_table` is `pass_at_k_table(results, by=["language", "level"])` in the paper's order.
# Each row: the number of tasks, the samples judged, pass@1 and its 95% Wilson interval over tasks
# (in percent here), under the benchmark's rules and with the defective tasks set aside (C/1's
# test contradicts its instruction: the note under the table says so).

# %%
defects = wb.defective_tasks(store)  # the shipped list of defective tasks, and the store's own
table = difficulty_table(results, set_aside=defects)
wb.score_table(results, defects=defects, table=table)

# %%
difficulty_chart(
    table, "pass@1 by difficulty", f"{model}; whiskers: 95% Wilson interval; numbers: tasks"
)

# %% [markdown]
# **What to look at.** The number above each bar is how many tasks it rests on. With 50 tasks per
# language split three ways, a level has 10–30 tasks and its whiskers are tens of points wide, so
# a level with few tasks can look easy or hard by chance. Compare the whiskers, not the bar
# heights: a level whose whisker lies wholly below another's is harder for this model beyond
# noise; levels whose whiskers overlap widely cannot be told apart with this many tasks. The
# level is the dataset authors' judgement of each task, not a measured difficulty. Over all
# languages (`by="level"`) each level pools every language's tasks and its interval narrows:

# %%
wb.score_table(results, by="level", defects=defects)
