"""A busy line for the notebook widgets: while an action runs (a rerun, a save, an export, a
filter over a large store) it shows a spinner and what is running, and the widget's buttons are
disabled. The kernel sends both to the page before the work starts and clears them when it ends,
so a click that takes a second or more never looks like a click that did nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import ipywidgets as widgets

from workbench.views.detail import esc

STYLE = """<style>
.wb-busy { color: #555; font-size: 12px; white-space: nowrap; }
.wb-busy .spin { display: inline-block; width: 10px; height: 10px; margin-right: 6px;
  border: 2px solid #ccc; border-top-color: #1f6feb; border-radius: 50%;
  animation: wb-spin 0.8s linear infinite; vertical-align: -1px; }
@keyframes wb-spin { to { transform: rotate(360deg); } }
</style>"""


class BusyLine(widgets.HTML):
    """An HTML widget that says what is running (empty when idle); ``buttons`` are disabled
    meanwhile. ``with line.running("exporting"): ...``."""

    def __init__(self, buttons: Iterable[widgets.Button] = ()) -> None:
        super().__init__()
        self.add_class("wb-busy")
        self.buttons = list(buttons)

    @contextmanager
    def running(self, what: str) -> Iterator[None]:
        """Show ``what`` with a spinner and disable the buttons until the block ends (an action
        within an action: the outer one says it)."""
        if self.value:
            yield
            return
        for button in self.buttons:
            button.disabled = True
        self.value = f'<span class="spin"></span>{esc(what)}…'
        try:
            yield
        finally:
            for button in self.buttons:
                button.disabled = False
            self.value = ""
