"""Where things are: the package's data files, the repository's data, toolchains and caches.

Every location the workbench reads or writes is decided here, so a checkout, an editable install
and an installed wheel find the same files. A data file the package needs and cannot find is an
error (``missing_file``), never a silent default.
"""

from __future__ import annotations

import os
from pathlib import Path

from workbench.errors import InputError, WorkbenchError

PACKAGE_DIR = Path(__file__).resolve().parent
REGISTRY_DIR = PACKAGE_DIR / "registry"
# Where results are kept unless a command or call is told otherwise (in the working folder).
DEFAULT_STORE = Path("workbench.duckdb")
DEMO_STORE = Path("workbench-demo.duckdb")


class MissingDataFile(WorkbenchError, FileNotFoundError):
    """A file the package ships is not where it should be (a broken install)."""


def package_file(*parts: str) -> Path:
    """A file shipped inside the package; raises ``MissingDataFile`` when it is absent."""
    path = PACKAGE_DIR.joinpath(*parts)
    if not path.exists():
        raise MissingDataFile(
            f"{path}: a data file of the workbench package is missing (a broken install: "
            "reinstall the package, or run from a checkout)"
        )
    return path


def repository_root() -> Path | None:
    """The checkout the package runs from (the folder holding ``pyproject.toml`` and ``data/``),
    or None for an installed package."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() and (root / "data").is_dir() else None


def bundled_data_dir() -> Path:
    """The project's own data (``data/demo``, ``data/paper``): the checkout's ``data/``, else the
    copy an installed wheel carries inside the package (``workbench/_data``)."""
    root = repository_root()
    if root is not None:
        return root / "data"
    return package_file("_data")


def demo_data_dir() -> Path:
    """The bundled demo set in McEval format (tasks and synthetic model outputs)."""
    return bundled_data_dir() / "demo"


def bundled_paper_dir() -> Path:
    """Published numbers from the McEval paper and leaderboards, as the project's CSV files."""
    return bundled_data_dir() / "paper"


def shared_dir() -> Path | None:
    """``../shared`` next to the working directory or the checkout, when present."""
    bases = [Path.cwd()]
    root = repository_root()
    if root is not None:
        bases.append(root)
    for base in bases:
        candidate = base.parent / "shared"
        if candidate.is_dir():
            return candidate
    return None


def shared_path(*parts: str) -> Path:
    """A file or folder of ``../shared`` (the McEval data, the example model outputs); when it
    is not there, an ``InputError`` naming it and how to provide it (notebooks start with it)."""
    path = (shared_dir() or Path("../shared")).joinpath(*parts)
    if not path.exists():
        raise InputError(
            f"{path} not found: place the project's shared folder next to the checkout, set "
            "MCEVAL_DATA to your McEval folder, or point this parameter at your own data"
        )
    return path


OUTPUTS_ENV = "WORKBENCH_OUTPUTS"
OUTPUTS_FOLDER = "outputs"  # git-ignored in the checkout (.gitignore)


def outputs_dir() -> Path:
    """Where a user's own work lands and stays: the notebooks' stores (verdicts, notes and tags),
    exports and reports. ``$WORKBENCH_OUTPUTS``, else the checkout's ``outputs/`` (git-ignored),
    else ``outputs/`` in the working directory (an installed package). Not created here: whatever
    writes into it makes the folder."""
    env = os.environ.get(OUTPUTS_ENV)
    if env:
        return Path(env)
    root = repository_root()
    return (root if root is not None else Path.cwd()) / OUTPUTS_FOLDER


def toolchains_dir() -> Path:
    """``$WORKBENCH_TOOLCHAINS``, else /opt/workbench/toolchains (root) or ~/.local/share/…."""
    env = os.environ.get("WORKBENCH_TOOLCHAINS")
    if env:
        return Path(env)
    if os.geteuid() == 0:
        return Path("/opt/workbench/toolchains")
    return Path.home() / ".local" / "share" / "workbench" / "toolchains"


def npm_bin() -> Path:
    """Executables of the npm packages the registry names (``npm_packages``)."""
    return toolchains_dir() / "npm" / "node_modules" / ".bin"


def cache_dir() -> Path:
    """``$WORKBENCH_CACHE``, else ~/.cache/mceval-workbench (embeddings, prebuilt dependencies)."""
    env = os.environ.get("WORKBENCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "mceval-workbench"


def search_path() -> str:
    """PATH for finding and running toolchains: the workbench's own first, then the user's."""
    return os.pathsep.join([str(npm_bin()), os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")])
