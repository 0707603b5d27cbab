"""The records every stage passes along: a program to run, what each step did, the verdict, and
the statuses a verdict can have. This module imports nothing of the package, so any stage (the
registry that validates its rules, the runner, the analyses) can use it without a cycle."""

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
