"""The mechanical repairs, one by one, on answers as models write them: what each changes, that
it changes nothing it should not, and that the assembler's own normalisations stay as they were
(a repaired program is the unchanged assembler's program of the repaired answer). Their effect
on real verdicts: tests/evaluation/test_repair.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import InputError
from workbench.programs.assemble import build_program
from workbench.programs.lexing import ending, prose_lines, top_level_statements
from workbench.programs.repairs import (
    REPAIRS,
    Draft,
    add_import,
    drop_prose,
    drop_top_level,
    fix_indentation,
    repair,
)
from workbench.registry.languages import get_language, repairs_of

PYTHON_TASK = {
    "language": "Python",
    "task": "generation",
    "task_id": "Python/0",
    "prompt": 'from typing import List\n\ndef root(xs: List[int]) -> float:\n    """Root of the sum."""',
    "test": "assert root([4]) == 2",
    "entry_point": "root",
}
C_TASK = {
    "language": "C",
    "task": "generation",
    "task_id": "C/0",
    "prompt": "#include <assert.h>\nint length(const char *s)",
    "test": 'int main() { assert(length("ab") == 2); return 0; }',
    "entry_point": "length",
}
PY, C = get_language("Python"), get_language("C")


def _draft(task, code):
    return Draft(code, task["prompt"])


def test_add_import_puts_the_missing_import_where_it_counts():
    whole = "def root(xs):\n    return math.sqrt(sum(xs))"
    changed = add_import(_draft(PYTHON_TASK, whole), PY, PYTHON_TASK)
    assert changed.code == "import math\n" + whole  # before the answer's own definition
    body = "    return math.sqrt(sum(xs))"
    changed = add_import(_draft(PYTHON_TASK, body), PY, PYTHON_TASK)
    # A body goes inside the prompt's function: the import goes after the prompt's imports.
    assert changed.code == body
    assert changed.prompt.startswith("from typing import List\nimport math\n\ndef root")
    c = add_import(_draft(C_TASK, "int length(const char *s) { return strlen(s); }"), C, C_TASK)
    assert c.code.startswith("#include <string.h>\nint length")


def test_add_import_leaves_what_is_imported_or_unused():
    for code in (
        "import math\ndef root(xs):\n    return math.sqrt(sum(xs))",
        "from math import sqrt\ndef root(xs):\n    return sqrt(sum(xs))",
        "def root(xs):\n    # math.sqrt would do\n    return sum(xs) ** 0.5",  # a comment
        "def root(xs):\n    return 'math.sqrt'",  # a string
    ):
        assert add_import(_draft(PYTHON_TASK, code), PY, PYTHON_TASK) is None, code
    task = {**PYTHON_TASK, "prompt": "import math\n" + PYTHON_TASK["prompt"]}
    assert add_import(_draft(task, "    return math.sqrt(sum(xs))"), PY, task) is None
    names = "from collections import Counter, deque\ndef f(xs):\n    return Counter(xs)"
    assert add_import(_draft(PYTHON_TASK, names), PY, PYTHON_TASK) is None
    java = get_language("Java")
    star = "import java.util.*;\nclass A { List<Integer> xs = new ArrayList<>(); }"
    assert add_import(Draft(star, ""), java, {}) is None


def test_fix_indentation_of_bodies_and_blocks():
    task = PYTHON_TASK
    dedented = "total = sum(xs)\nreturn total ** 0.5"
    fixed = fix_indentation(_draft(task, dedented), PY, task)
    assert fixed.code == "    total = sum(xs)\n    return total ** 0.5"
    first_line_lost = "total = sum(xs)\n    return total ** 0.5"
    assert fix_indentation(_draft(task, first_line_lost), PY, task).code == fixed.code
    nested = "for x in xs:\n    pass\nreturn 1.0"
    assert fix_indentation(_draft(task, nested), PY, task).code == (
        "    for x in xs:\n        pass\n    return 1.0"
    )
    indented = "    def root(xs):\n        return 1.0"
    assert fix_indentation(_draft(task, indented), PY, task).code == "def root(xs):\n    return 1.0"
    mixed = "def root(xs):\n\tif xs:\n        return 1.0\n\treturn 0.0"
    assert fix_indentation(_draft(task, mixed), PY, task).code == (
        "def root(xs):\n    if xs:\n        return 1.0\n    return 0.0"
    )
    assert fix_indentation(_draft(task, "    return 1.0"), PY, task) is None
    assert fix_indentation(_draft(C_TASK, "return 1;"), C, C_TASK) is None  # not C's business


def test_drop_prose_keeps_comments_strings_and_code():
    code = (
        "Here is the solution:\n"
        "def root(xs):\n"
        "    # Return the root of the sum of the values.\n"
        '    """The root of the sum of the values, as a float."""\n'
        "    return sum(xs) ** 0.5\n"
        "```\n"
        "This works.\n"
        "**Explanation:**\n"
        "- The function sums the values and takes the root."
    )
    assert prose_lines(code, PY) == [0, 5, 6, 7, 8]
    fixed = drop_prose(_draft(PYTHON_TASK, code), PY, PYTHON_TASK)
    assert fixed.code == "\n".join(code.split("\n")[1:5])
    assert drop_prose(_draft(PYTHON_TASK, fixed.code), PY, PYTHON_TASK) is None
    c = "int length(const char *s) {\n    /* Count the characters of the string. */\n    return 0;\n}"
    assert prose_lines(c, C) == []


def test_drop_top_level_removes_the_answers_own_statements():
    code = (
        "def root(xs):\n    return sum(xs) ** 0.5\n\n"
        "print(root([4]))\n"
        "assert root([9]) == 3\n"
        "print(\n    root([16])\n)\n"
        "LIMIT = 10"
    )
    assert top_level_statements(code, PY) == [(3, 4), (4, 5), (5, 8)]
    fixed = drop_top_level(_draft(PYTHON_TASK, code), PY, PYTHON_TASK)
    assert fixed.code == "def root(xs):\n    return sum(xs) ** 0.5\n\nLIMIT = 10"
    js = get_language("JavaScript")
    script = "function f(x) {\n  console.log(x);\n  return x;\n}\nconsole.log(f(1));\nf(2);"
    assert top_level_statements(script, js) == [(4, 5), (5, 6)]
    assert drop_top_level(Draft("int f(void);", ""), C, {}) is None  # C has none


def test_ending_says_what_is_left_open():
    assert ending('def f(x):\n    s = "abc', PY).unfinished == "unterminated string"
    assert ending("int f() {\n  int s = 0;\n  s += 1", C).unfinished == "unclosed bracket"
    assert ending("int f() {}\n/* a comment", C).unfinished == "unterminated comment"
    assert ending("def f(x):\n    for i in x:", PY).unfinished == "unfinished line"
    assert ending("def f(x):\n    return x", PY).unfinished is None
    broken = ending("sub f {\n  my $x = (1;\n  return $x;\n}", get_language("Perl"))
    assert broken.mismatched and broken.unfinished is None


def test_repair_applies_every_repair_in_order_and_assembles_as_before():
    code = "Here is the code:\ndef root(xs):\n    return math.sqrt(sum(xs))\nprint(root([4]))"
    repaired = repair(PYTHON_TASK, code)
    assert repaired.repairs == ("drop_prose", "drop_top_level", "add_import")
    assert repaired.program == build_program(PYTHON_TASK, repaired.draft.code)
    assert repaired.program == (
        "from typing import List\nimport math\ndef root(xs):\n    return math.sqrt(sum(xs))\n"
        "assert root([4]) == 2\n"
    )
    assert repair(PYTHON_TASK, code, ("add_import",)).repairs == ("add_import",)
    assert repair(PYTHON_TASK, "def root(xs):\n    return sum(xs) ** 0.5") is None
    markdown = {"language": "Markdown", "task_id": "Markdown/1", "prompt": "A title"}
    assert repair(markdown, "Some text.\n# Title") is None  # judged by comparison
    assert list(REPAIRS) == ["drop_prose", "drop_top_level", "fix_indentation", "add_import"]


def test_the_repairs_table_is_checked_when_the_registry_loads():
    source = Path("workbench/registry/python.toml")
    with pytest.raises(InputError) as caught:
        repairs_of({"imports": [{"line": "import math"}]}, source)
    assert caught.value.field == "repairs.imports[0]" and "python.toml" in str(caught.value)
    with pytest.raises(InputError) as caught:
        repairs_of({"top_level": "(unclosed"}, source)
    assert caught.value.field == "repairs.top_level"
    with pytest.raises(InputError):
        repairs_of({"imprts": []}, source)
    assert repairs_of(None, source).imports == ()


def test_an_import_is_added_only_where_a_name_was_missing():
    code = "def root(xs):\n    return math.sqrt(sum(xs))"
    assert repair(PYTHON_TASK, code, cause="missing_import").repairs == ("add_import",)
    assert repair(PYTHON_TASK, code, cause="undefined_name").repairs == ("add_import",)
    assert repair(PYTHON_TASK, code, cause="wrong_answer") is None
    # The other repairs do not depend on the cause.
    assert repair(PYTHON_TASK, code + "\nprint(1)", cause="wrong_answer").repairs == (
        "drop_top_level",
    )
