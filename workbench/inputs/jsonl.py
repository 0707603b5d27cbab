"""Read JSON Lines with errors that name the file, line and field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench.errors import InputError


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each non-blank line; bad lines raise InputError."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=path) from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"malformed JSON ({exc.msg} at column {exc.colno})", file=path, line=number
                ) from exc
            if not isinstance(record, dict):
                raise InputError("expected a JSON object", file=path, line=number)
            yield number, record


def require(record: dict[str, Any], key: str, path: Path, line: int, kind: type = str) -> Any:
    """``record[key]``, which must exist and be of ``kind``."""
    if key not in record or record[key] is None:
        raise InputError("missing", file=path, line=line, field=key)
    value = record[key]
    if not isinstance(value, kind):
        raise InputError(
            f"expected {kind.__name__}, got {type(value).__name__}", file=path, line=line, field=key
        )
    return value
