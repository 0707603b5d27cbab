"""Find the program in a model's raw answer: fenced blocks, the block defining the entry point,
or bare code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.registry.languages import Language

# An opening fence with an optional info string; an answer cut off by the token limit may
# never close its last fence, so end of text also ends a block.
_FENCE = re.compile(
    r"^[ \t]*(`{3,}|~{3,})[ \t]*([^\n`]*)\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S
)


@dataclass(frozen=True)
class Extraction:
    """The code taken from a raw answer and how it was found."""

    code: str
    method: str  # fence:entry, fence:language, fence:first, bare


@dataclass(frozen=True)
class Fence:
    tag: str
    code: str


def fences(text: str) -> list[Fence]:
    """All fenced code blocks of a markdown text, in order."""
    return [
        Fence(m.group(2).strip().split()[0].lower() if m.group(2).strip() else "", m.group(3))
        for m in _FENCE.finditer(text)
    ]


def defines(language: Language, code: str, entry_point: str | None) -> bool:
    """True when ``code`` defines ``entry_point`` the way ``language`` writes definitions."""
    if not entry_point or not language.definition:
        return False
    pattern = language.definition.replace("{entry}", re.escape(entry_point))
    return re.search(pattern, code, re.M) is not None


def extract_code(raw: str, language: Language, entry_point: str | None = None) -> Extraction:
    """Pick the code to run from a model answer.

    Preference: the first block (tagged for this language or untagged) that defines the entry
    point; then any block that does; then the first block tagged for this language; then the
    first block; then the whole text as bare code.
    """
    blocks = fences(raw)
    if not blocks:
        return Extraction(raw.strip("\n"), "bare")
    tags = {t.lower() for t in language.fence_tags}
    ours = [b for b in blocks if b.tag in tags or b.tag == ""]
    for candidates in (ours, blocks):
        for block in candidates:
            if defines(language, block.code, entry_point):
                return Extraction(block.code.rstrip("\n"), "fence:entry")
    if ours:
        return Extraction(ours[0].code.rstrip("\n"), "fence:language")
    if language.extract_fallback == "whole":
        # e.g. Markdown: an answer whose fences are all of other languages is itself the document.
        return Extraction(raw.strip("\n"), "whole")
    return Extraction(blocks[0].code.rstrip("\n"), "fence:first")
