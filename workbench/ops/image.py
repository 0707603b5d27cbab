"""The Docker backend's runtime image: build it here, and provision it inside its own build.

``workbench image build`` makes a Debian base when none is given (``debootstrap`` and
``docker import``: no image registry needed), builds ``docker/Dockerfile`` on it with the
workbench's wheel, and labels the result with its toolchain versions. Inside the build, the
same module lists the registry's packages and builds what the workbench builds once per
toolchain (``python -m workbench.ops.image packages|npm|provision``), so the image's contents
come from the registry, never from a copied list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import InputError, WorkbenchError
from workbench.evaluation.containers import (
    AGENT_PYTHON,
    DEFAULT_IMAGE,
    IMAGE_TITLE,
    TOOLCHAINS_FILE,
    TOOLCHAINS_LABEL,
    UID_BASE,
    ContainerLimits,
    docker_client,
    hardened_host_config,
)
from workbench.execution.prebuilt import ensure_template
from workbench.execution.registry_files import fixture_binds, folder_bind
from workbench.execution.toolchain import missing_tools, toolchain_version
from workbench.execution.warm_compilers.pool import programs_dir
from workbench.ops.toolchains import install, packages_for
from workbench.paths import PACKAGE_DIR, cache_dir, repository_root
from workbench.registry.languages import all_languages

DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
BASE_REPOSITORY = "mceval-workbench-base"
# What building the wheel reads from the checkout (setup.py bundles data/demo and data/paper).
PACKAGING_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
BUNDLED_DATA = ("data/demo", "data/paper")
CONSTRAINTS_FILE = "constraints.txt"  # every dependency pinned (`make lock`)
LOCAL_AUTHORITIES = Path("/usr/local/share/ca-certificates")  # Debian's place for added CAs


class ImageBuildError(WorkbenchError):
    """The image (or its base) could not be built; the message says which step and why."""


# -- inside the build ----------------------------------------------------------------------------
def image_debian_packages() -> list[str]:
    """Every Debian package the registry names for a language with a local recipe."""
    return packages_for(None, only_missing=False)


def image_npm_packages() -> list[str]:
    """Every npm package (name@version) the registry names."""
    return list(dict.fromkeys(spec for lang in all_languages() for spec in lang.npm_packages))


def provision() -> dict[str, str | None]:
    """Inside the image build (as root): the npm toolchains, the warm compilers' programs, the
    registry's recipe folders and fixtures staged where sandboxes read them, and the versions
    file; returns the versions. Prebuilt dependencies come later (``prebuild``).

    Raises ``ImageBuildError`` when something the image promises could not be built, so a
    broken toolchain fails the build instead of every later sample."""
    install(None)  # the npm packages (the Debian ones are installed by the Dockerfile)
    problems = []
    for lang in all_languages():
        if not lang.has_recipe or missing_tools(lang):
            continue
        if lang.server and programs_dir() is None:
            problems.append(f"{lang.name}: the warm compiler's programs did not build")
        folder_bind(lang), fixture_binds(lang)  # staged now: the root is read-only at run time
        for target in lang.binds:
            _mount_point(Path(target))
    if problems:
        raise ImageBuildError("; ".join(problems))
    versions = {
        lang.name: (toolchain_version(lang.name) if lang.version else None)
        for lang in all_languages()
    }
    record = {
        "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "languages": versions,
        "package": package_digest(PACKAGE_DIR),
    }
    Path(TOOLCHAINS_FILE).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return versions


def _mount_point(target: Path) -> None:
    """An empty file at a fixture's sandbox path when the image has none: bubblewrap cannot
    create it on the read-only root it binds the fixture over (a path under /tmp is bubblewrap's
    own tmpfs, where it can)."""
    if target.is_relative_to("/tmp") or target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.touch(mode=0o644)


RUNTIME_PARTS = ("execution", "registry", "paths.py", "errors.py")  # what a container's agent runs


def package_digest(root: Path) -> str:
    """Hash of what the containers run of a workbench package (``RUNTIME_PARTS``: the execution
    stage and the registry, not caches): an image whose digest differs from a checkout's judges
    with other code or recipes than the checkout would."""
    digest = hashlib.sha256()
    paths = [p for part in RUNTIME_PARTS for p in [root / part, *(root / part).rglob("*")]]
    for path in sorted(paths):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or "__pycache__" in rel or path.name.startswith("."):
            continue
        digest.update(f"{rel}\0{path.stat().st_size}\0".encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def prebuild() -> list[str]:
    """In a container of the image, as a container runs programs (the same uid, bubblewrap):
    every installed language's prebuilt dependencies, built by its own recipe in the sandbox a
    sample runs in, at the path it runs at; returns the languages built. The image's build
    cannot do this step: bubblewrap cannot run there."""
    built, problems = [], []
    for lang in all_languages():
        if not lang.prebuilt or not lang.has_recipe or missing_tools(lang):
            continue
        if ensure_template(lang, toolchain_version(lang.name) or "") is None:
            problems.append(f"{lang.name}: the prebuilt dependencies did not build")
        else:
            built.append(lang.name)
    if problems:
        raise ImageBuildError("; ".join(problems))
    return built


# -- on the building machine ---------------------------------------------------------------------
@dataclass
class BuiltImage:
    """What ``build_image`` made."""

    tag: str
    base: str
    vendor: bool
    seconds: float
    versions: dict[str, str | None]


def build_base(log: Callable[[str], None] = print) -> str:
    """A Debian base image made with ``debootstrap`` + ``docker import`` (no registry needed).

    The root file system is kept as a tarball in the workbench cache, named by its date, and
    imported once per date; older tarballs are removed. Needs root and ``debootstrap``."""
    client = docker_client()
    date = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
    tag = f"{BASE_REPOSITORY}:{DEBIAN_SUITE}-{date}"
    if client.images.list(name=tag):
        return tag
    folder = cache_dir() / "docker"
    tarball = folder / f"debian-{DEBIAN_SUITE}-{date}.tar"
    if not tarball.exists():
        if os.geteuid() != 0 or shutil.which("debootstrap") is None:
            raise ImageBuildError(
                "making the base image needs root and debootstrap (apt-get install debootstrap); "
                "or give an existing image with --base IMAGE"
            )
        folder.mkdir(parents=True, exist_ok=True)
        log(f"debootstrap {DEBIAN_SUITE} (minbase) from {DEBIAN_MIRROR}")
        with tempfile.TemporaryDirectory(prefix="wb-debootstrap-") as tmp:
            root = Path(tmp) / "root"
            _run(["debootstrap", "--variant=minbase", DEBIAN_SUITE, str(root), DEBIAN_MIRROR])
            # What debian:bookworm-slim leaves out too: downloaded packages, lists, docs.
            for junk in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc"):
                for path in (root / junk).glob("*"):
                    if path.is_file():
                        path.unlink()
            partial = tarball.with_suffix(".tar.tmp")
            _run(["tar", "-C", str(root), "-cf", str(partial), "."])
            partial.rename(tarball)
        for old in folder.glob(f"debian-{DEBIAN_SUITE}-*.tar"):
            if old != tarball:
                old.unlink()
    log(f"docker import {tarball.name} as {tag}")
    return import_tarball(client, tarball, tag)


def import_tarball(client: Any, tarball: Path, tag: str) -> str:
    """``docker import`` of a root file system tarball as ``tag`` (``repository:tag``), streamed
    from disk, never held in memory.

    The SDK's path-based import sends the file with its length. Its stream import declares a
    chunked body while requests sends the file with a length, which Debian 12's engine (20.10)
    refuses ("invalid byte in chunk length"); tests/ops/test_image_import.py imports a small
    tarball through this function on every run so a cached base image cannot hide it."""
    if not tarball.is_file():  # else the SDK would send the path to the engine as a URL
        raise ImageBuildError(f"docker import: {tarball} is not a file")
    repository, _, version = tag.rpartition(":")
    client.api.import_image(src=str(tarball), repository=repository, tag=version)
    if not client.images.list(name=tag):
        raise ImageBuildError(f"docker import of {tarball} reported success but {tag} is missing")
    return tag


def build_context(target: Path) -> Path:
    """A build context at ``target``: the Dockerfile, the workbench's wheel in ``dist/`` (built
    from a copy of the checkout, so the checkout itself gets no build folders), the pins of
    ``constraints.txt`` and ``ca-certificates/``, the authorities this machine added to its
    trust store."""
    root = repository_root()
    if root is None or not (root / "docker" / "Dockerfile").is_file():
        raise ImageBuildError("building the image needs the project's checkout (docker/Dockerfile)")
    source = target / "src"
    source.mkdir(parents=True)
    for name in PACKAGING_FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, source / name)
    for name in ("workbench", *BUNDLED_DATA):
        if (root / name).is_dir():
            shutil.copytree(
                root / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(target / "dist"),
            str(source),
        ]
    )
    shutil.rmtree(source)
    shutil.copy2(root / "docker" / "Dockerfile", target / "Dockerfile")
    # The pins CI tested (make lock): the image's Dask worker installs the same versions.
    shutil.copy2(root / CONSTRAINTS_FILE, target / CONSTRAINTS_FILE)
    # Public certificates of authorities this machine trusts besides Debian's (a TLS-inspecting
    # proxy's): the build reaches PyPI and npm through the same proxy.
    authorities = target / "ca-certificates"
    authorities.mkdir()
    for index, cert in enumerate(sorted(LOCAL_AUTHORITIES.rglob("*.crt"))):
        shutil.copyfile(cert, authorities / f"{index:02d}-{cert.name}")
    return target


def build_image(
    tag: str = DEFAULT_IMAGE,
    base: str | None = None,
    vendor: bool = True,
    network: str | None = None,
    log: Callable[[str], None] = print,
    cache: bool = True,
) -> BuiltImage:
    """Build the runtime image ``tag`` from ``docker/Dockerfile``.

    ``base`` defaults to a base made here (``build_base``); ``vendor=False`` leaves out the
    vendor toolchains (Julia, Swift, Dart, PowerShell, .NET), which need the internet.
    ``network`` is the build's network mode (``"host"`` where the default bridge cannot reach
    the package mirrors). ``cache=False`` rebuilds every layer (newer Debian packages). The image
    gets a label with its toolchain versions."""
    start = time.monotonic()
    client = docker_client()
    base = base or build_base(log)
    try:
        import distributed

        dask = f"distributed=={distributed.__version__}"
    except ImportError:
        dask = "distributed"
    with tempfile.TemporaryDirectory(prefix="wb-image-") as tmp:
        context = build_context(Path(tmp) / "context")
        log(f"docker build {tag} (base {base}, vendor toolchains: {'yes' if vendor else 'no'})")
        stream = client.api.build(
            path=str(context),
            tag=tag,
            buildargs={"BASE": base, "VENDOR": "1" if vendor else "0", "DISTRIBUTED": dask},
            rm=True,
            forcerm=True,
            nocache=not cache,
            network_mode=network,
            decode=True,
        )
        _follow(stream, log)
    versions = _prebuild_and_label(client, tag, base, vendor, log)
    # Earlier builds of this tag are left without a name: remove them (never anyone else's).
    client.images.prune(
        filters={"dangling": True, "label": f"org.opencontainers.image.title={IMAGE_TITLE}"}
    )
    return BuiltImage(tag, base, vendor, time.monotonic() - start, versions)


def _prebuild_and_label(
    client: object, tag: str, base: str, vendor: bool, log: Callable[[str], None]
) -> dict[str, str | None]:
    """Run ``prebuild`` in a container of ``tag`` set up as the pool's are (but with a writable
    root), then commit it as ``tag`` with the toolchain label."""
    from docker.utils import parse_repository_tag

    host_config = hardened_host_config(client, ContainerLimits(memory_mb=6144), read_only=False)
    created = client.api.create_container(  # type: ignore[attr-defined]
        tag,
        [AGENT_PYTHON, "-m", "workbench.ops.image", "prebuild"],
        user=f"{UID_BASE}:{UID_BASE}",
        host_config=host_config,
    )
    container = client.containers.get(created["Id"])  # type: ignore[attr-defined]
    try:
        container.start()
        code = container.wait()["StatusCode"]
        output = container.logs().decode("utf-8", "replace")
        log(output.rstrip())
        if code != 0:
            raise ImageBuildError(f"building the prebuilt dependencies failed: {output[-1500:]}")
        record = json.loads(
            client.containers.run(  # type: ignore[attr-defined]
                tag, ["cat", TOOLCHAINS_FILE], remove=True, network_mode="none"
            )
        )
        label = json.dumps({"base": base, "vendor": vendor, **record}, sort_keys=True)
        # A label cannot come from a RUN step (the versions are known only once it ran).
        repository, version = parse_repository_tag(tag)
        container.commit(
            repository=repository,
            tag=version or "latest",
            changes=[
                'CMD ["sleep", "infinity"]',
                f"LABEL {TOOLCHAINS_LABEL}={json.dumps(label)}",
            ],
        )
    finally:
        container.remove(force=True)
    return record["languages"]


@dataclass
class Profile:
    """A profile of another image (``docker/profiles/*.toml``): which executable of it each
    registry tool is, and so which languages its binaries can serve."""

    names: list[str]
    tools: dict[str, str]
    served: list[str]  # languages whose every recipe tool the image has
    missing: dict[str, list[str]]  # language with a recipe -> the tools the image lacks


def load_profile(path: Path | None = None) -> Profile:
    """Read a profile (default: the official McEval image's) and check it against the registry.

    A tool the registry does not name is an ``InputError`` naming the file and the field."""
    import tomllib

    if path is None:
        root = repository_root()
        if root is None:
            raise ImageBuildError("the image profiles are in the project's checkout (docker/)")
        path = root / "docker" / "profiles" / "mceval-official.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read the profile: {exc}", file=path) from exc
    tools = {str(k): str(v) for k, v in raw.get("tools", {}).items()}
    known = {t for lang in all_languages() for t in (*lang.tools, *lang.version[:1])}
    for tool in tools:
        if tool not in known:
            raise InputError(
                f"{tool!r} is no tool of the registry", file=path, field=f"tools.{tool}"
            )
    served, missing = _coverage(tools)
    return Profile(list(raw.get("image", {}).get("names", [])), tools, served, missing)


def check_profile(profile: Profile, image: str, client: Any = None) -> Profile:
    """``profile`` as observed in ``image`` (which must be on this machine): the tools whose
    executable the image really has, and the languages those serve. One container with no
    network runs ``test -x`` on every path; nothing is installed or changed."""
    client = client or docker_client()
    paths = sorted(set(profile.tools.values()))
    script = 'for p in "$@"; do [ -x "$p" ] && echo "$p"; done; true'
    found = set(
        client.containers.run(
            image,
            ["-c", script, "sh", *paths],
            entrypoint="/bin/sh",
            remove=True,
            network_mode="none",
        )
        .decode()
        .split()
    )
    tools = {tool: path for tool, path in profile.tools.items() if path in found}
    served, missing = _coverage(tools)
    return Profile([image], tools, served, missing)


def _coverage(tools: Mapping[str, str]) -> tuple[list[str], dict[str, list[str]]]:
    served, missing = [], {}
    for lang in all_languages():
        if not lang.has_recipe:
            continue
        lacking = [t for t in lang.tools if t not in tools]
        if lacking:
            missing[lang.name] = lacking
        else:
            served.append(lang.name)
    return served, missing


def _follow(stream: object, log: Callable[[str], None]) -> None:
    for chunk in stream:  # type: ignore[attr-defined]
        if "error" in chunk:
            raise ImageBuildError(f"docker build failed: {chunk['error'].strip()}")
        text = chunk.get("stream", "").rstrip()
        if text:
            log(text)


def _run(command: list[str]) -> None:
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ImageBuildError(
            f"{' '.join(command[:3])} failed ({proc.returncode}): {(proc.stderr or proc.stdout)[-1500:]}"
        )


def main(argv: list[str]) -> int:
    """``python -m workbench.ops.image packages|npm|provision|prebuild``: the steps inside the
    build and its container."""
    action = argv[0] if argv else ""
    if action == "packages":
        print(" ".join(image_debian_packages()))
    elif action == "npm":
        print(" ".join(image_npm_packages()))
    elif action == "provision":
        versions = provision()
        ready = sum(v is not None for v in versions.values())
        print(f"{ready} of {len(versions)} languages have a toolchain in this image")
    elif action == "prebuild":
        print("prebuilt dependencies built: " + ", ".join(prebuild()))
    else:
        print(
            "usage: python -m workbench.ops.image packages|npm|provision|prebuild", file=sys.stderr
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
