"""HTML answers: a normalised DOM compared with the reference's, parsed with Python's
``html.parser`` into a small tree (tag-name case, attribute order, whitespace between tags,
optional closing tags, the document wrapper, comments and doctype normalised away)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from workbench.execution.records import Execution, Program
from workbench.execution.scoring.common import diff_lines, no_reference, reference_texts, verdict
from workbench.registry.languages import Language, Limits

VOID = frozenset(
    "area base br col embed hr img input keygen link meta param source track wbr".split()
)
# Start tags that close an open <p> (HTML's "close a p element" rule), searched in button scope.
CLOSES_P = frozenset(
    """address article aside blockquote center details dialog dir div dl fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section summary
    table ul li dd dt listing plaintext xmp""".split()
)
P_SCOPE = frozenset("applet caption html table td th marquee object template button".split())
# Start tag -> (open elements it closes, elements that stop the search).
IMPLIED_END = {
    "li": ({"li"}, {"ul", "ol", "menu", "table"}),
    "dt": ({"dt", "dd"}, {"dl", "table"}),
    "dd": ({"dt", "dd"}, {"dl", "table"}),
    "tr": ({"tr"}, {"table", "thead", "tbody", "tfoot"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "thead": ({"thead", "tbody", "tfoot"}, {"table"}),
    "tbody": ({"thead", "tbody", "tfoot"}, {"table"}),
    "tfoot": ({"thead", "tbody", "tfoot"}, {"table"}),
    "option": ({"option"}, {"select", "datalist", "optgroup"}),
    "optgroup": ({"optgroup", "option"}, {"select"}),
}
PRESERVE_SPACE = frozenset({"pre", "textarea", "listing"})
BOOLEAN_ATTRIBUTES = frozenset(
    """allowfullscreen async autofocus autoplay checked controls default defer disabled
    formnovalidate hidden inert ismap itemscope loop multiple muted nomodule novalidate open
    playsinline readonly required reversed selected""".split()
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML whitespace: not U+00A0 (&nbsp;)


@dataclass
class Node:
    """An element (``tag`` set) or a text node (``text`` set)."""

    tag: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str | None = None


class _TreeBuilder(HTMLParser):
    """html.parser events -> a tree, with void elements and HTML's implied end tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node(tag="#document")
        self.stack = [self.root]

    def _pop_through(self, index: int) -> None:
        del self.stack[index:]

    def _close_implied(self, tag: str) -> None:
        if tag in CLOSES_P:
            for i in range(len(self.stack) - 1, 0, -1):
                name = self.stack[i].tag
                if name == "p":
                    self._pop_through(i)
                    break
                if name in P_SCOPE:
                    break
        if tag in IMPLIED_END:
            closes, stops = IMPLIED_END[tag]
            for i in range(len(self.stack) - 1, 0, -1):
                name = self.stack[i].tag
                if name in closes:
                    self._pop_through(i)
                    break
                if name in stops:
                    break

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value if value is not None else "")  # first one wins
        node = Node(tag=tag, attrs=values)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag:
            self.stack.pop()  # <div/>: XHTML-style empty element

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                self._pop_through(i)
                return
        # A stray end tag (nothing to close) is ignored, as browsers do for most tags.

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Node(text=data))

    # Comments, the doctype and processing instructions are not part of the compared content.
    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:  # <![CDATA[...]]>
        self.handle_data(data[6:] if data.startswith("CDATA[") else "")


def _attributes(tag: str, attrs: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, value in attrs.items():
        if name == "class":
            value = " ".join(sorted(_HTML_SPACE.split(value.strip()))) if value.strip() else ""
        elif name == "style":
            parts = []
            for decl in value.split(";"):
                if ":" in decl:
                    prop, val = decl.split(":", 1)
                    parts.append(f"{prop.strip().lower()}: {_HTML_SPACE.sub(' ', val.strip())}")
                elif decl.strip():
                    parts.append(decl.strip())
            value = "; ".join(parts)
        elif name in BOOLEAN_ATTRIBUTES and value.lower() in ("", name):
            value = ""
        out[name] = value
    return dict(sorted(out.items()))


def _content(nodes: list[Node], preserve: bool = False) -> list[Node]:
    """Normalised children: document wrappers unwrapped, <head> dropped, an attribute-less
    <tbody> directly in a table unwrapped, adjacent texts merged, whitespace normalised."""
    flat: list[Node] = []
    for node in nodes:
        if node.tag in ("html", "body") or (node.tag == "tbody" and not node.attrs):
            flat.extend(_content(node.children, preserve))
            continue
        if node.tag == "head":
            continue
        if node.text is not None:
            if flat and flat[-1].text is not None:
                flat[-1] = Node(text=flat[-1].text + node.text)
            else:
                flat.append(Node(text=node.text))
            continue
        keep = preserve or node.tag in PRESERVE_SPACE
        children = _content(node.children, keep)
        if node.tag in ("pre", "textarea", "listing") and children and children[0].text:
            if children[0].text.startswith("\n"):  # HTML drops one newline after <pre>
                children[0] = Node(text=children[0].text[1:])
        flat.append(Node(tag=node.tag, attrs=_attributes(node.tag, node.attrs), children=children))
    out: list[Node] = []
    for node in flat:
        if node.text is not None:
            text = node.text if preserve else _HTML_SPACE.sub(" ", node.text).strip()
            if text:
                out.append(Node(text=text))
        else:
            out.append(node)
    return out


def html_tree(text: str) -> list[Node]:
    """Parse ``text`` (a fragment or a whole document) into its normalised content."""
    builder = _TreeBuilder()
    builder.feed(text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    builder.close()
    return _content(builder.root.children)


def html_lines(nodes: list[Node], depth: int = 0) -> list[str]:
    """One line per tag or text, indented by depth (like BeautifulSoup's prettify)."""
    lines: list[str] = []
    pad = "  " * depth
    for node in nodes:
        if node.tag is None:
            lines.append(pad + json.dumps(node.text, ensure_ascii=False))
            continue
        attrs = "".join(f' {k}="{v}"' if v else f" {k}" for k, v in node.attrs.items())
        lines.append(f"{pad}<{node.tag}{attrs}>")
        if node.tag not in VOID:
            lines.extend(html_lines(node.children, depth + 1))
            lines.append(f"{pad}</{node.tag}>")
    return lines


def score_html(
    language: Language, program: Program, limits: Limits, workdir: Path, base: Execution
) -> Execution:
    """Normalised DOM comparison with the reference HTML."""
    references = reference_texts(language, program)
    if not references:
        return no_reference(base, program)
    try:
        got = html_lines(html_tree(program.source))
    except RecursionError:
        return verdict(base, "failed", "HTML nested too deeply to compare")
    if not got:
        return verdict(base, "failed", "the answer has no HTML content")
    first: list[str] | None = None
    for text in references:
        expected = html_lines(html_tree(text))
        if got == expected:
            return verdict(base, "passed", "same normalised DOM as the reference")
        first = first or expected
    return verdict(
        base,
        "failed",
        "HTML differs from the reference (normalised DOM):\n" + diff_lines(first or [], got),
    )
