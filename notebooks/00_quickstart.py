# %% [markdown]
# # Quickstart: evaluate model outputs and read pass@1
#
# A code model is scored by running what it wrote: each answer becomes a program with the task's
# tests, runs in a sandbox, and passes or fails. After this notebook you can load tasks and model
# outputs, evaluate them, read pass@1 per language with its uncertainty, and open a failing answer
# to see why it failed.
#
# It runs the workbench's bundled demo: 18 small tasks in McEval format and 72 **synthetic**
# answers from two made-up models (`demo/careful-coder`, `demo/hasty-coder`), written by the
# project to fail in instructive ways. Every answer is executed for real.
#
# **What the demo needs.** Six toolchains, all Debian packages: Python (`python3`), C (`gcc`,
# `libc6-dev`), C++ (`g++`), JavaScript (`nodejs`), Java (`default-jdk-headless`) and Shell (`bash`,
# `bc`), plus `bubblewrap` for the sandbox. The next cell checks them. When one is missing, run
# `make demo` (as root on Debian/Ubuntu it installs them) or
# `workbench toolchains install --languages Java`, or install the listed packages with your
# package manager, then restart the kernel. Answers of a missing language are judged
# `toolchain_missing` — never failures — and left out of the scores.

# %%
import tempfile
from pathlib import Path

import pandas as pd

import workbench as wb
from workbench import missing_tools, toolchain_version

pd.set_option("display.max_colwidth", 120)

# %% tags=["parameters"]
data = wb.DEMO_DATA  # a McEval folder (e.g. $MCEVAL_DATA) for the real benchmark
samples_path = wb.DEMO_DATA / "samples.jsonl"  # your model's outputs
# One store for this session, made once: rerunning a cell below reuses its verdicts.
store = Path(tempfile.mkdtemp()) / "quickstart.duckdb"

# %% [markdown]
# To run the real benchmark instead, set `data` to your McEval folder (the value of
# `MCEVAL_DATA`, or `workbench.inputs.tasks.default_data_dir()`) and `samples_path` to your outputs:
# the official evaluator's layout (a folder of `<Lang>.jsonl`) or flat JSONL (`task_id`, `model`,
# `sample_index`, `raw_generation`). The real outputs in
# `../shared/model-outputs/mceval-examples/generation/C.jsonl` are a good first try.

# %%
samples = wb.load_samples(samples_path)
languages = sorted({task_id.split("/")[0] for task_id in samples["task_id"]})
tasks = wb.load_tasks(data, languages=languages)
pd.DataFrame(
    {
        "version": [toolchain_version(name) for name in languages],
        "missing": [", ".join(missing_tools(wb.get_language(name))) for name in languages],
        "Debian packages": [" ".join(wb.get_language(name).debian_packages) for name in languages],
    },
    index=languages,
)

# %% [markdown]
# Each sample keeps the model's raw text. `prepare` shows the code the workbench takes from it and
# the program it will run: the prompt's imports, the answer, then the task's test.

# %%
prepared = wb.prepare(samples, tasks)
example = prepared.iloc[4]
print(f"{example['task_id']} by {example['model']}: {example['note']}")
print(f"──── code taken from the answer ({example['extraction']}), then the test:")
print(example["program"])

# %% [markdown]
# ## Evaluate
#
# `evaluate` runs every sample in parallel (one job per core), commits each verdict to a DuckDB
# store as it finishes, and reuses stored verdicts for identical programs. Run this cell again:
# the store, made once above, already holds the verdicts, so the rerun takes them from it
# (`cached` is True) instead of executing anything; only verdicts about the machine (a missing
# toolchain) are checked anew.

# %%
results = wb.evaluate(samples, tasks, store=store, limits={"run_timeout": 5.0})
results.groupby(["model", "status"]).size().unstack(fill_value=0)

# %% [markdown]
# ## pass@1 per language
#
# pass@1 is the share of answers that pass, averaged per task and then over the language's tasks;
# the overall `AVG` is the plain mean over languages, as in the McEval paper. Every score here is
# in percent, with its 95% interval over tasks in brackets: with 3 tasks per language the
# intervals are wide, which is the honest message of a small demo (`05_pass_at_k` explains them).
#
# Each score is given twice, side by side: under the benchmark's rules, and with the tasks known
# to be defective set aside (a test that fails a correct answer: `docs/dataset-defects.md`). The
# note under the table lists the tasks the second reading left out, or says that none of them is
# among these results — as here: the demo's tasks are its own.

# %%
scores = wb.score_table(results, store=store)
scores

# %%
wb.pass_at_1_chart(scores.table, "Demo: pass@1 per language", subtitle="synthetic outputs")

# %% [markdown]
# **What to look at.** The two demo models differ on purpose: `careful-coder` writes correct code
# and misses only two subtle edge cases, while `hasty-coder` makes the mistakes of a rushed
# answer — code that does not compile, an endless loop, an unchecked empty input, an off-by-one —
# so its bars sit far below the careful model's in every language. Read the intervals in the
# table above before the bars: a language here has only 3 tasks, so one task more or less solved
# moves its pass@1 by a third, and its 95% interval spans more than half of the 0–100 range. Per
# language the two models' intervals overlap; only `AVG`, over all 18 tasks, is narrow enough to
# separate them. The real benchmark has 50 tasks per language, and `05_pass_at_k` shows how the
# intervals shrink as tasks are added.

# %% [markdown]
# ## Why did answers fail?
#
# Every failing answer gets a **cause** — more specific than its status — and the line of output
# that shows it. For both models:

# %%
failures = results[results["status"] != "passed"]
failures.groupby(["cause", "model"]).size().unstack(fill_value=0)

# %%
failures[["model", "task_id", "sample_index", "status", "cause", "cause_detail", "error_line"]]

# %% [markdown]
# ## One failure in full
#
# Everything needed to see why: the verdict, the program that ran — the model's code followed by
# the task's test — and what the program printed on stderr.

# %%
one = failures[failures["cause"] == "index_out_of_range"].iloc[0]
print(f"{one['task_id']} #{one['sample_index']} by {one['model']}: {one['status']}, {one['cause']}")
print(f"reason: {one['reason']}\n──── stderr\n{one['stderr']}")
print("──── program (model's code, then the test)")
print("\n".join(f"{n:3} {line}" for n, line in enumerate(one["program"].splitlines(), 1)))

# %% [markdown]
# ## Can these numbers be trusted?
#
# A wrong number that nothing warns about is worse than no number: a toolchain broken in a
# container, answers no extractor can read, a time limit too tight for the machine. So every
# `evaluate` with a store also judges a few **controls** — the canonical solutions of two tasks
# per language and task kind, known to pass — with the same sandbox and limits, always executed,
# never taken from the cache, and never counted in any pass@k. `wb.health` reads them, with the
# samples' own verdicts, and says what looks wrong (docs/health.md lists the six checks). Ask
# `evaluate` for the controls' rows with `with_controls=True`:

# %%
checked = wb.evaluate(samples, tasks, store=store, limits={"run_timeout": 5.0}, with_controls=True)
controls = checked[checked["row_kind"] == "control"]
print(f"{len(controls)} controls, {controls['status'].eq('passed').sum()} passed")
findings = wb.health(checked)
findings if len(findings) else "no findings: every check passed"

# %% [markdown]
# ### A broken environment, caught
#
# Now break C's compiler on purpose. `wb.broken_toolchain("C")` puts, for the duration of the
# block, a `gcc` first on the `PATH` the sandbox uses: it fails like a half-removed package ("error
# while loading shared libraries") but still prints the real version, so the cache keys are
# yesterday's. Nothing on the machine changes, and it reaches only this kernel's local runs. The
# samples' verdicts come back from the store — pass@1 is exactly what it was — but the controls
# are judged again, and fail:

# %%
with wb.broken_toolchain("C"):
    broken = wb.evaluate(
        samples, tasks, store=store, limits={"run_timeout": 5.0}, with_controls=True
    )
broken.groupby(["row_kind", "language"])["status"].value_counts().unstack(fill_value=0)

# %%
findings = wb.health(broken)
findings[["severity", "rule", "language", "task", "message"]]

# %% [markdown]
# An `error` finding means that language's numbers measure the machine, not the model. Tables of
# pass@1 mark such a language (hover over its row for why; the message is also below the table),
# and `FailureBrowser` names it beside its count:

# %%
scores = wb.pass_at_k_table(broken)
wb.mark_languages(scores.pivot(index="language", columns="model", values="pass_at_1"), findings)

# %% [markdown]
# Outside the block the compiler is whole again: the next run's controls pass and the finding is
# gone. (Verdicts judged *while* a toolchain was broken would be in the cache: evaluate again with
# `cache=False` — `--no-cache` — after fixing it.) From a terminal, `workbench health --store S`
# prints the same findings and exits 1 when one is an error, so a script can refuse the numbers.

# %%
fixed = wb.evaluate(samples, tasks, store=store, limits={"run_timeout": 5.0}, with_controls=True)
findings = wb.health(fixed)
findings if len(findings) else "no findings: every check passed"
