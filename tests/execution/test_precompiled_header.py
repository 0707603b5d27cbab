"""C++'s precompiled bits/stdc++.h (registry ``[prebuilt]`` of CPP, ``build`` and ``share =
"link"``) with the real g++ in the real sandbox: built once, linked into work folders, actually
read by the recipe's own compile command, and unable to change a verdict or be changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_toolchain
from workbench.execution.execute import execute
from workbench.execution.prebuilt import copy_template, ensure_template, template_dir
from workbench.execution.recipe import step_env, step_limits
from workbench.execution.records import Program
from workbench.execution.sandbox import run_confined
from workbench.execution.toolchain import toolchain_version
from workbench.execution.workfolder import work_folder
from workbench.paths import toolchains_dir
from workbench.registry.languages import get_language

STDCXX = """#include <bits/stdc++.h>
using namespace std;
int main() {
    vector<int> v = {3, 1, 2};
    sort(v.begin(), v.end());
    assert(v[0] == 1);
    cout << accumulate(v.begin(), v.end(), 0) << endl;
}
"""


@pytest.fixture(scope="module")
def template() -> Path:
    require_toolchain("CPP")
    cpp = get_language("CPP")
    built = ensure_template(cpp, toolchain_version("CPP"))
    assert built is not None, "the precompiled header was not built"
    return built


def _compile_verbose(template: Path, program: str) -> str:
    """stderr of the registry's compile step with g++'s -H (which header files it reads, a
    used precompiled header marked "!") and -Winvalid-pch, in the sandbox."""
    cpp = get_language("CPP")
    assert cpp.prebuilt is not None
    compile_step = next(s for s in cpp.steps if s.kind == "compile")
    with work_folder() as tmp:
        box = Path(tmp) / "box"
        box.mkdir()
        copy_template(template, box, cpp.prebuilt)
        (box / cpp.source).write_text(program, encoding="utf-8")
        argv = [a.replace("{source}", cpp.source) for a in compile_step.command]
        result = run_confined(
            [*argv, "-H", "-Winvalid-pch"],
            box,
            step_limits("compile", cpp.limits),
            env=step_env(cpp, cpp.prebuilt.append_env, "compile"),
        )
    assert result.exit_code == 0, result.stderr[-2000:]
    return result.stderr


def test_the_header_is_kept_where_the_sandbox_can_read_it(template: Path) -> None:
    cpp = get_language("CPP")
    gch = template / "stdc++.h.gch"
    assert gch.stat().st_size > 10 * 2**20  # the whole standard library, compiled
    assert template_dir(cpp, toolchain_version("CPP")).is_relative_to(toolchains_dir())
    assert gch.stat().st_mode & 0o777 == 0o644  # readable by every sandbox uid, writable by none
    for folder in gch.parents:
        assert folder.stat().st_mode & 0o001, f"a sandbox uid cannot enter {folder}"


def test_work_folders_get_links_not_copies(template: Path) -> None:
    cpp = get_language("CPP")
    assert cpp.prebuilt is not None
    with work_folder() as tmp:
        box = Path(tmp) / "box"
        box.mkdir()
        copy_template(template, box, cpp.prebuilt)
        linked = box / cpp.prebuilt.folder / "stdc++.h.gch"
        assert linked.is_symlink()
        assert linked.resolve() == (template / "stdc++.h.gch").resolve()


def test_the_recipes_compile_command_reads_the_precompiled_header(template: Path) -> None:
    stderr = _compile_verbose(template, STDCXX)
    assert "! .pch/bits/stdc++.h.gch" in stderr.splitlines()
    assert "not used" not in stderr  # -Winvalid-pch: a header found but refused says why


def test_a_program_that_cannot_use_it_compiles_the_real_header(template: Path) -> None:
    # A C token before the include: g++ may not use a precompiled header there.
    late = "int before;\n" + STDCXX
    stderr = _compile_verbose(template, late)
    assert "! .pch/bits/stdc++.h.gch" not in stderr.splitlines()
    assert any(line.rstrip().endswith("bits/stdc++.h") for line in stderr.splitlines())
    assert execute(Program("CPP", late)).status == "passed"


def test_verdicts_are_those_of_the_header(template: Path) -> None:
    assert execute(Program("CPP", STDCXX)).status == "passed"
    wrong = STDCXX.replace("assert(v[0] == 1)", "assert(v[0] == 2)")
    assert execute(Program("CPP", wrong)).status == "failed"
    broken = STDCXX.replace("sort(v.begin(), v.end());", "sort(v.begin(), v.end()")
    assert execute(Program("CPP", broken)).status == "compile_error"


def test_a_sample_cannot_change_the_shared_header(template: Path) -> None:
    gch = template / "stdc++.h.gch"
    before = (gch.stat().st_size, gch.stat().st_mtime_ns)
    hostile = """#include <bits/stdc++.h>
int main() {
    FILE *f = fopen(".pch/bits/stdc++.h.gch", "w");
    if (f) { fputs("overwritten", f); fclose(f); return 0; }
    return 3;
}
"""
    result = execute(Program("CPP", hostile))
    assert result.status == "runtime_error" and result.exit_code == 3, result.reason
    assert (gch.stat().st_size, gch.stat().st_mtime_ns) == before
