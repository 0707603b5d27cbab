"""Samples joined with their tasks and turned into programs: the code taken from each raw
answer, and the program assembled around it, with its content hash."""

from __future__ import annotations

import pandas as pd

from workbench.execution.records import Program
from workbench.inputs.samples import attach_tasks
from workbench.programs.assemble import build_program
from workbench.programs.extract import extract_code
from workbench.registry.languages import get_language


def prepare(samples: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """Samples joined with tasks, plus ``code`` (extracted), ``extraction`` and ``program``. A
    sample after the mechanical repairs (``programs.repairs``: its ``repairs`` name those
    applied) carries the program assembled from the repaired answer, and keeps it, with its
    ``code`` and ``extraction``."""
    frame = attach_tasks(samples, tasks)
    codes, methods, programs, hashes = [], [], [], []
    for row in frame.to_dict("records"):
        language = get_language(row["language"])
        if isinstance(row.get("repairs"), list | tuple) and isinstance(row.get("program"), str):
            code, method, program = row["code"], row["extraction"], row["program"]
        else:
            if isinstance(row.get("completion"), str) and row["completion"] is not None:
                code, method = row["completion"], "completion"
            else:
                entry = row.get("entry_point")
                found = extract_code(row["raw_generation"] or "", language, entry)
                code, method = found.code, found.method
            program = build_program(row, code)
        codes.append(code)
        methods.append(method)
        programs.append(program)
        hashes.append(Program(language.name, program).digest)
    frame["code"], frame["extraction"] = codes, methods
    frame["program"], frame["program_hash"] = programs, hashes
    return frame
