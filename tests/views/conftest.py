"""A real results store for the views: the demo's 72 samples (six languages, two models) and the
real C outputs of the official McEval repository (generation, explanation stage 2, completion
light), evaluated once per session through the sandbox; and headless Chromium with the network
cut off."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import DEMO, SKELETON_LANGUAGES, require_toolchain
from workbench.evaluation.runner import evaluate
from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import load_tasks
from workbench.paths import shared_dir

REAL_MODEL = "mceval-example"  # the official repository's example outputs name no model
KINDS = (("generation", None), ("explanation", None), ("completion", "light"))
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def real_outputs() -> Path:
    shared = shared_dir()
    folder = shared / "model-outputs" / "mceval-examples" if shared else None
    if folder is None or not (folder / "generation" / "C.jsonl").is_file():
        pytest.skip("real model outputs not found at ../shared/model-outputs/mceval-examples")
    return folder


@pytest.fixture(scope="session")
def real_store(tmp_path_factory, mceval_dir) -> Path:
    """The store; tests that change it work on a copy (``store``)."""

    for language in SKELETON_LANGUAGES:
        require_toolchain(language)
    outputs = real_outputs()
    path = tmp_path_factory.mktemp("views") / "real.duckdb"
    demo = load_samples(DEMO / "samples.jsonl")
    evaluate(demo, load_tasks(DEMO), store=path, progress=False, limits={"run_timeout": 5})
    for kind, subset in KINDS:
        samples = load_samples(outputs / kind / "C.jsonl", model=REAL_MODEL)
        tasks = load_tasks(mceval_dir, task=kind, subset=subset, languages=["C"])
        evaluate(samples, tasks, store=path, progress=False, limits={"run_timeout": 5})
    return path


@pytest.fixture
def store(real_store, tmp_path) -> Path:
    """A copy of the real store this test may change."""
    copy = tmp_path / "store.duckdb"
    shutil.copy(real_store, copy)
    return copy


@dataclass
class OfflinePage:
    """A Chromium page whose every request but file: is refused, and what it tried."""

    page: object
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
def offline_chromium(profile: Path, allow: tuple[str, ...] = ("file:",)) -> Iterator:
    """Debian's Chromium, headless, a fresh profile, every request not starting with one of
    ``allow`` aborted and recorded. Yields a function that opens a new ``OfflinePage``."""
    if not CHROMIUM.is_file():
        pytest.skip("Chromium not installed (Debian package chromium: /usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1100, "height": 1300},
        )

        def route(route) -> None:
            if route.request.url.startswith(allow):
                route.continue_()
            else:
                route.abort()

        def open_page() -> OfflinePage:
            page = context.new_page()
            seen = OfflinePage(page, allow)
            page.on("request", lambda request: seen.attempts.append(request.url))
            page.on(
                "console",
                lambda message: (
                    seen.console_errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: seen.page_errors.append(str(error)))

            def dialog(d) -> None:
                seen.dialogs.append(d.message)
                d.dismiss()

            page.on("dialog", dialog)
            page.route("**/*", route)
            return seen

        try:
            yield open_page
        finally:
            context.close()
