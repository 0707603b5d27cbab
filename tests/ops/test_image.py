"""The runtime image as built: its own workbench judges, it holds what the registry names, it
says its toolchain versions (label and file alike), and ``doctor`` reports it. Plus the profile
of the official McEval image, checked against the registry."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import DOCKER_IMAGE, PROJECT
from workbench.errors import InputError
from workbench.evaluation.containers import (
    TOOLCHAINS_FILE,
    TOOLCHAINS_LABEL,
    ContainerPool,
    image_record,
)
from workbench.execution.records import Program
from workbench.ops.doctor import docker_report, report
from workbench.ops.image import (
    check_profile,
    image_debian_packages,
    image_npm_packages,
    load_profile,
)
from workbench.registry.languages import all_languages, get_language

IMAGE = DOCKER_IMAGE


@pytest.fixture(scope="module")
def client(docker_engine):
    return docker_engine


def _cat(client, path: str) -> str:
    return client.containers.run(IMAGE, ["cat", path], remove=True, network_mode="none").decode()


def test_the_package_lists_come_from_the_registry():
    debian = image_debian_packages()
    for lang in all_languages():
        if lang.has_recipe and not lang.docker_only:
            assert set(lang.debian_packages) <= set(debian), lang.name
    assert "bubblewrap" in debian  # the sandbox inside the containers
    assert set(image_npm_packages()) == {s for lang in all_languages() for s in lang.npm_packages}


def test_the_image_holds_what_this_registry_names(client):
    # The lists the build read from the registry are those of this checkout: else the image is
    # older than the registry and must be rebuilt.
    assert _cat(client, "/opt/workbench/debian.txt").split() == image_debian_packages()
    assert _cat(client, "/opt/workbench/npm.txt").split() == image_npm_packages()


def test_label_and_file_give_the_same_versions(client):
    labelled = json.loads(client.images.get(IMAGE).labels[TOOLCHAINS_LABEL])
    written = json.loads(_cat(client, TOOLCHAINS_FILE))
    assert labelled["languages"] == written["languages"] == image_record(IMAGE, client)["languages"]
    assert labelled["base"] and labelled["vendor"] in (True, False)
    versions = written["languages"]
    assert set(versions) == {lang.name for lang in all_languages()}
    debian = [lang.name for lang in all_languages() if lang.has_recipe and lang.debian_packages]
    missing = [name for name in debian if not versions[name]]
    assert not missing, f"toolchains without a version in the image: {missing}"
    assert "1.9.21" in versions["Kotlin"]  # npm's kotlin-compiler, the paper's version


def test_the_images_own_workbench_judges(client):
    # No source mounted: the package installed in the image, its agent, its sandbox.
    pool = ContainerPool(IMAGE, size=1, client=client)
    try:
        (agent,) = pool.live.values()
        assert agent.hello["sandbox"] == "bwrap"
        limits = get_language("Python").limits
        good = pool.run(Program("Python", "assert sum([1, 2]) == 3\nprint('fine')\n"), limits)
        bad = pool.run(Program("Python", "assert sum([1, 2]) == 4\n"), limits)
        assert (good.status, bad.status) == ("passed", "failed"), (good.reason, bad.reason)
        assert good.stdout.strip() == "fine" and good.sandbox == "docker+bwrap"
        # Go's prebuilt dependencies were built into the image: a sample compiles only itself.
        go = pool.run(
            Program(
                "Go",
                'package main\n\nimport (\n\t"testing"\n\n\t"github.com/stretchr/testify/assert"\n)'
                "\n\nfunc TestSum(t *testing.T) {\n\tassert.Equal(t, 3, 1+2)\n}\n",
            ),
            get_language("Go").limits,
        )
        assert go.status == "passed", (go.reason, go.stderr[-800:])
    finally:
        pool.close()


def test_doctor_lists_the_docker_backend_next_to_the_local_one(client):
    docker = docker_report(IMAGE)
    assert docker["available"], docker["detail"]
    assert "Python" in docker["languages"] and docker["built"]
    data = report()
    rows = {row["language"]: row for row in data["languages"]}
    assert rows["Python"]["docker"] == docker["languages"]["Python"]
    # The six languages with no recipe are served by neither backend, and doctor says so.
    for name in ("Julia", "Swift", "Dart", "PowerShell", "F#", "Visual Basic"):
        assert rows[name]["docker"] is None
        assert name in data["unserved"]
    assert not set(data["unserved"]) & set(docker["languages"])


def test_doctor_says_plainly_when_no_engine_answers(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    docker = docker_report(IMAGE)
    assert not docker["available"]
    assert docker["detail"].startswith("not available: no Docker engine answers")


def test_the_official_image_profile_names_registry_tools_only(tmp_path):
    profile = load_profile()
    assert profile.names[0] == "multilingualnlp/mceval"
    # Its documented binaries serve most languages; what they lack is named per language.
    assert {"Python", "C", "CPP", "Java", "JavaScript"} <= set(profile.served)
    assert profile.missing["Kotlin"] == ["kotlinc-js"]
    assert not set(profile.served) & set(profile.missing)
    broken = tmp_path / "broken.toml"
    broken.write_text(
        (PROJECT / "docker/profiles/mceval-official.toml").read_text() + 'zig = "/usr/bin/zig"\n'
    )
    with pytest.raises(InputError) as info:
        load_profile(broken)
    assert info.value.field == "tools.zig" and info.value.file == str(broken)


def test_a_profile_is_checked_against_the_image_itself(client, tmp_path):
    """The check looks inside the image: a path it has counts, a path it lacks does not, and
    the languages served follow from what was found."""
    profile = tmp_path / "ours.toml"
    profile.write_text(
        '[image]\nnames = ["ours"]\n[tools]\n'
        'python3 = "/usr/bin/python3"\ngcc = "/usr/bin/gcc"\n'
        'bash = "/nonexistent/bash"\nbc = "/usr/bin/bc"\n'
    )
    documented = load_profile(profile)
    assert {"Python", "C", "Shell"} <= set(documented.served)
    observed = check_profile(documented, IMAGE, client)
    assert observed.tools == {
        "python3": "/usr/bin/python3",
        "gcc": "/usr/bin/gcc",
        "bc": "/usr/bin/bc",
    }
    assert "Python" in observed.served and "C" in observed.served
    assert observed.missing["Shell"] == ["bash"]
    proc = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "image", "profile"]
        + ["--profile", str(profile), "--image", IMAGE],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert f"observed in {IMAGE}" in proc.stdout
    assert "tools not found there: bash (/nonexistent/bash)" in proc.stdout
