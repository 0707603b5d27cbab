# %% [markdown]
# # From a model's text to a verdict
#
# A model answers a coding task with text: prose, one or more fenced code blocks, sometimes bare
# code. Before anything can pass or fail, the workbench has to find the code in that text, build
# a complete program around it, run it safely, and name the outcome. After this notebook you can
# follow one answer through every step, read the nine statuses and the reason behind each, set
# limits, explain why a timeout is never a pass, and check with `doctor` what this machine can run.
#
# It uses the workbench's bundled demo tasks (McEval format) and runs everything for real, in the
# sandbox, with the Python and Shell toolchains.

# %%
from dataclasses import asdict

import pandas as pd

import workbench as wb
from workbench import (
    build_program,
    canonical_times,
    extract_code,
    fences,
    language_statuses,
    task_limits,
    teaching,
)

# %% tags=["parameters"]
data = wb.DEMO_DATA  # a McEval folder works the same way
task_id = "Python/2"
run_timeout = 2.0  # seconds: short, so that the endless programs below stop quickly

# %% [markdown]
# ## 1. The task
#
# A McEval task holds an `instruction` for the model, a `prompt` (the function's signature and
# docstring), the `entry_point` (the function's name) and a `test` that calls it.

# %%
tasks = wb.load_tasks(data, languages=[task_id.split("/")[0]])
task = tasks[tasks["task_id"] == task_id].iloc[0]
language = wb.get_language(task["language"])
print(task["instruction"], "\n──── test\n", task["test"], sep="")

# %% [markdown]
# ## 2. The model's text
#
# Here is a real kind of answer: an explanation, the function in a fence, and a usage example in
# a second fence. Only one of the blocks is the answer.

# %%
samples = wb.load_samples(data / "samples.jsonl")
raw = samples.loc[samples["task_id"] == task_id, "raw_generation"].iloc[0]
print(raw)

# %% [markdown]
# ## 3. Extraction: which code is the answer?
#
# `extract_code` looks at every fenced block and prefers, in order: the first block tagged for the
# language (or untagged) that **defines the entry point**; any block that does; the first block
# tagged for the language; the first block; the bare text when there is no fence. The method it
# used is recorded with every result (`extraction`), so a surprising verdict can be traced here.

# %%
for block in fences(raw):
    print(f"fence tagged {block.tag!r}: {block.code.splitlines()[0]} …")
found = extract_code(raw, language, task["entry_point"])
print(f"\nchosen by {found.method}:\n{found.code}")

# %% [markdown]
# ## 4. Assembly: the program that runs
#
# McEval's tests call the function, so the program is: the prompt's import lines the answer lacks,
# the answer (its own `if __name__ == "__main__":` block removed — the test brings its own), then
# the task's test. The answer's own function is kept as written; only what it lacks is added.

# %%
program = build_program(task, found.code)
print(program)

# %% [markdown]
# ## 5. Execution: the recipe, the sandbox, the verdict
#
# Each language's recipe is declared in `workbench/registry/<language>.toml`: its steps (compile
# and run commands), rules that read the output (which error means which status), its limits and
# its Debian packages. Python has one run step; C compiles first:

# %%
for name in ("Python", "C"):
    lang = wb.get_language(name)
    print(f"{name}: " + " → ".join(f"{s.kind}: {' '.join(s.command)}" for s in lang.steps))
    for rule in lang.rules:
        print(f"   output /{rule.pattern.pattern[:70]}/ ⇒ {rule.status}")
print(language.limits)

# %% [markdown]
# `execute` runs the program in a fresh work folder under bubblewrap: read-only system, no
# network, its own process space, a throw-away user, limits on memory, processes, file size,
# output and time. The verdict keeps everything needed to see why:

# %%
limits = language.limits.scaled(run_timeout=run_timeout)
verdict = wb.execute(wb.Program(language.name, program, task_id=task_id), limits)
print(f"status: {verdict.status}\nreason: {verdict.reason}\nsandbox: {verdict.sandbox}")
print(f"run step: {verdict.run_seconds:.2f} s")
pd.DataFrame([asdict(step) for step in verdict.steps])

# %% [markdown]
# ## 6. The nine statuses
#
# | status | meaning |
# |---|---|
# | `passed` | every step succeeded and the test's checks held |
# | `failed` | a wrong answer: an assertion of the test failed |
# | `compile_error` | the program does not compile (for Python: does not parse) |
# | `runtime_error` | it crashed: an exception, a signal, a non-zero exit not caused by a check |
# | `timeout` | a step ran past its time limit |
# | `memory_limit` | it needed more memory than allowed |
# | `output_limit` | it printed more than allowed |
# | `toolchain_missing` | this machine cannot run the language (about the machine) |
# | `infrastructure_error` | the sandbox itself failed (about the machine) |
#
# The last two say nothing about the model: they are left out of every pass@k denominator and
# never cached, so a rerun on a better-equipped machine judges those samples. Small programs show
# the others, each judged by the same machinery:

# %%
programs = {
    "passed": "assert sorted([3, 1, 2]) == [1, 2, 3]",
    "failed": "assert sorted([3, 1, 2]) == [3, 2, 1]",
    "compile_error": "def f(:\n    pass",
    "runtime_error": "print([1, 2, 3][5])",
    "timeout": "while True:\n    pass",
    "memory_limit": "block = bytearray(10**10)",
    "output_limit": "while True:\n    print('spam')",
}
verdicts = {want: wb.execute(wb.Program("Python", code), limits) for want, code in programs.items()}
verdicts["toolchain_missing"] = wb.execute(wb.Program("Swift", 'print("hi")'))
pd.DataFrame(
    [{"expected": want, "status": v.status, "reason": v.reason} for want, v in verdicts.items()]
)

# %% [markdown]
# ## 7. Why a timeout is never a pass
#
# Some test programs signal failure only by exiting non-zero. The official McEval evaluator counts
# a Shell or Common Lisp program that runs out of time as a *pass*, so an answer that loops
# forever scores like a correct one. The workbench judges it `timeout`, in every language:

# %%
endless = wb.execute(
    wb.Program("Shell", "while true; do :; done"),
    wb.get_language("Shell").limits.scaled(run_timeout=run_timeout),
)
print(endless.status, "—", endless.reason)

# %% [markdown]
# ## 8. Limits that fit the task
#
# The registry's run limit is a floor. A slow language or a heavy test can legitimately take
# longer, so each task's run limit is raised to 5 × its canonical solution's measured run time
# when that is longer (`workbench verify --write-times` measures them), up to 120 s. An endless
# loop still ends as `timeout`; a correct but slow JVM answer does not.

# %%
times = canonical_times()
for tid in ["Python/1", "JavaScript/41", "TypeScript/41", "Go/30"]:
    lang = wb.get_language(tid.split("/")[0])
    print(
        f"{tid:14} canonical {times.get(tid, 0):5.2f} s, floor {lang.limits.run_timeout:4.0f} s "
        f"⇒ run limit {task_limits(lang, tid).run_timeout:5.1f} s"
    )

# %% [markdown]
# ## 9. What can this machine run? `doctor`
#
# `workbench doctor` (and this table) lists every language: `ready` with its toolchain version,
# `missing` with the Debian packages to install, `no_recipe` for a toolchain the registry has no
# steps for yet, or `no_debian_toolchain` for the six languages Debian does not package (Julia,
# Swift, Dart, PowerShell, F#, Visual Basic). When one you need is
# missing: `make toolchains` (as root on Debian/Ubuntu) or
# `workbench toolchains install --languages NAME` installs it; elsewhere, install the listed
# packages with your system's package manager. Samples of a missing language are
# `toolchain_missing`, never failures.

# %%
doctor = pd.DataFrame(map(asdict, language_statuses()))
print(doctor["status"].value_counts().to_string())
doctor[doctor["status"] != "ready"][["language", "status", "detail", "debian_packages"]]

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell for your answer (replace the `...`), a hidden solution (click the
# collapsed cell to see it) and a check that judges your answer with the real sandbox. The solution
# cell fills in the answer only while yours is still `...`: running everything then checks the
# solution and says so (a ✓ is for your own answers only), and your own answer is never
# overwritten.
#
# **Exercise 1.** This model named its function `compress` instead of `compress_runs`. Which
# extraction method will pick the code: `"fence:entry"`, `"fence:language"`, `"fence:first"` or
# `"bare"`? (Then think about which status the program will get.)

# %%
renamed = """Here you go:

```python
print(compress("aaab"))  # a3b
```

```python
from itertools import groupby


def compress(text):
    return "".join(c if len(r := list(g)) == 1 else f"{c}{len(r)}" for c, g in groupby(text))
```"""
method = ...

# %% jupyter={"source_hidden": true}
# Solution: no block defines compress_runs, so the first python block wins
method = teaching.solution(method, "fence:language", exercise="1")

# %%
teaching.check_value(
    method,
    extract_code(renamed, language, task["entry_point"]).method,
    exercise="1",
    hint="no block defines the entry point compress_runs; read the preference order in step 3.",
)

# %% [markdown]
# **Exercise 2.** Write an answer to the task (as a model would, in a fence) that the workbench
# judges `timeout`.

# %%
answer_timeout = ...

# %% jupyter={"source_hidden": true}
# Solution
answer_timeout = teaching.solution(
    answer_timeout,
    "```python\ndef compress_runs(text):\n    while True:\n        pass\n```",
    exercise="2",
)

# %%
teaching.check_status(
    answer_timeout,
    task,
    "timeout",
    exercise="2",
    limits={"run_timeout": run_timeout},
    hint="the function has to define compress_runs and never return.",
)

# %% [markdown]
# **Exercise 3.** Write an answer that is judged `failed` — a wrong answer — and not
# `runtime_error`. What is the difference for the test?

# %%
answer_failed = ...

# %% jupyter={"source_hidden": true}
# Solution: it runs, but returns a wrong string
answer_failed = teaching.solution(
    answer_failed, "```python\ndef compress_runs(text):\n    return text\n```", exercise="3"
)

# %%
teaching.check_status(
    answer_failed,
    task,
    "failed",
    exercise="3",
    limits={"run_timeout": run_timeout},
    hint="return a wrong string instead of raising: the test's assert then fails (AssertionError).",
)
