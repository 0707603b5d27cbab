"""Reading the records an instrumented program printed back into one row per executed check."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from workbench.programs.checks.base import END, MAX_CHECKS, SEP, START, TAG, Instrumented, Site

RECORD = re.compile(
    rf"{START}{TAG}{SEP}(?P<site>[^{SEP}{END}\n]*){SEP}(?P<verdict>[BPFE])"
    rf"(?:{SEP}(?P<expected>[^{SEP}{END}]*){SEP}(?P<actual>[^{SEP}{END}]*))?{END}"
)
# Columns of the per-check table, in order (docs/checks.md).
CHECK_COLUMNS: tuple[str, ...] = (
    "check_index",
    "site",
    "check_line",
    "check_source",
    "check_form",
    "check_op",
    "check_call",
    "passed",
    "raised",
    "expected",
    "actual",
)


@dataclass(frozen=True)
class CheckResult:
    """One executed check: its place in the run (``check_index``), the site it ran from, its
    verdict, and the values it compared as the language printed them. ``raised``: the check's
    code raised or crashed, and ``actual`` is the error."""

    check_index: int
    site: int | None
    check_line: int | None
    check_source: str | None
    check_form: str | None
    check_op: str | None
    check_call: str | None
    passed: bool
    raised: bool
    expected: str | None
    actual: str | None

    def as_dict(self) -> dict:
        """The check as a row of ``CHECK_COLUMNS``."""
        return asdict(self)


def _site(field: str, instrumented: Instrumented) -> Site | None:
    sites = instrumented.sites
    if field.startswith("L") and field[1:].isdigit():
        line = int(field[1:]) - instrumented.test_line + 1
        return next((s for s in sites if s.line == line), None)
    if field.lstrip("-").isdigit() and 0 <= int(field) < len(sites):
        return sites[int(field)]
    return None


def _value(text: str | None) -> str | None:
    return None if text is None or text == "" else text


def read_checks(
    output: str, instrumented: Instrumented, crash: str | None = None
) -> list[CheckResult]:
    """The checks ``output`` reports, in the order they ran. A check that began and never
    reported (C and C++ print a ``B`` record first) crashed the program: it failed, with
    ``crash`` (the run's error line, signal or timeout) as its actual value."""
    rows: list[CheckResult] = []
    open_site: tuple[str, Site | None] | None = None
    for match in RECORD.finditer(output):
        field, verdict = match["site"], match["verdict"]
        site = _site(field, instrumented)
        if open_site is not None and (verdict == "B" or open_site[0] != field):
            rows.append(_crashed(len(rows), open_site[1], crash))
            open_site = None
        if verdict == "B":
            open_site = (field, site)
            continue
        open_site = None
        rows.append(
            CheckResult(
                check_index=len(rows),
                site=site.index if site else None,
                check_line=site.line if site else None,
                check_source=site.source if site else None,
                check_form=site.form if site else None,
                check_op=site.op if site else None,
                check_call=site.call if site else None,
                passed=verdict == "P",
                raised=verdict == "E",
                expected=None if verdict == "E" else _value(match["expected"]),
                actual=_value(match["actual"]),
            )
        )
    if open_site is not None:
        rows.append(_crashed(len(rows), open_site[1], crash))
    return rows[:MAX_CHECKS]


def _crashed(index: int, site: Site | None, crash: str | None) -> CheckResult:
    return CheckResult(
        check_index=index,
        site=site.index if site else None,
        check_line=site.line if site else None,
        check_source=site.source if site else None,
        check_form=site.form if site else None,
        check_op=site.op if site else None,
        check_call=site.call if site else None,
        passed=False,
        raised=True,
        expected=None,
        actual=crash or "the program stopped during this check",
    )


def strip_records(output: str) -> str:
    """``output`` without the check records (what the program printed itself)."""
    return re.sub(RECORD.pattern + r"\n?", "", output)
