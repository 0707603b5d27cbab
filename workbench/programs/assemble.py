"""Assemble the program to run from a task and model code, the way McEval joins them:
the model's function, the prompt's imports, and the task's test."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from workbench.programs.extract import defines
from workbench.registry.languages import Language, StripRule, get_language, language_of_task

MASK = "[MASK]"


def canonical_program(task: Mapping[str, Any]) -> str:
    """prompt + canonical solution + test, joined as the benchmark joins them; for languages
    judged by comparison (``answer_only``), the reference answer itself."""
    language = _language_of(task)
    if language.assembly == "answer_only":
        return reference_answer(task)
    return join_parts(task["prompt"], task["canonical_solution"], task["test"])


def task_prompt(task: Mapping[str, Any]) -> str:
    """The prompt, minus the canonical solution when the prompt already ends with it.

    McEval's Haskell/48 span record gives the whole one-line definition away in its prompt;
    joined as is, prompt + answer would declare the function twice (and the prompt's copy would
    pass any fill). Every other record's prompt stops before the solution.
    """
    prompt, canonical = task["prompt"], str(task.get("canonical_solution") or "").strip()
    if task.get("mask_code") and canonical and prompt.rstrip().endswith(canonical):
        return prompt.rstrip()[: -len(canonical)]
    return prompt


def reference_answer(task: Mapping[str, Any]) -> str:
    """The task's reference answer: ``canonical_solution``, or for HTML/JSON/Markdown the file
    ``generation/<Lang>/<N>.<ext>`` next to the data."""
    canonical = task.get("canonical_solution")
    if isinstance(canonical, str) and canonical:  # a table row holds NaN when there is none
        return canonical
    language = _language_of(task)
    number = str(task["task_id"]).split("/", 1)[1].split("-", 1)[0]
    support = task.get("support_dir")
    if not isinstance(support, str) or not support:
        raise FileNotFoundError(f"{task['task_id']}: no reference answer and no support folder")
    return (Path(support) / f"{number}.{language.extension}").read_text(encoding="utf-8")


def _language_of(task: Mapping[str, Any]) -> Language:
    return (
        get_language(task["language"])
        if task.get("language")
        else language_of_task(task["task_id"])
    )


def join_parts(*parts: str) -> str:
    """Parts of a program joined by one newline each, ending in a newline."""
    # McEval prompts do not end in a newline: one newline between parts keeps lines intact.
    return "\n".join(p for p in parts if p) + "\n"


def _matching_brace(text: str, open_index: int) -> int:
    """Index of the brace closing the one at ``open_index`` (skipping strings and comments)."""
    depth = 0
    i = open_index
    n = len(text)
    while i < n:
        c = text[i]
        if c in "\"'`":
            i = _skip_string(text, i)
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    if quote == "'" and not re.match(r"'(?:\\.|[^\\'\n]){1,2}'", text[i:]):
        return i + 1  # an apostrophe in prose or a lifetime, not a char literal
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == quote or (text[j] == "\n" and quote != "`"):
            return j + 1
        j += 1
    return j


def strip_constructs(code: str, rules: tuple[StripRule, ...]) -> str:
    """Remove model-written constructs the test supplies itself (a second ``main``)."""
    for rule in rules:
        while (match := rule.pattern.search(code)) is not None:
            if rule.until == "braces":
                brace = code.find("{", match.end())
                end = _matching_brace(code, brace) if brace >= 0 else -1
                if end < 0:
                    break
                code = code[: match.start()] + code[end + 1 :]
            else:
                lines = code[match.start() :].split("\n")
                keep = 1
                while keep < len(lines) and (not lines[keep].strip() or lines[keep][:1] in " \t"):
                    keep += 1
                code = code[: match.start()] + "\n".join(lines[keep:])
    return code


def preamble_lines(language: Language, *texts: str) -> list[str]:
    """Import/include lines of ``texts`` (in order, without repeats)."""
    if language.preamble is None:
        return []
    seen: dict[str, None] = {}
    for text in texts:
        for match in language.preamble.finditer(text):
            seen.setdefault(match.group(0).strip(), None)
    return list(seen)


def _append(language: Language, task: Mapping[str, Any], code: str) -> str:
    if not defines(language, code, task.get("entry_point")):
        # A body without its signature: the prompt provides the signature, as in the benchmark.
        return join_parts(task["prompt"], code, task["test"])
    code = strip_constructs(code, language.strip)
    missing = [line for line in preamble_lines(language, task["prompt"]) if line not in code]
    return join_parts("\n".join(missing), code, task["test"])


def _class_body(language: Language, task: Mapping[str, Any], code: str) -> str:
    """Put the model's members inside the prompt's class: the test closes that class."""
    prompt = task["prompt"]
    if not defines(language, code, task.get("entry_point")):
        return join_parts(prompt, code, task["test"])
    imports = preamble_lines(language, prompt, code)
    body = language.preamble.sub("", code) if language.preamble else code
    header = re.search(r"\b(?:class|interface|enum|record)\s+\w+[^{;]*\{", body)
    if header:
        end = _matching_brace(body, header.end() - 1)
        body = body[header.end() : end if end >= 0 else len(body)]
    body = strip_constructs(body, language.strip)
    class_open = re.search(r"\bclass\s+\w+[^{;]*\{", prompt)
    if class_open is None:
        return join_parts("\n".join(imports), code, task["test"])
    opening = language.preamble.sub("", prompt[: class_open.end()]) if language.preamble else ""
    return join_parts("\n".join(imports), opening.strip("\n"), body.strip("\n"), task["test"])


def _answer_only(language: Language, task: Mapping[str, Any], code: str) -> str:
    """Languages judged by comparing the answer itself (markup, AWK commands)."""
    return code if code.endswith("\n") else code + "\n"


def _program_contains(language: Language, task: Mapping[str, Any], code: str) -> str:
    """Fortran: the test opens ``program X`` and ends inside its ``contains`` section, so the
    model's procedures go after the test and the program is closed after them. A main program
    the model wrote itself and its ``end program`` lines are dropped (the test is the program)."""
    if not defines(language, code, task.get("entry_point")):
        code = f"{task['prompt']}\n{code}"

    def main_program(match: re.Match[str]) -> str:
        # Keep the procedures the model put in its own program's contains section.
        inner = re.split(r"(?im)^[ \t]*contains[ \t]*$", match.group(0), maxsplit=1)
        return inner[1] if len(inner) == 2 else ""

    code = re.sub(
        r"(?ims)^[ \t]*program[ \t]+\w+.*?^[ \t]*end[ \t]*program\b[^\n]*$", main_program, code
    )
    code = re.sub(r"(?im)^[ \t]*end[ \t]*program\b[^\n]*$", "", code)
    code = strip_constructs(code, language.strip)
    name = re.search(r"(?im)^[ \t]*program[ \t]+(\w+)", task["test"])
    closing = f"end program {name.group(1)}" if name else "end program"
    return join_parts(task["test"].rstrip("\n"), code.strip("\n"), closing)


_GO_IMPORT = re.compile(
    r"(?ms)^[ \t]*import[ \t]*\((?P<block>.*?)^[ \t]*\)[ \t]*$"
    r"|^[ \t]*import[ \t]+(?P<single>(?:[\w.]+[ \t]+)?\"[^\"\n]+\")[ \t]*$"
)
_GO_SPEC = re.compile(r'(?m)^[ \t]*(?:(?P<alias>[\w.]+)[ \t]+)?"(?P<path>[^"\n]+)"')
_GO_PACKAGE = re.compile(r"(?m)^[ \t]*package[ \t]+\w+[ \t]*$\n?")


def _go_imports(text: str) -> tuple[list[tuple[str | None, str]], str]:
    """The import specs (alias, path) of Go source ``text``, and ``text`` without its package
    clause and import declarations."""
    specs: list[tuple[str | None, str]] = []
    for match in _GO_IMPORT.finditer(text):
        inside = match.group("block") if match.group("block") is not None else match["single"]
        specs += [(m["alias"], m["path"]) for m in _GO_SPEC.finditer(inside)]
    return specs, _GO_IMPORT.sub("", _GO_PACKAGE.sub("", text, count=1))


def _package_imports(language: Language, task: Mapping[str, Any], code: str) -> str:
    """Go: one package clause and one import block for answer and test.

    An answer usually repeats ``package main`` and brings its own imports; Go rejects a second
    package clause, imports after declarations and unused imports. So the answer's imports are
    kept as written, and each import of the prompt (testing, testify, math ...) is added when the
    answer or the test refers to the package and the answer does not import it already.
    """
    if not defines(language, code, task.get("entry_point")):
        return join_parts(task["prompt"], code, task["test"])
    code = strip_constructs(code, language.strip)
    own, body = _go_imports(code)
    prompt_specs, _ = _go_imports(task["prompt"])
    package = _GO_PACKAGE.search(task["prompt"])
    used = body + "\n" + task["test"]
    specs = list(dict.fromkeys(own))
    for alias, path in prompt_specs:
        name = alias or path.rsplit("/", 1)[-1]
        if path not in {p for _, p in specs} and re.search(rf"\b{re.escape(name)}\.", used):
            specs.append((alias, path))
    lines = [f'\t{alias + " " if alias else ""}"{path}"' for alias, path in specs]
    header = (package.group(0).strip() if package else "package main") + "\n"
    if lines:
        header += "\nimport (\n" + "\n".join(lines) + "\n)\n"
    return join_parts(header, body.strip("\n"), task["test"])


ASSEMBLERS: dict[str, Callable[[Language, Mapping[str, Any], str], str]] = {
    "append": _append,
    "class_body": _class_body,
    "answer_only": _answer_only,
    "program_contains": _program_contains,
    "package_imports": _package_imports,
}


def generation_program(task: Mapping[str, Any], code: str) -> str:
    """The program for a generation (or explanation stage 2) answer ``code``."""
    language = _language_of(task)
    return ASSEMBLERS[language.assembly](language, task, code)


def completion_program(task: Mapping[str, Any], code: str) -> str:
    """The program for a completion answer.

    McEval asks the model to fill ``[MASK]`` *and write the complete function*; an answer that
    defines the entry point is assembled like a generation answer, anything else is taken as the
    missing middle and put in place of ``[MASK]``.
    """
    language = _language_of(task)
    if (
        language.assembly == "answer_only"  # markup / AWK: the answer is the whole document
        or defines(language, code, task.get("entry_point"))
        or not task.get("mask_code")
    ):
        return generation_program(task, code)
    filled = task["mask_code"].replace(MASK, code, 1)
    return join_parts(task_prompt(task), filled, task["test"])


def build_program(task: Mapping[str, Any], code: str) -> str:
    """Dispatch on the task kind (``task`` column: generation, explanation or completion)."""
    if task.get("task") == "completion":
        return completion_program(task, code)
    return generation_program(task, code)
