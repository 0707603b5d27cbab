"""`workbench verify`: the canonical sweep, known failures and the Markdown report."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from tests.conftest import require_toolchain
from workbench.evaluation.verify import known_failure, report_markdown, unexpected
from workbench.execution.execute import execute
from workbench.execution.records import Program


def test_known_failures_cover_completion_ids():
    assert known_failure("Scala/5")["kind"] == "toolchain"
    assert known_failure("Scala/5-0-light-span") == known_failure("Scala/5")
    assert known_failure("Scala/6") is None


def test_report_separates_explained_from_unexplained():
    results = pd.DataFrame(
        [
            ("Scala/5", "Scala", "compile_error", "compile step ended with exit code 1", 0.1),
            ("Scala/6", "Scala", "passed", "all steps succeeded", 0.1),
            ("Scala/7", "Scala", "timeout", "run step exceeded 10.0 s", 10.0),
        ],
        columns=["task_id", "language", "status", "reason", "run_seconds"],
    )
    assert unexpected(results)["task_id"].tolist() == ["Scala/7"]
    report = report_markdown(results, "Verification")
    assert "**1 of 3** canonical solutions pass; 1 cannot pass" in report
    assert "| Scala/5 | compile_error | toolchain |" in report
    assert "## Unexplained" in report and "| Scala/7 | timeout |" in report


def test_a_language_without_a_debian_toolchain_is_said_plainly_to_be_not_served_here():
    execution = execute(Program("Swift", 'print("hello")\n', task_id="Swift/1"))
    assert execution.status == "toolchain_missing"
    assert "no Debian toolchain, not served on this machine" in execution.reason
    results = pd.DataFrame(
        [
            ("Swift/1", "Swift", execution.status, execution.reason, 0.0),
            ("Scala/6", "Scala", "passed", "all steps succeeded", 0.1),
        ],
        columns=["task_id", "language", "status", "reason", "run_seconds"],
    )
    assert unexpected(results).empty  # explained by the registry, not a bug to chase
    report = report_markdown(results, "Verification")
    assert "1 tasks of languages with no Debian toolchain (Swift)" in report
    assert "not served on this machine" in report and "Docker" not in report


def test_verify_cli_on_a_sample(mceval_dir, tmp_path):
    require_toolchain("Python")
    report = tmp_path / "v.md"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "verify",
            "--data",
            str(mceval_dir),
            "--languages",
            "Python",
            "--limit",
            "3",
            "--json",
            "--quiet",
            "--report",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout.split("report:")[0])
    assert rows[0]["language"] == "Python" and rows[0]["tasks"] == rows[0]["passed"] == 3
    assert "**3 of 3** canonical solutions pass" in report.read_text()
