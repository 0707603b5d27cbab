"""Prebuilt dependencies (workbench/execution/prebuilt.py) with the real Go and Rust toolchains.

Each test builds its templates in a fresh cache folder, so the warm-up itself is exercised.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.conftest import require_toolchain as _needs
from workbench.execution.execute import execute
from workbench.execution.prebuilt import ensure_template, status, template_dir
from workbench.execution.records import Program
from workbench.execution.toolchain import toolchain_version
from workbench.inputs.tasks import default_data_dir
from workbench.registry.languages import get_language


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _canonical(language: str, index: int = 0) -> str:
    data = default_data_dir()
    if data is None:
        pytest.skip("McEval data not found: set MCEVAL_DATA or place it at ../shared/mceval")
    path = data / "generation" / f"{language}.jsonl"
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[index])
    return f"{record['prompt']}{record['canonical_solution']}\n{record['test']}"


def _snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns, p.stat().st_uid)
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.mark.toolchains
def test_go_template_is_built_once_and_samples_cannot_change_it(fresh_cache: Path) -> None:
    _needs("Go")
    go = get_language("Go")
    version = toolchain_version("Go")
    assert "not built yet" in status(go, version)
    template = ensure_template(go, version)
    assert template is not None and template.is_dir()
    assert template.is_relative_to(fresh_cache)
    assert "ready" in status(go, version)
    stamp = (template_dir(go, version) / ".complete").stat().st_mtime_ns
    before = _snapshot(template)
    assert len(before) > 100  # testify and the standard packages, compiled

    # A hostile sample: overwrite, truncate and chmod every file of its build cache copy.
    hostile = """package main

import (
\t"io/fs"
\t"os"
\t"path/filepath"
\t"testing"
)

func TestTamper(t *testing.T) {
\tchanged := 0
\tfilepath.WalkDir("/tmp/box/.gocache", func(p string, d fs.DirEntry, err error) error {
\t\tif err == nil && !d.IsDir() {
\t\t\tinfo, _ := d.Info()
\t\t\tif info.Size() > 0 {
\t\t\t\tif os.WriteFile(p, []byte("tampered"), 0o644) == nil {
\t\t\t\t\tchanged++
\t\t\t\t}
\t\t\t\tif os.Chmod(p, 0o666) == nil {
\t\t\t\t\tchanged++
\t\t\t\t}
\t\t\t}
\t\t}
\t\treturn nil
\t})
\tt.Logf("changed %d", changed)
}
"""
    result = execute(Program("Go", hostile))
    assert result.status == "passed", result.stderr
    assert _snapshot(template) == before  # nothing reached the shared files
    # Every sample still builds against the template, and the template was not rebuilt.
    result = execute(Program("Go", _canonical("Go")))
    assert result.status == "passed", result.stderr
    assert ensure_template(go, version) == template
    assert (template_dir(go, version) / ".complete").stat().st_mtime_ns == stamp


@pytest.mark.toolchains
def test_rust_sample_reuses_the_prebuilt_crates(fresh_cache: Path, tmp_path: Path) -> None:
    _needs("Rust")
    rust = get_language("Rust")
    template = ensure_template(rust, toolchain_version("Rust"))
    assert template is not None
    rlibs = {p.name: p.stat().st_mtime_ns for p in (template / "debug" / "deps").glob("*.rlib")}
    assert any(name.startswith("libregex-") for name in rlibs)
    assert not list((template / "debug" / "deps").glob("rust-*"))  # the warm-up's own crate

    kept = tmp_path / "kept"
    result = execute(Program("Rust", _canonical("Rust", 5)), keep_workdir=kept)
    assert result.status == "passed", result.stderr
    # Cargo found the dependencies fresh: the sample's rlibs are the template's, not rebuilt.
    sample = {
        p.name: p.stat().st_mtime_ns for p in (kept / "target" / "debug" / "deps").glob("*.rlib")
    }
    assert sample == rlibs
    # The sample's own crate was built in its folder.
    assert list((kept / "target" / "debug" / "deps").glob("rust-*"))


@pytest.mark.toolchains
def test_a_failing_warm_up_falls_back_to_building_per_sample(fresh_cache: Path) -> None:
    _needs("Go")
    go = get_language("Go")
    broken = dataclasses.replace(
        go, prebuilt=dataclasses.replace(go.prebuilt, source="package main\n\nfunc broken( {\n")
    )
    with pytest.warns(UserWarning, match="warm-up program .* ended compile_error"):
        assert ensure_template(broken, toolchain_version("Go")) is None
    assert not template_dir(broken, toolchain_version("Go")).exists()
