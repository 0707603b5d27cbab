"""Samples written out for use elsewhere — CSV, Parquet or JSONL — with their notes and every
column that says where a verdict came from (program hash, cache key, toolchain, time)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from workbench.errors import InputError
from workbench.views.samples import FACET_PREFIX

FORMATS: dict[str, str] = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl"}
# Columns of the views' own, not of the results: left out of an export.
VIEW_ONLY = ("key", "checks")  # checks: the store's per-check rows (Store.checks), as lists
TAG_SEPARATOR = "; "


def export_format(path: Path, format: str | None = None) -> str:
    """The format named, else the one of the path's suffix; an InputError for others."""
    chosen = format or FORMATS.get(path.suffix.lower())
    if chosen not in FORMATS.values():
        raise InputError(
            f"export format {chosen or path.suffix!r} unknown: use {', '.join(FORMATS)}",
            file=path,
            field="format",
        )
    return chosen


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the views' own columns (key, filter columns), categoricals as text."""
    own = [c for c in frame.columns if c in VIEW_ONLY or str(c).startswith(FACET_PREFIX)]
    out = frame.drop(columns=own)
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object)
    return out


def export_samples(frame: pd.DataFrame, path: str | Path, format: str | None = None) -> Path:
    """Write ``frame``'s rows to ``path`` as CSV (tags joined by "; "), Parquet or JSONL (tags
    as lists); the format follows the suffix unless given. Returns the path."""
    path = Path(path)
    kind = export_format(path, format)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = plain(frame)
    if kind == "csv":
        if "tags" in out.columns:
            out["tags"] = [
                TAG_SEPARATOR.join(t) if isinstance(t, list) else "" for t in out["tags"]
            ]
        out.to_csv(path, index=False)
    elif kind == "jsonl":
        out.to_json(path, orient="records", lines=True, date_format="iso", force_ascii=False)
    else:
        con = duckdb.connect()
        try:
            con.register("wb_export", out)
            # An all-empty tags column has no element type to infer: it is text.
            replace = " REPLACE (CAST(tags AS VARCHAR[]) AS tags)" if "tags" in out else ""
            target = str(path).replace("'", "''")
            con.execute(f"COPY (SELECT *{replace} FROM wb_export) TO '{target}' (FORMAT PARQUET)")
        finally:
            con.close()
    return path
