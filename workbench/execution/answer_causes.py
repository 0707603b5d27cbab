"""Causes visible in the model's answer rather than in the toolchain's output: an answer in
another language (``wrong_language``), an answer cut off inside its code (``incomplete``), an
answer that repeats the task's test or prompt (``prompt_echo``) or adds statements of its own
outside any function (``extra_code``), where that is what broke the program.

``answer_cause`` is consulted by ``causes.explain`` once the output's rules have named a cause,
and replaces it when the answer shows one of these; the output's error line and check stay as
evidence. Everything is decided from the result row (``language``, ``status``, ``extraction``,
``code``, ``raw_generation``, ``program``, the output, and ``token_limit_reached`` when the
workbench generated the sample), so a stored row gets the same cause again without running it.
The language identifier (``workbench.inputs.language_id``) is trained on the McEval data; without
the data, ``wrong_language`` is decided only from a fence tagged with another language.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cache
from typing import Any, TypeVar

from workbench.errors import UnknownLanguageError
from workbench.execution.records import Status
from workbench.inputs.language_id import identifier
from workbench.programs.extract import fences
from workbench.programs.lexing import ending, top_level_statements
from workbench.registry.languages import Language, all_languages, get_language

# The identifier decides that an answer is in another language only for code of MIN_LINES
# non-blank lines or more, when it gives that language a probability of CONFIDENT or more and
# ODDS times the task's language's or more. How many held-out McEval snippets that calls another
# language than their own: docs/causes.md (bench/language_id.py).
MIN_LINES = 4
CONFIDENT = 0.5
ODDS = 50.0
# Statuses where the answer's text can explain the failure: the program did not build or run
# (and for a cut-off answer, also ran to a wrong result). Limits keep their status as the cause.
BROKEN = (Status.COMPILE_ERROR, Status.RUNTIME_ERROR)
RAN = (*BROKEN, Status.FAILED)
# What a statement outside any function did, for extra_code's detail.
_PRINTS = re.compile(r"print|console|puts|echo|cat\b|display|message|say\b|write", re.I)
_TESTS = re.compile(r"assert|check|test|expect", re.I)
_LINE_REFERENCE = re.compile(r"(?:\bline |\.\w{1,5}:)(\d+)")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@cache
def _tag_languages() -> dict[str, str]:
    """Fence tag or alias (lower case) -> language name, for every language of the registry."""
    index: dict[str, str] = {}
    for language in all_languages():
        names = (language.name, language.leaderboard_key, *language.aliases, *language.fence_tags)
        for tag in names:
            index.setdefault(tag.lower(), language.name)
    return index


def tagged_language(row: Mapping[str, Any], language: Language) -> str | None:
    """The language named by the tag of the block taken when no block was tagged for the task's
    language or defined its entry point (``fence:first``), when it is another language."""
    if row.get("extraction") != "fence:first":
        return None
    blocks = fences(_text(row.get("raw_generation")))
    other = _tag_languages().get(blocks[0].tag) if blocks else None
    return other if other is not None and other != language.name else None


def identified_language(code: str, language: Language) -> str | None:
    """The language the identifier is confident ``code`` is written in, when it is not
    ``language`` (None without the McEval data)."""
    model = identifier()
    if model is None or sum(1 for line in code.splitlines() if line.strip()) < MIN_LINES:
        return None
    guess = model.guess(code)
    if guess.language == language.name or guess.probability < CONFIDENT:
        return None
    return guess.language if guess.probability >= ODDS * guess.of(language.name) else None


def wrong_language(row: Mapping[str, Any], language: Language) -> str | None:
    """The language the answer is written in, when it is another and that broke the program."""
    if row.get("status") not in BROKEN:
        return None
    return tagged_language(row, language) or identified_language(_text(row.get("code")), language)


def incomplete(row: Mapping[str, Any], language: Language) -> str | None:
    """What shows that the answer stops inside its code. The answer must end with the code it
    gave (no closing fence or text after it); then it is cut off when the generation reached
    its token limit (``token limit``), when the code's fence was never closed (``fence never
    closed``), or, for an answer without a fence, when the code ends inside a string, a comment,
    an open bracket or a line that asks for more (``unterminated string``, ...)."""
    if row.get("status") not in RAN:
        return None
    raw, code = _text(row.get("raw_generation")), _text(row.get("code"))
    method = _text(row.get("extraction"))
    if method in ("completion", "whole") or not code.strip():
        return None
    if not raw.rstrip().endswith(code.rstrip()):
        return None
    if str(row.get("token_limit_reached")) == "True":  # a bool, numpy's or missing
        return "token limit"
    if method.startswith("fence"):
        return "fence never closed"
    return ending(code, language).unfinished


def _normalised(line: str) -> str:
    return " ".join(line.split())


def _distinct(line: str, language: Language) -> bool:
    """A line worth counting as repeated: eight characters or more, a letter among them, not an
    import (the assembler adds the prompt's imports the answer lacks)."""
    if language.preamble is not None and language.preamble.fullmatch(line):
        return False
    return len(line.replace(" ", "")) >= 8 and re.search(r"[A-Za-z]", line) is not None


def echo(code: str, program: str, language: Language) -> str | None:
    """``test`` or ``prompt`` when two or more consecutive distinct lines of the answer occur in
    the program more often than in the answer (the assembler kept the answer's copy beside the
    test's or the prompt's own): ``test`` when a copy lies after the answer's own lines (the test
    follows the answer), ``prompt`` when all lie before them."""
    lines = [_normalised(line) for line in program.splitlines()]
    answer = [_normalised(line) for line in code.splitlines() if line.strip()]
    in_program, in_answer = Counter(lines), Counter(answer)
    repeated = [_distinct(line, language) and in_program[line] > in_answer[line] for line in answer]
    if not any(a and b for a, b in zip(repeated, repeated[1:], strict=False)):
        return None
    positions: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        positions.setdefault(line, []).append(number)
    own = [
        positions[line][0]
        for line in answer
        if _distinct(line, language) and in_program[line] == in_answer[line] == 1
    ]
    copies = [p for line, r in zip(answer, repeated, strict=True) if r for p in positions[line]]
    if own:
        return "test" if max(copies) > max(own) else "prompt"
    last = next((line for line in reversed(lines) if _distinct(line, language)), None)
    return "test" if last is not None and in_program[last] > 1 else "prompt"


def prompt_echo(row: Mapping[str, Any], language: Language) -> str | None:
    """``test`` / ``prompt``: the answer repeats it (``echo``) and the program broke."""
    if row.get("status") not in BROKEN:
        return None
    return echo(_text(row.get("code")), _text(row.get("program")), language)


def extra_code(row: Mapping[str, Any], language: Language) -> str | None:
    """What the answer added outside any function, when the failure points at it (the output
    quotes one of those lines, or names its line of the program): ``printed output``, ``own
    test`` or ``top-level call``."""
    if row.get("status") not in BROKEN:
        return None
    code = _text(row.get("code"))
    lines = code.split("\n")
    statements = {
        _normalised(line): lines[first]
        for first, end in top_level_statements(code, language)
        for line in lines[first:end]
        if len(_normalised(line)) >= 6
    }
    if not statements:
        return None
    output = _text(row.get("stderr")) + "\n" + _text(row.get("stdout"))
    program = _text(row.get("program")).splitlines()
    quoted = {_normalised(line) for line in output.splitlines()} & set(statements)
    for match in _LINE_REFERENCE.finditer(output):
        number = int(match.group(1))
        if 1 <= number <= len(program) and _normalised(program[number - 1]) in statements:
            quoted.add(_normalised(program[number - 1]))
    if not quoted:
        return None
    start = statements[sorted(quoted)[0]]
    if _TESTS.search(start):
        return "own test"
    return "printed output" if _PRINTS.search(start) else "top-level call"


# In this order: an answer in another language is that first, whatever else it shows.
ANSWER_CHECKS: dict[str, Callable[[Mapping[str, Any], Language], str | None]] = {
    "wrong_language": wrong_language,
    "incomplete": incomplete,
    "prompt_echo": prompt_echo,
    "extra_code": extra_code,
}


CauseT = TypeVar("CauseT")  # causes.Cause, which imports this module


def answer_cause(row: Mapping[str, Any], cause: CauseT) -> CauseT:
    """``cause`` (a ``causes.Cause``), or a copy naming what the answer shows instead, with the
    output's evidence (error line, check) kept."""
    try:
        language = get_language(_text(row.get("language")))
    except UnknownLanguageError:
        return cause
    for name, check in ANSWER_CHECKS.items():
        detail = check(row, language)
        if detail is not None:
            return replace(cause, cause=name, cause_detail=detail)  # type: ignore[type-var]
    return cause
