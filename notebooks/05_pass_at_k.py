# %% [markdown]
# # pass@1, pass@k and their uncertainty
#
# A benchmark score is an estimate: a model answers each task a few times (samples), each sample
# passes or fails, and the score summarises those verdicts. After this notebook you can say what
# pass@1 and pass@k measure, build the unbiased pass@k estimator yourself and say why the obvious
# formula is wrong, and judge how far a score over 50 tasks per language can be trusted.
#
# Nothing here runs a model: a small simulation plays a model whose tasks pass with known
# probabilities, so every estimate can be compared with the truth. The same functions run on real
# results (`00_quickstart`, `06_difficulty`). Scores are shown in percent.

# %%
import altair as alt
import numpy as np
import pandas as pd

import workbench as wb
from workbench import effective_sample_size, teaching, wilson_interval

# %% tags=["parameters"]
n_tasks = 50  # tasks of the simulated language (McEval has 50 per language)
n_samples = 20  # samples per task
seed = 0

# %% [markdown]
# ## pass@k of one task
#
# **pass@k** is the probability that at least one of k samples passes: what a user who tries k
# answers and keeps a working one would see. With n samples of which c passed, the unbiased
# estimate (Chen et al., 2021) is the chance that k samples drawn from the n without replacement
# are not all failures:
#
# $$\widehat{\text{pass@}k} = 1 - \binom{n-c}{k} \Big/ \binom{n}{k}$$
#
# For k = 1 it is simply c / n. For a task with 3 passing samples out of 20:

# %%
curve = pd.DataFrame({"k": range(1, 21)})
curve["pass@k (%)"] = [100 * wb.pass_at_k(20, 3, k) for k in curve["k"]]
alt.Chart(curve, title="One task, n = 20 samples, c = 3 passed").mark_line(point=True).encode(
    x="k:Q", y=alt.Y("pass@k (%):Q", scale=alt.Scale(domain=[0, 100]))
)

# %% [markdown]
# **What to look at.** pass@1 is 15%; pass@k rises quickly because any of the 3 passing samples
# is enough, and reaches 100% at k = 18, where no draw of 18 samples can miss all three.
#
# ## Why not 1 − (1 − c/n)^k?
#
# It looks natural: estimate the pass rate as c/n, then ask for at least one success in k tries.
# But it is biased: averaged over everything the n samples could have been, it comes out below
# the true pass@k (the formula is concave in c/n). The unbiased estimator has no such error. For
# a task whose samples pass with probability `rate`, n = 10 and k = 5, exactly (no simulation):

# %%
bias = pd.DataFrame(
    [teaching.expected_estimates(rate, n=10, k=5) for rate in (0.05, 0.1, 0.3, 0.6)]
)
bias.set_index("rate").mul(100).round(2).add_suffix(" (%)")

# %% [markdown]
# ## From tasks to a score
#
# A language's pass@k is the mean of its tasks' estimates; the overall score (`AVG`) is the plain
# mean over languages, as in the McEval paper. The simulated model below has tasks of every
# difficulty: most are either easy for it or out of reach, as with real models.

# %%
rates = np.random.default_rng(seed).beta(0.6, 0.6, n_tasks)
results = teaching.simulate_results(rates, n_samples, seed=seed)
print(f"{len(results)} simulated verdicts; the true pass@1 is {100 * rates.mean():.1f}%")
table = wb.pass_at_k_table(results, k=[1, 10])
table.style.format("{:.1%}", subset=list(table.filter(like="pass_at_")))

# %% [markdown]
# **What to look at.** pass@10 is far above pass@1: for a task solved 1 time in 5, one answer
# usually fails but ten rarely all do. The interval columns (`_low`, `_high`) are the 95% Wilson
# interval over tasks: the uncertainty that comes from having *these* 50 tasks and not others.
#
# ## How wide are the intervals?
#
# Each task is one trial, so the width depends on the number of tasks, not on the number of
# samples (more samples only make each task's estimate sharper). At 50 tasks per language:

# %%
widths = pd.DataFrame(
    [
        {
            "tasks": n,
            "pass@1 (%)": 100 * p,
            "width (points)": 100 * (wilson_interval(p, n)[1] - wilson_interval(p, n)[0]),
        }
        for n in (10, 20, 50, 100, 200, 500, 2000)
        for p in (0.1, 0.3, 0.5)
    ]
)
alt.Chart(widths, title="Width of the 95% Wilson interval").mark_line(point=True).encode(
    x=alt.X("tasks:Q", scale=alt.Scale(type="log", domain=[10, 2000])),
    y="width (points):Q",
    color="pass@1 (%):N",
)

# %% [markdown]
# **What to look at.** With 50 tasks a language's pass@1 around 50% is known to about ±13 points;
# two models 10 points apart on one language are not clearly different (`04_comparing_models`
# pairs their samples, which tells more). The average over 40 languages rests on about 2,000
# tasks and is known to about ±2 points. When languages have different numbers of tasks, the
# average weighs each language equally, and Kish's effective number of tasks says how many
# equally weighted tasks that is worth:

# %%
print(f"40 languages of 50 tasks: {effective_sample_size([50] * 40):.0f} effective tasks")
print(f"39 languages of 50 and one of 10: {effective_sample_size([50] * 39 + [10]):.0f}")

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell for your answer (replace the `...`), a hidden solution (click the
# collapsed cell to see it) and a check. The solution cell fills in the answer only while yours is
# still `...`: running everything then checks the solution and says so (a ✓ is for your own
# answers only), and your own answer is never overwritten.
#
# **Exercise 1.** Write `my_pass_at_k(n, c, k)`, the unbiased estimator, with `math.comb` (no
# workbench function). Mind the case where fewer than k samples failed.

# %%
my_pass_at_k = ...


# %% jupyter={"source_hidden": true}
# Solution
def pass_at_k_solution(n: int, c: int, k: int) -> float:
    from math import comb

    return 1.0 if n - c < k else 1.0 - comb(n - c, k) / comb(n, k)


my_pass_at_k = teaching.solution(my_pass_at_k, pass_at_k_solution, exercise="1")


# %%
cases = [(n, c, k) for n in (1, 5, 20) for c in range(n + 1) for k in range(1, n + 1)]
teaching.check_function(
    my_pass_at_k,
    wb.pass_at_k,
    cases,
    exercise="1",
    hint="1 - comb(n - c, k) / comb(n, k); when n - c < k every draw of k holds a passing sample.",
)

# %% [markdown]
# **Exercise 2.** How many tasks does a language need for the 95% interval of a pass@1 of 50% to
# be at most 10 points wide (±5)? Give the smallest number; `narrow_enough(n)` below says whether
# n tasks are enough.


# %%
def narrow_enough(n: int) -> bool:
    low, high = wilson_interval(0.5, n)
    return high - low <= 0.10


tasks_needed = ...

# %% jupyter={"source_hidden": true}
# Solution
tasks_needed = teaching.solution(
    tasks_needed, next(n for n in range(1, 10_000) if narrow_enough(n)), exercise="2"
)

# %%
teaching.check_smallest(
    tasks_needed,
    narrow_enough,
    exercise="2",
    hint="the width shrinks like 1/sqrt(n): 50 tasks give about 27 points, so you need ~7x more.",
)

# %% [markdown]
# **Exercise 3.** From `results` alone (no pass@k function), compute the simulated model's pass@1:
# the mean over tasks of each task's share of passing samples.

# %%
my_pass_at_1 = ...

# %% jupyter={"source_hidden": true}
# Solution
my_pass_at_1 = teaching.solution(
    my_pass_at_1,
    results["status"].eq("passed").groupby(results["task_id"]).mean().mean(),
    exercise="3",
)

# %%
teaching.check_value(
    my_pass_at_1,
    table.loc[table["language"] == "Python", "pass_at_1"].iloc[0],
    exercise="3",
    hint="group the rows by task_id, take the share of 'passed' per task, then the mean of those.",
)
