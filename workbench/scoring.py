"""Scorers: judge languages whose answers are compared rather than run against a test.

A scorer is called by the executor with the language, the program (the model's answer), the
limits, the prepared work folder (support files already copied in, the answer written to the
language's source file) and a partly filled ``Execution``; it returns that Execution with its
status and reason set. The registry names a scorer with ``scorer = "<key of SCORERS>"``.

Every normalisation below is documented, next to what the official evaluator does, in
``docs/scoring.md``.

* ``json``: parsed-structure equality (object key order and whitespace ignored, ``true`` is not
  ``1``); invalid JSON is a ``compile_error`` with the parser's message.
* ``html``: normalised DOM comparison, parsed with Python's ``html.parser`` into a small tree
  (tag-name case, attribute order, whitespace between tags, optional closing tags, the
  document wrapper, comments and doctype normalised away).
* ``markdown``: exact text after normalising line endings, trailing whitespace, blank lines at
  the ends, the answer's own fence and a code fence left open at the end.
* ``awk_output``: the answer (a shell command line) and the task's canonical command run in the
  same sandboxed work folder; their standard outputs must be equal.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from workbench.executor import (
    Execution,
    Program,
    StepReport,
    _classify,
    fixture_binds,
    limits_for,
)
from workbench.languages import Language, Limits
from workbench.paths import search_path
from workbench.sandbox import TAIL_BYTES, RunResult, run_confined

Scorer = Callable[[Language, Program, Limits, Path, Execution], Execution]

DIFF_LINES = 12  # lines of a diff kept in a reason


# --------------------------------------------------------------------------- references


def reference_texts(language: Language, program: Program) -> list[str]:
    """The texts an answer may match: the generation reference file ``<N>.<ext>`` of the task's
    support folder (what the official evaluator compares with) and the record's own
    ``canonical_solution`` when it has one (completion records carry a re-spaced copy)."""
    texts: list[str] = []
    if program.task_id and program.support_dir is not None:
        number = program.task_id.split("/", 1)[-1].split("-", 1)[0]
        path = Path(program.support_dir) / f"{number}.{language.extension}"
        if path.is_file():
            texts.append(path.read_text(encoding="utf-8"))
    reference = _reference(program)
    if reference and reference not in texts:
        texts.append(reference)
    return texts


def _reference(program: Program) -> str | None:
    """The program's ``reference`` when it is text (a table row may carry NaN for "none")."""
    return program.reference if isinstance(program.reference, str) else None


def _no_reference(base: Execution, program: Program) -> Execution:
    base.status = "infrastructure_error"
    base.reason = (
        f"no reference answer for {program.task_id or 'this program'}: the task has no "
        "canonical_solution and its support folder has no <N>.<ext> file"
    )
    return base


def _diff(expected: list[str], got: list[str], what: str = "reference") -> str:
    lines = list(difflib.unified_diff(expected, got, what, "answer", n=1, lineterm=""))[2:]
    if len(lines) > DIFF_LINES:
        lines = lines[:DIFF_LINES] + [f"... ({len(lines) - DIFF_LINES} more diff lines)"]
    return "\n".join(lines)


def _verdict(base: Execution, status: str, reason: str) -> Execution:
    base.status, base.reason = status, reason
    return base


# --------------------------------------------------------------------------- JSON


class _Reject(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _Reject(f"{name} is not valid JSON")


def parse_json(text: str) -> Any:
    """Strict JSON (no NaN/Infinity); a leading byte-order mark and surrounding whitespace are
    allowed. Raises ``ValueError`` with the parser's message."""
    return json.loads(text.lstrip("\ufeff"), parse_constant=_reject_constant)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    return "object"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def json_differences(expected: Any, got: Any, path: str = "$", limit: int = 5) -> list[str]:
    """Where two parsed JSON values differ (at most ``limit`` places), as ``path: ...`` lines.

    Numbers compare by value (``1`` equals ``1.0``: JSON has one number type); booleans are not
    numbers; object key order does not matter; array order does."""
    out: list[str] = []

    def walk(a: Any, b: Any, where: str) -> None:
        if len(out) >= limit:
            return
        ka, kb = _json_kind(a), _json_kind(b)
        if ka != kb:
            out.append(f"{where}: expected {ka} {_short(a)}, got {kb} {_short(b)}")
        elif ka == "object":
            for key in a:
                if key not in b:
                    out.append(f"{where}: missing key {_short(key)}")
                elif len(out) < limit:
                    walk(
                        a[key],
                        b[key],
                        f"{where}.{key}" if key.isidentifier() else f"{where}[{_short(key)}]",
                    )
            for key in b:
                if key not in a and len(out) < limit:
                    out.append(f"{where}: unexpected key {_short(key)}")
        elif ka == "array":
            for i, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(x, y, f"{where}[{i}]")
            if len(a) != len(b) and len(out) < limit:
                out.append(f"{where}: expected {len(a)} items, got {len(b)}")
        elif a != b:
            out.append(f"{where}: expected {_short(a)}, got {_short(b)}")

    walk(expected, got, path)
    return out[:limit]


def score_json(
    language: Language, program: Program, limits: Limits, workdir: Path, base: Execution
) -> Execution:
    """Parsed-structure equality with the reference JSON."""
    try:
        got = parse_json(program.source)
    except (ValueError, RecursionError) as exc:
        return _verdict(base, "compile_error", f"invalid JSON: {exc}")
    references = reference_texts(language, program)
    if not references:
        return _no_reference(base, program)
    first: list[str] | None = None
    for text in references:
        try:
            expected = parse_json(text)
        except (ValueError, RecursionError) as exc:
            return _verdict(base, "infrastructure_error", f"the reference is not valid JSON: {exc}")
        differences = json_differences(expected, got)
        if not differences:
            return _verdict(base, "passed", "same JSON structure as the reference")
        first = first or differences
    return _verdict(base, "failed", "JSON differs from the reference: " + "; ".join(first or []))


# --------------------------------------------------------------------------- HTML

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
        return _no_reference(base, program)
    try:
        got = html_lines(html_tree(program.source))
    except RecursionError:
        return _verdict(base, "failed", "HTML nested too deeply to compare")
    if not got:
        return _verdict(base, "failed", "the answer has no HTML content")
    first: list[str] | None = None
    for text in references:
        expected = html_lines(html_tree(text))
        if got == expected:
            return _verdict(base, "passed", "same normalised DOM as the reference")
        first = first or expected
    return _verdict(
        base,
        "failed",
        "HTML differs from the reference (normalised DOM):\n" + _diff(first or [], got),
    )


# --------------------------------------------------------------------------- Markdown

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
        return _no_reference(base, program)
    variants = markdown_variants(program.source)
    expected_all = [markdown_lines(text) for text in references]
    for expected in expected_all:
        for variant in variants:
            if variant == expected:
                how = "" if variant is variants[0] else " (inside the answer's own fence)"
                return _verdict(base, "passed", "same text as the reference" + how)
    best = variants[-1]
    return _verdict(
        base, "failed", "Markdown differs from the reference:\n" + _diff(expected_all[0], best)
    )


# --------------------------------------------------------------------------- AWK

REFERENCE_SCRIPT = ".reference.sh"
_UNORDERED = re.compile(r"\bfor\s*\(\s*\w+\s+in\s+\w+\s*\)")
_ORDERED = re.compile(r"\|\s*sort\b|\basorti?\s*\(|sorted_in")


def order_free(reference: str) -> bool:
    """True when the reference's line order is awk's unspecified ``for (k in a)`` order (and it
    does not sort): an answer then only has to print the same lines."""
    return bool(_UNORDERED.search(reference)) and not _ORDERED.search(reference)


def _mirror_inputs(program: Program, workdir: Path) -> None:
    """The task prompts name their input files ``data/<support folder>/<file>``: make them
    readable there too (the official evaluator runs from a folder where they are not, which
    fails five canonical answers)."""
    support = program.support_dir
    if support is None or not Path(support).is_dir():
        return
    target = workdir / "data" / Path(support).name
    target.mkdir(parents=True, exist_ok=True)
    for item in Path(support).iterdir():
        if item.is_file():
            shutil.copy2(item, target / item.name)


def _kept_whole(result: RunResult) -> bool:
    return result.output_bytes <= TAIL_BYTES * 2


def _run(language: Language, limits: Limits, workdir: Path, script: str) -> RunResult:
    return run_confined(
        ["bash", script],
        workdir,
        limits_for("run", limits),
        env=language.env,
        binds=fixture_binds(language),
    )


def _record(base: Execution, argv: list[str], result: RunResult) -> None:
    base.steps.append(
        StepReport("run", argv, result.exit_code, result.signal, result.duration, result.timed_out)
    )
    base.run_seconds += result.duration
    base.max_rss_kb = max(base.max_rss_kb, result.max_rss_kb)
    if result.uid is not None:
        base.sandbox_uids.append(result.uid)


def _tail(text: str, n: int = 300) -> str:
    text = text.strip()
    return text if len(text) <= n else "..." + text[-n:]


def score_awk(
    language: Language, program: Program, limits: Limits, workdir: Path, base: Execution
) -> Execution:
    """Run the canonical command, then the answer, in the same work folder; compare stdout."""
    reference = _reference(program)
    if not reference or not reference.strip():
        return _no_reference(base, program)
    sandbox_path = language.env.get("PATH", search_path())
    missing = [t for t in ("bash", "awk") if shutil.which(t, path=sandbox_path) is None]
    if missing:
        packages = ", ".join(language.debian_packages) or "none in Debian"
        return _verdict(
            base,
            "toolchain_missing",
            f"{', '.join(missing)} not found (Debian packages: {packages})",
        )
    _mirror_inputs(program, workdir)
    source = language.source_name(program.source)

    (workdir / REFERENCE_SCRIPT).write_text(reference.strip() + "\n", encoding="utf-8")
    ref = _run(language, limits, workdir, REFERENCE_SCRIPT)
    (workdir / REFERENCE_SCRIPT).unlink(missing_ok=True)
    _record(base, ["bash", REFERENCE_SCRIPT], ref)
    trouble = _classify(language, "run", ref)
    if trouble is not None or not _kept_whole(ref):
        why = trouble[1] if trouble else "its output is too large to compare"
        if trouble and trouble[0] == "timeout":
            why = f"it ran out of time ({why})"
        return _verdict(
            base,
            "infrastructure_error",
            f"the reference command failed, so the answer cannot be judged: {why}; "
            f"stderr: {_tail(ref.stderr)!r}",
        )

    run = _run(language, limits, workdir, source)
    _record(base, ["bash", source], run)
    base.exit_code, base.signal = run.exit_code, run.signal
    base.stdout, base.stderr = run.stdout, run.stderr
    base.output_truncated = run.output_truncated
    verdict = _classify(language, "run", run)
    if verdict is not None:
        status, reason = verdict
        if run.stderr.strip() and status in ("runtime_error", "compile_error"):
            reason += f": {_tail(run.stderr)}"
        return _verdict(base, status, reason)
    expected, got = ref.stdout.rstrip("\n"), run.stdout.rstrip("\n")
    if expected == got and _kept_whole(run):
        return _verdict(base, "passed", "same output as the canonical command")
    if (
        _kept_whole(run)
        and order_free(reference)
        and sorted(expected.split("\n")) == sorted(got.split("\n"))
    ):
        return _verdict(
            base,
            "passed",
            "same output lines as the canonical command (whose order is awk's unspecified "
            "for-in order)",
        )
    detail = _diff(expected.split("\n"), got.split("\n"), "canonical")
    if not _kept_whole(run):
        detail = f"the answer printed {run.output_bytes} bytes, far more than the canonical command"
    return _verdict(base, "failed", "output differs from the canonical command's:\n" + detail)


SCORERS: dict[str, Scorer] = {
    "json": score_json,
    "html": score_html,
    "markdown": score_markdown,
    "awk_output": score_awk,
}
