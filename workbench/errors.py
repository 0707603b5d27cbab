"""Errors that tell the user exactly which input is wrong (file, line, field)."""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """Base class for errors the CLI reports without a traceback."""


class InputError(WorkbenchError, ValueError):
    """Bad input data, located by file, line (1-based) and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.reason = message
        where = []
        if self.file is not None:
            where.append(self.file if line is None else f"{self.file}:{line}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class UnknownLanguageError(WorkbenchError, KeyError):
    """A language name or alias that is not one of McEval's 40 languages."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown language"
