"""Is a language's toolchain here, and which version is it (the version is part of every cache
key, so a changed compiler never reuses an old verdict)."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from workbench.paths import search_path
from workbench.registry.languages import Language, get_language


@cache
def toolchain_version(language_name: str) -> str | None:
    """First line the language's version probe prints, or None when the tool is missing."""
    language = get_language(language_name)
    if not language.version or shutil.which(language.version[0], path=search_path()) is None:
        return None
    try:
        proc = subprocess.run(
            [shutil.which(language.version[0], path=search_path()), *language.version[1:]],
            input=language.version_stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in (proc.stdout + "\n" + proc.stderr).splitlines():
        if line.strip():
            return line.strip()
    return None


def missing_tools(language: Language) -> list[str]:
    """Executables of the recipe that are not on PATH."""
    return [
        tool
        for tool in language.tools
        if (
            not Path(tool).exists()
            if tool.startswith("/")
            else shutil.which(tool, path=search_path()) is None
        )
    ]
