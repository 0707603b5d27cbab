"""Content addresses of executions: identical work (same program and test, toolchain, recipe,
limits) is found in the store and not run again; anything that could change a verdict changes
the key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from functools import cache

from workbench.execution.registry_files import files_digest
from workbench.registry.languages import Limits, get_language


def cache_key(
    language: str,
    program: str,
    limits: Limits,
    reference: str | None = None,
    *,
    version: str | None,
) -> str:
    """Content address of an execution: language, the version of the toolchain that judges it
    (``version``: the backend's, since a container image's toolchains are not the host's), the
    recipe, program (with its test), limits, and — for languages judged by comparison — the
    reference answer. Identical programs from different models share it; a changed recipe or
    toolchain misses."""
    payload = json.dumps(
        [
            language,
            version,
            recipe_digest(language),
            program,
            asdict(limits),
            reference,
        ],
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@cache
def recipe_digest(language: str) -> str:
    """Hash of what decides a verdict besides the program: steps, environment, rules, scorer,
    and the bytes of the registry files the recipe uses (its folder's scripts and files, its
    fixtures).

    Prebuilt dependencies are left out on purpose: they make a run faster, never different.
    """
    lang = get_language(language)
    recipe = [
        [list(s.command) + [s.kind] + list(s.server_args or ()) for s in lang.steps],
        lang.env,
        [[r.pattern.pattern, r.status, r.step] for r in lang.rules],
        lang.nonzero_exit,
        lang.fail_output.pattern if lang.fail_output else None,
        lang.scorer,
        lang.binds,
        lang.source,
        files_digest(lang),
    ]
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]
