"""An answer's code read as tokens of its language (Pygments' lexers, which know all 40), for
the causes and repairs that look at the code itself: does it end inside a string, a comment or
an open bracket; which lines are prose or markdown; which statements sit outside any function.

Pygments never fails on broken code: what it cannot read becomes ``Error`` tokens, which is
what a cut-off or a stray sentence looks like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Comment, Error, Operator, Punctuation, String, Token
from pygments.util import ClassNotFound

from workbench.registry.languages import Language, get_language

OPENERS, CLOSERS = "([{", ")]}"
_QUOTES = "\"'`"
# A line of prose: a capitalised sentence of four words or more, or of two or more ending like a
# sentence (``This works.``), possibly a markdown bullet, number or heading, with nothing in it
# that code needs (no ; { } = or call parentheses: ``_CODE_CHARS``).
_SENTENCE = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+|#{1,6}\s+)?(?:\*\*)?[A-Z][a-z']*"
    r"(?:(?:\s+[\w'’,:()`*.-]+){3,}|(?:\s+[\w'’,`*-]+)+[.:!?])\s*$"
)
_FENCE_LINE = re.compile(r"^\s*(?:`{3,}|~{3,})[\w+#.-]*\s*$")
_MARKDOWN = re.compile(r"^\s*\*\*[^*]+\*\*:?\s*$|^\s*#{1,6}\s+\S")
_CODE_CHARS = re.compile(r"[;{}=<>\[\]$]|\w\(|\)\s*[:{]?\s*$")


@dataclass(frozen=True)
class Ending:
    """How the code ends: ``unfinished`` names what is left open (``unterminated string``,
    ``unterminated comment``, ``unclosed bracket``, ``unfinished line``), or is None when the
    code ends where a program could end."""

    unfinished: str | None
    mismatched: bool  # a closing bracket that closes none of the open ones: broken, not cut


def lexer_for(language: Language) -> Lexer | None:
    """Pygments' lexer for ``language`` (by its name, fence tags or aliases), or None."""
    return _lexer(language.name)


@cache
def _lexer(name: str) -> Lexer | None:
    language = get_language(name)
    for name in (language.name.lower(), *language.fence_tags, *language.aliases):
        try:
            return get_lexer_by_name(name, stripnl=False, ensurenl=False)
        except ClassNotFound:
            continue
    return None


def tokens(code: str, language: Language) -> list[tuple[Any, str]]:
    """(token type, text) of ``code`` in ``language``; one Text token when no lexer exists."""
    lexer = lexer_for(language)
    return list(lexer.get_tokens(code)) if lexer is not None else [(Token.Text, code)]


def _significant(pairs: list[tuple[Any, str]]) -> list[tuple[Any, str]]:
    return [(kind, text) for kind, text in pairs if text.strip()]


def _open_string(pairs: list[tuple[Any, str]]) -> str | None:
    """``unterminated string`` / ``unterminated comment`` when the code ends inside one."""
    significant = _significant(pairs)
    if not significant:
        return None
    kind, text = significant[-1]
    if kind in Comment.Multiline:
        closed = re.search(r"(\*/|-\}|\*\)|\|#|\]\])\s*$", text)
        return None if closed else "unterminated comment"
    if kind in String and kind not in String.Char:
        run = ""
        for kind_before, text_before in reversed(pairs):
            if kind_before not in String:
                break
            run = text_before + run
        run = run.strip()
        opening = re.match(r"[A-Za-z]*(\"\"\"|'''|[\"'`])", run)
        if opening and (len(run) == len(opening.group(0)) or not run.endswith(opening.group(1))):
            return "unterminated string"
    # Lexers that cannot carry a string over lines mark its opening quote as an error.
    last_line = "".join(t for _, t in pairs).rstrip().rsplit("\n", 1)[-1]
    tail: list[tuple[Any, str]] = []
    for pair in reversed(pairs):
        tail.insert(0, pair)
        if len("".join(t for _, t in tail).rstrip()) >= len(last_line):
            break
    if any(k in Error and t.strip() in _QUOTES for k, t in tail if t.strip()):
        return "unterminated string"
    return None


def ending(code: str, language: Language) -> Ending:
    """What ``code`` leaves open at its end (strings and comments skipped for brackets)."""
    pairs = tokens(code, language)
    stack: list[str] = []
    mismatched = False
    for kind, text in pairs:
        if kind in String or kind in Comment:
            continue
        for char in text:
            if char in OPENERS:
                stack.append(char)
            elif char in CLOSERS:
                if stack and OPENERS.index(stack[-1]) == CLOSERS.index(char):
                    stack.pop()
                else:
                    mismatched = True
    unfinished = _open_string(pairs)
    if unfinished is None and stack and not mismatched:
        unfinished = "unclosed bracket"
    if unfinished is None and not mismatched:
        significant = _significant(pairs)
        if significant:
            kind, text = significant[-1]
            dangling = text.strip()[-1:] not in CLOSERS + ";"
            if (kind in Operator or kind in Punctuation) and dangling:
                unfinished = "unfinished line"
    return Ending(unfinished, mismatched)


def _line_kinds(code: str, language: Language) -> list[set[str]]:
    """Per line of ``code``: the kinds of token on it (``string``, ``comment``, ``code``)."""
    lines: list[set[str]] = [set()]
    for kind, text in tokens(code, language):
        label = "string" if kind in String else "comment" if kind in Comment else "code"
        for index, part in enumerate(text.split("\n")):
            if index:
                lines.append(set())
            if part.strip():
                lines[-1].add(label)
    return lines


def prose_lines(code: str, language: Language) -> list[int]:
    """Indices of the lines of ``code`` that are prose or markdown, not code: a markdown fence
    line, or outside any string or comment a sentence, heading, bullet or bold label with
    nothing in it that code needs."""
    kinds = _line_kinds(code, language)
    found = []
    for index, line in enumerate(code.split("\n")):
        on_line = kinds[index] if index < len(kinds) else set()
        if not line.strip() or "string" in on_line:
            continue
        if _FENCE_LINE.match(line):
            found.append(index)
        elif "comment" not in on_line and not _CODE_CHARS.search(line):
            if _MARKDOWN.match(line) or _SENTENCE.match(line):
                found.append(index)
    return found


def depths(code: str, language: Language) -> list[int]:
    """Per line of ``code``: how many brackets are open where it starts (strings and comments
    skipped)."""
    depth, result = 0, [0]
    for kind, text in tokens(code, language):
        skip = kind in String or kind in Comment
        for char in text:
            if char == "\n":
                result.append(depth)
            elif not skip and char in OPENERS:
                depth += 1
            elif not skip and char in CLOSERS:
                depth = max(0, depth - 1)
    return result


def top_level_statements(code: str, language: Language) -> list[tuple[int, int]]:
    """(first, end) line ranges of ``code``'s statements outside any function: a line that
    starts at column 0 outside any bracket, matches the language's ``[repairs] top_level``,
    with the lines that continue it (inside its brackets, or indented under it)."""
    pattern = language.repairs.top_level
    if pattern is None:
        return []
    lines = code.split("\n")
    depth = depths(code, language)
    ranges = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if depth[index] == 0 and line[:1].strip() and pattern.match(line):
            end = index + 1
            while end < len(lines) and (
                depth[end] > 0 or (lines[end][:1] in (" ", "\t") and lines[end].strip())
            ):
                end += 1
            ranges.append((index, end))
            index = end
        else:
            index += 1
    return ranges
