"""Shared fixtures: the real McEval data by path, and toolchain checks that skip with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.execution.toolchain import missing_tools
from workbench.inputs.tasks import default_data_dir
from workbench.registry.languages import get_language

PROJECT = Path(__file__).resolve().parents[1]
DEMO = PROJECT / "data" / "demo"
SKELETON_LANGUAGES = ["Python", "C", "CPP", "JavaScript", "Java", "Shell"]


@pytest.fixture(scope="session")
def mceval_dir() -> Path:
    found = default_data_dir()
    if found is None or not (found / "generation").is_dir():
        pytest.skip("McEval data not found: set MCEVAL_DATA or place it at ../shared/mceval")
    return found


def require_toolchain(language: str) -> None:
    """Skip the calling test when ``language``'s tools are missing (doctor reports the same)."""
    lang = get_language(language)
    missing = missing_tools(lang)
    if missing:
        pytest.skip(
            f"{language} toolchain missing: {', '.join(missing)} "
            f"(Debian: {' '.join(lang.debian_packages)})"
        )
