"""Reading test code as text, the way every text-rewriting technique needs it: strings and
comments skipped, brackets matched, arguments split at top-level commas, the checks a registry
names (``assert(...)``, ``assert x;``, ``raise ... unless x``) found, and a check's condition
split into the two values it compares.

Nothing here knows a language: what a comment or a string looks like is a ``Syntax`` the
technique gives, and what the checks and comparisons are called comes from the registry's
``[checks]`` table (``CheckSpec``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from workbench.programs.checks.normalise import LITERAL_ONLY, normalise_values
from workbench.registry.languages import CheckSpec

OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = set(OPENERS.values())


@dataclass(frozen=True)
class Syntax:
    """What a technique's language writes as comments and strings."""

    line_comments: tuple[str, ...] = ("//",)
    block_comments: tuple[tuple[str, str], ...] = (("/*", "*/"),)
    quotes: str = "\"'`"
    triple_quotes: bool = False  # Python's ''' and \"\"\"
    char_quote: bool = True  # ' opens a character literal only when one closes it soon


C_LIKE = Syntax()
HASH = Syntax(line_comments=("#",), block_comments=(), quotes="\"'", char_quote=False)


@dataclass(frozen=True)
class Split:
    """A check's condition read as a comparison. ``actual`` and ``expected`` are spans of the
    condition's text; ``form`` is ``compare`` (equality or an equality call), ``close`` (a
    difference under a tolerance) or ``condition`` (anything else: no values to show)."""

    form: str
    op: str | None = None  # the comparison operator or call (==, ===, !=, strcmp, equals)
    actual: tuple[int, int] | None = None
    expected: tuple[int, int] | None = None


CONDITION = Split("condition")


def skip(text: str, i: int, syntax: Syntax) -> int:
    """The index after the string or comment that starts at ``i``, or ``i`` when none does."""
    for marker in syntax.line_comments:
        if text.startswith(marker, i):
            end = text.find("\n", i)
            return len(text) if end < 0 else end
    for start, stop in syntax.block_comments:
        if text.startswith(start, i):
            end = text.find(stop, i + len(start))
            return len(text) if end < 0 else end + len(stop)
    c = text[i] if i < len(text) else ""
    if not c or c not in syntax.quotes:
        return i
    if syntax.triple_quotes and text.startswith(c * 3, i):
        end = text.find(c * 3, i + 3)
        return len(text) if end < 0 else end + 3
    if (
        c == "'"
        and syntax.char_quote
        and not re.match(r"'(?:\\.[^'\n]{0,6}|[^\\'\n]{1,2})'", text[i:])
    ):
        return i  # an apostrophe or a Rust lifetime, not a character literal
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == c or (text[j] == "\n" and c != "`" and not syntax.triple_quotes):
            return j + 1
        j += 1
    return j


def code_positions(text: str, syntax: Syntax, start: int = 0) -> Iterator[tuple[int, int]]:
    """(index, bracket depth) of every character of ``text`` outside strings and comments."""
    depth = 0
    i = start
    while i < len(text):
        j = skip(text, i, syntax)
        if j != i:
            i = j
            continue
        c = text[i]
        if c in CLOSERS:
            depth -= 1
        yield i, depth
        if c in OPENERS:
            depth += 1
        i += 1


def matching(text: str, open_index: int, syntax: Syntax) -> int:
    """Index of the bracket closing the one at ``open_index``; -1 when it never closes."""
    for i, depth in code_positions(text, syntax, open_index):
        if depth == 0 and i > open_index and text[i] in CLOSERS:
            return i
    return -1


def top_level(text: str, syntax: Syntax) -> Iterator[int]:
    """Indexes of ``text`` at bracket depth 0, outside strings and comments."""
    for i, depth in code_positions(text, syntax):
        if depth == 0 and text[i] not in CLOSERS:
            yield i


def split_args(text: str, syntax: Syntax) -> list[tuple[int, int]]:
    """Spans of the comma-separated arguments of ``text`` (an argument list without its
    parentheses), whitespace trimmed."""
    spans, start, generic_end = [], 0, -1
    for i in top_level(text, syntax):
        if i < generic_end:
            continue
        if text[i] == "<":
            generic_end = _generic_end(text, i)
        elif text[i] == ",":
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return [trim(text, s) for s in spans if text[s[0] : s[1]].strip()]


def _generic_end(text: str, i: int) -> int:
    """After the type arguments that open at ``i`` (``emptyList<Pair<Int, Int>>``,
    ``new List<(int, int)>``), or -1 when the ``<`` is a comparison."""
    if i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"):
        return -1
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "<":
            depth += 1
        elif text[j] == ">":
            depth -= 1
            if depth == 0:
                inner = text[i + 1 : j]
                return (
                    j + 1 if re.fullmatch(r"[\w\s.,?\[\]:<>()]*", inner) and inner.strip() else -1
                )
        elif text[j] in ";{}=":
            return -1
    return -1


def trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """``span`` without the whitespace at its ends."""
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def unwrap(text: str, span: tuple[int, int], syntax: Syntax) -> tuple[int, int]:
    """``span`` without whitespace and the parentheses that enclose all of it."""
    start, end = trim(text, span)
    while end - start >= 2 and text[start] == "(" and matching(text, start, syntax) == end - 1:
        start, end = trim(text, (start + 1, end - 1))
    return start, end


@dataclass(frozen=True)
class Found:
    """One check found in a test: ``span`` is the text the technique replaces, ``condition``
    the span of what the check requires (or the call's arguments, for ``args`` forms)."""

    span: tuple[int, int]
    condition: tuple[int, int]
    kind: str  # call, statement or guard
    name: str  # the form's call, statement or guard word
    args: str = "condition"
    negate: bool = False  # a guard that fails when the condition holds (raise ... if cond)
    skip_args: tuple[str, ...] = ()


def _word_at(text: str, i: int, word: str) -> bool:
    if not text.startswith(word, i):
        return False
    before = text[i - 1] if i else " "
    after = text[i + len(word)] if i + len(word) < len(text) else " "
    return not (before.isalnum() or before in "_.$") and not (after.isalnum() or after == "_")


def find_checks(test: str, spec: CheckSpec, syntax: Syntax) -> list[Found]:
    """Every check of ``test`` that one of the spec's ``call`` or ``statement`` forms names, in
    source order (checks inside another check's text are not counted twice)."""
    found: list[Found] = []
    end_of_last = -1
    for i, _depth in code_positions(test, syntax):
        if i < end_of_last:
            continue
        for form in spec.forms:
            hit = _call_at(test, i, form, syntax) if form.call else None
            if form.statement and hit is None:
                hit = _statement_at(test, i, form.statement, syntax)
            if form.guard and hit is None:
                hit = _guard_at(test, i, form.guard, syntax)
            if hit is not None:
                found.append(hit)
                end_of_last = hit.span[1]
                break
    return found


def _call_at(test: str, i: int, form, syntax: Syntax) -> Found | None:
    name = form.call
    if not _word_at(test, i, name):
        return None
    j = i + len(name)
    while j < len(test) and test[j] in " \t":
        j += 1
    if j >= len(test) or test[j] != "(":
        return None
    close = matching(test, j, syntax)
    if close < 0:
        return None
    return Found((i, close + 1), (j + 1, close), "call", name, form.args, False, form.skip)


def _statement_at(test: str, i: int, word: str, syntax: Syntax) -> Found | None:
    """``assert cond;`` / ``assert cond : message;`` (Java)."""
    if not _word_at(test, i, word):
        return None
    start = i + len(word)
    if start >= len(test) or not (test[start].isspace() or test[start] == "("):
        return None
    colon = None
    question = 0
    for j in top_level(test[start:], syntax):
        c = test[start + j]
        if c == "?":
            question += 1
        elif c == ":" and test[start + j : start + j + 2] != "::" and test[start + j - 1] != ":":
            if question:
                question -= 1
            elif colon is None:
                colon = start + j
        elif c == ";":
            end = start + j
            return Found((i, end + 1), trim(test, (start, colon or end)), "statement", word)
    return None


_IF = re.compile(r"if\s*\(")
_MODIFIER = re.compile(r"\b(unless|if)\b")


def _guard_at(test: str, i: int, word: str, syntax: Syntax) -> Found | None:
    """A check written as a guard that stops the test: ``if (cond) { exit(1); }`` (PHP) or
    ``raise "..." unless cond`` / ``raise "..." if cond`` (Ruby). The check is that the guard
    does not fire: ``negate`` marks the guards that fire when their condition holds."""
    if _word_at(test, i, "if") and _IF.match(test, i):
        open_at = test.index("(", i)
        close = matching(test, open_at, syntax)
        body = re.compile(rf"\s*(\{{)?\s*{re.escape(word)}\b[^;{{}}\n]*;\s*(\}})?")
        m = body.match(test, close + 1) if close > 0 else None
        if m is None or bool(m.group(1)) != bool(m.group(2)):
            return None
        return Found((i, m.end()), trim(test, (open_at + 1, close)), "guard", word, negate=True)
    if not _word_at(test, i, word):
        return None
    code, positions, depth, j = [], set(), 0, i
    while j < len(test):
        k = skip(test, j, syntax)
        if k != j:  # a string belongs to the statement, a comment ends it
            if any(test.startswith(m, j) for m in syntax.line_comments):
                break
            code.append(k - 1)
            j = k
            continue
        c = test[j]
        if c == "\n" and depth == 0:
            break
        depth += (c in OPENERS) - (c in CLOSERS)
        if not c.isspace():
            code.append(j)
        if depth == 0 or (depth == 1 and c in OPENERS):
            positions.add(j)
        j += 1
    if not code:
        return None
    end = code[-1] + 1
    for m in _MODIFIER.finditer(test, i, end):
        if m.start() in positions:
            cond = trim(test, (m.end(), end))
            return Found((i, end), cond, "guard", word, negate=m.group(1) == "if")
    return None


def is_literal(text: str) -> bool:
    """True when ``text`` is a literal value (number, string, character, boolean, null, or a
    collection of those): the side a test writes its expected value on."""
    return bool(LITERAL_ONLY.fullmatch(normalise_values(text).strip()))


def split_condition(cond: str, spec: CheckSpec, syntax: Syntax) -> Split:
    """Read ``cond`` as a comparison: one top-level equality operator (``==``, ``===`` …), an
    equality call (``strcmp(a, b) == 0``, ``a.equals(b)``, ``Arrays.equals(a, b)``) or a
    difference under a tolerance (``fabs(a - b) < 1e-6``, ``(a - b).abs() < 1e-7``). The literal
    side is the expected value; otherwise the left one is the actual value."""
    whole = unwrap(cond, (0, len(cond)), syntax)
    if _has_connective(cond, whole, spec, syntax):
        return CONDITION
    ops = _operators(cond, whole, spec.operators, syntax)
    if len(ops) == 1:
        at, op = ops[0]
        left = unwrap(cond, (whole[0], at), syntax)
        right = unwrap(cond, (at + len(op), whole[1]), syntax)
        for inner, other in ((left, right), (right, left)):
            call = _equality_call(cond, inner, spec, syntax)
            if call is not None and is_literal(cond[other[0] : other[1]]):
                return call
        return _oriented("compare", op, cond, left, right)
    if ops:
        return CONDITION
    call = _equality_call(cond, whole, spec, syntax)
    if call is not None:
        return call
    return _close(cond, whole, spec, syntax)


def _oriented(form: str, op: str, cond: str, left, right) -> Split:
    if is_literal(cond[left[0] : left[1]]) and not is_literal(cond[right[0] : right[1]]):
        return Split(form, op, right, left)
    return Split(form, op, left, right)


_CONNECTIVES = re.compile(r"&&|\|\||\?(?![.?:])|\b(?:and|or|not)\b")


def _has_connective(cond: str, span, spec: CheckSpec, syntax: Syntax) -> bool:
    text = cond[span[0] : span[1]]
    positions = set(top_level(text, syntax))
    return any(m.start() in positions for m in _CONNECTIVES.finditer(text)) or (
        text.startswith("!") and not text.startswith("!=")
    )


def _operators(cond: str, span, operators: tuple[str, ...], syntax: Syntax):
    text = cond[span[0] : span[1]]
    found, skip_to = [], -1
    ordered = sorted(operators, key=len, reverse=True)
    for i in top_level(text, syntax):
        if i < skip_to:
            continue
        for op in ordered:
            if text.startswith(op, i) and text[i - 1 : i] not in ("=", "!", "<", ">"):
                if text[i + len(op) : i + len(op) + 1] == "=":
                    continue
                found.append((span[0] + i, op))
                skip_to = i + len(op)
                break
    return found


def _equality_call(cond: str, span, spec: CheckSpec, syntax: Syntax) -> Split | None:
    """``name(a, b)`` for a name of ``equal_calls``, or ``a.name(b)`` for one of
    ``equal_methods``."""
    text = cond[span[0] : span[1]]
    for name in spec.equal_calls:
        if text.startswith(name) and text[len(name) :].lstrip().startswith("("):
            open_at = (
                span[0] + len(name) + (len(text[len(name) :]) - len(text[len(name) :].lstrip()))
            )
            if matching(cond, open_at, syntax) != span[1] - 1:
                continue
            args = split_args(cond[open_at + 1 : span[1] - 1], syntax)
            if len(args) >= 2:
                a, b = ((open_at + 1 + s, open_at + 1 + e) for s, e in args[:2])
                return _oriented("compare", name, cond, a, b)
    for name in spec.equal_methods:
        if not text.endswith(")"):
            continue
        for i in reversed(list(top_level(text, syntax))):
            if text.startswith(f".{name}", i) and text[i + 1 + len(name) :].lstrip().startswith(
                "("
            ):
                open_at = span[0] + text.index("(", i)
                if matching(cond, open_at, syntax) != span[1] - 1:
                    break
                args = split_args(cond[open_at + 1 : span[1] - 1], syntax)
                if len(args) == 1:
                    receiver = unwrap(cond, (span[0], span[0] + i), syntax)
                    arg = (open_at + 1 + args[0][0], open_at + 1 + args[0][1])
                    return _oriented("compare", name, cond, receiver, arg)
                break
    return None


def _close(cond: str, span, spec: CheckSpec, syntax: Syntax) -> Split:
    """``abs(a - b) < tol``, ``(a - b).abs() < tol`` or ``a - b < tol``."""
    text = cond[span[0] : span[1]]
    less = [i for i in top_level(text, syntax) if text[i] == "<" and text[i + 1 : i + 2] != "<"]
    less = [i for i in less if text[i - 1 : i] != "<"]
    if len(less) != 1:
        return CONDITION
    left = unwrap(cond, (span[0], span[0] + less[0]), syntax)
    inner = _inside_abs(cond, left, spec, syntax) or left
    body = cond[inner[0] : inner[1]]
    minus = [
        i
        for i in top_level(body, syntax)
        if body[i] == "-"
        and i > 0
        and body[i - 1 : i + 2].strip() not in ("", "--")
        and not re.search(r"[-+*/%(,=<>eE]\s*$", body[:i])
        and body[i + 1 : i + 2] != ">"
    ]
    if len(minus) != 1:
        return CONDITION
    a = unwrap(cond, (inner[0], inner[0] + minus[0]), syntax)
    b = unwrap(cond, (inner[0] + minus[0] + 1, inner[1]), syntax)
    return _oriented("close", "-", cond, a, b)


def _inside_abs(cond: str, span, spec: CheckSpec, syntax: Syntax) -> tuple[int, int] | None:
    text = cond[span[0] : span[1]]
    for name in spec.close_calls:
        if (
            text.startswith(name + "(")
            and matching(cond, span[0] + len(name), syntax) == span[1] - 1
        ):
            return unwrap(cond, (span[0] + len(name) + 1, span[1] - 1), syntax)
    for name in spec.close_methods:
        suffix = f".{name}()"
        if text.endswith(suffix):
            return unwrap(cond, (span[0], span[1] - len(suffix)), syntax)
        if text.endswith(f".{name}") and name.isidentifier():  # Kotlin's .absoluteValue
            return unwrap(cond, (span[0], span[1] - len(name) - 1), syntax)
    return None


def line_of(text: str, index: int) -> int:
    """1-based line number of ``index`` in ``text``."""
    return text.count("\n", 0, index) + 1


def one_line(text: str, limit: int = 300) -> str:
    """``text`` with its whitespace runs collapsed to one space, clipped to ``limit``."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
