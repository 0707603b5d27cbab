# %% [markdown]
# # Why did this model fail?
#
# A pass@1 of 55% says how often a model is right, not what goes wrong the rest of the time. After
# this notebook you can evaluate a model's outputs, count its failures by **cause** (syntax, an
# undefined name, a wrong answer, a timeout, …), group its error messages into clusters that are
# the same error, and browse the failing samples one by one — answer, program, test and output
# side by side — to decide what to fix or report.
#
# The outputs are real: the 150 example answers the official McEval repository ships for its
# evaluator (C generation, explanation stage 2 and completion light; the model is not named), in
# `../shared/model-outputs/mceval-examples/`. Point `outputs` at your own model's folder to analyse
# yours.

# %%
import pandas as pd

import workbench as wb
from workbench import default_data_dir, outputs_dir, shared_path, tasks_for_samples

pd.set_option("display.max_colwidth", 100)


# %% tags=["parameters"]
# <kind>/<Lang>.jsonl, the official layout
outputs = shared_path("model-outputs", "mceval-examples")
kinds = ["generation", "explanation", "completion"]
model = "mceval-example"  # the name the results carry (the example outputs do not name theirs)
data = default_data_dir() or shared_path("mceval")  # $MCEVAL_DATA, else ../shared/mceval
# Verdicts, notes and tags are kept here, across kernels: the project's outputs/ folder (git
# ignores it; $WORKBENCH_OUTPUTS moves it). Name another file to start afresh.
store = outputs_dir() / "failure_analysis.duckdb"

# %% [markdown]
# ## Evaluate
#
# Each file is read as the official evaluator's input (task records plus `raw_generation`); the
# task kind of each sample comes from its id and fields (completion ids end in `-light-span`), and
# `tasks_for_samples` loads the tasks of every kind present.

# %%
samples = pd.concat(
    [
        wb.load_samples(path, model=model)
        for kind in kinds
        for path in sorted((outputs / kind).glob("*.jsonl"))
    ],
    ignore_index=True,
)
tasks = tasks_for_samples(samples, data)
results = wb.evaluate(samples, tasks, store=store)
wb.score_table(results, by="task", store=store)

# %% [markdown]
# pass@1 per task kind, in two readings side by side: under the benchmark's rules, and with the
# tasks known to be defective set aside. C/1 is one: its test expects "Ma**sss**ively" where its
# instruction says "Massively", and this model wrote what it was asked (the note under the table
# names it). Set a task aside yourself from the FailureBrowser below, with your reason.

# %% [markdown]
# ## What kind of failure? Causes
#
# Every non-passing sample gets a cause, read from its toolchain's output by the rules in its
# language's registry file (`docs/causes.md`): more specific than the status, and the same names
# in every language. `extraction_failed` means the workbench found no code to run in the answer.

# %%
failures = results[results["status"] != "passed"]
pd.crosstab(failures["cause"], failures["task"], margins=True, margins_name="all")

# %% [markdown]
# **What to look at.** Most failures are `wrong_answer`: the program ran and a check of the test
# did not hold — the model misunderstood or mis-implemented the task. Compile-time causes
# (`syntax`, `undefined_name`, `missing_import`, `type_error`) are cheaper to fix: a better prompt
# or post-processing removes many of them. Some causes are read from the answer itself:
# `wrong_language` (another language, detail: which), `incomplete` (cut off inside its code),
# `prompt_echo` (it repeats the test or the prompt), `extra_code` (its own prints or tests fail).
#
# ## As scored and after repair
#
# Part of a gap between models can be the harness's business rather than the model's: a standard
# import the answer forgot, a body indented wrong, prose left in the code, the answer's own prints.
# `repair_store` applies a few such mechanical repairs to the failing samples (each one named in
# `docs/causes.md`), reruns the repaired programs in the sandbox and stores their verdicts as rows
# of their own kind beside the scored ones, which never change. `repair_scores` sets pass@1 as
# scored beside pass@1 after repair; a sample no repair applies to keeps its scored verdict.

# %%
repaired = wb.repair_store(store, tasks, progress=False)
print(f"{len(repaired)} failing samples changed by a repair and run again")
repaired[["task", "task_id", "repairs", "scored_status", "status", "cause"]]

# %%
with wb.Store(store) as db:
    every_run = db.results(kinds=None)  # the scored rows and the repaired ones
after = wb.repair_scores(every_run)
after[["model", "language", "n_tasks", "pass_at_1", "pass_at_1_after_repair", "n_recovered"]]

# %% [markdown]
# On the official repository's example C outputs the two columns agree: their failures are wrong answers, Python answers and
# names the model got wrong, which no mechanical edit fixes — the gap is the model's, not the
# harness's. On outputs with forgotten imports or stray prints, the "after" column shows what
# they cost.
#
# ## Which errors are the same error? Clusters of messages
#
# One message per failing sample (the line the cause rule found, else the first error-like line
# of the output), with what varies between samples — line numbers, names, quoted text — replaced
# by placeholders, then near-identical templates merged. Each cluster comes with its count, its
# share of the group's failures and example samples.

# %%
modes = wb.failure_modes(results, by=["task"])
shown = modes[["task", "cluster", "count", "share", "status", "cause", "template"]].head(12)
shown.style.format({"share": "{:.0%}"})

# %% [markdown]
# The most frequent message of each cluster in full, with the samples that show it:

# %%
for row in modes.head(4).itertuples():
    keys = ", ".join(f"{e['task_id']} #{e['sample_index']}" for e in row.examples)
    print(f"[{row.task}, cluster {row.cluster}, {row.count} samples] {row.message}\n   e.g. {keys}")

# %% [markdown]
# ## Opening wrong answers: every check, expected against actual
#
# A test stops at its first failing check, so a wrong answer says only *that* it is wrong, and
# its message says how the test was written (`Assertion … failed`), not how the answer went
# wrong. `checks=True` runs the failing samples a second time with their test rewritten so that
# **every** check is judged and reports the two values it compared (docs/checks.md); the
# verdicts stay the scored ones, and the plain run is served from the store. Each failing sample
# gains `checks_passed` of `checks_total`, its first failing check's `expected` and `actual`,
# and each wrong answer a `miss`: `off_by_one`, `sign`, `precision`, `formatting`, `type`,
# `edge_case` (only the edge inputs fail), `partial` or `all_wrong`.

# %%
results = wb.evaluate(samples, tasks, store=store, checks=True)
wrong = results[results["status"] == "failed"]
wrong[["task", "task_id", "checks_passed", "checks_total", "miss", "expected", "actual"]].head(8)

# %% [markdown]
# How many checks did the failing samples pass, and what kinds of miss are the wrong answers?
# (Per model and language; *not opened* counts failures the second run does not judge, such as
# compile errors and timeouts.)

# %%
wb.checks_histogram(results)

# %%
wb.miss_table(results)

# %% [markdown]
# One wrong answer in full: each check in the order it ran, passed or not, with the values it
# compared. The clusters above now group wrong answers by kind of miss and failing check
# (`failure_modes`), and the browser below shows this table in a sample's detail.

# %%
sample = wrong[wrong["checks_total"] > 1].iloc[0]
print(sample["task_id"], sample["miss"])
pd.DataFrame(sample["checks"])[["passed", "check_source", "expected", "actual"]]

# %%
modes = wb.failure_modes(wrong, by=["miss"])
modes[["miss", "count", "template", "message"]].head(8)

# %% [markdown]
# ## Read the failures: the FailureBrowser
#
# Filters at the top narrow the list (each value shows how many rows it would leave; `tag` and
# `noted` filter on your own notes); the search box looks through answers, messages and notes.
# Choose a row and the sample shows beside the list: the instruction, the model's answer with the
# extracted code highlighted, the program that ran with the failing check marked, its difference
# from the canonical solution, and the output; "next sample" walks the list without leaving the
# detail. A sample can be run again, tagged and noted (kept in the store, across kernels), its
# task set aside as defective with a reason, and the matching rows exported (to the `outputs/`
# folder unless you name a path).
#
# Try it: pick the cause `wrong_answer`, then the task kind `completion`, and click a row.

# %%
browser = wb.FailureBrowser(store, tasks=tasks, page_size=12)
browser

# %% [markdown]
# Everything the widget does is also a method, so a filter can be set from code and the rows read
# back as a table — the same rows the widget lists:

# %%
browser.cause.value = ("wrong_answer",)
browser.rows[["task", "task_id", "status", "cause"]].head()
