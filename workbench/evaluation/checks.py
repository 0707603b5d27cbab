"""The instrumented second run of failing samples: every check of the test judged, not only the
first failing one (docs/checks.md).

``run_checks`` takes result rows (from ``evaluate`` or ``Store.results()``) and the tasks they
came from, rewrites the program of each scored sample that failed a check (``failed``) or raised
inside one (``runtime_error``) with its language's technique (``workbench.programs.checks``),
runs it on a backend of the runner's (the same sandbox, the same per-task limits), cached by the
instrumented program's own key (program, limits, toolchain: ``evaluation.cache``; verdicts about
the machine are never served again), and reads every check's verdict back. Each opened sample
gets a row of kind ``checks`` — the instrumented run's verdict, with ``checks_passed``,
``checks_total``, ``checks_note``, ``miss`` and its first failing check in ``failing_check``,
``expected`` and ``actual`` — and one row per executed check (the store's child table
``checks``). The sample's own verdict never changes: its scored row only gains the checks
columns and the first failing check's values (``scored_with_checks``). Languages without a
technique, and tests the rewrite cannot read, keep their single failing check; ``checks_note``
says why.
"""

from __future__ import annotations

import signal as signals
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from workbench.errors import InputError
from workbench.evaluation.backends import Backend, DockerBackend, LocalBackend, make_backend
from workbench.evaluation.cache import cache_key
from workbench.execution.causes import explain
from workbench.execution.execute import execute
from workbench.execution.miss import miss_kind
from workbench.execution.records import (
    CHECKS,
    CHECKS_COLUMNS,
    RESULT_COLUMNS,
    ROW_KEY,
    ROW_KIND,
    RUN_INDEX,
    SAMPLE_KEY,
    SCORED,
    Execution,
    Program,
    Status,
    columns_of,
)
from workbench.execution.warm_compilers import pool as warm_compilers
from workbench.programs.checks import (
    CHECK_COLUMNS,
    CheckResult,
    Instrumented,
    instrument,
    read_checks,
)
from workbench.registry.languages import get_language
from workbench.registry.limits import task_limits


class CheckStore(Protocol):
    """What the checks run needs of a results store (``evaluation.store.Store``, which imports
    this module)."""

    def cached_many(self, cache_keys: Iterable[str]) -> pd.DataFrame: ...

    def put_checks(self, rows: pd.DataFrame, checks: pd.DataFrame) -> None: ...

    def apply_checks(self, models: Iterable[str] | None = None) -> int: ...

    def results(self, models: Iterable[str] | None = None, *, kinds: Any = ...) -> pd.DataFrame: ...

    def checks(self, models: Iterable[str] | None = None) -> pd.DataFrame: ...


# The statuses whose checks are opened: a failed check, or an error raised inside one.
OPENED: tuple[str, ...] = (Status.FAILED, Status.RUNTIME_ERROR)
# The first failing check, as the cause columns hold it.
FIRST_FAILING: tuple[str, ...] = ("failing_check", "expected", "actual")
# A row of kind ``checks``: the result row with the checks columns.
ROW_COLUMNS: tuple[str, ...] = (*RESULT_COLUMNS, *CHECKS_COLUMNS)
# The per-check table: the ``checks`` row's key and the check's columns.
CHECK_ROW_COLUMNS: tuple[str, ...] = (*ROW_KEY, *CHECK_COLUMNS)
SAMPLE_PART = columns_of("sample")
VERDICT_PART = columns_of("verdict")


def opened(results: pd.DataFrame) -> pd.DataFrame:
    """The scored rows of ``results`` whose checks ``run_checks`` opens (status ``failed`` or
    ``runtime_error``)."""
    scored = results[results[ROW_KIND].eq(SCORED)] if ROW_KIND in results.columns else results
    return scored[scored["status"].isin(OPENED)]


def crash_text(execution: Execution) -> str:
    """What stopped an instrumented run in the middle of a check, for that check's actual
    value: the timeout, the signal, or the run's reason."""
    if execution.status == Status.TIMEOUT:
        return f"timeout ({execution.reason})"
    if execution.signal:
        try:
            return f"killed by {signals.Signals(execution.signal).name}"
        except ValueError:
            return f"killed by signal {execution.signal}"
    return f"{execution.status}: {execution.reason}"


def summary(checks: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What a sample's executed checks (rows of ``CHECK_COLUMNS``, in order) say in its row:
    ``checks_passed``, ``checks_total``, ``miss``, and the first failing check's source,
    ``expected`` and ``actual`` (None without a failing check)."""
    first = next((c for c in checks if not c["passed"]), None)
    return {
        "checks_passed": sum(bool(c["passed"]) for c in checks),
        "checks_total": len(checks),
        "miss": miss_kind(checks),
        "failing_check": _text(first["check_source"]) if first else None,
        "expected": _text(first["expected"]) if first else None,
        "actual": _text(first["actual"]) if first else None,
    }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass
class SampleChecks:
    """The instrumented run of one opened sample: its program, its run (or the reason there is
    none) and the checks it reported."""

    row: dict[str, Any]  # the sample's scored row
    instrumented: Instrumented | None = None
    note: str = ""
    limits: Any = None
    key: str | None = None  # the instrumented program's cache key
    execution: Execution | None = None
    cached: bool = False
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        """The instrumented run's own status (not the sample's); None when it did not run."""
        return None if self.execution is None else self.execution.status

    @property
    def program(self) -> Program:
        assert self.instrumented is not None
        support = self.row.get("support_dir")
        return Program(
            self.row["language"],
            self.instrumented.source,
            Path(support) if isinstance(support, str) and support else None,
            self.row["task_id"],
        )

    def read(self) -> None:
        """The checks the run printed (none when it did not run); the note when none."""
        if self.execution is None or self.instrumented is None:
            return
        out = self.execution
        self.checks = read_checks(
            out.stderr + "\n" + out.stdout, self.instrumented, crash_text(out)
        )
        if not self.checks:
            self.note = f"no check reported (instrumented run: {out.status}, {out.reason})"

    def result_row(self) -> dict[str, Any]:
        """The sample's row of kind ``checks`` (``ROW_COLUMNS``). A sample that was not
        instrumented keeps its plain program and verdict there (nothing was rewritten, so
        nothing ran again), with the note saying why."""
        row = {k: self.row.get(k) for k in ROW_COLUMNS}
        row[ROW_KIND], row[RUN_INDEX] = CHECKS, 0  # one checks run per sample, replaced by the next
        if self.execution is not None and self.instrumented is not None:
            verdict = self.execution.to_dict()
            row.update({k: verdict[k] for k in VERDICT_PART})
            row.update(
                program=self.instrumented.source,
                program_hash=self.program.digest,
                cache_key=self.key,
                cached=self.cached,
            )
            row.update(explain(row).as_dict())
        else:
            row["cached"] = True
        checks = [c.as_dict() for c in self.checks]
        return {**row, **summary(checks), "checks_note": self.note or None}

    def check_rows(self) -> list[dict[str, Any]]:
        """One row per executed check (``CHECK_ROW_COLUMNS``)."""
        key = {k: self.row[k] for k in SAMPLE_KEY}
        return [{**key, ROW_KIND: CHECKS, RUN_INDEX: 0, **c.as_dict()} for c in self.checks]


def check_sample(
    row: Mapping[str, Any], task: Mapping[str, Any], overrides: Mapping[str, float] | None = None
) -> SampleChecks:
    """Instrument one result ``row`` (its ``program``) against ``task`` (its ``test``,
    ``support_dir``), run it here and read its checks: the whole second run of one sample,
    uncached (``run_checks`` runs many, cached, on a backend)."""
    one = plan(row, task, overrides)
    if one.instrumented is not None:
        one.execution = execute(one.program, one.limits)
        one.read()
    return one


def plan(
    row: Mapping[str, Any], task: Mapping[str, Any], overrides: Mapping[str, float] | None = None
) -> SampleChecks:
    """The instrumented program of one result ``row`` and its limits, or the note saying why
    there is none (no technique, a test the rewrite cannot read, no check of a known form)."""
    language = get_language(row["language"])
    one = SampleChecks({**dict(row), "support_dir": task.get("support_dir")})
    if language.checks is None:
        one.note = f"{language.name} has no check technique: its first failing check only"
        return one
    try:
        instrumented = instrument(row["program"], task["test"], language)
    except Exception as exc:  # noqa: BLE001 - a test the rewrite cannot read keeps its first check
        one.note = f"the test could not be rewritten: {type(exc).__name__}: {exc}"
        return one
    if instrumented is None or not instrumented.sites:
        one.note = "no check of a known form in the test"
        return one
    one.instrumented = instrumented
    one.limits = task_limits(language, row["task_id"], overrides)
    return one


def run_checks(
    results: pd.DataFrame,
    tasks: pd.DataFrame,
    *,
    jobs: int | None = None,
    limits: Mapping[str, float] | None = None,
    backend: str | Backend = "local",
    cluster: Any = None,
    store: CheckStore | None = None,
    cache: bool = True,
    progress: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every check of every opened sample of ``results`` (``opened``), run ``jobs`` at a time
    on ``backend`` (as ``evaluate``'s: ``"local"``, ``"dask"`` with ``cluster``, ``"docker"``).

    Returns two frames: the rows of kind ``checks``, one per opened sample (``ROW_COLUMNS``:
    the instrumented run's verdict, ``checks_passed``, ``checks_total``, ``checks_note``,
    ``miss``, the first failing check in ``failing_check``, ``expected`` and ``actual``), and
    one row per executed check (``CHECK_ROW_COLUMNS``). With a ``store``, a run whose cache key
    it holds is not run again (unless ``cache=False``), and both frames are stored, the scored
    rows gaining the checks columns (``Store.put_checks``). ``limits`` overrides the registry's,
    as in ``evaluate``. No verdict of ``results`` changes."""
    rows = opened(results).to_dict("records")
    by_id = _tasks_by_id(tasks, rows)
    work = [plan(r, by_id[(r["task"], r["task_id"])], limits) for r in rows]
    runnable = [one for one in work if one.instrumented is not None]
    if runnable:
        _run(runnable, make_backend(backend, cluster, jobs), store if cache else None, progress)
    for one in runnable:
        one.read()
    checked = pd.DataFrame([one.result_row() for one in work], columns=list(ROW_COLUMNS))
    per_check = pd.DataFrame(
        [r for one in work for r in one.check_rows()], columns=list(CHECK_ROW_COLUMNS)
    )
    if store is not None:
        store.put_checks(checked, per_check)
    return checked, per_check


def _tasks_by_id(tasks: pd.DataFrame, rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict]:
    """The task of each row by (task kind, task id); an InputError naming the missing ones."""
    kinds = tasks["task"] if "task" in tasks.columns else pd.Series("generation", tasks.index)
    by_id = {
        (kind, t["task_id"]): t for kind, t in zip(kinds, tasks.to_dict("records"), strict=True)
    }
    missing = sorted({(r["task"], r["task_id"]) for r in rows} - set(by_id))
    if missing:
        shown = ", ".join(f"{task_id} ({kind})" for kind, task_id in missing[:3])
        raise InputError(
            f"no task for {len(missing)} of the samples to open, e.g. {shown}: give the tasks "
            "(the McEval data) they answer",
            field="task_id",
        )
    return by_id


def _run(
    work: list[SampleChecks], backend: Backend, store: CheckStore | None, progress: bool
) -> None:
    """Run the instrumented programs of ``work`` on ``backend``: each distinct cache key once,
    none that ``store`` already holds a verdict for."""
    for one in work:
        version = backend.toolchain_version(one.row["language"])
        one.key = cache_key(one.program.language, one.program.source, one.limits, version=version)
    stored = store.cached_many(one.key for one in work) if store is not None else pd.DataFrame()
    known = {r["cache_key"]: _execution(r) for r in stored.to_dict("records")}
    waiting: dict[str, list[SampleChecks]] = {}
    for one in work:
        if one.key in known:
            one.execution, one.cached = known[one.key], True
        else:
            waiting.setdefault(str(one.key), []).append(one)
    bar = _progress_bar(len(waiting)) if progress and waiting else None
    pending: dict[Any, str] = {}
    interrupted = False
    try:
        queue = deque(waiting)
        while queue or pending:
            while queue and len(pending) < backend.slots:
                key = queue.popleft()
                first = waiting[key][0]
                pending[backend.submit(first.program, first.limits)] = key
            for future in backend.wait(list(pending)):
                key = pending.pop(future)
                execution = _outcome(backend, future, waiting[key][0].row["language"])
                for one in waiting[key]:
                    one.execution = execution
                if bar is not None:
                    bar.update(1)
    except BaseException:
        interrupted = True
        raise
    finally:
        backend.close(list(pending), interrupted)
        warm_compilers.shutdown()
        if bar is not None:
            bar.close()


def _execution(row: Mapping[str, Any]) -> Execution:
    """A stored verdict as the ``Execution`` it was."""
    values = {k: row.get(k) for k in VERDICT_PART}
    numbers = {"exit_code", "signal", "max_rss_kb"}
    for name, value in values.items():
        if value is None or (isinstance(value, float) and pd.isna(value)):
            values[name] = None if name in numbers or name == "toolchain_version" else ""
        elif name in numbers:
            values[name] = int(value)
    values["max_rss_kb"] = values["max_rss_kb"] or 0
    for name in ("compile_seconds", "run_seconds"):
        values[name] = float(values[name] or 0.0)
    values["output_truncated"] = bool(values["output_truncated"])
    return Execution(language=str(row.get("language") or ""), **values)


def _outcome(backend: Backend, future: Any, language: str) -> Execution:
    try:
        return backend.result(future)
    except Exception as exc:  # a broken worker is an infrastructure error of that sample
        return Execution(
            status=Status.INFRASTRUCTURE_ERROR,
            language=language,
            reason=f"executor raised {type(exc).__name__}: {exc}",
        )


def _progress_bar(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="checks", unit="sample")


# -- the scored rows, explained by their checks --------------------------------------------------
def scored_with_checks(scored: pd.DataFrame, checked: pd.DataFrame) -> pd.DataFrame:
    """``scored`` (result rows) with what the ``checks`` rows of ``checked`` say of the same
    answer (same ``SAMPLE_KEY`` and ``code``; an opened status): ``checks_passed``,
    ``checks_total``, ``checks_note``, ``miss`` (for ``failed`` rows: a wrong answer), the first
    failing check's source in ``failing_check`` and its ``expected``/``actual`` when it has
    both. Every other column, the verdict above all, is left as it was. Defined once: the
    runner's returned rows and the store's scored rows are both made with it."""
    out = scored.copy()
    for column in CHECKS_COLUMNS:
        if column not in out.columns:
            out[column] = None
    if checked.empty or scored.empty:
        return out
    keys = [*SAMPLE_KEY, "code"]
    mine = checked[checked[ROW_KIND].eq(CHECKS)] if ROW_KIND in checked.columns else checked
    given = mine[[*keys, *CHECKS_COLUMNS, *FIRST_FAILING]].drop_duplicates(SAMPLE_KEY, keep="last")
    given = given.rename(columns={c: f"_{c}" for c in (*CHECKS_COLUMNS, *FIRST_FAILING)})
    probe = out[keys].astype(object).where(out[keys].notna(), None)
    given[keys] = given[keys].astype(object).where(given[keys].notna(), None)
    merged = probe.reset_index().merge(given, on=keys, how="left").set_index("index")
    merged = merged.reindex(out.index)
    matched = merged["_checks_total"].notna() & out["status"].isin(OPENED)
    if ROW_KIND in out.columns:  # a repaired or control row is another run: not explained
        matched &= out[ROW_KIND].fillna(SCORED).eq(SCORED)
    for column in ("checks_passed", "checks_total", "checks_note"):
        out[column] = out[column].astype(object).where(~matched, merged[f"_{column}"])
    wrong = matched & out["status"].eq(Status.FAILED)
    out["miss"] = out["miss"].astype(object).where(~wrong, merged["_miss"])
    values = matched & merged["_expected"].notna() & merged["_actual"].notna()
    for column in ("expected", "actual"):
        out[column] = out[column].astype(object).where(~values, merged[f"_{column}"])
    for column in ("checks_passed", "checks_total"):
        out[column] = pd.array(out[column], dtype="Int64")
    source = matched & merged["_failing_check"].notna()
    out["failing_check"] = (
        out["failing_check"].astype(object).where(~source, merged["_failing_check"])
    )
    return out


def attach_checks(results: pd.DataFrame, checks: pd.DataFrame) -> pd.DataFrame:
    """``results`` with a ``checks`` column: for a scored row the checks explain
    (``checks_total`` set), the list of its executed checks as dicts of ``CHECK_COLUMNS`` in
    the order they ran (what the sample's detail shows as a table); else None."""
    out = results.copy()
    out["checks"] = None
    if checks.empty or "checks_total" not in out.columns:
        return out
    ordered = checks.sort_values([*SAMPLE_KEY, "check_index"], kind="stable")
    lists = {
        key: group[list(CHECK_COLUMNS)].to_dict("records")
        for key, group in ordered.groupby(list(SAMPLE_KEY), sort=False)
    }
    explained = out["checks_total"].notna()
    if ROW_KIND in out.columns:
        explained &= out[ROW_KIND].eq(SCORED)
    keys = out.loc[explained, list(SAMPLE_KEY)].itertuples(index=False, name=None)
    out.loc[explained, "checks"] = pd.Series(
        [lists.get(tuple(k)) for k in keys], index=out.index[explained], dtype=object
    )
    return out


def _reopened(backend: str | Backend) -> str | Backend:
    """A backend for the checks run after ``evaluate``'s run closed ``backend``: the same name,
    or a new backend like the one given (a DockerBackend of the same image and slots)."""
    if isinstance(backend, str):
        return backend
    if isinstance(backend, DockerBackend):
        return DockerBackend(backend.image, backend.slots)
    if isinstance(backend, LocalBackend):
        return LocalBackend(backend.slots)
    return backend  # one the caller keeps open (a Dask cluster's client)


def after_evaluate(
    results: pd.DataFrame,
    tasks: pd.DataFrame,
    store: CheckStore | None,
    *,
    checks: bool,
    **run: Any,
) -> pd.DataFrame:
    """What ``evaluate`` does after its run: with ``checks``, the checks run of the failing
    samples (``run_checks`` with ``run``'s jobs, limits, backend, cluster, cache, progress),
    returning ``results`` with the checks columns and ``attach_checks``' lists; without, an
    earlier checks run's columns put back on the scored rows this run rewrote
    (``Store.apply_checks``) and on ``results`` (unchanged when the store holds none)."""
    if not checks:
        if store is None or results.empty:
            return results
        models = list(results["model"].unique())
        if not store.apply_checks(models):
            return results
        kept = scored_with_checks(results, store.results(models, kinds=CHECKS))
        return attach_checks(kept, store.checks(models))
    run["backend"] = _reopened(run.get("backend", "local"))
    checked, per_check = run_checks(results, tasks, store=store, **run)
    return attach_checks(scored_with_checks(results, checked), per_check)
