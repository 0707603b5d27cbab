"""Canonical solutions as samples: each task answered with its own canonical solution, as
``workbench verify`` judges them (the self-check of the pipeline) and as every run's controls
are (``controls.py``); and the registry's record of the canonical solutions that cannot pass
here (``known_failures``)."""

from __future__ import annotations

import pandas as pd

from workbench.programs.assemble import reference_answer, task_prompt
from workbench.programs.extract import defines
from workbench.registry.languages import get_language, language_of_task

# The model name of canonical solutions judged as samples (verify, the runs' controls).
CANONICAL_MODEL = "canonical"


def canonical_answers(tasks: pd.DataFrame) -> pd.DataFrame:
    """One sample per task: the canonical solution as a model would answer (the whole function:
    prompt + canonical body), or the reference answer for languages judged by comparison."""
    answers = []
    for task in tasks.to_dict("records"):
        language = get_language(task["language"])
        if language.assembly == "answer_only":
            answers.append(reference_answer(task))
            continue
        whole = f"{task_prompt(task)}\n{task['canonical_solution']}"
        # Without a definition pattern the whole function would be mistaken for a body.
        answers.append(whole if defines(language, whole, task.get("entry_point")) else None)
    frame = tasks[["task_id"]].copy()
    frame["model"] = CANONICAL_MODEL
    frame["sample_index"] = 0
    frame["raw_generation"] = None
    frame["completion"] = answers
    frame["source_file"] = tasks["source_file"].values
    frame["source_line"] = tasks["source_line"].values
    return frame


def canonical_samples(tasks: pd.DataFrame) -> pd.DataFrame:
    """``canonical_answers``, with prompt + canonical + test joined as the benchmark joins them
    where no definition pattern tells an answer from a body: ready for ``evaluate``."""
    samples = canonical_answers(tasks)
    whole = samples["completion"].notna()
    if not whole.all():
        from workbench.programs.assemble import canonical_program

        samples.loc[~whole, "completion"] = [
            canonical_program(t) for t in tasks[~whole.values].to_dict("records")
        ]
    return samples


def known_failure(task_id: str) -> dict[str, str] | None:
    """The registry's record of why a canonical solution cannot pass here, if it has one."""
    language = language_of_task(task_id)
    base = task_id.split("-", 1)[0]  # completion ids: Scala/5-0-light-span -> Scala/5
    return language.known_failures.get(task_id) or language.known_failures.get(base)
