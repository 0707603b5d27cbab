"""The views' tests use the session's real store (``real_store`` in tests/conftest.py: the demo
and the real C outputs, evaluated once); ``store`` is a copy a test may change (the browser
tests' Chromium and JupyterLab are in ``tests/browser.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REAL_MODEL

__all__ = ["REAL_MODEL"]


@pytest.fixture
def store(real_store, tmp_path) -> Path:
    """A copy of the real store this test may change."""
    copy = tmp_path / "store.duckdb"
    shutil.copy(real_store, copy)
    return copy
