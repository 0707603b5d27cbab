"""The package reads as a pipeline: imports run one way (no cycle), no module takes another's
private names, and only the CLI, the public API and shared basics sit at the top of the package.
Read from the source with ``ast``, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, list[tuple[str, list[str]]]]:
    """Module -> (imported module, names taken from it) for every import of a workbench module."""
    graph: dict[str, list[tuple[str, list[str]]]] = {}
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        edges = graph.setdefault(name, [])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges += [(a.name, []) for a in node.names if a.name.startswith("workbench")]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workbench"):
                module = node.module or ""
                for alias in node.names:
                    # ``from workbench.execution import sandbox`` imports a module, not a name.
                    if f"{module}.{alias.name}" in modules:
                        edges.append((f"{module}.{alias.name}", []))
                    else:
                        edges.append((module, [alias.name]))
    return graph


def _cycle(graph: dict[str, list[tuple[str, list[str]]]]) -> list[str] | None:
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


def test_the_import_graph_is_read_from_the_source() -> None:
    graph = _imports()
    # A known edge: the runner takes the store from its own stage.
    assert ("workbench.evaluation.store", ["GroupCommit"]) in graph["workbench.evaluation.runner"]
    assert _cycle({"a": [("b", [])], "b": [("a", [])]}) == ["a", "b", "a"]


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


def test_few_modules_sit_directly_in_the_package() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top
    # Every stage is a folder of its own.
    for stage in ("inputs", "programs", "registry", "execution", "evaluation", "analysis"):
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
