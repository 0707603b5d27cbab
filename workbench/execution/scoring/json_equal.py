"""JSON answers: parsed-structure equality with the reference (key order and whitespace ignored,
``true`` is not ``1``); invalid JSON is a ``compile_error`` with the parser's message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workbench.execution.records import Execution, Program
from workbench.execution.scoring.common import no_reference, reference_texts, verdict
from workbench.registry.languages import Language, Limits


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
        return verdict(base, "compile_error", f"invalid JSON: {exc}")
    references = reference_texts(language, program)
    if not references:
        return no_reference(base, program)
    first: list[str] | None = None
    for text in references:
        try:
            expected = parse_json(text)
        except (ValueError, RecursionError) as exc:
            return verdict(base, "infrastructure_error", f"the reference is not valid JSON: {exc}")
        differences = json_differences(expected, got)
        if not differences:
            return verdict(base, "passed", "same JSON structure as the reference")
        first = first or differences
    return verdict(base, "failed", "JSON differs from the reference: " + "; ".join(first or []))
