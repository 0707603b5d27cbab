"""Every check of a test judged, not only the first failing one (docs/checks.md).

A program as the assembler builds it (``workbench.programs.assemble``) is rewritten so that each
executed check of its test reports its verdict and the two values it compared, and keeps going
after a failure; ``read_checks`` reads the reports back. Each language's registry TOML names its
technique and its assertion forms (``[checks]``); a technique is one module of this folder:

=================  ==========================================================================
technique          languages, and how
=================  ==========================================================================
python_ast         Python: ``assert`` statements found with ``ast``, judged in lambdas
c_generic          C: ``assert(...)`` into a comparison printed through C11 ``_Generic``
cpp_template       C++: ``assert(...)`` into a comparison printed by a function template
js_console_assert  JavaScript, TypeScript: ``console.assert`` rewritten and overridden
helper_method      Java, C#, Kotlin: each check into a call of a helper method
rust_macros        Rust: ``assert!``/``assert_eq!``/``assert_ne!`` shadowed by macros
go_testify         Go: testify's ``assert.*`` calls wrapped, their result and values reported
php_closure        PHP: ``assert(...)`` and ``if (...) exit(1)`` guards into closures
ruby_lambda        Ruby: ``raise ... unless/if cond`` into blocks
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Callable

from workbench.programs.checks import (
    c_generic,
    cpp_template,
    go_testify,
    helper_method,
    js_console_assert,
    php_closure,
    python_ast,
    ruby_lambda,
    rust_macros,
)
from workbench.programs.checks.base import MAX_CHECKS, MAX_VALUE, Instrumented, Site
from workbench.programs.checks.normalise import normalise_check
from workbench.programs.checks.results import CHECK_COLUMNS, CheckResult, read_checks
from workbench.registry.languages import CheckSpec, Language, get_language

__all__ = [
    "CHECK_COLUMNS",
    "MAX_CHECKS",
    "MAX_VALUE",
    "TECHNIQUES",
    "CheckResult",
    "Instrumented",
    "Site",
    "instrument",
    "normalise_check",
    "read_checks",
]

TECHNIQUES: dict[str, Callable[[str, CheckSpec, str], Instrumented]] = {
    "python_ast": python_ast.instrument,
    "c_generic": c_generic.instrument,
    "cpp_template": cpp_template.instrument,
    "js_console_assert": js_console_assert.instrument,
    "helper_method": helper_method.instrument,
    "rust_macros": rust_macros.instrument,
    "go_testify": go_testify.instrument,
    "php_closure": php_closure.instrument,
    "ruby_lambda": ruby_lambda.instrument,
}


def instrument(program: str, test: str, language: Language | str) -> Instrumented | None:
    """``program`` (prompt, answer and ``test`` as assembled) rewritten so that every check of
    ``test`` is judged and reported; None for a language without a ``[checks]`` table. Only the
    test's checks change: the answer, and what the test does between checks, stay as written.
    Raises ``ValueError`` when the test is not in the program or cannot be read."""
    language = get_language(language) if isinstance(language, str) else language
    if language.checks is None:
        return None
    return TECHNIQUES[language.checks.technique](program, language.checks, test)
