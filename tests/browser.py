"""What the browser tests share: Debian's Chromium driven headless by the PyPI ``playwright``
package (the browser is never downloaded), pages whose every request outside what a test allows is
refused and recorded, and a JupyterLab server on a free local port that fetches nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import needs

CHROMIUM = Path("/usr/bin/chromium")
# As root Chromium needs --no-sandbox; the rest keeps it from calling home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class OfflinePage:
    """A Chromium page whose every request not starting with one of ``allow`` is aborted, and
    what it tried and logged."""

    page: Any
    allow: tuple[str, ...] = ("file:",)
    attempts: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def network(self) -> list[str]:
        """Requests attempted beyond what is allowed and inline data."""
        return [u for u in self.attempts if not u.startswith((*self.allow, "data:"))]


@contextmanager
def offline_chromium(
    profile: Path, allow: tuple[str, ...] = ("file:",), viewport: tuple[int, int] = (1100, 1300)
) -> Iterator[Callable[..., OfflinePage]]:
    """Debian's Chromium, headless, with the fresh profile folder ``profile``. Yields a function
    that opens a new ``OfflinePage`` (allowing ``allow``, or what it is given)."""
    needs("Chromium", "browser")
    if not CHROMIUM.is_file():
        pytest.skip("Chromium not installed (Debian package chromium: /usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": viewport[0], "height": viewport[1]},
        )

        def open_page(allowed: tuple[str, ...] | None = None) -> OfflinePage:
            page = context.new_page()
            seen = OfflinePage(page, allowed or allow)

            def route(route: Any) -> None:
                if route.request.url.startswith(seen.allow):
                    route.continue_()
                else:
                    route.abort()

            def dialog(d: Any) -> None:
                seen.dialogs.append(d.message)
                d.dismiss()

            page.on("request", lambda request: seen.attempts.append(request.url))
            page.on(
                "console",
                lambda message: (
                    seen.console_errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
            page.on("dialog", dialog)
            page.route("**/*", route)
            return seen

        try:
            yield open_page
        finally:
            context.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyter_lab(
    home: Path, root: Path, token: str, env: dict[str, str] | None = None
) -> Iterator[str]:
    """JupyterLab serving ``root`` on a free local port with ``token``; its config, data,
    runtime, settings and workspaces under ``home``; no news and no update check (nothing to
    fetch); its app object exposed to the page's scripts; ``env`` added to its environment (and
    its kernels'). Yields its URL once it answers."""
    needs("JupyterLab in a browser", "browser")
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.is_file():
        pytest.skip("jupyter not installed in the environment (the dev extras' jupyterlab)")
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        **(env or {}),
    }
    log_path = home / "lab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                str(jupyter),
                "lab",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={port}",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root}",
                "--allow-root",
                "--LabApp.expose_app_in_browser=True",
                "--LabApp.news_url=",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(240):
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail("JupyterLab did not start:\n" + log_path.read_text())
            yield url
        finally:
            server.terminate()
            server.wait(60)
