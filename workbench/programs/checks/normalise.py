"""A check's source with its literal values replaced by placeholders, so that the same check
written with other inputs reads the same: ``assert(f(new int[]{1, 2}) == 3)`` and
``f([4, 5, 6]) == 7`` both become ``f(<list>) == <N>`` once the call around them is gone.
Failure clustering groups wrong answers by this text (docs/checks.md)."""

from __future__ import annotations

import re

STRING = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|[rbfu]?"(?:\\.|[^"\\\n])*"|[rbfu]?\'(?:\\.|[^\'\\\n])*\''
    r"|`(?:\\.|[^`\\])*`"
)
BOOLEAN = re.compile(r"\b(?:true|false|True|False)\b")
NULL = re.compile(r"\b(?:null|None|nil|NULL|nullptr|undefined)\b")
NUMBER = re.compile(
    r"(?<![\w.])(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
    r"(?:_?(?:[iu](?:8|16|32|64|128|size)|f32|f64)|[uUlLfFdDmn]{0,3})(?![\w])"
)
# A minus sign where a value starts (after a bracket, comma, operator or the start).
SIGNED = re.compile(r"(^|[(\[{,=:<>!?]\s*)-\s*<N>")
# The spellings of a collection literal in the covered languages: vec![..], listOf(..),
# new int[]{..}, Arrays.asList(..), std::vector<int>{..}, []int{..}, array(..), and bare brackets.
COLLECTION_PREFIX = (
    r"(?:vec!|(?:mutable)?(?:list|set|map|array)Of|\w+ArrayOf|emptyList|emptyArray|List\.of|"
    r"Set\.of|Map\.of|Arrays\.asList|Vec::from|array|new\s+[\w.:<>,\s]*?(?:\[\s*\])*|"
    r"(?:std::)?\w+<[\w:<>,\s*]*>|(?:\[\])+[\w.]+|map\[\w+\]\w+|\[\d*\][\w.]+)"
)
ITEM = r"(?:<S>|<N>|<B>|<null>|<list>|<map>)"
COLLECTION = re.compile(
    rf"(?:{COLLECTION_PREFIX}\s*)?[\[({{]\s*(?:{ITEM}(?:\s*(?:,|:|=>|\s)\s*{ITEM})*\s*,?)?\s*[\])}}]"
)
LITERAL_ONLY = re.compile(rf"\s*{ITEM}\s*(?:\.\w+\(\s*\))?\s*")


def normalise_values(source: str) -> str:
    """``source`` with strings and characters as ``<S>``, numbers ``<N>``, booleans ``<B>``,
    null ``<null>`` and collections of those ``<list>``."""
    text = STRING.sub("<S>", source)
    text = BOOLEAN.sub("<B>", text)
    text = NULL.sub("<null>", text)
    text = NUMBER.sub("<N>", text)
    text = SIGNED.sub(r"\1<N>", text)
    while True:
        collapsed = _collapse(text)
        if collapsed == text:
            return text
        text = collapsed


def _collapse(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        start = match.start()
        # f(1, 2) is a call, not a tuple: keep brackets that follow a name and have no prefix.
        body = match.group(0)
        if (
            body[:1] in "([{"
            and start > 0
            and (text[start - 1].isalnum() or text[start - 1] in "_)]")
        ):
            return body
        return "<list>"

    return COLLECTION.sub(one, text)


def normalise_check(source: str) -> str:
    """The check's source for clustering: literals replaced (``normalise_values``), the check's
    own wrapper (``assert(...)``, ``console.assert(...)``, ``assert_eq!(a, b)``) kept, and runs
    of whitespace collapsed."""
    return " ".join(normalise_values(source).split())
