"""Markdown answers: exact text after normalising line endings, trailing whitespace, blank lines at
the ends, the answer's own fence and a code fence left open at the end."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.execution.records import Execution, Program
from workbench.execution.scoring.common import diff_lines, no_reference, reference_texts, verdict
from workbench.registry.languages import Language, Limits

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_OWN_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*(?:markdown|md)?[ \t]*$", re.IGNORECASE)


def _close_open_fence(lines: list[str]) -> list[str]:
    """Close a fenced code block left open at the end (CommonMark ends it there too)."""
    open_run: str | None = None
    for line in lines:
        if open_run is None:
            match = _FENCE_OPEN.match(line)
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                open_run = match.group(1)
        else:
            closing = re.match(r"^ {0,3}(`{3,}|~{3,})[ \t]*$", line)
            if (
                closing
                and closing.group(1)[0] == open_run[0]
                and len(closing.group(1)) >= len(open_run)
            ):
                open_run = None
    return lines + [open_run] if open_run is not None else lines


def markdown_lines(text: str) -> list[str]:
    """Markdown text after the documented normalisation, as lines.

    Line endings become ``\\n``; trailing spaces and tabs are removed, except that two or more
    trailing spaces before a non-blank line (a hard line break) become exactly two; blank lines
    at the start and the end are dropped; a fenced block left open at the end is closed."""
    raw = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = []
    for i, line in enumerate(raw):
        stripped = line.rstrip(" \t")
        hard_break = (
            stripped.strip()
            and line[len(stripped) :].startswith("  ")
            and i + 1 < len(raw)
            and raw[i + 1].strip()
        )
        lines.append(stripped + "  " if hard_break else stripped)
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return _close_open_fence(lines)


def markdown_variants(text: str) -> list[list[str]]:
    """The normalised answer, and without its own fence when the whole answer is one block
    fenced as markdown/md/untagged."""
    lines = markdown_lines(text)
    variants = [lines]
    if len(lines) >= 2:
        opening = _OWN_FENCE.match(lines[0])
        closing = re.match(r"^ {0,3}(`{3,}|~{3,})[ \t]*$", lines[-1])
        if (
            opening
            and closing
            and closing.group(1)[0] == opening.group(1)[0]
            and len(closing.group(1)) >= len(opening.group(1))
        ):
            variants.append(markdown_lines("\n".join(lines[1:-1])))
    return variants


def score_markdown(
    language: Language, program: Program, limits: Limits, workdir: Path, base: Execution
) -> Execution:
    """Exact text, after normalisation, against the reference Markdown."""
    references = reference_texts(language, program)
    if not references:
        return no_reference(base, program)
    variants = markdown_variants(program.source)
    expected_all = [markdown_lines(text) for text in references]
    for expected in expected_all:
        for variant in variants:
            if variant == expected:
                how = "" if variant is variants[0] else " (inside the answer's own fence)"
                return verdict(base, "passed", "same text as the reference" + how)
    best = variants[-1]
    return verdict(
        base, "failed", "Markdown differs from the reference:\n" + diff_lines(expected_all[0], best)
    )
