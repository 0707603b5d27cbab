"""Where the workbench keeps toolchains it installs itself (npm packages) and its caches."""

from __future__ import annotations

import os
from pathlib import Path


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
