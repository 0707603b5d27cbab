"""The public API (``import workbench as wb``): every name resolves to what its module defines,
``dir(wb)`` lists them all (a notebook's tab completion reads it), and what type checkers and
editors see (the ``TYPE_CHECKING`` imports) is the same list."""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import workbench

INIT = Path(workbench.__file__)


def test_every_name_resolves_to_its_module() -> None:
    for name, module in workbench._API.items():
        assert getattr(workbench, name) is getattr(import_module(module), name), name
    for name, module in workbench._MODULES.items():
        assert getattr(workbench, name) is import_module(module), name


def test_dir_lists_the_public_api() -> None:
    listed = dir(workbench)
    assert set(workbench.__all__) <= set(listed)
    assert {"evaluate", "tasks_for_samples", "teaching", "__version__"} <= set(listed)
    assert listed == sorted(listed)


def test_type_checkers_see_the_same_names() -> None:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
    )
    seen = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            seen[alias.name] = f"{node.module}.{alias.name}"
    expected = {name: f"{module}.{name}" for name, module in workbench._API.items()}
    expected |= dict(workbench._MODULES.items())
    assert seen == expected


def test_importing_the_package_imports_no_stage() -> None:
    # ``workbench --help`` and ``import workbench`` stay fast: nothing heavy is imported.
    code = (
        "import sys, workbench; print(sorted(m for m in sys.modules if m.startswith('workbench.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['workbench.views', 'workbench.views.notebook']"
