"""What this machine can run: every language's toolchain, version and the sandbox mode."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from workbench.executor import missing_tools, toolchain_version
from workbench.languages import all_languages
from workbench.sandbox import sandbox_info


@dataclass
class LanguageStatus:
    """Whether one language can be executed here, and why not."""

    language: str
    status: str  # ready, missing, no_recipe, docker_only
    version: str | None
    detail: str
    debian_packages: list[str]


def language_statuses() -> list[LanguageStatus]:
    """One status per registry language."""
    out = []
    for lang in all_languages():
        packages = list(lang.debian_packages)
        if lang.docker_only:
            out.append(
                LanguageStatus(
                    lang.name,
                    "docker_only",
                    None,
                    "no Debian toolchain: served by the Docker backend",
                    packages,
                )
            )
            continue
        if not lang.has_recipe:
            version = toolchain_version(lang.name)
            out.append(
                LanguageStatus(
                    lang.name,
                    "no_recipe",
                    version,
                    "toolchain "
                    + ("found" if version else "missing")
                    + "; no execution recipe yet",
                    packages,
                )
            )
            continue
        missing = missing_tools(lang)
        if missing:
            out.append(
                LanguageStatus(
                    lang.name,
                    "missing",
                    None,
                    f"{', '.join(missing)} not found; install: apt-get install "
                    + " ".join(packages),
                    packages,
                )
            )
        else:
            out.append(
                LanguageStatus(lang.name, "ready", toolchain_version(lang.name), "", packages)
            )
    return out


def report() -> dict:
    """Everything ``workbench doctor`` prints, as data (``--json``)."""
    info = sandbox_info()
    return {
        "sandbox": asdict(info),
        "languages": [asdict(s) for s in language_statuses()],
    }


def missing_packages(languages: list[str]) -> list[str]:
    """Debian packages needed by ``languages`` whose tools are not on PATH."""
    wanted: dict[str, None] = {}
    for status in language_statuses():
        if status.language in languages and status.status == "missing":
            for p in status.debian_packages:
                wanted.setdefault(p, None)
    return list(wanted)
