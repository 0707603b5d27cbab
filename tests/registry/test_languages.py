import csv

import pytest

from tests.conftest import PROJECT
from workbench.errors import UnknownLanguageError
from workbench.registry.languages import STATUSES, all_languages, get_language, language_names

MCEVAL_FILES = [
    "AWK",
    "C",
    "C#",
    "CPP",
    "CoffeeScript",
    "Common Lisp",
    "Dart",
    "Elixir",
    "Emacs Lisp",
    "Erlang",
    "F#",
    "Fortran",
    "Go",
    "Groovy",
    "HTML",
    "Haskell",
    "JSON",
    "Java",
    "JavaScript",
    "Julia",
    "Kotlin",
    "Lua",
    "Markdown",
    "PHP",
    "Pascal",
    "Perl",
    "PowerShell",
    "Python",
    "R",
    "Racket",
    "Ruby",
    "Rust",
    "Scala",
    "Scheme",
    "Shell",
    "Swift",
    "Tcl",
    "TypeScript",
    "VimScript",
    "Visual Basic",
]


def test_registry_holds_the_40_mceval_languages():
    assert sorted(language_names()) == sorted(MCEVAL_FILES)
    assert len(all_languages()) == 40


@pytest.mark.parametrize(
    "alias,name",
    [
        ("C++", "CPP"),
        ("Clisp", "Common Lisp"),
        ("Elisp", "Emacs Lisp"),
        ("JS", "JavaScript"),
        ("TS", "TypeScript"),
        ("VB", "Visual Basic"),
        ("VimL", "VimScript"),
        ("Power", "PowerShell"),
        ("MD", "Markdown"),
        ("Html", "HTML"),
        ("Json", "JSON"),
        ("Coffee", "CoffeeScript"),
        ("python3", "Python"),
        ("bash", "Shell"),
        ("c#", "C#"),
    ],
)
def test_aliases_resolve(alias, name):
    assert get_language(alias).name == name


def test_unknown_language_names_the_choices():
    with pytest.raises(UnknownLanguageError, match="Brainfuck.*expected one of"):
        get_language("Brainfuck")


def test_aliases_are_unambiguous():
    seen = {}
    for lang in all_languages():
        for key in (lang.name, lang.leaderboard_key, *lang.aliases):
            assert seen.setdefault(key.lower(), lang.name) == lang.name, key


def test_paradigm_and_scenario_match_the_papers_table():
    with open(PROJECT / "data" / "paper" / "languages.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 40
    for row in rows:
        lang = get_language(row["language"])
        assert lang.leaderboard_key == row["leaderboard_key"]
        assert lang.paradigm == row["paradigm"]
        assert lang.scenario == row["scenario"]


def test_recipes_are_well_formed():
    for lang in all_languages():
        assert lang.version, f"{lang.name} has no version probe"
        for rule in lang.rules:
            assert rule.status in STATUSES
        for step in lang.steps:
            assert step.kind in ("compile", "run")
        if lang.has_recipe:
            assert lang.debian_packages, f"{lang.name} has a recipe but no Debian packages"
            assert lang.limits.run_timeout > 0 and lang.limits.memory_mb >= 256


def test_skeleton_languages_have_recipes():
    for name in ["Python", "C", "CPP", "JavaScript", "Java", "Shell"]:
        assert get_language(name).has_recipe
