"""Known-good and known-bad programs built from canonical solutions: the self-test that catches a
broken toolchain (the most common way harnesses score everything zero) and the mutation checks."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from workbench.programs.assemble import canonical_program, join_parts
from workbench.registry.languages import Language, get_language

# A line no language parses: unbalanced brackets of every kind and a stray quote.
SYNTAX_GARBAGE = ')]} ({[ @@@ "unterminated'

# Small edits that change a result without (usually) breaking the program.
_WRONG_EDITS: tuple[tuple[str, str], ...] = (
    (r"(?<![\w.])([1-9])(?![\w.])", "+1"),  # a digit 1-9 standing alone -> digit + 1
    (r"(?<![<>=!])==(?!=)", "!="),
    (r"\btrue\b", "false"),
    (r"\bTrue\b", "False"),
    (r"(?<![<>=-])>(?![>=])", "<"),
    (r"(?<![<>=])<(?![<=-])", ">"),
    (r"\s\+\s", " - "),
)


@dataclass(frozen=True)
class Mutant:
    """A program built from a canonical solution, with the statuses it may legitimately get."""

    kind: str  # good, syntax, wrong, loop
    task_id: str
    program: str
    expected: frozenset[str]


def _insert_in_body(
    body: str, snippet: str, after: str | None = None, before: str | None = None
) -> str:
    """Put ``snippet`` first in the function body: after an opening brace, else indented; the
    registry may say where instead (``loop_after`` / ``loop_before`` regexes, e.g. after
    Pascal's ``begin``, before Fortran's ``end function``)."""
    for pattern, use_end in ((after, True), (before, False)):
        match = re.search(pattern, body) if pattern else None
        if match:
            cut = match.end() if use_end else match.start()
            return body[:cut] + "\n" + snippet + "\n" + body[cut:]
    stripped = body.lstrip()
    if stripped.startswith("{"):
        cut = body.index("{") + 1
        return body[:cut] + "\n" + snippet + "\n" + body[cut:]
    first = next((line for line in body.splitlines() if line.strip()), "")
    indent = first[: len(first) - len(first.lstrip())]
    lines = [indent + line for line in snippet.splitlines()]
    return "\n".join(lines) + "\n" + body


def _with_body(task: Mapping[str, Any], body: str) -> str:
    return join_parts(task["prompt"], body, task["test"])


def syntax_status(language: Language) -> frozenset[str]:
    """What a syntax error is called: compile_error with a compile/check step (or a rule)."""
    interpreted = not any(step.kind == "compile" for step in language.steps)
    return frozenset({"compile_error", "runtime_error"} if interpreted else {"compile_error"})


def mutants(task: Mapping[str, Any]) -> Iterator[Mutant]:
    """The known-good program and its syntax / loop / wrong-result mutants for one task."""
    language = get_language(task["language"])
    yield Mutant("good", task["task_id"], canonical_program(task), frozenset({"passed"}))
    if language.assembly == "answer_only":
        return
    body = task["canonical_solution"]
    yield Mutant(
        "syntax",
        task["task_id"],
        _with_body(task, _insert_in_body(body, SYNTAX_GARBAGE)),
        syntax_status(language),
    )
    loop = language.mutations.get("loop")
    if loop:
        placed = _insert_in_body(
            body, loop, language.mutations.get("loop_after"), language.mutations.get("loop_before")
        )
        yield Mutant("loop", task["task_id"], _with_body(task, placed), frozenset({"timeout"}))
    for pattern, replacement in _WRONG_EDITS:
        for match in re.finditer(pattern, body):
            if replacement == "+1":
                new = str(int(match.group(1)) + 1)
            else:
                new = replacement
            changed = body[: match.start()] + new + body[match.end() :]
            yield Mutant("wrong", task["task_id"], _with_body(task, changed), frozenset({"failed"}))
