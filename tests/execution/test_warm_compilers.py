"""Warm compilers (workbench/execution/warm_compilers/pool.py) with the real TypeScript, Kotlin and Scala toolchains.

A warm compiler must give the verdict and the diagnostics the cold command line gives, die with
a timeout, be replaced when it crashes, and leave no process behind.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import time
import warnings

import pytest

from tests.conftest import require_toolchain, toolchains
from tests.execution.test_execute_controls import sandbox_processes
from workbench.evaluation.runner import evaluate
from workbench.evaluation.verify import canonical_samples
from workbench.execution.execute import execute
from workbench.execution.recipe import step_limits
from workbench.execution.records import Program
from workbench.execution.sandbox import UidLease, sandbox_info
from workbench.execution.warm_compilers import pool as servers
from workbench.inputs.tasks import default_data_dir, load_tasks
from workbench.registry.languages import get_language

TS_OK = "function add(a: number, b: number): number { return a + b; }\nconsole.assert(add(2, 3) === 5);\n"
TS_TYPE_ERROR = "let s: string = 5;\nconsole.log(s);\n"
TS_WRONG = (
    "function add(a: number, b: number): number { return a - b; }\n"
    "console.assert(add(2, 3) === 5);\n"
)
KT_OK = "fun twice(x: Int) = 2 * x\nfun main() { check(twice(4) == 8) }\nmain()\n"
KT_WRONG = "fun twice(x: Int) = 3 * x\nfun main() { check(twice(4) == 8) }\nmain()\n"
KT_ERROR = 'fun twice(x: Int): Int = "no"\nmain()\n'
SCALA_OK = "object Main {\n  def main(args: Array[String]): Unit = assert(List(2, 1).sorted == List(1, 2))\n}\n"
SCALA_WRONG = (
    "object Main {\n  def main(args: Array[String]): Unit = assert(List(2, 1) == List(1, 2))\n}\n"
)
SCALA_ERROR = 'object Main {\n  def main(args: Array[String]): Unit = { val x: Int = "no" }\n}\n'
JAVA_OK = "public class Main {\n  public static void main(String[] a) { assert 1 + 1 == 2; }\n}\n"
JAVA_WRONG = (
    "public class Main {\n  public static void main(String[] a) { assert 1 + 1 == 3; }\n}\n"
)
JAVA_ERROR = 'public class Main {\n  public static void main(String[] a) { int x = "s"; }\n}\n'
# Source-file mode runs the first top-level class, in its package; words in comments and strings
# are not declarations.
JAVA_FIRST_CLASS = """// class Decoy {
package demo;
/* class Other { } */
class First {
    public static void main(String[] args) {
        String s = "class X {";
        char c = '{';
        System.out.println("first " + s.length() + c);
    }
}

public class Main {
    public static void main(String[] args) { throw new AssertionError("the wrong class ran"); }
}
"""


@pytest.fixture(autouse=True)
def _no_servers_left():
    servers.shutdown()
    yield
    servers.shutdown()


def _server_pids() -> list[int]:
    return [s.proc.pid for group in servers.POOL._idle.values() for s in group]


def _server_uids() -> list[int]:
    return [s.uid for group in servers.POOL._idle.values() for s in group if s.uid is not None]


def _leftovers() -> list[int]:
    """Live processes of any server uid (none may outlive its server)."""
    first = servers.SERVER_UID_BASE
    return sandbox_processes(range(first, first + servers.SERVER_UID_SLOTS))


CASES = [
    ("TypeScript", TS_OK, TS_WRONG, TS_TYPE_ERROR, "error TS2322"),
    ("Kotlin", KT_OK, KT_WRONG, KT_ERROR, "main.kts:1:26: error: type mismatch"),
    ("Scala", SCALA_OK, SCALA_WRONG, SCALA_ERROR, "error: type mismatch"),
    ("Java", JAVA_OK, JAVA_WRONG, JAVA_ERROR, "error: incompatible types: String cannot be"),
]


@pytest.mark.parametrize(
    "language,ok,wrong,broken,message",
    [pytest.param(*case, marks=toolchains(case[0]), id=case[0]) for case in CASES],
)
def test_warm_verdicts_match_the_cold_command(language, ok, wrong, broken, message):
    require_toolchain(language)
    for source, status in ((ok, "passed"), (wrong, "failed"), (broken, "compile_error")):
        warm = execute(Program(language, source))
        cold = execute(Program(language, source), servers=False)
        assert warm.steps[0].warm_server and not cold.steps[0].warm_server
        assert (warm.status, cold.status) == (status, status), (warm.reason, warm.stdout[-400:])
        if status == "compile_error":
            assert message in warm.stdout + warm.stderr
            assert message in cold.stdout + cold.stderr
            assert warm.exit_code == cold.exit_code
    assert len(_server_pids()) == 1  # one server answered all three programs


JAVA_ANNOTATED = """import java.util.*;

@SuppressWarnings("unchecked")
final public class Solution {
    public static void main(String[] args) { System.out.println(new ArrayList<>(List.of(3)).get(0)); }
}
"""
JAVA_INHERITED_MAIN = """class Child extends Base {}

class Base {
    public static void main(String[] args) { System.out.println("base"); }
}
"""


@pytest.mark.parametrize(
    "source",
    [JAVA_FIRST_CLASS, JAVA_ANNOTATED, JAVA_INHERITED_MAIN],
    ids=["first-class", "annotated-public", "inherited-main"],
)
def test_java_runs_what_source_file_mode_runs(source, tmp_path):
    require_toolchain("Java")
    name = get_language("Java").source_name(source)
    (tmp_path / name).write_text(source)
    # The reference: the JDK's own single-file source mode (our test program, not a sample).
    reference = subprocess.run(["java", "-ea", name], cwd=tmp_path, capture_output=True, text=True)
    for use in (True, False):
        result = execute(Program("Java", source), servers=use)
        assert (result.exit_code == 0) == (reference.returncode == 0), (
            result.reason,
            result.stderr,
        )
        assert result.stdout == reference.stdout
        if reference.returncode:
            assert "can't find main(String[]) method in class: Child" in result.stderr
    expected = "first 9{\n" if source is JAVA_FIRST_CLASS else None
    assert expected is None or reference.stdout == expected


@pytest.mark.toolchains
def test_server_runs_confined_and_leaves_nothing_behind():
    require_toolchain("TypeScript")
    assert execute(Program("TypeScript", TS_OK)).status == "passed"
    (pid,) = _server_pids()
    if sandbox_info().uid_isolation:
        with open(f"/proc/{pid}/status") as handle:
            uid = next(int(line.split()[1]) for line in handle if line.startswith("Uid:"))
        assert uid == _server_uids()[0] != 0  # a throw-away uid, never root
    assert servers.shutdown() == 1
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
    assert _leftovers() == []


@pytest.mark.toolchains
def test_a_compile_past_its_limit_is_a_timeout_and_kills_the_server():
    require_toolchain("Kotlin")
    # A fresh server: its start-up has a limit of its own, the compile exactly the step's.
    limits = get_language("Kotlin").limits.scaled(compile_timeout=0.001)
    result = execute(Program("Kotlin", KT_WRONG), limits)
    assert result.status == "timeout" and result.steps[0].warm_server
    assert result.reason.startswith("compile step exceeded")
    assert _server_pids() == []  # killed, not returned to the pool
    assert _leftovers() == []
    assert execute(Program("Kotlin", KT_OK)).status == "passed"  # a new server


@pytest.mark.toolchains
def test_busy_server_uids_mean_the_cold_command_this_time_only():
    require_toolchain("TypeScript")
    if not sandbox_info().uid_isolation:
        pytest.skip("uid leases need root (no dedicated sandbox uids here)")
    held = []
    for _ in range(servers.SERVER_UID_SLOTS):
        try:
            held.append(UidLease(servers.SERVER_UID_BASE, servers.SERVER_UID_SLOTS).__enter__())
        except RuntimeError:
            break  # another run holds the rest
    try:
        cold = execute(Program("TypeScript", TS_WRONG))
        assert cold.status == "failed" and not cold.steps[0].warm_server
    finally:
        for lease in held:
            lease.__exit__(None, None, None)
    warm = execute(Program("TypeScript", TS_WRONG))
    assert warm.status == "failed" and warm.steps[0].warm_server


@pytest.mark.toolchains
def test_a_crashed_server_is_replaced_and_the_verdict_stands():
    require_toolchain("TypeScript")
    assert execute(Program("TypeScript", TS_OK)).status == "passed"
    (pid,) = _server_pids()
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    after_crash = execute(Program("TypeScript", TS_WRONG))
    assert after_crash.status == "failed"
    assert not after_crash.steps[0].warm_server  # the cold command judged this one
    again = execute(Program("TypeScript", TS_OK))
    assert again.status == "passed" and again.steps[0].warm_server  # a new server
    assert _server_pids() != [pid]


@pytest.mark.toolchains
def test_a_server_that_cannot_start_falls_back_to_the_cold_command(tmp_path):
    require_toolchain("TypeScript")
    broken = dataclasses.replace(get_language("TypeScript"), server=("sh", "-c", "exit 3"))
    work = tmp_path / "box"
    work.mkdir()
    (work / "main.ts").write_text(TS_OK)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = servers.compile_with_server(
            broken,
            work,
            ["main.ts"],
            step_limits("compile", broken.limits),
            {},
            servers.binds_for(broken),
        )
    assert result is None
    assert any("did not start" in str(w.message) for w in caught)
    assert _server_pids() == []


@pytest.mark.toolchains
def test_evaluate_closes_its_servers():
    require_toolchain("TypeScript")
    data = default_data_dir()
    if data is None:
        pytest.skip("McEval data not found: set MCEVAL_DATA or place it at ../shared/mceval")
    tasks = load_tasks(data, task="generation", languages=["TypeScript"]).head(3)
    samples = canonical_samples(tasks)
    samples.loc[samples.index[-1], "completion"] = "function broken( {"
    results = evaluate(samples, tasks, jobs=2, progress=False, cache=False)
    assert results["status"].tolist() == ["passed", "passed", "compile_error"]
    assert _server_pids() == [] and servers.POOL.idle_count() == 0
    assert _leftovers() == []
