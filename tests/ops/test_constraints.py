"""constraints.txt pins what CI tests (issue 21): every dependency of pyproject.toml (all extras)
is pinned to one version, torch to the CPU build, and the environment running these tests is the
pinned one — so a fresh machine installs what passed here, not whatever PyPI serves that day."""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import PROJECT

CONSTRAINTS = PROJECT / "constraints.txt"


def pins() -> dict[str, str]:
    """name -> pinned version of every line of constraints.txt."""
    found: dict[str, str] = {}
    for number, line in enumerate(CONSTRAINTS.read_text().splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        req = Requirement(text)
        (spec,) = req.specifier  # exactly one `==` per package
        assert spec.operator == "==", f"{CONSTRAINTS}:{number}: {text} is not a pin"
        found[canonicalize_name(req.name)] = spec.version
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return [Requirement(r) for r in project["dependencies"] + extras]


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pinned = pins()
    for req in declared():
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} is not in constraints.txt: run `make lock`"
        assert req.specifier.contains(pinned[name], prereleases=True), (
            f"{req} but constraints.txt pins {pinned[name]}: run `make lock`"
        )


def test_torch_is_pinned_to_the_cpu_build() -> None:
    pinned = pins()
    assert pinned["torch"].endswith("+cpu"), pinned["torch"]
    assert not any(name.startswith("nvidia-") for name in pinned), "a CUDA build was resolved"


def test_this_environment_is_the_pinned_one() -> None:
    """What runs these tests is what the pins say (the Makefile installs with -c)."""
    differ = []
    for name, version in pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # a platform-specific pin this machine does not need
        if installed != version:
            differ.append(f"{name}: installed {installed}, pinned {version}")
    if differ and Path(sys.prefix).resolve() != (PROJECT / ".venv").resolve():
        pytest.skip(
            f"the environment {sys.prefix} is not the Makefile's .venv, which follows the pins"
        )
    assert not differ, "the environment drifted from constraints.txt: " + "; ".join(differ)
