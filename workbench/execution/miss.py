"""What kind of miss a wrong answer is, from the checks of its instrumented run (docs/checks.md).

Decided in this order: when some checks pass, ``edge_case`` if every failing check's input is
an edge (empty, zero, negative, a single element, or the largest value of the test) and
``partial`` otherwise; when none pass, the value kind that every failing check agrees on —
``off_by_one``, ``sign``, ``precision``, ``formatting``, ``type``, first in that order — and
``all_wrong`` when they agree on none. Each kind is a small function of the expected and
actual values as the language printed them, read back by ``parse_value``."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.execution.records import SAMPLE_KEY

MISS_KINDS: tuple[str, ...] = (
    "off_by_one",
    "sign",
    "precision",
    "formatting",
    "type",
    "edge_case",
    "partial",
    "all_wrong",
)


@dataclass(frozen=True)
class Char:
    """A character as a language prints one (``'a'``): the same text as a string, another type."""

    value: str


@dataclass(frozen=True)
class Tagged:
    """A value printed inside a named wrapper: ``Ok(20)``, ``Some(3)``, ``Pair(3, 5)``,
    ``[]int{1, 2}``."""

    name: str
    items: tuple


@dataclass(frozen=True)
class Raw:
    """Printed text that is none of the forms ``parse_value`` reads."""

    text: str


NULLS = {"null", "None", "nil", "NULL", "nullptr", "undefined"}
NUMBER = re.compile(r"[-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?:_?[iuf]\d+|[LlfFdDmn])?")
WORD = re.compile(r"[A-Za-z_][\w.:!]*(?:<[^<>()\[\]{}]*>)?|(?:\[\d*\])+[\w.]+(?:\[\w*\]\w+)?")
CLOSE = {"[": "]", "(": ")", "{": "}"}


def parse_value(text: str | None) -> Any:
    """A printed value as Python data: numbers, ``str``, ``bool``, None, ``Char``, tuples for
    sequences (``[1, 2]``, ``(1, 2)``, ``[]int{1, 2}`` as ``Tagged``), tuples of pairs for maps,
    and ``Raw`` for anything else."""
    if text is None:
        return None
    text = text.strip()
    try:
        value, end = _value(text, 0)
    except (ValueError, IndexError):
        return Raw(text)
    return value if end == len(text) else Raw(text)


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _value(text: str, i: int) -> tuple[Any, int]:
    i = _skip_space(text, i)
    c = text[i]
    if c in "\"'`":
        return _string(text, i)
    if c in CLOSE and not re.match(r"(?:\[\d*\])+[A-Za-z_]", text[i:]):  # not Go's []int{..}
        items, end = _items(text, i)
        return items, end
    number = NUMBER.match(text, i)
    if number and not (number.end() < len(text) and text[number.end()].isalpha()):
        return _number(number.group(0)), number.end()
    word = WORD.match(text, i)
    if not word:
        raise ValueError(text[i:])
    name, end = word.group(0), word.end()
    if name in ("true", "True"):
        return True, end
    if name in ("false", "False"):
        return False, end
    if name in NULLS:
        return None, end
    after = _skip_space(text, end)
    if after < len(text) and text[after] in CLOSE:
        items, end = _items(text, after)
        return Tagged(name.rstrip("!"), items), end
    raise ValueError(name)


def _number(text: str) -> int | float:
    clean = re.sub(r"(?:_?[iuf]\d+|[LlfFdDmn])$", "", text).replace("_", "")
    try:
        return int(clean)
    except ValueError:
        return float(clean)


def _string(text: str, i: int) -> tuple[Any, int]:
    quote, j, out = text[i], i + 1, []
    escapes = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}
    while text[j] != quote:
        if text[j] == "\\":
            j += 1
            out.append(escapes.get(text[j], text[j]))
        else:
            out.append(text[j])
        j += 1
    value = "".join(out)
    return (Char(value) if quote == "'" and len(value) == 1 else value), j + 1


def _items(text: str, i: int) -> tuple[tuple, int]:
    close, items, j = CLOSE[text[i]], [], _skip_space(text, i + 1)
    while text[j] != close:
        item, j = _value(text, j)
        j = _skip_space(text, j)
        for sep in ("=>", ":", "="):
            if text.startswith(sep, j) and not text.startswith("::", j):
                value, j = _value(text, j + len(sep))
                item, j = (item, value), _skip_space(text, j)
                break
        items.append(item)
        if text[j] == ",":
            j = _skip_space(text, j + 1)
    return tuple(items), j + 1


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unwrap(expected: Any, actual: Any) -> tuple[Any, Any]:
    """Values inside wrappers of the same name (``Ok(20)`` against ``Ok(21)``)."""
    while (
        isinstance(expected, Tagged) and isinstance(actual, Tagged) and expected.name == actual.name
    ):
        expected, actual = expected.items, actual.items
        if len(expected) == 1 and len(actual) == 1:
            expected, actual = expected[0], actual[0]
    return expected, actual


def _pairwise(expected: Any, actual: Any, kind: Callable[[Any, Any], bool]) -> bool:
    """Sequences of one length whose differing elements all fit ``kind``."""
    if not (isinstance(expected, tuple) and isinstance(actual, tuple)):
        return False
    if len(expected) != len(actual) or expected == actual:
        return False
    return all(e == a or kind(e, a) for e, a in zip(expected, actual, strict=True))


def off_by_one(expected: Any, actual: Any) -> bool:
    """Numbers one apart (``4`` for ``5``), a sequence whose elements are all off by the same
    one, or a sequence shifted by one place (one element lost or added at an end)."""
    expected, actual = _unwrap(expected, actual)
    if _is_number(expected) and _is_number(actual):
        return abs(actual - expected) == 1
    if not (isinstance(expected, tuple) and isinstance(actual, tuple)) or expected == actual:
        return False
    if len(expected) == len(actual) and all(map(_is_number, expected + actual)):
        offsets = {a - e for e, a in zip(expected, actual, strict=True)}
        if offsets in ({1}, {-1}):
            return True
    # A shift needs a few elements to mean something: two in common at least.
    if len(expected) == len(actual) and len(expected) > 2:
        return expected[1:] == actual[:-1] or expected[:-1] == actual[1:]
    if abs(len(expected) - len(actual)) == 1 and min(len(expected), len(actual)) > 1:
        longer, shorter = (expected, actual) if len(expected) > len(actual) else (actual, expected)
        return longer[1:] == shorter or longer[:-1] == shorter
    return False


def sign(expected: Any, actual: Any) -> bool:
    """The right magnitude with the wrong sign (``-3`` for ``3``), number by number."""
    expected, actual = _unwrap(expected, actual)
    if _is_number(expected) and _is_number(actual):
        return expected != 0 and actual == -expected
    return _pairwise(expected, actual, sign)


def _float(value: Any) -> float | None:
    if _is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def precision(expected: Any, actual: Any) -> bool:
    """Floating-point values that differ but agree to a few digits (relative 1e-3)."""
    expected, actual = _unwrap(expected, actual)
    e, a = _float(expected), _float(actual)
    if e is not None and a is not None:
        floats = isinstance(expected, float) or isinstance(actual, float) or "." in str(expected)
        return floats and e != a and math.isclose(e, a, rel_tol=1e-3, abs_tol=1e-9)
    return _pairwise(expected, actual, precision)


_NOT_TEXT = re.compile(r"[\s\"'`.,;:!?()\[\]{}_-]+")


def _text_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Char):
        return value.value
    return None


def formatting(expected: Any, actual: Any) -> bool:
    """Strings equal up to case, whitespace, quotes or punctuation; or sequences with the same
    elements in another order (judged from the values alone)."""
    expected, actual = _unwrap(expected, actual)
    e, a = _text_of(expected), _text_of(actual)
    if e is not None and a is not None:
        return e != a and _NOT_TEXT.sub("", e).lower() == _NOT_TEXT.sub("", a).lower()
    if isinstance(expected, tuple) and isinstance(actual, tuple) and expected != actual:
        if sorted(map(repr, expected)) == sorted(map(repr, actual)):
            return True
        return _pairwise(expected, actual, formatting)
    return False


def same_type(left: Any, right: Any) -> bool:
    """Whether two parsed values are of one type (an int and a float are both numbers)."""
    if _is_number(left) and _is_number(right):
        return True
    return type(left) is type(right)


def type_(expected: Any, actual: Any) -> bool:
    """The same value of another type: ``"3"`` for ``3``, ``True`` for ``1``, ``'a'`` for
    ``"a"``, a one-element list for its element."""
    expected, actual = _unwrap(expected, actual)
    if same_type(expected, actual) and not isinstance(expected, tuple):
        return False
    for one, other in ((expected, actual), (actual, expected)):
        if isinstance(one, bool) and _is_number(other):
            return int(one) == other
        if isinstance(one, str | Char) and not isinstance(other, str | Char | Raw):
            text = _text_of(one)
            return text == str(other) or (
                _float(text) is not None and _float(text) == _float(other)
            )
        if isinstance(one, Char) and isinstance(other, str):
            return one.value == other
        if isinstance(one, tuple) and len(one) == 1 and not isinstance(other, tuple):
            return one[0] == other
    if isinstance(expected, tuple) and isinstance(actual, tuple):
        return _pairwise(expected, actual, type_)
    return False


VALUE_KINDS: dict[str, Callable[[Any, Any], bool]] = {
    "off_by_one": off_by_one,
    "sign": sign,
    "precision": precision,
    "formatting": formatting,
    "type": type_,
}


def value_kinds(expected: str | None, actual: str | None) -> set[str]:
    """The value kinds one failing check fits (none without both values)."""
    if expected is None or actual is None:
        return set()
    e, a = parse_value(expected), parse_value(actual)
    if isinstance(e, Raw) or isinstance(a, Raw):
        return {"formatting"} if formatting(expected, actual) else set()
    return {name for name, kind in VALUE_KINDS.items() if kind(e, a)}


def call_args(call: str | None) -> list[Any] | None:
    """The literal arguments of the call a check compares (``f([], 0)`` -> ``[(), 0]``);
    None when it is not a call of literals (a variable says nothing about its value)."""
    if not call:
        return None
    match = re.fullmatch(r"[\w.$:!<>]+\s*\((.*)\)\s*(?:\.\w+\(\s*\))*", call.strip(), re.S)
    if not match:
        return None
    args = parse_value(f"[{CONSTRUCTOR.sub('{', match.group(1))}]")
    if isinstance(args, Raw):
        return None
    return [_edge_view(a) for a in args]


# Array literals that name their type before the braces: C's (int[]){1, 2}, Java's new int[]{1}.
CONSTRUCTOR = re.compile(
    r"\((?:const\s+)?\w+\s*\*?\s*\[\d*\]\)\s*\{|\bnew\s+[\w.<>]+(?:\[\])+\s*\{"
)


def _edge_view(value: Any) -> Any:
    """Collection constructors (``vec![..]``, ``listOf(..)``, ``std::vector<int>({..})``) as
    the tuple they hold."""
    if isinstance(value, Tagged):
        items = value.items
        return items[0] if len(items) == 1 and isinstance(items[0], tuple) else items
    return value


def _size(value: Any) -> float | None:
    if _is_number(value):
        return float(value)
    if isinstance(value, str | tuple):
        return float(len(value))
    return None


def is_edge_input(args: Sequence[Any], others: Iterable[Sequence[Any]]) -> bool:
    """Whether a check's arguments hold an edge: an empty string or sequence, zero, a negative
    number, a single element, or the largest value (or longest input) at that position among
    the test's checks (``others``, this check included), when no other check has it too."""
    others = list(others)
    for position, value in enumerate(args):
        if value in ("", ()) or (_is_number(value) and value <= 0):
            return True
        if isinstance(value, tuple) and len(value) == 1:
            return True
        size = _size(value)
        sizes = [_size(o[position]) for o in others if len(o) > position]
        sizes = [s for s in sizes if s is not None]
        if (
            size is not None
            and len(set(sizes)) > 1
            and size == max(sizes)
            and sizes.count(size) == 1
        ):
            return True
    return False


def miss_kind(checks: Sequence[Mapping[str, Any]]) -> str | None:
    """The kind of miss of one sample from its executed checks (rows with ``passed``,
    ``expected``, ``actual``, ``check_call``); None when no check failed."""
    failing = [c for c in checks if not c["passed"]]
    if not failing:
        return None
    if len(failing) < len(checks):
        inputs = [call_args(_text(c.get("check_call"))) for c in checks]
        known = [i for i in inputs if i is not None]
        failing_inputs = [call_args(_text(c.get("check_call"))) for c in failing]
        if all(i is not None and is_edge_input(i, known) for i in failing_inputs):
            return "edge_case"
        return "partial"
    shared = set(VALUE_KINDS)
    for check in failing:
        shared &= value_kinds(_text(check.get("expected")), _text(check.get("actual")))
    return next((name for name in VALUE_KINDS if name in shared), "all_wrong")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def miss_kinds(checks: pd.DataFrame) -> pd.DataFrame:
    """One row per sample of the per-check table (``run_checks``' second frame): the sample
    key, ``checks_passed``, ``checks_total`` and ``miss``."""
    rows = []
    for key, group in checks.sort_values("check_index").groupby(list(SAMPLE_KEY), sort=False):
        records = group.to_dict("records")
        rows.append(
            {
                **dict(zip(SAMPLE_KEY, key, strict=True)),
                "checks_passed": int(group["passed"].sum()),
                "checks_total": len(group),
                "miss": miss_kind(records),
            }
        )
    return pd.DataFrame(rows, columns=[*SAMPLE_KEY, "checks_passed", "checks_total", "miss"])
