"""A recipe's files (``[files]``, workbench/registry/README.md): plain files in the language's
folder, mounted read-only in the real sandbox, copied into work folders, and part of the cache
and prebuilt keys, so editing one re-runs what it judges."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import stat
import tempfile
import tomllib
from pathlib import Path

import pytest

from tests.conftest import require_toolchain
from workbench import paths
from workbench.errors import InputError
from workbench.evaluation import cache
from workbench.execution import registry_files
from workbench.execution.execute import execute
from workbench.execution.prebuilt import template_key
from workbench.execution.records import Program
from workbench.inputs.tasks import default_data_dir, load_tasks
from workbench.registry import languages
from workbench.registry.languages import RECIPE_MOUNT, all_languages, get_language

REGISTRY = paths.REGISTRY_DIR


def _commands(lang: languages.Language) -> list[tuple[str, ...]]:
    return [s.command for s in lang.steps] + ([lang.server] if lang.server else [])


def test_no_recipe_is_a_shell_program_in_a_string():
    for lang in all_languages():
        for command in [*_commands(lang), lang.version]:
            assert not (Path(command[0]).name in ("sh", "bash") and "-c" in command), (
                f"{lang.name}: {command[:3]}: put the program in registry/<lang>/ ([files])"
            )


def test_every_file_a_recipe_names_is_in_its_folder():
    used = set()
    for lang in all_languages():
        if lang.files is None:
            continue
        folder = REGISTRY / lang.files.folder
        assert folder.is_dir(), f"{lang.name}: no folder {folder}"
        used.add(folder.name)
        for name in lang.files.copy.values():
            assert (folder / name).is_file(), f"{lang.name}: [files] copy names {name}"
        for command in _commands(lang):
            for arg in command:
                if arg.startswith(RECIPE_MOUNT + "/"):
                    script = folder / arg.removeprefix(RECIPE_MOUNT + "/")
                    assert script.is_file(), f"{lang.name}: {arg} is not in {folder}"
        # A script sources others by the mount's path: those must be there too.
        for script in folder.glob("*.sh"):
            for line in script.read_text(encoding="utf-8").splitlines():
                if line.startswith(". " + RECIPE_MOUNT + "/"):
                    assert (folder / line.split("/")[-1]).is_file(), f"{script}: {line}"
    # Every language folder belongs to a recipe (fixtures/ belongs to `binds`).
    folders = {p.name for p in REGISTRY.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders - {"fixtures"} == used


def _language_from(tmp_path: Path, extra: str) -> languages.Language:
    """The Python registry file plus ``extra`` TOML, read the way the registry reads it."""
    text = (REGISTRY / "python.toml").read_text(encoding="utf-8") + "\n" + extra
    path = tmp_path / "python.toml"
    path.write_text(text, encoding="utf-8")
    defaults = tomllib.loads((REGISTRY / "_defaults.toml").read_text(encoding="utf-8"))
    raw = tomllib.loads(text)
    return languages._language(raw["name"], raw, defaults, path)


def test_the_registry_refuses_a_bad_files_table(tmp_path):
    spec = _language_from(tmp_path, '[files]\nfolder = "rust"\nremove = ["Cargo.lock"]\n')
    assert spec.files == languages.RecipeFiles("rust", {}, ("Cargo.lock",))
    bad = {
        '[files]\nfolder = "../fixtures"\n': "stay inside their folder",
        '[files]\nfolder = "rust"\ncopy = { "/etc/passwd" = "Cargo.toml" }\n': "relative",
        '[files]\ncopy = { "a" = "b" }\n': "folder \\(required\\)",
        '[files]\nfolder = "rust"\nmount = true\n': "takes folder",
    }
    for extra, message in bad.items():
        with pytest.raises(InputError, match=message) as caught:
            _language_from(tmp_path, extra)
        assert caught.value.file == str(tmp_path / "python.toml")
        assert caught.value.field == "files"
    # A step that calls a script of a folder it does not name.
    text = (REGISTRY / "python.toml").read_text(encoding="utf-8")
    script = f'steps = [{{ kind = "run", command = ["sh", "{RECIPE_MOUNT}/run.sh"] }}]\n'
    (tmp_path / "python.toml").write_text(
        re.sub(r"(?ms)^steps = \[.*?^\]\n", lambda _: script, text), encoding="utf-8"
    )
    raw = tomllib.loads((tmp_path / "python.toml").read_text(encoding="utf-8"))
    assert raw["steps"][0]["command"][1] == f"{RECIPE_MOUNT}/run.sh"
    defaults = tomllib.loads((REGISTRY / "_defaults.toml").read_text(encoding="utf-8"))
    with pytest.raises(InputError, match="no \\[files\\] folder"):
        languages._language("Python", raw, defaults, tmp_path / "python.toml")


@pytest.fixture
def package_copy(monkeypatch: pytest.MonkeyPatch):
    """A copy of the package's registry data in a folder closed to other users (as a package
    installed under /root is), with a toolchains folder of its own for the staged copies."""
    root = Path(tempfile.mkdtemp(prefix="wb-closed-"))
    root.chmod(0o700)
    package = root / "workbench"
    shutil.copytree(REGISTRY, package / "registry", ignore=shutil.ignore_patterns("__pycache__"))
    staged = Path(tempfile.mkdtemp(prefix="wb-staged-"))
    staged.chmod(0o755)  # as /opt/workbench/toolchains: the sandbox uid reaches it
    monkeypatch.setattr(paths, "PACKAGE_DIR", package)
    monkeypatch.setenv("WORKBENCH_TOOLCHAINS", str(staged))
    _clear()
    yield package
    _clear()
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(staged, ignore_errors=True)


def _clear() -> None:
    registry_files.folder_digest.cache_clear()
    registry_files.staged.cache_clear()
    cache.recipe_digest.cache_clear()


def test_a_changed_recipe_file_changes_the_cache_and_template_keys(package_copy: Path):
    rust = get_language("Rust")
    limits = rust.limits
    before = {
        "recipe": cache.recipe_digest("Rust"),
        "key": cache.cache_key("Rust", "fn main() {}", limits, version="rustc 1.63.0"),
        "template": template_key(rust, "rustc 1.63.0"),
        "kotlin": cache.recipe_digest("Kotlin"),
    }
    manifest = package_copy / "registry" / "rust" / "Cargo.toml"
    manifest.write_text(manifest.read_text() + "\n[features]\nextra = []\n")
    _clear()
    after = {
        "recipe": cache.recipe_digest("Rust"),
        "key": cache.cache_key("Rust", "fn main() {}", limits, version="rustc 1.63.0"),
        "template": template_key(rust, "rustc 1.63.0"),
        "kotlin": cache.recipe_digest("Kotlin"),
    }
    assert after["recipe"] != before["recipe"]
    assert after["key"] != before["key"]
    assert after["template"] != before["template"]  # other crates: the template is rebuilt
    assert after["kotlin"] == before["kotlin"]  # another language's folder: its key stands
    # A script's bytes count too, and so do the fixtures a language binds.
    awk = cache.recipe_digest("AWK")
    (package_copy / "registry" / "kotlin" / "run.sh").write_text("# changed\n", "utf-8")
    (package_copy / "registry" / "fixtures" / "passwd").write_text("root:x:0:0::/:/bin/sh\n")
    _clear()
    assert cache.recipe_digest("Kotlin") != before["kotlin"]
    assert cache.recipe_digest("AWK") != awk


@pytest.mark.toolchains
def test_a_missing_recipe_file_is_a_broken_install(package_copy: Path):
    require_toolchain("Common Lisp")
    shutil.rmtree(package_copy / "registry" / "common-lisp")
    with pytest.raises(paths.MissingDataFile, match="common-lisp"):
        cache.recipe_digest("Common Lisp")
    with pytest.raises(paths.MissingDataFile):  # an error of the install, never a verdict
        execute(Program("Common Lisp", "(print 1)\n"))


LISP_READS_ITS_RECIPE = """(with-open-file (s "/tmp/wb-recipe/run.sh")
  (assert (search "sbcl --script" (let ((all "")) (loop for line = (read-line s nil)
    while line do (setf all (concatenate 'string all line))) all))))
"""
LISP_WRITES_ITS_RECIPE = """(with-open-file (s "/tmp/wb-recipe/run.sh" :direction :output
                   :if-exists :supersede)
  (write-line "exit 0" s))
"""


@pytest.mark.toolchains
def test_the_folder_is_mounted_read_only_from_a_closed_package(package_copy: Path):
    require_toolchain("Common Lisp")
    # The package folder is closed to the sandbox uid; the staged copy is what it reads.
    assert stat.S_IMODE(package_copy.parent.stat().st_mode) == 0o700
    result = execute(Program("Common Lisp", LISP_READS_ITS_RECIPE))
    assert result.status == "passed", result.stderr[-500:]
    result = execute(Program("Common Lisp", LISP_WRITES_ITS_RECIPE))
    assert result.status == "runtime_error", result.stderr[-500:]
    assert "Read-only file system" in result.stderr or "ermission denied" in result.stderr
    staged = registry_files.staged(package_copy / "registry" / "common-lisp")
    assert Path(os.environ["WORKBENCH_TOOLCHAINS"]) in staged.parents
    assert (staged / "run.sh").read_bytes() == (REGISTRY / "common-lisp" / "run.sh").read_bytes()


@pytest.mark.toolchains
def test_copied_files_replace_the_support_folders(tmp_path: Path):
    require_toolchain("Rust")
    data = default_data_dir()
    if data is None:
        pytest.skip("McEval data not found: set MCEVAL_DATA or place it at ../shared/mceval")
    task = load_tasks(data, languages=["Rust"]).iloc[1].to_dict()
    support = Path(task["support_dir"])
    assert 'rand = "0.4"' in (support / "Cargo.toml").read_text()  # the official manifest
    kept = tmp_path / "kept"
    program = f"{task['prompt']}\n{task['canonical_solution']}\n{task['test']}"
    result = execute(Program("Rust", program, support, task["task_id"]), keep_workdir=kept)
    assert result.status == "passed", result.stderr[-800:]
    registry = REGISTRY / "rust"
    assert (kept / "Cargo.toml").read_bytes() == (registry / "Cargo.toml").read_bytes()
    assert (kept / ".cargo" / "config.toml").read_bytes() == (registry / "config.toml").read_bytes()
    # The official Cargo.lock (rand 0.4) was dropped; Cargo wrote its own from Debian's crates.
    assert 'name = "rand"\nversion = "0.8.' in (kept / "Cargo.lock").read_text()
    assert [s.kind for s in result.steps] == ["compile", "run"]


CS_ERROR_ON_LINE_3 = 'class P {\n  static void Main() {\n    int x = "s";\n  }\n}\n'


@pytest.mark.toolchains
def test_the_prelude_keeps_the_programs_line_numbers():
    require_toolchain("C#")
    result = execute(Program("C#", CS_ERROR_ON_LINE_3))
    assert result.status == "compile_error"
    assert "build.cs(3," in result.stdout + result.stderr  # line 3 of the program, as written
    # The implicit usings are there: List<T> and LINQ need no using of their own.
    ok = "class P { static void Main() { var l = new List<int>{1, 2}; if (l.Sum() != 3) throw new Exception(); } }\n"
    assert execute(Program("C#", ok)).status == "passed"


def test_a_language_without_files_is_unchanged(tmp_path: Path):
    python = get_language("Python")
    assert python.files is None and registry_files.folder_bind(python) == {}
    registry_files.place_files(python, tmp_path)
    assert list(tmp_path.iterdir()) == []
    with_files = dataclasses.replace(
        python, files=languages.RecipeFiles("rust", {"sub/Cargo.toml": "Cargo.toml"}, ("*.lock",))
    )
    (tmp_path / "Cargo.lock").write_text("pinned")
    (tmp_path / "keep.txt").write_text("task data")
    registry_files.place_files(with_files, tmp_path)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["Cargo.toml", "keep.txt", "sub"]
