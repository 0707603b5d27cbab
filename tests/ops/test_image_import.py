"""The base image's import path against the live engine, on every run.

``make image`` imports the debootstrap tarball only once a day (the base is kept by date), so a
machine that already holds the day's base never reaches the import. This test imports a small
tarball through the same function under a throw-away tag, reads the image back and removes it,
so a broken import fails here even where the base image is cached (issue 21: Debian 12's engine
refused the SDK's stream import with "invalid byte in chunk length").
"""

from __future__ import annotations

import io
import tarfile
import uuid
from pathlib import Path
from typing import Any

import pytest

from workbench.ops.image import ImageBuildError, import_tarball

PAYLOAD = b"imported by tests/ops/test_image_import.py\n" * 2000  # 86 kB: many chunks


def small_root(path: Path) -> Path:
    """A root file system of one folder and one file, as ``tar -C root -cf`` would write it."""
    payload = PAYLOAD
    with tarfile.open(path, "w") as tar:
        folder = tarfile.TarInfo("./etc")
        folder.type = tarfile.DIRTYPE
        folder.mode = 0o755
        tar.addfile(folder)
        info = tarfile.TarInfo("./etc/workbench-import-test")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    return path


def test_a_tarball_imports_through_the_base_images_path(docker_daemon: Any, tmp_path: Path) -> None:
    tag = f"mceval-workbench-import-test:{uuid.uuid4().hex[:12]}"
    tarball = small_root(tmp_path / "root.tar")
    try:
        assert import_tarball(docker_daemon, tarball, tag) == tag
        image = docker_daemon.images.get(tag)
        assert tag in image.tags
        # One layer, holding what the tarball held (its size is the file's, give or take).
        assert len(image.attrs["RootFS"]["Layers"]) == 1
        assert len(PAYLOAD) <= image.attrs["Size"] <= 2 * len(PAYLOAD)
    finally:
        for found in docker_daemon.images.list(name=tag):
            docker_daemon.images.remove(found.id, force=True)
    assert not docker_daemon.images.list(name=tag)


def test_a_missing_tarball_is_an_error_naming_it(docker_daemon: Any, tmp_path: Path) -> None:
    # A path that is not a file must not be sent to the engine as a URL to fetch.
    with pytest.raises(ImageBuildError, match="absent.tar"):
        import_tarball(docker_daemon, tmp_path / "absent.tar", "mceval-workbench-import-test:x")
