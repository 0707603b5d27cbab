"""Per language (every installed one): a fixed sample of canonical solutions passes, and mutated
canonical solutions — a syntax error, an endless loop, a wrong result — get the right status.

CI runs this sample; the full canonical sweep is `workbench verify --report docs/verification.md`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import require_toolchain, toolchains
from workbench.execution.execute import execute
from workbench.execution.records import Program
from workbench.inputs.tasks import load_tasks
from workbench.programs.mutants import mutants
from workbench.registry.languages import all_languages

SAMPLE = 5  # canonical solutions per language in CI
LOOP_TIMEOUT = 4.0
WRONG_TRIES = 16

JUDGED = [lang.name for lang in all_languages() if lang.has_recipe]


def _run(language: str, mutant, support: str | None, reference: str | None, limits=None):
    program = Program(
        language, mutant.program, Path(support) if support else None, mutant.task_id, reference
    )
    return mutant, execute(program, limits)


# Python's under `make check`; every language's (seconds each) under `make test`.
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            n, marks=[*toolchains(n), *([pytest.mark.slow] if n != "Python" else [])], id=n
        )
        for n in JUDGED
    ],
)
def test_canonical_sample_and_mutants(mceval_dir, name):
    language = next(lang for lang in all_languages() if lang.name == name)
    require_toolchain(name)
    tasks = load_tasks(mceval_dir, languages=[name])
    # Skip canonical solutions the registry records as impossible here (toolchain limits).
    tasks = tasks[~tasks["task_id"].isin(language.known_failures)]
    tasks = tasks.head(SAMPLE).to_dict("records")
    by_kind: dict[str, list] = {"good": [], "syntax": [], "loop": [], "wrong": []}
    for task in tasks:
        for mutant in mutants(task):
            by_kind[mutant.kind].append((mutant, task))
    loop_limits = language.limits.scaled(run_timeout=min(language.limits.run_timeout, LOOP_TIMEOUT))
    jobs = [(m, t, None) for m, t in by_kind["good"]]
    jobs += [(m, t, None) for m, t in by_kind["syntax"][:1]]
    jobs += [(m, t, loop_limits) for m, t in by_kind["loop"][:1]]
    with ThreadPoolExecutor(2) as pool:
        done = list(
            pool.map(
                lambda job: _run(
                    name,
                    job[0],
                    job[1].get("support_dir"),
                    job[1].get("canonical_solution"),
                    job[2],
                ),
                jobs,
            )
        )
    problems = [
        f"{m.kind} {m.task_id}: {r.status} ({r.reason}) {r.stderr[-300:]!r}"
        for m, r in done
        if r.status not in m.expected
    ]
    assert not problems, "\n".join(problems)
    if language.assembly == "answer_only":
        return
    assert by_kind["loop"], f"{name}: registry has no mutations.loop snippet"
    # A wrong result must be reported as `failed`: try small edits until one changes the result.
    seen = []
    for mutant, task in by_kind["wrong"][:WRONG_TRIES]:
        _, result = _run(name, mutant, task.get("support_dir"), task.get("canonical_solution"))
        seen.append(result.status)
        if result.status == "failed":
            break
    else:
        pytest.fail(f"{name}: no wrong-result mutant was reported as failed; statuses: {seen}")
