"""Install the Debian packages the registry names (idempotent), or say which are missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable

from workbench.execution.toolchain import missing_tools
from workbench.paths import toolchains_dir
from workbench.registry.languages import all_languages, get_language

# The sandbox itself: bubblewrap for namespaces; util-linux's prlimit is always present on Debian.
SANDBOX_PACKAGES = ("bubblewrap",)


def _installed_debian(packages: list[str]) -> set[str]:
    """Which of ``packages`` dpkg says are installed (empty when dpkg is not available)."""
    if not packages or shutil.which("dpkg-query") is None:
        return set()
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *packages],
        capture_output=True,
        text=True,
    )
    return {line.split()[0] for line in proc.stdout.splitlines() if line.endswith(" installed")}


def packages_for(languages: Iterable[str] | None = None, only_missing: bool = True) -> list[str]:
    """Debian packages for ``languages`` (default: all), by default only those not installed
    (dpkg's word where dpkg exists, else: the recipe's tools are missing)."""
    chosen = [get_language(n) for n in languages] if languages else all_languages()
    wanted: dict[str, None] = dict.fromkeys(SANDBOX_PACKAGES)
    for lang in chosen:
        if not lang.has_recipe or lang.docker_only:
            continue
        if only_missing and shutil.which("dpkg-query") is None and not missing_tools(lang):
            continue
        wanted.update(dict.fromkeys(lang.debian_packages))
    if not only_missing:
        return list(wanted)
    installed = _installed_debian(list(wanted))
    if shutil.which("dpkg-query") is None:
        return [p for p in wanted if p not in SANDBOX_PACKAGES or shutil.which("bwrap") is None]
    return [p for p in wanted if p not in installed]


def npm_installed(spec: str) -> bool:
    """True when npm package ``name@version`` is in the workbench's own npm prefix."""
    name, _, version = (
        spec.rpartition("@") if spec.count("@") > spec.startswith("@") else (spec, "", "")
    )
    manifest = toolchains_dir() / "npm" / "node_modules" / name / "package.json"
    if not manifest.exists():
        return False
    return not version or json.loads(manifest.read_text()).get("version") == version


def npm_packages_for(languages: Iterable[str] | None = None) -> list[str]:
    """npm packages (name@version) the registry names for ``languages`` that are not installed
    in the workbench's prefix (a Debian tool of another version on PATH does not count)."""
    chosen = [get_language(n) for n in languages] if languages else all_languages()
    wanted: dict[str, None] = {}
    for lang in chosen:
        for spec in lang.npm_packages:
            if not npm_installed(spec):
                wanted[spec] = None
    return list(wanted)


def can_install() -> bool:
    """True when this process may run apt-get (root on a Debian-like system)."""
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def install(languages: Iterable[str] | None = None, dry_run: bool = False) -> list[str]:
    """apt-get install what ``languages`` need; returns the packages that were (or would be)
    installed. Raises RuntimeError with the package list when this machine cannot install."""
    packages = packages_for(languages)
    npm = npm_packages_for(languages)
    if dry_run or not (packages or npm):
        return packages + npm
    if npm and not packages:
        _npm_install(npm)
        return npm
    if not can_install():
        raise RuntimeError(
            "missing toolchains; as root on Debian/Ubuntu run: apt-get install -y "
            + " ".join(packages)
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
    )
    if npm:
        _npm_install(npm)
    return packages + npm


def _npm_install(packages: list[str]) -> None:
    if shutil.which("npm") is None and can_install():
        # Debian splits npm from nodejs (NodeSource's nodejs bundles it, and conflicts with it).
        subprocess.run(["apt-get", "install", "-y", "-qq", "npm"], check=True)
    prefix = toolchains_dir() / "npm"
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix), *packages],
        check=True,
    )


def prebuilt_lines(languages: Iterable[str] | None, build: bool) -> tuple[list[str], bool]:
    """A line per prebuilt dependency and warm compiler of ``languages`` (default: all) whose
    tools are here, saying whether it is ready; with ``build``, each is built first. The flag
    is False when a build failed."""
    from workbench.execution.prebuilt import ensure_template, template_status
    from workbench.execution.toolchain import toolchain_version
    from workbench.execution.warm_compilers.pool import programs_dir, server_status

    chosen = [get_language(n) for n in languages] if languages else all_languages()
    lines, ok = [], True
    for lang in chosen:
        if not (lang.prebuilt or lang.server) or missing_tools(lang):
            continue
        if lang.server:
            if build and programs_dir() is None:
                ok = False
            lines.append(f"{lang.name}: {server_status(lang)}")
        if lang.prebuilt:
            version = toolchain_version(lang.name)
            if build and ensure_template(lang, version) is None:
                ok = False
            lines.append(f"{lang.name}: {template_status(lang, version)}")
    return lines, ok
