"""The language registry: one declarative TOML file per McEval language (``registry/``)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

from workbench.errors import InputError, UnknownLanguageError
from workbench.execution.records import CAUSES, STATUSES
from workbench.paths import REGISTRY_DIR, package_file

# Where a language's folder of registry files (``[files] folder``) appears, read-only, in the
# sandbox of each of its steps and of its warm compiler: scripts are called by this path.
RECIPE_MOUNT = "/tmp/wb-recipe"
# The ``known_failures`` kind of a defect of the data (not of a toolchain): the shipped list of
# defective tasks a score may set aside (analysis/defects.py).
DATASET_KIND = "dataset"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one execution; times are wall-clock seconds."""

    compile_timeout: float
    run_timeout: float
    memory_mb: int
    processes: int
    output_bytes: int
    file_size_mb: int

    def __post_init__(self) -> None:
        # Each field as its declared type: a run_timeout given as 5 or 5.0 is the same limit,
        # and the same cache key (evaluation/cache.py hashes these values).
        for name in ("compile_timeout", "run_timeout"):
            object.__setattr__(self, name, float(getattr(self, name)))
        for name in ("memory_mb", "processes", "output_bytes", "file_size_mb"):
            object.__setattr__(self, name, int(getattr(self, name)))

    def scaled(self, **overrides: Any) -> Limits:
        """A copy with some fields replaced (e.g. a shorter run_timeout for a demo)."""
        values = {**self.__dict__, **{k: v for k, v in overrides.items() if v is not None}}
        return Limits(**values)


@dataclass(frozen=True)
class Step:
    """One command of a recipe: ``kind`` is ``compile`` or ``run``."""

    kind: str
    command: tuple[str, ...]
    # The same step for the language's warm compiler (workbench/execution/warm_compilers/pool.py): its arguments.
    server_args: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Rule:
    """An output pattern that decides the status of a failed (or suspicious) step."""

    pattern: re.Pattern[str]
    status: str
    step: str | None = None


@dataclass(frozen=True)
class CauseRule:
    """A ``[[causes]]`` table: output that says why a non-passing execution failed
    (workbench/execution/causes.py, docs/causes.md). ``pattern``'s named groups ``detail``,
    ``check``, ``check_line``, ``check_text``, ``expected``, ``actual`` and ``error`` fill the
    cause's fields."""

    cause: str  # one of records.CAUSES
    pattern: re.Pattern[str] | None  # None: any output (a rule that only filters on a signal)
    detail: str | None = None  # the raw class when the pattern has no ``detail`` group
    step: str | None = None  # only output of this step kind (compile, run)
    status: tuple[str, ...] = ()  # only rows with one of these statuses (empty: any)
    signal: int | None = None  # only when the step was killed by this signal
    text: str = "output"  # what the pattern reads: "output" (stderr, then stdout) or "reason"


@dataclass(frozen=True)
class StripRule:
    """A construct removed from model code before the test is appended (e.g. its own main)."""

    pattern: re.Pattern[str]
    until: str  # "braces": through the matching closing brace; "dedent": the indented block


@dataclass(frozen=True)
class ImportRepair:
    """A standard import the answer uses and may forget: the ``line`` added (``import math``,
    ``#include <string.h>``) when its code matches ``uses`` (``\\bmath\\.``)."""

    line: str
    uses: re.Pattern[str]


@dataclass(frozen=True)
class Repairs:
    """What the mechanical repairs (workbench/programs/repairs.py) need to know of a language
    (``[repairs]``): the standard imports they may add, what a statement outside any function
    looks like (the answer's own prints, calls and tests: ``extra_code``), and whether function
    bodies are delimited by indentation (Python)."""

    imports: tuple[ImportRepair, ...] = ()
    top_level: re.Pattern[str] | None = None
    indentation: bool = False


@dataclass(frozen=True)
class Prebuilt:
    """Dependencies built once per toolchain (``[prebuilt]``, workbench/execution/prebuilt.py):
    the warm-up ``source`` runs through the recipe and its ``folder`` becomes the template every
    work folder gets."""

    folder: str  # folder of the work folder kept as the template (Go's cache, Cargo's target)
    source: str  # the warm-up program: uses the dependencies, so building it builds them
    drop: tuple[str, ...] = ()  # globs removed from the template (the warm-up's own outputs)
    copy: tuple[str, ...] = ()  # globs given as private copies, not shared links
    append_env: dict[str, str] = field(default_factory=dict)  # steps of runs with the template
    warm_up_append_env: dict[str, str] = field(default_factory=dict)  # steps of the warm-up
    env_step: str | None = None  # step kind the env additions apply to (None: every step)
    # The command that builds the template from ``source`` instead of the recipe's steps (a
    # precompiled header is made by the compiler, not by running a program); {source}, {stem}.
    build: tuple[str, ...] = ()
    # How work folders get the template: "copy" (private copies in memory, read-only hard links
    # on disk) or "link" (private folders of symbolic links to the read-only template, which is
    # kept where the sandbox's uid can read it: nothing is copied, whatever the template's size).
    share: str = "copy"


@dataclass(frozen=True)
class RecipeFiles:
    """A language's own folder of registry files (``[files]``): the files and scripts its recipe
    needs, kept as plain files next to its TOML instead of shell programs in strings."""

    folder: str  # under workbench/registry/; mounted read-only at RECIPE_MOUNT
    copy: dict[str, str] = field(default_factory=dict)  # work-folder path -> file of the folder
    remove: tuple[str, ...] = ()  # globs removed from the work folder (support files replaced)


@dataclass(frozen=True)
class CheckForm:
    """One way a language's tests write a check (``[checks] forms``): a ``call`` such as
    ``assert(cond)`` or ``assert.Equal(expected, actual)``, a ``statement`` such as Java's
    ``assert cond;``, or a ``guard`` such as Ruby's ``raise ... unless cond``. ``args`` says what
    the arguments are; ``skip`` names leading arguments that are not values (Go's ``t``)."""

    call: str | None = None
    statement: str | None = None
    guard: str | None = None
    args: str = "condition"  # one of CHECK_ARGS
    skip: tuple[str, ...] = ()


# What a form's arguments hold: a condition, two values in either order, two values and a
# tolerance (expected, actual, delta), or a condition that must be true / false.
CHECK_ARGS = ("condition", "actual_expected", "expected_actual", "close", "true", "false")


@dataclass(frozen=True)
class CheckSpec:
    """How every check of a language's tests is judged and reported (``[checks]``,
    workbench/programs/checks/, docs/checks.md): the technique module that rewrites the test,
    the forms it rewrites, and the names that read a condition as a comparison."""

    technique: str  # a module of workbench/programs/checks/
    forms: tuple[CheckForm, ...]
    operators: tuple[str, ...] = ("==", "!=")  # equality operators, longest first is not needed
    equal_calls: tuple[str, ...] = ()  # f(a, b) compares a and b: strcmp, Arrays.equals
    equal_methods: tuple[str, ...] = ()  # a.f(b) compares a and b: equals, SequenceEqual
    close_calls: tuple[str, ...] = ()  # f(a - b) < tol: fabs, Math.abs
    close_methods: tuple[str, ...] = ()  # (a - b).f() < tol: abs
    dialect: str | None = None  # a technique that serves several languages: which one


@dataclass(frozen=True)
class Language:
    """Everything the registry says about one language."""

    name: str
    leaderboard_key: str
    aliases: tuple[str, ...]
    fence_tags: tuple[str, ...]
    extension: str
    paradigm: str
    scenario: str
    debian_packages: tuple[str, ...]
    docker_only: bool
    version: tuple[str, ...]
    version_stdin: str | None
    source: str
    source_name_regex: re.Pattern[str] | None
    steps: tuple[Step, ...]
    nonzero_exit: str
    fail_output: re.Pattern[str] | None
    rules: tuple[Rule, ...]
    limits: Limits
    support_folder: str | None = None
    scorer: str | None = None
    binds: dict[str, str] = field(default_factory=dict)
    mutations: dict[str, str] = field(default_factory=dict)
    max_parallel: int | None = None
    npm_packages: tuple[str, ...] = ()
    extract_fallback: str = "first_block"
    known_failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    definition: str | None = None
    preamble: re.Pattern[str] | None = None
    assembly: str = "append"
    strip: tuple[StripRule, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    prebuilt: Prebuilt | None = None
    server: tuple[str, ...] | None = None  # command that starts the warm compiler
    files: RecipeFiles | None = None
    causes: tuple[CauseRule, ...] = ()  # the language's [[causes]], then _defaults.toml's
    checks: CheckSpec | None = None  # every check judged (docs/checks.md); None: the first only
    repairs: Repairs = field(default_factory=Repairs)  # [repairs]: mechanical repairs' data

    @property
    def has_recipe(self) -> bool:
        """True when the registry says how to judge programs in this language."""
        return bool(self.steps) or self.scorer is not None

    @property
    def tools(self) -> tuple[str, ...]:
        """Executables the recipe needs on PATH (first word of each step)."""
        seen: dict[str, None] = {}
        for step in self.steps:
            if not step.command[0].startswith("./"):
                seen.setdefault(step.command[0], None)
        for tool in self.requires:  # tools the scripts of its folder call, or files it reads
            seen.setdefault(tool, None)
        return tuple(seen)

    def source_name(self, program: str) -> str:
        """File name for ``program`` (Java needs the public class's name)."""
        if self.source_name_regex is not None:
            match = self.source_name_regex.search(program)
            if match:
                return f"{match.group(1)}.{self.extension}"
        return self.source


def _rule(raw: dict[str, Any]) -> Rule:
    if raw["status"] not in STATUSES:
        raise ValueError(f"registry: unknown status {raw['status']!r} in rule {raw}")
    return Rule(re.compile(raw["pattern"], re.MULTILINE), raw["status"], raw.get("step"))


def _prebuilt(name: str, raw: dict[str, Any] | None) -> Prebuilt | None:
    if raw is None:
        return None
    keys = {f.name for f in fields(Prebuilt)}
    if not {"folder", "source"} <= set(raw) <= keys:
        raise ValueError(f"registry: {name}: [prebuilt] takes {sorted(keys)}")
    return Prebuilt(
        folder=str(raw["folder"]),
        source=str(raw["source"]),
        drop=tuple(raw.get("drop", ())),
        copy=tuple(raw.get("copy", ())),
        append_env=dict(raw.get("append_env", {})),
        warm_up_append_env=dict(raw.get("warm_up_append_env", {})),
        env_step=raw.get("env_step"),
        build=tuple(raw.get("build", ())),
        share=_share(name, raw.get("share", "copy")),
    )


PREBUILT_SHARES = ("copy", "link")


def _share(name: str, share: Any) -> str:
    if share not in PREBUILT_SHARES:
        raise ValueError(f"registry: {name}: [prebuilt] share is one of {PREBUILT_SHARES}")
    return str(share)


CAUSE_RULE_KEYS = {"pattern", "cause", "detail", "step", "status", "signal", "text"}
CAUSE_GROUPS = {"detail", "check", "check_line", "check_text", "expected", "actual", "error"}


def cause_rules(raw: Any, source: Path) -> tuple[CauseRule, ...]:
    """The ``[[causes]]`` tables of one registry file as records; a table with an unknown key,
    cause, status, step, group or an invalid pattern is an ``InputError`` naming the file."""
    rules = []
    for i, table in enumerate(raw or ()):
        where = f"causes[{i}]"
        if not isinstance(table, dict):
            raise InputError("a [[causes]] entry must be a table", file=source, field=where)
        unknown = set(table) - CAUSE_RULE_KEYS
        if unknown:
            raise InputError(
                f"unknown keys {sorted(unknown)}; a cause rule takes {sorted(CAUSE_RULE_KEYS)}",
                file=source,
                field=where,
            )
        if table.get("cause") not in CAUSES:
            raise InputError(
                f"unknown cause {table.get('cause')!r}; expected one of: {', '.join(CAUSES)}",
                file=source,
                field=f"{where}.cause",
            )
        status = table.get("status", ())
        status = (status,) if isinstance(status, str) else tuple(status)
        if set(status) - set(STATUSES):
            raise InputError(
                f"unknown status {sorted(set(status) - set(STATUSES))}",
                file=source,
                field=f"{where}.status",
            )
        if table.get("step") not in (None, "compile", "run"):
            raise InputError("step is compile or run", file=source, field=f"{where}.step")
        if table.get("text", "output") not in ("output", "reason"):
            raise InputError("text is output or reason", file=source, field=f"{where}.text")
        if "pattern" not in table and "signal" not in table:
            raise InputError("a rule needs a pattern or a signal", file=source, field=where)
        try:
            pattern = re.compile(table["pattern"], re.MULTILINE) if "pattern" in table else None
        except (re.error, TypeError) as exc:
            raise InputError(
                f"invalid pattern: {exc}", file=source, field=f"{where}.pattern"
            ) from exc
        groups = set(pattern.groupindex) - CAUSE_GROUPS if pattern is not None else set()
        if groups:
            raise InputError(
                f"unknown named groups {sorted(groups)}; use {sorted(CAUSE_GROUPS)}",
                file=source,
                field=f"{where}.pattern",
            )
        rules.append(
            CauseRule(
                cause=table["cause"],
                pattern=pattern,
                detail=table.get("detail"),
                step=table.get("step"),
                status=status,
                signal=table.get("signal"),
                text=table.get("text", "output"),
            )
        )
    return tuple(rules)


def check_spec(raw: Any, source: Path) -> CheckSpec | None:
    """The ``[checks]`` table of one registry file; a wrong key or form is an ``InputError``
    naming the file and the field."""
    if raw is None:
        return None
    keys = {f.name for f in fields(CheckSpec)}
    if not isinstance(raw, dict) or not {"technique", "forms"} <= set(raw) <= keys:
        raise InputError(
            f"[checks] takes technique and forms (required), {sorted(keys)}",
            file=source,
            field="checks",
        )
    forms = []
    form_keys = {f.name for f in fields(CheckForm)}
    for i, form in enumerate(raw["forms"]):
        where = f"checks.forms[{i}]"
        kinds = [k for k in ("call", "statement", "guard") if k in form]
        if not isinstance(form, dict) or set(form) - form_keys or len(kinds) != 1:
            raise InputError(
                f"a form is a table with one of call, statement, guard; keys {sorted(form_keys)}",
                file=source,
                field=where,
            )
        if form.get("args", "condition") not in CHECK_ARGS:
            raise InputError(f"args is one of {CHECK_ARGS}", file=source, field=f"{where}.args")
        forms.append(CheckForm(**{**form, "skip": tuple(form.get("skip", ()))}))
    lists = {k: tuple(raw[k]) for k in keys - {"technique", "forms", "dialect"} if k in raw}
    return CheckSpec(
        technique=str(raw["technique"]), forms=tuple(forms), dialect=raw.get("dialect"), **lists
    )


REPAIR_KEYS = {"imports", "top_level", "indentation"}


def _pattern(text: Any, source: Path, where: str) -> re.Pattern[str]:
    try:
        return re.compile(text, re.MULTILINE)
    except (re.error, TypeError) as exc:
        raise InputError(f"invalid pattern: {exc}", file=source, field=where) from exc


def repairs_of(raw: Any, source: Path) -> Repairs:
    """The ``[repairs]`` table of one registry file; an unknown key, an import without ``line``
    and ``uses`` or a bad pattern is an ``InputError`` naming the file and field."""
    if raw is None:
        return Repairs()
    if not isinstance(raw, dict) or set(raw) - REPAIR_KEYS:
        raise InputError(f"[repairs] takes {sorted(REPAIR_KEYS)}", file=source, field="repairs")
    imports = []
    for i, table in enumerate(raw.get("imports", ())):
        where = f"repairs.imports[{i}]"
        if not isinstance(table, dict) or set(table) != {"line", "uses"}:
            raise InputError("an import takes line and uses", file=source, field=where)
        imports.append(ImportRepair(str(table["line"]), _pattern(table["uses"], source, where)))
    top = raw.get("top_level")
    return Repairs(
        imports=tuple(imports),
        top_level=_pattern(top, source, "repairs.top_level") if top is not None else None,
        indentation=bool(raw.get("indentation", False)),
    )


def _relative(path: str) -> bool:
    parts = Path(path).parts
    return bool(parts) and not Path(path).is_absolute() and ".." not in parts


def _files(raw: dict[str, Any], source: Path) -> RecipeFiles | None:
    spec = raw.get("files")
    uses_mount = any(
        RECIPE_MOUNT in arg
        for command in [raw.get("server", ()), *(s["command"] for s in raw.get("steps", ()))]
        for arg in command
    )
    if spec is None:
        if uses_mount:
            raise InputError(
                f"a command calls {RECIPE_MOUNT} but no [files] folder is named",
                file=source,
                field="files",
            )
        return None
    keys = {f.name for f in fields(RecipeFiles)}
    if not isinstance(spec, dict) or "folder" not in spec or not set(spec) <= keys:
        raise InputError(
            "[files] takes folder (required), copy, remove", file=source, field="files"
        )
    names = [
        spec["folder"],
        *spec.get("copy", {}),
        *spec.get("copy", {}).values(),
        *spec.get("remove", ()),
    ]
    bad = [n for n in names if not isinstance(n, str) or not _relative(n)]
    if bad:
        raise InputError(
            f"paths must be relative and stay inside their folder: {bad}",
            file=source,
            field="files",
        )
    return RecipeFiles(
        folder=spec["folder"],
        copy=dict(spec.get("copy", {})),
        remove=tuple(spec.get("remove", ())),
    )


def _language(
    name: str, raw: dict[str, Any], defaults: dict[str, Any], source: Path | None = None
) -> Language:
    unknown = set(raw) - KNOWN_KEYS
    if unknown:
        raise ValueError(f"registry: {name}: unknown keys {sorted(unknown)}")
    limits = Limits(**{**defaults["limits"], **raw.get("limits", {})})
    if "server" not in raw and any("server_args" in s for s in raw.get("steps", ())):
        raise ValueError(f"registry: {name}: a step has server_args but the language no server")
    global_rules = [_rule(r) for r in defaults.get("rules", [])]
    regex = raw.get("source_name_regex")
    fail_output = raw.get("fail_output")
    return Language(
        name=name,
        leaderboard_key=raw["leaderboard_key"],
        aliases=tuple(raw.get("aliases", ())),
        fence_tags=tuple(raw.get("fence_tags", ())),
        extension=raw["extension"],
        paradigm=raw["paradigm"],
        scenario=raw["scenario"],
        debian_packages=tuple(raw.get("debian_packages", ())),
        docker_only=bool(raw.get("docker_only", False)),
        version=tuple(raw.get("version", ())),
        version_stdin=raw.get("version_stdin"),
        source=raw.get("source", f"main.{raw['extension']}"),
        source_name_regex=re.compile(regex) if regex else None,
        steps=tuple(
            Step(
                s["kind"],
                tuple(s["command"]),
                tuple(s["server_args"]) if "server_args" in s else None,
            )
            for s in raw.get("steps", ())
        ),
        nonzero_exit=raw.get("nonzero_exit", "runtime_error"),
        fail_output=re.compile(fail_output, re.MULTILINE) if fail_output else None,
        rules=tuple(global_rules + [_rule(r) for r in raw.get("rules", ())]),
        limits=limits,
        support_folder=raw.get("support_folder"),
        scorer=raw.get("scorer"),
        binds=dict(raw.get("binds", {})),
        mutations=dict(raw.get("mutations", {})),
        max_parallel=raw.get("max_parallel"),
        npm_packages=tuple(raw.get("npm_packages", ())),
        extract_fallback=raw.get("extract_fallback", "first_block"),
        known_failures={k: dict(v) for k, v in raw.get("known_failures", {}).items()},
        requires=tuple(raw.get("requires", ())),
        definition=raw.get("definition"),
        preamble=re.compile(raw["preamble"], re.M) if raw.get("preamble") else None,
        assembly=raw.get("assembly", "append"),
        strip=tuple(
            StripRule(re.compile(r["pattern"], re.M), r.get("until", "braces"))
            for r in raw.get("strip", ())
        ),
        env=dict(raw.get("env", {})),
        prebuilt=_prebuilt(name, raw.get("prebuilt")),
        server=tuple(raw["server"]) if "server" in raw else None,
        files=_files(raw, source or REGISTRY_DIR / f"{name}.toml"),
        causes=cause_rules(raw.get("causes"), source or REGISTRY_DIR / f"{name}.toml")
        + cause_rules(defaults.get("causes"), REGISTRY_DIR / "_defaults.toml"),
        checks=check_spec(raw.get("checks"), source or REGISTRY_DIR / f"{name}.toml"),
        repairs=repairs_of(raw.get("repairs"), source or REGISTRY_DIR / f"{name}.toml"),
    )


# A language's TOML holds the fields of ``Language``, nothing else.
KNOWN_KEYS = frozenset(f.name for f in fields(Language))


@cache
def _registry() -> tuple[dict[str, Language], dict[str, str]]:
    folder = REGISTRY_DIR
    # Through package_file: a broken install without the registry says so (MissingDataFile).
    defaults = tomllib.loads(package_file("registry", "_defaults.toml").read_text(encoding="utf-8"))
    specs = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".toml") and not entry.name.startswith("_"):
            spec = tomllib.loads(entry.read_text(encoding="utf-8"))
            specs[spec["name"]] = (spec, entry)
    languages = {
        name: _language(name, spec, defaults, entry)
        for name, (spec, entry) in sorted(specs.items(), key=lambda kv: kv[0].lower())
    }
    index: dict[str, str] = {}
    for lang in languages.values():
        for key in (lang.name, lang.leaderboard_key, *lang.aliases):
            index[_norm(key)] = lang.name
    return languages, index


def _norm(name: str) -> str:
    return name.strip().lower()


def all_languages() -> list[Language]:
    """The 40 languages in McEval's order (file names sorted case-insensitively)."""
    return list(_registry()[0].values())


def language_names() -> list[str]:
    """Canonical names of the 40 languages."""
    return list(_registry()[0])


def get_language(name: str) -> Language:
    """Look a language up by McEval name, leaderboard key or alias (case-insensitive)."""
    languages, index = _registry()
    canonical = index.get(_norm(name))
    if canonical is None:
        raise UnknownLanguageError(
            f"unknown language {name!r}; expected one of: {', '.join(languages)}"
        )
    return languages[canonical]


def language_of_task(task_id: str) -> Language:
    """The language named by a task id's prefix (``"CPP/12-0-span"`` -> CPP)."""
    return get_language(task_id.split("/", 1)[0])
