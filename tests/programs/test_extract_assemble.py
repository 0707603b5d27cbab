"""Code extraction from model text and program assembly."""

from __future__ import annotations

import pytest

from workbench.programs.assemble import canonical_program, completion_program, generation_program
from workbench.programs.extract import extract_code, fences
from workbench.registry.languages import get_language

PY = get_language("Python")


def test_prefers_the_block_that_defines_the_entry_point():
    raw = "Usage:\n```python\nprint(f(2))\n```\nCode:\n```python\ndef f(x):\n    return x\n```\n"
    found = extract_code(raw, PY, "f")
    assert found.method == "fence:entry" and found.code.startswith("def f")


def test_unclosed_fence_and_bare_code():
    assert extract_code("```python\ndef f():\n    return 1", PY, "f").code.endswith("return 1")
    bare = extract_code("def f():\n    return 1\n", PY, "f")
    assert bare.method == "bare" and "def f" in bare.code


def test_fence_tags_are_read():
    assert [f.tag for f in fences("```C++ title\nx\n```\n~~~\ny\n~~~\n")] == ["c++", ""]


def test_other_language_block_is_last_resort():
    raw = "```text\noutput\n```\n```python\nx = 1\n```"
    assert extract_code(raw, PY, "g").code == "x = 1"


PY_TASK = {
    "task_id": "Python/9",
    "language": "Python",
    "entry_point": "f",
    "prompt": 'from typing import List\n\ndef f(xs: List[int]) -> int:\n    """doc"""',
    "canonical_solution": "    return sum(xs)",
    "test": "assert f([1, 2]) == 3",
}


def test_canonical_program_joins_with_newlines():
    assert (
        canonical_program(PY_TASK)
        == PY_TASK["prompt"] + "\n    return sum(xs)\nassert f([1, 2]) == 3\n"
    )


def test_missing_prompt_imports_are_added_and_main_block_removed():
    code = "def f(xs: List[int]) -> int:\n    return sum(xs)\n\nif __name__ == '__main__':\n    print(f([9]))\n    assert f([]) == 1\nprint('after')"
    program = generation_program(PY_TASK, code)
    assert program.startswith("from typing import List\n")
    assert "__main__" not in program and "assert f([]) == 1" not in program
    assert "print('after')" in program


def test_body_only_answer_goes_after_the_prompt():
    program = generation_program(PY_TASK, "    return sum(xs)")
    assert program == canonical_program(PY_TASK)


JAVA_TASK = {
    "task_id": "Java/9",
    "language": "Java",
    "entry_point": "add",
    "prompt": "import java.util.List;\n\nclass Solution {\n  /** doc */\n  public static int add(int a, int b)",
    "canonical_solution": "  { return a + b; }",
    "test": "  public static void main(String[] args) {\n    assert add(1, 2) == 3;\n  }\n}",
}


def test_java_members_move_into_the_prompts_class():
    code = (
        "import java.util.*;\n\npublic class Solution {\n  public static int add(int a, int b) {\n"
        "    return a + b; // }\n  }\n  public static void main(String[] args) {\n"
        '    System.out.println("{" + add(1, 2));\n  }\n}\n'
    )
    program = generation_program(JAVA_TASK, code)
    assert program.count("public static void main") == 1
    assert "import java.util.*;" in program and "import java.util.List;" in program
    assert "class Solution {" in program and "public class Solution" not in program
    assert program.count("{") - program.count('"{"') == program.count("}") - program.count("// }")


def test_completion_fills_mask_or_takes_a_whole_function():
    task = {**PY_TASK, "task": "completion", "mask_code": "    total = [MASK]\n    return total"}
    assert "    total = sum(xs)\n    return total" in completion_program(task, "sum(xs)")
    whole = completion_program(task, "def f(xs):\n    return sum(xs)")
    assert "[MASK]" not in whole and whole.startswith("from typing import List")


GO_TASK = {
    "task_id": "Go/demo",
    "language": "Go",
    "entry_point": "hypot",
    "prompt": 'package main\n\nimport (\n\t"math"\n\t"testing"\n\n'
    '\t"github.com/stretchr/testify/assert"\n)\n\n// hypot returns sqrt(a*a+b*b).\n'
    "func hypot(a, b float64) float64 {\n",
    "test": "func TestHypot(t *testing.T) {\n\tassert.InDelta(t, 5.0, hypot(3, 4), 1e-9)\n}\n",
}


def _go_answer(imports: str, body: str) -> str:
    return (
        f"package main\n\n{imports}\nfunc hypot(a, b float64) float64 {{\n{body}\n}}\n\n"
        "func main() {\n\tfmt.Println(hypot(3, 4))\n}\n"
    )


def test_go_answer_with_its_own_package_and_imports_gets_one_merged_block():
    answer = _go_answer('import (\n\t"fmt"\n\t"math"\n)\n', "\treturn math.Sqrt(a*a + b*b)")
    program = generation_program(GO_TASK, answer)
    assert program.count("package main") == 1
    assert program.count("import (") == 1
    header = program[: program.index("func hypot")]
    for path in ('"fmt"', '"math"', '"testing"', '"github.com/stretchr/testify/assert"'):
        assert header.count(path) == 1, path
    assert "func main" in program  # never run by go test; its imports stay used


def test_go_prompt_imports_the_answer_does_not_use_are_left_out():
    # math is unused here: Go would reject the program ("imported and not used").
    answer = "func hypot(a, b float64) float64 {\n\treturn 5\n}\n"
    program = generation_program(GO_TASK, answer)
    assert '"math"' not in program
    assert '"testing"' in program and "testify/assert" in program


@pytest.mark.toolchains
def test_go_merged_programs_compile_and_get_the_right_verdict():
    from tests.conftest import require_toolchain
    from workbench.execution.execute import execute
    from workbench.execution.records import Program

    require_toolchain("Go")
    right = _go_answer('import (\n\t"fmt"\n\t"math"\n)\n', "\treturn math.Sqrt(a*a + b*b)")
    wrong = _go_answer('import "fmt"\n', "\treturn a + b")
    unused = _go_answer('import (\n\t"fmt"\n\t"os"\n)\n', "\treturn 5")
    verdicts = [
        execute(Program("Go", generation_program(GO_TASK, answer))).status
        for answer in (right, wrong, unused)
    ]
    # The model's own unused import is its error, reported as such.
    assert verdicts == ["passed", "failed", "compile_error"]


def test_completion_of_a_definition_the_prompt_already_holds_is_not_repeated():
    # McEval's Haskell/48 span record: the prompt ends with the whole one-line definition.
    task = {
        "task_id": "Haskell/48-0-span",
        "task": "completion",
        "language": "Haskell",
        "entry_point": "asciiToChar",
        "prompt": "import Data.Char (chr)\n\nasciiToChar :: Int -> Char\n{- doc -}\n"
        "asciiToChar = chr",
        "mask_code": "ascii[MASK] = chr",
        "canonical_solution": "asciiToChar = chr",
        "test": "main :: IO ()\nmain = if asciiToChar 65 == 'A' then pure () else error \"no\"",
    }
    for answer in ("ToChar", "asciiToChar = chr"):  # the middle, or the complete function
        program = completion_program(task, answer)
        assert program.count("asciiToChar = chr") == 1, program
        assert "import Data.Char (chr)" in program
    # The prompt's copy no longer passes a wrong fill.
    assert "asciiToChar = chr" not in completion_program(task, "ToUpper")
