"""The package reads as a pipeline: its stage folders are the ones docs/layout.md lists, imports
run one way (from a stage to a lower-ranked one, no cycle), no module takes another's private
names, and only the public API and shared basics sit at the top of the package. The command line
stays small (a module per command group, short functions), and the notebooks use only the
public API.
Read from the source with ``ast``, so a lazy import inside a function counts too, and a relative
import is resolved to the module it names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"
LAYOUT_DOC = PACKAGE.parent / "docs" / "layout.md"

# The leaves: they import nothing of the package but each other, and every stage may import them.
LEAVES = {"workbench.errors", "workbench.paths", "workbench.execution.records"}

# Each stage folder's rank, as in docs/layout.md; an import between stages goes to a lower rank.
# Stages of the same rank sit side by side and do not import each other: generation and programs
# both start from inputs; views and ops are both last (only the entry points import them).
STAGE_RANKS = {
    "registry": 1,
    "inputs": 2,
    "generation": 3,
    "programs": 3,
    "execution": 4,
    "evaluation": 5,
    "analysis": 6,
    "figures": 7,
    "views": 8,
    "ops": 8,
    "cli": 9,  # the command line, beside the package's __init__.py
}
LEAF_RANK = 0
ENTRY_RANK = 9  # the package's __init__.py

Graph = dict[str, list[tuple[str, list[str]]]]


def _module_name(package: Path, path: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The module an ``ImportFrom`` names: ``from ..x import y`` in ``a.b.c`` is ``a.x``."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(package: Path = PACKAGE) -> Graph:
    """Module -> (imported module, names taken from it) for every import of a module of
    ``package``, relative imports resolved."""
    root = package.name
    files = sorted(package.rglob("*.py"))
    modules = {_module_name(package, p) for p in files}
    graph: Graph = {}
    for path in files:
        name = _module_name(package, path)
        is_package = path.name == "__init__.py"
        edges = graph.setdefault(name, [])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges += [(a.name, []) for a in node.names if a.name.split(".")[0] == root]
            elif isinstance(node, ast.ImportFrom):
                module = _absolute(name, is_package, node)
                if module.split(".")[0] != root:
                    continue
                for alias in node.names:
                    # ``from workbench.execution import sandbox`` imports a module, not a name.
                    if f"{module}.{alias.name}" in modules:
                        edges.append((f"{module}.{alias.name}", []))
                    else:
                        edges.append((module, [alias.name]))
    return graph


def _cycle(graph: Graph) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target, _ in graph.get(node, []):
            if target == node or target not in graph:
                continue
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state and (found := visit(target)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def _stage(module: str) -> str:
    """``leaves``, ``entry points`` or the stage folder a module belongs to."""
    parts = module.split(".")
    if module in LEAVES:
        return "leaves"
    if len(parts) == 1:
        return "entry points"
    return parts[1]


def _rank(stage: str, ranks: dict[str, int]) -> int:
    if stage == "leaves":
        return LEAF_RANK
    if stage == "entry points":
        return ENTRY_RANK
    if stage not in ranks:
        raise AssertionError(f"stage {stage!r} has no rank: add it to STAGE_RANKS and the docs")
    return ranks[stage]


def _upward_imports(graph: Graph, ranks: dict[str, int] = STAGE_RANKS) -> list[str]:
    """Every import of another stage whose rank is not lower than the importer's."""
    found = []
    for module, edges in sorted(graph.items()):
        stage = _stage(module)
        for target, _ in edges:
            other = _stage(target)
            if other != stage and _rank(other, ranks) >= _rank(stage, ranks):
                found.append(
                    f"{module} ({stage}, rank {_rank(stage, ranks)}) imports {target} "
                    f"({other}, rank {_rank(other, ranks)})"
                )
    return found


def _documented_stages() -> dict[str, int]:
    """Stage folder -> rank, from the table of docs/layout.md (rows whose folder is `name/`)."""
    rows = re.findall(r"^\| (\d+) \| [^|]+ \| `(\w+)/` \|", LAYOUT_DOC.read_text(), re.MULTILINE)
    return {folder: int(rank) for rank, folder in rows}


def test_the_import_graph_is_read_from_the_source() -> None:
    graph = _imports()
    # A known edge: the runner takes the store from its own stage.
    assert ("workbench.evaluation.store", ["GroupCommit"]) in graph["workbench.evaluation.runner"]
    assert _cycle({"a": [("b", [])], "b": [("a", [])]}) == ["a", "b", "a"]


def test_relative_and_upward_imports_are_found(tmp_path: Path) -> None:
    # A made-up package with one upward import written relatively, one written absolutely, and
    # imports that are allowed: to a lower stage, within a stage, and of the leaves.
    files = {
        "__init__.py": "",
        "errors.py": "",
        "registry/__init__.py": "",
        "registry/languages.py": "from ..evaluation.store import Store\n"
        "from . import limits\nfrom workbench.execution.records import Program\n",
        "registry/limits.py": "def f():\n    import workbench.views.report\n",
        "execution/__init__.py": "",
        "execution/records.py": "",
        "evaluation/__init__.py": "",
        "evaluation/store.py": "from ..registry import languages\nfrom workbench import errors\n",
        "views/__init__.py": "",
        "views/report.py": "from .. import errors\n",
    }
    package = tmp_path / "workbench"
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    graph = _imports(package)
    assert graph["workbench.registry.languages"] == [
        ("workbench.evaluation.store", ["Store"]),
        ("workbench.registry.limits", []),
        ("workbench.execution.records", ["Program"]),
    ]
    assert graph["workbench.views.report"] == [("workbench.errors", [])]
    assert _upward_imports(graph) == [
        "workbench.registry.languages (registry, rank 1) imports workbench.evaluation.store "
        "(evaluation, rank 5)",
        "workbench.registry.limits (registry, rank 1) imports workbench.views.report "
        "(views, rank 8)",
    ]
    # Side by side is not below: views and ops may not import each other.
    assert _upward_imports({"workbench.ops.demo": [("workbench.views.report", [])]})
    # The leaves may be imported from anywhere, but import only each other.
    assert not _upward_imports({"workbench.paths": [("workbench.errors", [])]})
    assert _upward_imports({"workbench.execution.records": [("workbench.registry", [])]})


def test_imports_have_no_cycle() -> None:
    cycle = _cycle(_imports())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_module_imports_another_modules_private_names() -> None:
    private = [
        f"{module} imports {name} from {target}"
        for module, edges in _imports().items()
        for target, names in edges
        for name in names
        if name.startswith("_") and not name.startswith("__") and target != module
    ]
    assert not private, "\n".join(private)


def test_the_stage_folders_are_the_documented_ones() -> None:
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert folders == set(STAGE_RANKS)
    assert _documented_stages() == STAGE_RANKS


def test_every_import_goes_to_a_lower_stage() -> None:
    upward = _upward_imports(_imports())
    assert not upward, "\n".join(upward)


def test_few_modules_sit_directly_in_the_package() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top


def _function_lengths(path: Path) -> dict[str, int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name: (node.end_lineno or node.lineno) - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_the_command_line_is_a_module_per_command_group() -> None:
    cli = PACKAGE / "cli"
    lines = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in cli.glob("*.py")}
    assert lines["main.py"] < 100, lines
    assert max(lines.values()) <= 250, lines
    long = {
        f"{p.name}:{name}": n
        for p in cli.glob("*.py")
        for name, n in _function_lengths(p).items()
        if n > 60
    }
    assert not long, long


NOTEBOOKS = PACKAGE.parent / "notebooks"


def _public_api() -> set[str]:
    import workbench

    return set(workbench.__all__)


def _notebook_uses(path: Path) -> list[str]:
    """What a notebook's script takes from the package: ``module:name`` per import of it, and
    ``wb:name`` per attribute of ``import workbench as wb``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = set()
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "workbench":
                    uses.append(f"{alias.name}:*")
                    aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "workbench":
            uses += [f"{node.module}:{a.name}" for a in node.names]
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            uses.append(f"wb:{node.attr}")
    return uses


def test_notebooks_use_only_the_public_api() -> None:
    public = _public_api()
    scripts = sorted(NOTEBOOKS.glob("*.py"))
    assert scripts, NOTEBOOKS
    wrong = []
    for path in scripts:
        for use in _notebook_uses(path):
            module, name = use.split(":")
            if module == "workbench" and name == "*":
                continue  # import workbench as wb
            if module in ("workbench", "wb") and name in public:
                continue
            wrong.append(f"{path.name}: {use}")
    assert not wrong, "not in `import workbench as wb`:\n" + "\n".join(wrong)


def test_the_notebook_check_finds_a_deep_import(tmp_path: Path) -> None:
    script = tmp_path / "nb.py"
    script.write_text(
        "import workbench as wb\nfrom workbench.inputs.samples import tasks_for_samples\n"
        "wb.evaluate\nwb.no_such_name\n"
    )
    assert _notebook_uses(script) == [
        "workbench:*",
        "workbench.inputs.samples:tasks_for_samples",
        "wb:evaluate",
        "wb:no_such_name",
    ]
