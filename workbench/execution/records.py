"""The records every stage passes along: a program to run, what each step did, the verdict, the
statuses a verdict can have, and the result row the runner returns and the store keeps (its
columns, their DuckDB types and its key, defined once in ``RESULT_ROW``). This module imports
nothing of the package, so any stage (the registry that validates its rules, the runner, the
store, the analyses) can use it without a cycle."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Status(StrEnum):
    """The verdict on one execution. The last two are about the machine, not the sample: they
    are left out of pass@k denominators and never reused from the cache."""

    PASSED = "passed"
    FAILED = "failed"  # wrong answer: an assertion of the test failed
    COMPILE_ERROR = "compile_error"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    TOOLCHAIN_MISSING = "toolchain_missing"
    INFRASTRUCTURE_ERROR = "infrastructure_error"


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
# Verdicts about the machine, not the model.
MACHINE_STATUSES: tuple[str, ...] = (Status.TOOLCHAIN_MISSING, Status.INFRASTRUCTURE_ERROR)
# What each status says about an answer, in words (the teaching checks' feedback, the views'
# verdicts).
STATUS_IN_WORDS: dict[str, str] = {
    Status.PASSED: "it passed every check of the test",
    Status.FAILED: "it ran, but a check of the test did not hold: a wrong answer",
    Status.COMPILE_ERROR: "it did not compile (or did not parse)",
    Status.RUNTIME_ERROR: "it stopped with an error while running",
    Status.TIMEOUT: "it did not finish within the time limit",
    Status.MEMORY_LIMIT: "it used more memory than allowed",
    Status.OUTPUT_LIMIT: "it printed more than allowed",
    Status.TOOLCHAIN_MISSING: "this machine lacks the language's toolchain, so it was not judged",
    Status.INFRASTRUCTURE_ERROR: "the workbench could not run it (a problem of the machine)",
}

# Why a non-passing execution failed, more specific than its status (workbench/execution/causes.py,
# docs/causes.md). Here, beside the statuses, so the registry can check the causes its rules name.
COMPILE_CAUSES: tuple[str, ...] = (
    "syntax",
    "undefined_name",
    "type_error",
    "missing_import",
    "signature_mismatch",
    "other_compile",
)
RUNTIME_CAUSES: tuple[str, ...] = (
    "index_out_of_range",
    "null_or_none",
    "key_missing",
    "division_by_zero",
    "recursion_depth",
    "type_error",
    "assertion_in_answer",
    "other_runtime",
)
LIMIT_CAUSES: tuple[str, ...] = ("timeout", "memory_limit", "output_limit")
# What the answer itself shows broke the program (workbench/execution/answer_causes.py).
ANSWER_CAUSES: tuple[str, ...] = ("wrong_language", "incomplete", "prompt_echo", "extra_code")
CAUSES: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            "extraction_failed",
            *ANSWER_CAUSES,
            *COMPILE_CAUSES,
            *RUNTIME_CAUSES,
            "wrong_answer",
            *LIMIT_CAUSES,
            *map(str, MACHINE_STATUSES),
            "unknown",
        ]
    )
)


# -- the result row -------------------------------------------------------------------------------
# The benchmark's task kinds and completion's subsets: the values of the row's ``task`` and
# ``subset`` columns.
TASK_KINDS: tuple[str, ...] = ("generation", "explanation", "completion")
SUBSETS: tuple[str, ...] = ("single", "multi", "span", "light")

# What a sample is: the key that notes and tags attach to, the same for every run of the sample.
SAMPLE_KEY: tuple[str, ...] = ("task", "task_id", "model", "sample_index")
# A sample may be run more than once: each run is a row of its own kind, and runs of one kind
# are told apart by their index (a sample's ``repeat`` rows: 1..K; every other run: 0). The
# store's primary key.
ROW_KIND = "row_kind"
RUN_INDEX = "run_index"
ROW_KEY: tuple[str, ...] = (*SAMPLE_KEY, ROW_KIND, RUN_INDEX)

SCORED = "scored"  # the verdict that counts: pass@k, tables, views and comparisons read these
REPAIRED = "repaired"  # a failing sample after a mechanical repair, beside its scored verdict
CHECKS = "checks"  # a failing sample's instrumented run (docs/checks.md)
ROW_KINDS: tuple[str, ...] = (
    SCORED,
    "control",  # a canonical solution judged beside the samples: does the environment work?
    "probe",  # a timed-out sample run again with more time: was the limit too tight?
    "repeat",  # a failing sample run again uncached: does its verdict hold?
    REPAIRED,
    CHECKS,  # a failing sample's instrumented test run: every check judged, not the first
)
# The runs the health checks add (docs/health.md): always executed, never served from the cache.
CONTROL, PROBE, REPEAT = "control", "probe", "repeat"
FRESH_KINDS: tuple[str, ...] = (CONTROL, PROBE, REPEAT)
# How many controls ``evaluate`` judges per language and task kind by default
# (``evaluation/controls.py``; defined here, a leaf, so the command line reads it without
# importing the runner). Two: a McEval kind has 50 to 106 tasks per language (a few completion
# subsets fewer: AWK's 14, Markdown's 28), so with one sample per task two controls are 4% of a
# run's executions or less (80 of 2007 for generation, 320 of 12017 for completion), less of its
# time, since they are the fastest canonical runs, and under 1% at ten samples per task. Not one:
# a single control that fails once under load is told from a toolchain that fails them all.
CONTROLS_PER_KIND = 2

# What fills a column: the sample and its program, the run (its cache key, kind), the verdict of
# the execution, its cause (derived from the row), the store itself, or the instrumented run of a
# failing sample's checks (``checks``: evaluation/checks.py, on its ``checks`` row and copied to
# its scored row; never part of the cache key, never changing a verdict).
PARTS: tuple[str, ...] = ("sample", "run", "verdict", "cause", "store", "checks")


@dataclass(frozen=True)
class Column:
    """One column of the result row: its name, DuckDB type, whether it is part of ``ROW_KEY``,
    and what fills it (one of ``PARTS``). ``required`` columns are NOT NULL; ``default`` is SQL."""

    name: str
    type: str
    part: str
    required: bool = False
    default: str | None = None

    @property
    def key(self) -> bool:
        return self.name in ROW_KEY


# The result row, in the store's column order. A plain column added here is added to stores
# written before it when they are opened, and to the rows the runner returns.
RESULT_ROW: tuple[Column, ...] = (
    Column("task", "VARCHAR", "sample", required=True),
    Column("task_id", "VARCHAR", "sample", required=True),
    Column("model", "VARCHAR", "sample", required=True),
    Column("sample_index", "INTEGER", "sample", required=True),
    Column(ROW_KIND, "VARCHAR", "run", required=True, default=f"'{SCORED}'"),
    Column(RUN_INDEX, "INTEGER", "run", required=True, default="0"),
    Column("language", "VARCHAR", "sample", required=True),
    Column("subset", "VARCHAR", "sample"),
    Column("level", "VARCHAR", "sample"),
    Column("program_hash", "VARCHAR", "sample", required=True),
    Column("cache_key", "VARCHAR", "run", required=True),
    Column("status", "VARCHAR", "verdict", required=True),
    Column("reason", "VARCHAR", "verdict"),
    Column("exit_code", "INTEGER", "verdict"),
    Column("signal", "INTEGER", "verdict"),
    Column("stdout", "VARCHAR", "verdict"),
    Column("stderr", "VARCHAR", "verdict"),
    Column("compile_seconds", "DOUBLE", "verdict"),
    Column("run_seconds", "DOUBLE", "verdict"),
    Column("output_truncated", "BOOLEAN", "verdict"),
    Column("max_rss_kb", "BIGINT", "verdict"),
    Column("toolchain_version", "VARCHAR", "verdict"),
    Column("sandbox", "VARCHAR", "verdict"),
    Column("raw_generation", "VARCHAR", "sample"),
    Column("code", "VARCHAR", "sample"),
    Column("extraction", "VARCHAR", "sample"),
    Column("program", "VARCHAR", "sample"),
    # What ``workbench generate`` knows of each sample: the tokens it generated and whether it
    # stopped at its token limit (an answer cut off: ``incomplete``); empty for other outputs.
    Column("generated_tokens", "INTEGER", "sample"),
    Column("token_limit_reached", "BOOLEAN", "sample"),
    # The mechanical repairs applied to the answer, in order (``repaired`` rows only).
    Column("repairs", "VARCHAR[]", "sample"),
    Column("cached", "BOOLEAN", "run", default="FALSE"),
    Column("created_at", "TIMESTAMP WITH TIME ZONE", "store", default="current_timestamp"),
    # Why a non-passing row failed (workbench/execution/causes.py, docs/causes.md): derived from
    # the row, never part of the cache key, recomputed by ``Store.refresh_causes``.
    Column("cause", "VARCHAR", "cause"),
    Column("cause_detail", "VARCHAR", "cause"),
    Column("error_line", "VARCHAR", "cause"),
    Column("failing_check", "VARCHAR", "cause"),
    Column("expected", "VARCHAR", "cause"),
    Column("actual", "VARCHAR", "cause"),
    # Every check of a failing sample judged (docs/checks.md): how many of the checks its
    # instrumented run executed passed, why there are none, and what kind of miss it is.
    Column("checks_passed", "INTEGER", "checks"),
    Column("checks_total", "INTEGER", "checks"),
    Column("checks_note", "VARCHAR", "checks"),
    Column("miss", "VARCHAR", "checks"),
)


def columns_of(*parts: str) -> tuple[str, ...]:
    """The names of the result row's columns filled by ``parts`` (of ``PARTS``), in row order."""
    return tuple(c.name for c in RESULT_ROW if c.part in parts)


# The row as the runner returns it and the store writes it (the store adds ``created_at``).
RESULT_COLUMNS: tuple[str, ...] = columns_of("sample", "run", "verdict", "cause")
CAUSE_COLUMNS: tuple[str, ...] = columns_of("cause")
# What the instrumented run of a failing sample's checks adds to its rows (docs/checks.md).
CHECKS_COLUMNS: tuple[str, ...] = columns_of("checks")


@dataclass(frozen=True)
class Program:
    """A complete program for one language, plus files its test reads."""

    language: str
    source: str
    support_dir: Path | None = None
    task_id: str | None = None
    reference: str | None = None  # the task's reference answer, for scorers that compare

    @property
    def digest(self) -> str:
        """Content hash of the program text (with its language)."""
        return hashlib.sha256(f"{self.language}\0{self.source}".encode()).hexdigest()


@dataclass
class StepReport:
    """What one recipe step did."""

    kind: str
    command: list[str]
    exit_code: int | None
    signal: int | None
    duration: float
    timed_out: bool
    warm_server: bool = False  # compiled by the language's warm compiler (same arguments)


@dataclass
class Execution:
    """The verdict on one program, with what a user needs to see why."""

    status: str
    language: str
    reason: str = ""
    exit_code: int | None = None
    signal: int | None = None
    stdout: str = ""
    stderr: str = ""
    compile_seconds: float = 0.0
    run_seconds: float = 0.0
    output_truncated: bool = False
    max_rss_kb: int = 0
    toolchain_version: str | None = None
    sandbox: str = ""
    sandbox_uids: list[int] = field(default_factory=list)
    steps: list[StepReport] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == Status.PASSED

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
