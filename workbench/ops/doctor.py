"""What this machine can run: every language's toolchain, version and the sandbox mode."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from workbench.execution import workfolder
from workbench.execution.prebuilt import template_status
from workbench.execution.sandbox import sandbox_info
from workbench.execution.toolchain import missing_tools, toolchain_version
from workbench.execution.warm_compilers.pool import server_status
from workbench.registry.languages import all_languages


@dataclass
class LanguageStatus:
    """Whether one language can be executed here, and why not."""

    language: str
    status: str  # ready, missing, no_recipe, no_debian_toolchain
    version: str | None
    detail: str
    debian_packages: list[str]
    docker: str | None = None  # the toolchain version the Docker backend's image serves it with


def language_statuses(docker: dict[str, str] | None = None) -> list[LanguageStatus]:
    """One status per registry language; ``docker`` (language -> version, from
    ``docker_report``) fills in what the Docker backend's image serves."""
    out = []
    for lang in all_languages():
        packages = list(lang.debian_packages)
        if lang.docker_only:
            out.append(
                LanguageStatus(
                    lang.name,
                    "no_debian_toolchain",
                    None,
                    "no Debian toolchain: not served on this machine",
                    packages,
                )
            )
            continue
        if not lang.has_recipe:
            version = toolchain_version(lang.name)
            out.append(
                LanguageStatus(
                    lang.name,
                    "no_recipe",
                    version,
                    "toolchain "
                    + ("found" if version else "missing")
                    + "; no execution recipe yet",
                    packages,
                )
            )
            continue
        missing = missing_tools(lang)
        if missing:
            out.append(
                LanguageStatus(
                    lang.name,
                    "missing",
                    None,
                    f"{', '.join(missing)} not found; install: apt-get install "
                    + " ".join(packages),
                    packages,
                )
            )
        else:
            version = toolchain_version(lang.name)
            notes = [template_status(lang, version) if version else "", server_status(lang)]
            note = "; ".join(n for n in notes if n)
            out.append(LanguageStatus(lang.name, "ready", version, note, packages))
    for status in out:
        status.docker = (docker or {}).get(status.language)
    return out


def docker_report(image: str | None = None) -> dict[str, Any]:
    """The Docker backend here: does an engine answer, is the runtime image ``image`` (default
    ``$WORKBENCH_IMAGE`` or ``mceval-workbench:latest``) built, and which languages it serves at
    which toolchain versions (the image's label; a language needs a recipe and a toolchain)."""
    from workbench.evaluation.containers import engine_status, image_record, runtime_image
    from workbench.registry.languages import get_language

    image = runtime_image(image)
    out: dict[str, Any] = {"image": image, "available": False, "languages": {}}
    ok, out["engine"] = engine_status()
    if not ok:
        out["detail"] = f"not available: {out['engine']}"
        return out
    record = image_record(image)
    if record is None:
        out["detail"] = f"image {image} not built (workbench image build [--no-vendor])"
        return out
    out["languages"] = {
        name: version
        for name, version in sorted(record["languages"].items())
        if version and get_language(name).has_recipe
    }
    out["built"], out["vendor"] = record.get("built"), record.get("vendor")
    out["available"] = True
    vendor = {True: ", vendor toolchains", False: ", Debian/npm toolchains only"}
    out["detail"] = (
        f"image {image} (built {out['built']}{vendor.get(out['vendor'], '')}): "
        f"{len(out['languages'])} languages"
    )
    return out


def identifier_report() -> dict[str, Any]:
    """The language identifier the causes consult (``wrong_language``): loaded, or trained from
    the McEval data and cached when this machine has not built it yet (about 20 s, once), so
    that no run waits for it; what was done, or why there is none."""
    from workbench.inputs.language_id import identifier

    start = time.monotonic()
    found = identifier()
    if found is None:
        return {
            "ready": False,
            "detail": "no McEval data (MCEVAL_DATA, ../shared/mceval): wrong_language is "
            "decided from a fence's tag only",
        }
    how = "trained and cached" if found.trained else "loaded from the cache"
    seconds = time.monotonic() - start
    return {"ready": True, "detail": f"{how} in {seconds:.1f} s ({found.path})"}


def report() -> dict:
    """Everything ``workbench doctor`` prints, as data (``--json``)."""
    info = sandbox_info()
    docker = docker_report()
    statuses = language_statuses(docker["languages"])
    return {
        "sandbox": asdict(info),
        "work_folders": workfolder.describe(),
        "languages": [asdict(s) for s in statuses],
        "docker": docker,
        # Neither ready here nor in the Docker backend's image.
        "unserved": [s.language for s in statuses if s.status != "ready" and not s.docker],
        "language_identifier": identifier_report(),
    }


@dataclass
class SelfTest:
    """Outcome of ``doctor --verify`` for one language."""

    language: str
    ok: bool
    detail: str


def self_test(data: str | None = None, languages: list[str] | None = None) -> list[SelfTest]:
    """For each language ready here: its first canonical solution must pass and the same program
    with a syntax error must not. A broken toolchain fails loudly instead of scoring zero."""
    from pathlib import Path

    from workbench.errors import InputError
    from workbench.execution.execute import execute
    from workbench.execution.records import Program
    from workbench.inputs.tasks import load_tasks
    from workbench.paths import demo_data_dir
    from workbench.programs.mutants import mutants

    ready = [s.language for s in language_statuses() if s.status == "ready"]
    if languages:
        ready = [name for name in ready if name in languages]
    try:
        tasks = load_tasks(data, languages=ready)
    except InputError:
        demo = demo_data_dir()
        tasks = load_tasks(
            demo, languages=[n for n in ready if (demo / "generation" / f"{n}.jsonl").exists()]
        )
    out = []
    for name, group in tasks.groupby("language", sort=True):
        task = group.iloc[0].to_dict()
        folder = task.get("support_dir")  # NaN where the data mix tasks with and without one
        support = Path(folder) if isinstance(folder, str) and folder else None
        problems = []
        for mutant in mutants(task):
            if mutant.kind not in ("good", "syntax"):
                continue
            result = execute(
                Program(
                    name, mutant.program, support, task["task_id"], task.get("canonical_solution")
                )
            )
            if result.status not in mutant.expected:
                problems.append(
                    f"{mutant.kind} {task['task_id']}: {result.status} ({result.reason})"
                )
        out.append(SelfTest(name, not problems, "; ".join(problems) or f"{task['task_id']} ok"))
    return out


def report_text(data: dict) -> str:
    """``report()`` as ``workbench doctor`` prints it: the sandbox, a table of the languages
    (the Docker backend's versions beside them when its image is here), then that backend."""
    import pandas as pd

    sandbox = data["sandbox"]
    lines = [f"sandbox: {sandbox['mode']} — {sandbox['detail']}"]
    lines.append(f"work folders: {data['work_folders']}\n")
    table = pd.DataFrame(data["languages"])
    table["version"] = table["version"].fillna("").str.slice(0, 48)
    columns = ["language", "status", "version"]
    if data.get("docker", {}).get("available"):  # the Docker backend's versions, side by side
        table["docker"] = table["docker"].fillna("-").str.slice(0, 40)
        columns.append("docker")
    widths = {c: max(len(c), table[c].str.len().max()) for c in columns}
    lines.append("  ".join(c.ljust(widths[c]) for c in widths) + "  detail")
    for row in table.to_dict("records"):
        lines.append("  ".join(str(row[c]).ljust(widths[c]) for c in widths) + "  " + row["detail"])
    ready = (table["status"] == "ready").sum()
    lines.append(f"\n{ready} of {len(table)} languages ready to execute locally")
    found = data.get("language_identifier")
    if found:
        lines.append(f"language identifier (wrong_language): {found['detail']}")
    return "\n".join(lines + docker_lines(data))


def docker_lines(data: dict) -> list[str]:
    """The Docker backend's part of ``doctor``: its image and what neither backend serves."""
    docker = data.get("docker") or {}
    lines = [f"docker backend: {docker.get('detail', 'unknown')}"]
    if docker.get("available"):
        languages = docker["languages"]
        local = {r["language"]: r["version"] for r in data["languages"] if r["status"] == "ready"}
        changed = [n for n, v in languages.items() if n in local and v != local[n]]
        only = [n for n in languages if n not in local]
        lines.append(f"  serves {len(languages)}: " + ", ".join(languages))
        if only:
            lines.append("  only in the image: " + ", ".join(f"{n} ({languages[n]})" for n in only))
        if changed:
            lines.append("  other version than here: " + ", ".join(changed))
    unserved = data.get("unserved", [])
    if unserved:
        lines.append(
            f"not served on this machine by either backend ({len(unserved)}): "
            + ", ".join(unserved)
        )
    return lines


def self_test_text(checks: list[dict]) -> str:
    """``doctor --verify``'s outcome as it prints it: a line per language."""
    lines = [f"\nself-test ({len(checks)} languages):"]
    for check in checks:
        mark = "ok    " if check["ok"] else "BROKEN"
        lines.append(f"  {mark} {check['language']}: {check['detail']}")
    return "\n".join(lines)
