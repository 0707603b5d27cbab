"""The README's first screen tells a newcomer where to start, and every notebook it names exists."""

from __future__ import annotations

import re

from tests.conftest import PROJECT

FIRST_SCREEN = 30  # lines a reader sees before scrolling


def test_the_first_screen_says_where_to_start_in_order():
    first = "\n".join(
        (PROJECT / "README.md").read_text(encoding="utf-8").splitlines()[:FIRST_SCREEN]
    )
    assert "## Start here" in first
    steps = ["make demo", "make lab", "00_quickstart", "02_text_to_verdict", "03_failure_analysis"]
    places = [first.find(step) for step in steps]
    assert -1 not in places and places == sorted(places), dict(zip(steps, places, strict=True))
    for name in re.findall(r"`(\d\d_\w+)`", first):
        assert (PROJECT / "notebooks" / f"{name}.py").is_file(), name
