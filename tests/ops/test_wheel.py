"""The installable wheel: built from the project, installed (not editable) into a fresh virtual
environment and run from a folder outside the checkout, it must find every file it ships (the
registry, the recipe folders, the warm-compiler programs, the canonical run times, the demo and
paper data) and judge exactly as the checkout does.

The fresh environment borrows the dev environment's third-party packages through a ``.pth`` path
entry (fast: nothing is downloaded). A path entry does not run the ``.pth`` files inside it, so the
editable install's finder stays out and ``import workbench`` can only find the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT, require_toolchain
from workbench.registry.languages import get_language
from workbench.registry.limits import FACTOR, canonical_times

pytestmark = pytest.mark.slow  # a wheel build, two doctors, two verifies and the demo: minutes

CHECKOUT_PYTHON = Path(sys.executable)
CHECKOUT_WORKBENCH = CHECKOUT_PYTHON.parent / "workbench"
VERIFY_LANGUAGES = ["Python", "Kotlin", "TypeScript", "Rust"]
DEMO_LANGUAGES = ["Python", "C", "CPP", "JavaScript", "Java", "Shell"]
SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "workbench", "data"]
MCEVAL = PROJECT.parent / "shared" / "mceval"


class Installed:
    """The wheel, its fresh environment, and a working folder outside the checkout."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.wheel = self._build()
        self.venv = root / "venv"
        self.python = self.venv / "bin" / "python"
        self.workbench = self.venv / "bin" / "workbench"
        self.cwd = root / "work"
        self.cwd.mkdir()
        self._install()

    def _build(self) -> Path:
        # Built from a copy: the build's own folders (build/, *.egg-info) never land in the
        # checkout that others work in, and a stale egg-info cannot add files to the wheel.
        source = self.root / "source"
        source.mkdir()
        ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", ".*cache")
        for name in SOURCES:
            path = PROJECT / name
            if path.is_dir():
                shutil.copytree(path, source / name, ignore=ignore)
            else:
                shutil.copy2(path, source / name)
        out = self.root / "dist"
        subprocess.run(
            [CHECKOUT_PYTHON, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
            + ["-w", str(out), str(source)],
            check=True,
            capture_output=True,
            cwd=self.root,
        )
        (wheel,) = out.glob("mceval_workbench-*.whl")
        return wheel

    def _install(self) -> None:
        subprocess.run(
            [CHECKOUT_PYTHON, "-m", "venv", "--without-pip", str(self.venv)],
            check=True,
            capture_output=True,
        )
        site = Path(
            subprocess.run(
                [self.python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        (site / "dev-packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
        subprocess.run(
            [CHECKOUT_PYTHON, "-m", "pip", "--python", str(self.python), "install", "-q"]
            + ["--no-deps", "--no-index", str(self.wheel)],
            check=True,
            capture_output=True,
        )
        self.site = site

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env.pop("VIRTUAL_ENV", None)
        return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    return Installed(tmp_path_factory.mktemp("wheel"))


def _run(
    argv: list[str | Path], cwd: Path, env: dict[str, str] | None = None, ok: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)
    if ok:
        assert done.returncode == 0, f"{argv}: {done.stderr[-3000:]}"
    return done


def _python(python: Path, code: str, installed: Installed) -> str:
    env = installed.env() if python == installed.python else None
    return _run([python, "-c", code], installed.cwd, env).stdout


def test_the_wheel_holds_every_file_of_the_package_and_the_bundled_data(installed: Installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    source = installed.root / "source"
    expected = {
        p.relative_to(source).as_posix()
        for p in (source / "workbench").rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    for folder in ("demo", "paper"):
        expected |= {
            "workbench/_data/" + p.relative_to(source / "data").as_posix()
            for p in (source / "data" / folder).rglob("*")
            if p.is_file()
        }
    assert expected - names == set()
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    for shipped in (
        "workbench/registry/canonical_times.csv",
        "workbench/registry/rust/Cargo.toml",
        "workbench/registry/kotlin/server.sh",
        "workbench/execution/warm_compilers/programs/ScriptMain.java",
        "workbench/_data/demo/samples.jsonl",
        "workbench/_data/paper/languages.csv",
    ):
        assert shipped in names


def test_import_resolves_to_the_installed_wheel(installed: Installed):
    found = _python(
        installed.python,
        "import workbench, workbench.paths as p; "
        "print(workbench.__file__); print(p.repository_root()); print(p.bundled_data_dir())",
        installed,
    ).split("\n")
    package = installed.site / "workbench"
    assert Path(found[0]) == package / "__init__.py"
    assert found[1] == "None"  # no checkout around it
    assert Path(found[2]) == package / "_data"


def test_doctor_from_the_wheel_matches_the_checkout(installed: Installed):
    wheel = json.loads(
        _run([installed.workbench, "doctor", "--json"], installed.cwd, installed.env()).stdout
    )
    checkout = json.loads(_run([CHECKOUT_WORKBENCH, "doctor", "--json"], installed.cwd).stdout)

    def statuses(report: dict) -> list[tuple[str, str, str | None]]:
        return [(s["language"], s["status"], s["version"]) for s in report["languages"]]

    assert statuses(wheel) == statuses(checkout)
    assert len(statuses(wheel)) == 40
    assert wheel["sandbox"] == checkout["sandbox"]
    details = {s["language"]: s["detail"] for s in wheel["languages"]}
    ready = {s["language"] for s in wheel["languages"] if s["status"] == "ready"}
    for language in ("Kotlin", "Scala", "TypeScript", "Java"):
        if language in ready:
            assert "warm compiler:" in details[language], details[language]
    for language in ("Go", "Rust"):
        if language in ready:
            assert "prebuilt dependencies:" in details[language], details[language]


def test_verify_from_the_wheel_gives_the_checkouts_verdicts(installed: Installed):
    for language in VERIFY_LANGUAGES:
        require_toolchain(language)
    if not (MCEVAL / "generation").is_dir():
        pytest.skip(f"McEval data not found at {MCEVAL}")
    outcomes = {}
    for name, workbench, env in (
        ("wheel", installed.workbench, installed.env()),
        ("checkout", CHECKOUT_WORKBENCH, None),
    ):
        store = installed.root / f"verify-{name}.duckdb"
        done = _run(
            [workbench, "verify", "--data", MCEVAL, "--languages", *VERIFY_LANGUAGES]
            + ["--limit", "3", "--json", "--quiet", "--store", store],
            installed.cwd,
            env,
        )
        with duckdb.connect(str(store), read_only=True) as db:
            rows = db.execute(
                "SELECT task_id, status, cache_key FROM executions ORDER BY task_id"
            ).fetchall()
        outcomes[name] = (json.loads(done.stdout), rows)
    wheel, checkout = outcomes["wheel"], outcomes["checkout"]
    assert wheel[0] == checkout[0]  # per language: tasks, passed, toolchain
    assert len(wheel[1]) == 3 * len(VERIFY_LANGUAGES)
    assert {r[1] for r in wheel[1]} == {"passed"}
    # Same verdicts under the same content addresses: the wheel's recipes, with the bytes of
    # their files, are the checkout's.
    assert wheel[1] == checkout[1]


def test_run_limits_read_the_shipped_canonical_times(installed: Installed):
    times = canonical_times()
    task_id = next(
        t
        for t, seconds in sorted(times.items())
        if FACTOR * seconds > get_language(t.split("/")[0]).limits.run_timeout
    )
    code = (
        "import json, dataclasses as d; from workbench.registry.languages import get_language; "
        "from workbench.registry.limits import task_limits; "
        f"print(json.dumps(d.asdict(task_limits(get_language({task_id.split('/')[0]!r}), "
        f"{task_id!r}))))"
    )
    wheel = json.loads(_python(installed.python, code, installed))
    checkout = json.loads(_python(CHECKOUT_PYTHON, code, installed))
    assert wheel == checkout
    floor = get_language(task_id.split("/")[0]).limits.run_timeout
    assert wheel["run_timeout"] > floor  # raised by the CSV's canonical time, not the default


def test_demo_runs_from_the_wheel(installed: Installed):
    for language in DEMO_LANGUAGES:
        require_toolchain(language)
    store, figures = installed.root / "demo.duckdb", installed.root / "figures"
    done = _run(
        [installed.workbench, "demo", "--quiet", "--store", store, "--figures", figures],
        installed.cwd,
        installed.env(),
    )
    assert store.is_file()
    assert (figures / "demo_pass_at_1.svg").is_file() and (figures / "demo_pass_at_1.png").is_file()
    with duckdb.connect(str(store), read_only=True) as db:
        counts = dict(db.execute("SELECT row_kind, count(*) FROM executions GROUP BY 1").fetchall())
    # Every synthetic answer of data/demo, read from the wheel's copy, and the run's controls
    # (two per language).
    assert counts == {"scored": 72, "control": 12}
    assert "Python" in done.stdout
