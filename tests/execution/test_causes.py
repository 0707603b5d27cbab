"""Causes of failure from real toolchain output: broken programs run through the real sandbox
and toolchains (``execute``), then ``explain`` must name the right cause and raw class.

Each case is an answer plus the test appended to it, as McEval assembles programs; the answer is
the row's ``code``, so a failing assertion inside it is told apart from the test's. The cases are
data, one file per language in ``cause_cases/`` (named as the language's registry TOML); a
language's cases run together, two at a time, when its first test needs them.
"""

from __future__ import annotations

import re
import threading
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_toolchain, toolchains
from workbench.errors import InputError
from workbench.execution.causes import CAUSES, Cause, explain, extraction_failure
from workbench.execution.execute import execute
from workbench.execution.records import Execution, Program
from workbench.paths import REGISTRY_DIR
from workbench.registry.languages import all_languages, cause_rules, get_language


@dataclass(frozen=True)
class Case:
    """A broken program and the cause ``explain`` must find in its real output."""

    language: str
    label: str
    answer: str
    test: str = ""
    cause: str = ""
    detail: str | None = None  # exact cause_detail
    check: str | None = None  # a substring of failing_check
    expected: str | None = None
    actual: str | None = None
    reference: str | None = None  # the task's reference answer (languages judged by comparison)

    @property
    def key(self) -> str:
        return f"{self.language}:{self.label}"

    @property
    def program(self) -> str:
        return self.answer + ("\n" + self.test if self.test else "")

    def matches(self, got: Cause) -> bool:
        return (
            got.cause == self.cause
            and (self.detail is None or got.cause_detail == self.detail)
            and (self.check is None or self.check in (got.failing_check or ""))
            and (self.expected is None or got.expected == self.expected)
            and (self.actual is None or got.actual == self.actual)
        )


def row_of(case: Case, execution: dict[str, Any]) -> dict[str, Any]:
    """The result row the runner would store for ``case``'s execution."""
    return {
        **{k: execution[k] for k in ("status", "reason", "stdout", "stderr", "exit_code")},
        "signal": execution["signal"],
        "language": case.language,
        "extraction": "fence:entry",
        "code": case.answer,
        "raw_generation": f"```\n{case.answer}\n```",
        "program": case.program,
    }


def run_case(case: Case) -> Execution:
    return execute(Program(case.language, case.program, reference=case.reference))


# One file per language (named as its registry TOML): adding a language adds a file, not code.
CASES_DIR = Path(__file__).with_name("cause_cases")


def load_cases(folder: Path = CASES_DIR) -> list[Case]:
    """Every ``[[case]]`` of every language's file, in file order."""
    cases = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        cases += [Case(language=data["language"], **case) for case in data["case"]]
    return cases


CASES = load_cases()

_RUNS: dict[str, dict[str, dict[str, Any]]] = {}
_LOCK = threading.Lock()


def _outputs(language: str) -> dict[str, dict[str, Any]]:
    """Every case of ``language`` run once (two at a time), by case key."""
    with _LOCK:
        if language not in _RUNS:
            cases = [c for c in CASES if c.language == language]
            with ThreadPoolExecutor(2) as pool:
                runs = list(pool.map(run_case, cases))
            _RUNS[language] = {c.key: r.to_dict() for c, r in zip(cases, runs, strict=True)}
        return _RUNS[language]


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.key, marks=toolchains(c.language)) for c in CASES]
)
def test_real_output_gets_its_cause(case: Case) -> None:
    require_toolchain(case.language)
    execution = _outputs(case.language)[case.key]
    assert execution["status"] not in ("passed", "toolchain_missing", "infrastructure_error"), (
        execution
    )
    got = explain(row_of(case, execution))
    assert case.matches(got), (
        f"expected {case.cause} / {case.detail} / {case.check} / {case.expected} / "
        f"{case.actual}, got {got}\nstatus {execution['status']}: {execution['reason']}\n"
        f"stderr: {execution['stderr'][:1500]}\nstdout: {execution['stdout'][:500]}"
    )
    assert got.cause in CAUSES


# --- explain without a toolchain: statuses, extraction failures, the answer's own asserts -----


def _row(**fields: Any) -> dict[str, Any]:
    row = {
        "language": "Python",
        "status": "runtime_error",
        "reason": "run step ended with exit code 1",
        "stdout": "",
        "stderr": "",
        "exit_code": 1,
        "signal": None,
        "extraction": "fence:entry",
        "code": "def f(x):\n    return x",
        "raw_generation": "```python\ndef f(x):\n    return x\n```",
        "program": "def f(x):\n    return x\nassert f(1) == 2",
    }
    return {**row, **fields}


def test_passing_rows_have_no_cause() -> None:
    assert explain(_row(status="passed", reason="all steps succeeded")) == Cause()
    assert explain(_row(status="passed")).cause is None


@pytest.mark.parametrize("status", ["toolchain_missing", "infrastructure_error"])
def test_machine_verdicts_keep_their_status(status: str) -> None:
    got = explain(_row(status=status, reason="julia not found (Debian packages: none)"))
    assert got.cause == status
    assert got.error_line == "julia not found (Debian packages: none)"


def test_limits_are_the_cause_and_the_kill_signal_is_not_a_detail() -> None:
    got = explain(_row(status="timeout", reason="run step exceeded 5.0 s", signal=9))
    assert (got.cause, got.cause_detail) == ("timeout", "run step")
    memory = explain(
        _row(
            status="memory_limit",
            reason="run step output matches /MemoryError/",
            stderr="Traceback (most recent call last):\nMemoryError",
        )
    )
    assert (memory.cause, memory.cause_detail) == ("memory_limit", "MemoryError")


def test_output_no_rule_names_is_other_and_nothing_printed_is_unknown() -> None:
    other = explain(_row(stderr="something strange happened\nError: giving up"))
    assert (other.cause, other.error_line) == ("other_runtime", "Error: giving up")
    compile_other = explain(
        _row(
            status="compile_error",
            reason="compile step ended with exit code 1",
            language="C",
            stderr="main.c:1: weird: the compiler said something new",
        )
    )
    assert compile_other.cause == "other_compile"
    silent = explain(_row(stderr="", stdout="", exit_code=3))
    assert (silent.cause, silent.cause_detail) == ("unknown", "exit code 3")
    # A failed test that printed nothing a rule knows is still a wrong answer.
    assert explain(_row(status="failed", stdout="no")).cause == "wrong_answer"


def test_pandas_missing_values_are_read_as_missing() -> None:
    got = explain(
        _row(
            signal=float("nan"),
            exit_code=float("nan"),
            stderr=None,
            status="runtime_error",
            stdout="IndexError: list index out of range",
        )
    )
    assert got.cause == "index_out_of_range"
    # A missing answer (NaN in a table) is an empty one.
    assert extraction_failure(_row(code=float("nan"), status="compile_error")) == (
        "no code in the answer"
    )


def test_values_are_cut_to_a_readable_length() -> None:
    long = "x" * 5000
    got = explain(_row(stderr=f"IndexError: {long}"))
    assert got.error_line is not None and len(got.error_line) <= 500


def test_empty_answers_and_prose_are_extraction_failures() -> None:
    empty = _row(raw_generation="   ", code="", extraction="bare", status="compile_error")
    assert extraction_failure(empty) == "empty answer"
    assert explain(empty).cause == "extraction_failed"
    prose = (
        "I am sorry, but I cannot write this function without more details.\n"
        "Could you tell me what the input looks like and what it should return?"
    )
    row = _row(raw_generation=prose, code=prose, extraction="bare", status="compile_error")
    assert (explain(row).cause, explain(row).cause_detail) == (
        "extraction_failed",
        "prose without code",
    )
    blank_fence = _row(raw_generation="Here:\n```python\n```", code="", status="runtime_error")
    assert extraction_failure(blank_fence) == "no code in the answer"
    assert extraction_failure(_row(extraction="completion", code="")) == "empty completion"


def test_bare_code_is_not_prose() -> None:
    code = "def alternating_sum(numbers):\n    total = 0\n    return total"
    assert extraction_failure(_row(raw_generation=code, code=code, extraction="bare")) is None


def test_a_block_of_another_language_taken_first_is_the_wrong_language() -> None:
    from workbench.programs.extract import extract_code

    raw = "Here is a solution:\n```python\ndef can_win(n):\n    return n % 4 != 0\n```"
    found = extract_code(raw, get_language("C"), "canWinNim")
    assert found.method == "fence:first"
    row = _row(language="C", raw_generation=raw, code=found.code, extraction=found.method)
    failed_to_build = {**row, "status": "compile_error", "stderr": "error: unknown type name"}
    # Issue 23: a fence tagged with another language is wrong_language, the tag its detail;
    # extraction_failed stays for answers with no code.
    assert explain(failed_to_build).cause == "wrong_language"
    assert explain(failed_to_build).cause_detail == "Python"
    # A block that compiled and ran to a wrong result was code for the language after all.
    assert extraction_failure({**row, "status": "failed"}) is None
    # A block tagged with no language's name (text, output) is not another language.
    text = raw.replace("```python", "```text")
    assert extraction_failure({**failed_to_build, "raw_generation": text}) is None


def test_an_assertion_is_the_answers_only_where_the_answer_has_it() -> None:
    program = "def f(x):\n    assert x > 5\n    return x\n\nassert f(1) == 1"
    stderr = (
        'Traceback (most recent call last):\n  File "main.py", line 5, in <module>\n'
        '    assert f(1) == 1\n  File "main.py", line 2, in f\n    assert x > 5\n'
        "AssertionError"
    )
    row = _row(
        status="failed",
        stderr=stderr,
        program=program,
        code="def f(x):\n    assert x > 5\n    return x",
    )
    assert explain(row).cause == "assertion_in_answer"
    # The same assertion written by the test (the answer does not contain it).
    assert explain({**row, "code": "def f(x):\n    return x"}).cause == "wrong_answer"


# --- the rules as data ------------------------------------------------------------------------

LOCAL = [lang for lang in all_languages() if lang.has_recipe and not lang.docker_only]


def test_34_languages_run_locally() -> None:
    assert len(LOCAL) == 34


@pytest.mark.parametrize("language", LOCAL, ids=lambda lang: lang.name)
def test_every_local_language_has_rules_of_its_own_with_a_wrong_answer_rule(language) -> None:
    defaults = get_language("Dart").causes  # a Docker-only language: the shared rules alone
    own = language.causes[: len(language.causes) - len(defaults)]
    assert own, f"{language.name} has no [[causes]] of its own"
    assert language.causes[len(own) :] == defaults
    assert any(rule.cause == "wrong_answer" for rule in own)
    assert {rule.cause for rule in language.causes} <= set(CAUSES)


def test_every_local_language_has_tested_cases() -> None:
    assert {c.language for c in CASES} == {lang.name for lang in LOCAL}
    tables = sum(
        line == "[[case]]"
        for path in CASES_DIR.glob("*.toml")
        for line in path.read_text(encoding="utf-8").splitlines()
    )
    assert len(CASES) == tables > 0  # every table of the files read, none lost
    keys = [c.key for c in CASES]
    assert len(keys) == len(set(keys))


def test_each_case_file_is_named_as_its_language_in_the_registry() -> None:
    stems = {
        tomllib.loads(p.read_text(encoding="utf-8"))["name"]: p.stem
        for p in REGISTRY_DIR.glob("*.toml")
        if not p.name.startswith("_")
    }
    for path in sorted(CASES_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert path.stem == stems[data["language"]], path.name
        assert data["case"], path.name


def _load(text: str) -> Any:
    return cause_rules(tomllib.loads(text)["causes"], REGISTRY_DIR / "example.toml")


def test_a_valid_rule_becomes_a_typed_record() -> None:
    (rule,) = _load(
        "[[causes]]\npattern = '^(?P<detail>KeyError)'\ncause = 'key_missing'\n"
        "step = 'run'\nstatus = ['runtime_error', 'failed']\n"
    )
    assert rule.cause == "key_missing" and rule.step == "run"
    assert rule.status == ("runtime_error", "failed")
    assert rule.pattern is not None and rule.pattern.flags & re.MULTILINE


@pytest.mark.parametrize(
    "table,complaint,field",
    [
        ("pattern = 'x'\ncause = 'exploded'", "unknown cause 'exploded'", "causes[0].cause"),
        ("pattern = 'x'\ncause = 'syntax'\ncolour = 'red'", "unknown keys ['colour']", "causes[0]"),
        ("pattern = '(?P<why>x)'\ncause = 'syntax'", "unknown named groups ['why']", "pattern"),
        ("pattern = '(x'\ncause = 'syntax'", "invalid pattern", "causes[0].pattern"),
        ("pattern = 'x'\ncause = 'syntax'\nstatus = 'broken'", "unknown status", "status"),
        ("pattern = 'x'\ncause = 'syntax'\nstep = 'link'", "step is compile or run", "step"),
        ("cause = 'syntax'", "a rule needs a pattern or a signal", "causes[0]"),
    ],
)
def test_a_bad_rule_is_an_input_error_naming_the_file(table: str, complaint: str, field: str):
    with pytest.raises(InputError) as raised:
        _load("[[causes]]\n" + table + "\n")
    assert complaint in str(raised.value)
    assert raised.value.file is not None and raised.value.file.endswith("example.toml")
    assert field in (raised.value.field or "")


def test_cause_rules_do_not_change_the_cache_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.evaluation import cache

    python = get_language("Python")
    digest = cache.recipe_digest.__wrapped__("Python")
    monkeypatch.setattr(cache, "get_language", lambda name: replace(python, causes=()))
    assert cache.recipe_digest.__wrapped__("Python") == digest
