"""Mechanical repairs of a failing answer, beyond the assembler's own normalisations.

The assembler (``assemble.py``) follows the benchmark's rules — the prompt's imports added, the
answer's own ``main`` removed, an unclosed fence read to the end — and those stay exactly as
they are: they make the scores. The repairs here go further, each one a small, documented edit
that a researcher could do with a text editor and no understanding of the task (docs/causes.md):

- ``drop_prose``: lines of prose or markdown left inside the code (a sentence, a heading, a
  bullet, a stray fence line), outside any string or comment, are removed;
- ``drop_top_level``: the answer's statements outside any function (its own prints, calls and
  tests: the language's ``[repairs] top_level``) are removed;
- ``fix_indentation``: for a language whose bodies are delimited by indentation (Python), a body
  answer is indented under the prompt's signature, a whole answer indented as a block is
  dedented, and tabs mixed with spaces are expanded;
- ``add_import``: a standard import, include or using (the language's ``[repairs] imports``)
  whose names the answer uses and that neither the answer nor the prompt has is added.

Each repair is a function of the ``Draft`` (the answer's code and the prompt it is assembled
with) returning the repaired draft, or None when it does not apply; ``repair`` applies them in
that order and assembles the program with the unchanged assembler. The language knowledge (the
import lines, the names that need them, what a top-level statement looks like) is the
registry's ``[repairs]`` table.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pygments.token import Comment, String

from workbench.programs.assemble import build_program, task_prompt
from workbench.programs.extract import defines
from workbench.programs.lexing import prose_lines, tokens, top_level_statements
from workbench.registry.languages import Language, get_language


@dataclass(frozen=True)
class Draft:
    """What a program is assembled from, as a repair may change it: the answer's ``code`` and
    the task's ``prompt`` (an import for a body answer goes before the prompt's signature)."""

    code: str
    prompt: str


@dataclass(frozen=True)
class Repaired:
    """An answer after the repairs that applied: the draft, the program assembled from it, and
    the names of the repairs, in the order applied."""

    draft: Draft
    program: str
    repairs: tuple[str, ...]


Repair = Callable[[Draft, Language, Mapping[str, Any]], Draft | None]


def _lines_removed(code: str, drop: set[int]) -> str:
    return "\n".join(line for i, line in enumerate(code.split("\n")) if i not in drop)


def drop_prose(draft: Draft, language: Language, task: Mapping[str, Any]) -> Draft | None:
    """Remove prose and markdown lines from the code (``lexing.prose_lines``)."""
    found = prose_lines(draft.code, language)
    if not found:
        return None
    return replace(draft, code=_lines_removed(draft.code, set(found)).strip("\n"))


def drop_top_level(draft: Draft, language: Language, task: Mapping[str, Any]) -> Draft | None:
    """Remove the answer's statements outside any function (``lexing.top_level_statements``)."""
    ranges = top_level_statements(draft.code, language)
    if not ranges:
        return None
    drop = {i for first, end in ranges for i in range(first, end)}
    code = _lines_removed(draft.code, drop).strip("\n")
    return replace(draft, code=code) if code.strip() else None


def _leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _body_indented(code: str, prompt: str) -> str | None:
    """A body answer indented under the prompt's signature: the level of the prompt's last line
    (its docstring), or one level (four spaces) deeper than a prompt ending in a signature."""
    last = next((line for line in reversed(prompt.split("\n")) if line.strip()), "")
    target = _indent(last) + (4 if last.rstrip().endswith(":") else 0)
    lines = code.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled or target == 0:
        return None
    first, rest = filled[0], filled[1:]
    if _indent(lines[first]) >= target and all(_indent(lines[i]) >= target for i in rest):
        return None
    rest_indent = min((_indent(lines[i]) for i in rest), default=target)
    if not lines[first].rstrip().endswith(":") and rest_indent == target:
        # Only the first line lost its indentation (an answer stripped of leading blanks).
        lines[first] = " " * target + lines[first].lstrip()
        return "\n".join(lines)
    block = textwrap.dedent("\n".join(lines[first:]))
    return textwrap.indent(block, " " * target)


def fix_indentation(draft: Draft, language: Language, task: Mapping[str, Any]) -> Draft | None:
    """Indentation a language of indented blocks reads as structure: tabs mixed with spaces
    expanded (a tab is one level, four spaces), a whole answer indented as a block dedented, a
    body answer indented under the prompt's signature."""
    if not language.repairs.indentation:
        return None
    code = draft.code
    leading = [_leading(line) for line in code.split("\n") if line.strip()]
    if any("\t" in w for w in leading) and any(" " in w for w in leading):
        code = "\n".join(
            _leading(line).expandtabs(4) + line.lstrip(" \t") for line in code.split("\n")
        )
    if defines(language, code, task.get("entry_point")):
        code = textwrap.dedent(code)
    else:
        code = _body_indented(code, draft.prompt) or code
    return replace(draft, code=code) if code != draft.code else None


def _code_only(code: str, language: Language) -> str:
    """``code`` with its strings and comments blanked: a name in a comment is not a use."""
    return "".join(
        " " if kind in String or kind in Comment else text for kind, text in tokens(code, language)
    )


def _imported(line: str, texts: tuple[str, ...], language: Language) -> bool:
    """True when ``line`` or an import of the same name is among the import lines of
    ``texts``: the same line (spaces aside), one naming what it imports (``Counter`` in ``from
    collections import Counter, deque``), or a wildcard of its package (``java.util.*``)."""
    found = (
        [m.group(0) for t in texts for m in language.preamble.finditer(t)]
        if (language.preamble)
        else [x for t in texts for x in t.split("\n")]
    )
    squeezed = re.sub(r"\s+", "", line)
    name = re.findall(r"[\w.:/+]+", line)[-1].strip(".:")
    for other in found:
        if re.sub(r"\s+", "", other) == squeezed or re.search(
            rf"(?<![\w.:/]){re.escape(name)}(?![\w:/])", other
        ):
            return True
        wildcard = re.search(r"([\w.:]+?)(?:\.|::)\*", other)
        if wildcard and wildcard.group(1) + "." in line:
            return True
    return False


def _insert_after_preamble(text: str, lines: list[str], language: Language) -> str:
    """``lines`` put after the last import/include line of ``text`` (the language's
    ``preamble``), or before everything when it has none."""
    matches = list(language.preamble.finditer(text)) if language.preamble else []
    added = "\n".join(lines)
    if not matches:
        return added + "\n" + text
    end = matches[-1].end()
    return text[:end] + "\n" + added + text[end:]


def add_import(draft: Draft, language: Language, task: Mapping[str, Any]) -> Draft | None:
    """Add each standard import the code uses and neither the code nor the prompt has: at the
    top of a whole answer, before the prompt of a body answer (after their own imports)."""
    used = _code_only(draft.code, language)
    texts = (draft.code, draft.prompt)
    missing = [
        spec.line
        for spec in language.repairs.imports
        if spec.uses.search(used) and not _imported(spec.line, texts, language)
    ]
    if not missing:
        return None
    if defines(language, draft.code, task.get("entry_point")):
        return replace(draft, code=_insert_after_preamble(draft.code, missing, language))
    return replace(draft, prompt=_insert_after_preamble(draft.prompt, missing, language))


REPAIRS: dict[str, Repair] = {
    "drop_prose": drop_prose,
    "drop_top_level": drop_top_level,
    "fix_indentation": fix_indentation,
    "add_import": add_import,
}
# A repair listed here is tried only on samples failing with one of these causes: the names an
# import brings are used by much code that does not lack them (C++'s <bits/stdc++.h> brings
# them all), so an import is added only where the toolchain said a name was missing.
ONLY_FOR: dict[str, tuple[str, ...]] = {"add_import": ("missing_import", "undefined_name")}


def repair(
    task: Mapping[str, Any],
    code: str,
    names: tuple[str, ...] | None = None,
    cause: str | None = None,
) -> Repaired | None:
    """Every repair of ``names`` (default: all, in ``REPAIRS`` order) that applies to the answer
    ``code`` of ``task``, one after the other, and the program assembled from the result; None
    when none applies (or the task is judged by comparing the answer itself). With the sample's
    ``cause``, a repair of ``ONLY_FOR`` is tried only for its causes."""
    language = get_language(task["language"])
    if language.assembly == "answer_only":
        return None
    draft = Draft(code, task_prompt(task))
    applied = []
    for name in names or tuple(REPAIRS):
        if cause is not None and cause not in ONLY_FOR.get(name, (cause,)):
            continue
        changed = REPAIRS[name](draft, language, task)
        if changed is not None and changed != draft:
            draft, applied = changed, [*applied, name]
    if not applied:
        return None
    program = build_program({**task, "prompt": draft.prompt}, draft.code)
    return Repaired(draft, program, tuple(applied))
