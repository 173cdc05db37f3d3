"""The package boundaries the tree promises (README, "Layout"), read from the code's own imports.

Only imports that run when a module loads count: imports inside functions are deliberate late imports, and those
under `if TYPE_CHECKING:` never run.
"""
from __future__ import annotations

from pathlib import Path

from api.settings import ROOT
from tests.imports import imported_names

PACKAGES = ("api", "actions", "bot", "contracts", "knowledge", "runner")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    """Every module of the product's packages (not tests, not migrations: Alembic loads those by path)."""
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
            if "tests" not in path.parts and "migrations" not in path.parts}


def imports_at_load(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules a module imports when it loads (`from a import b` counts `a.b` when that is a module)."""
    return {name for name in imported_names(path, at_load_only=True) if name in known}


def import_graph() -> dict[str, set[str]]:
    known = project_modules()
    return {name: imports_at_load(path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module, or a module importing itself (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_sees_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def leaks(graph: dict[str, set[str]], package: str, *, may_use: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The project modules outside `package` (and outside what it `may_use`) that its modules import."""
    allowed = (package, *may_use)
    found = {name: sorted(t for t in targets if t.split(".")[0] not in allowed) for name, targets in graph.items()
             if name.split(".")[0] == package}
    return {name: targets for name, targets in found.items() if targets}


def test_the_knowledge_library_stands_alone() -> None:
    """`knowledge/` is the retrieval library every process serves: it needs the shared contracts, never the api, the
    actions or Rasa."""
    assert leaks(import_graph(), "knowledge", may_use=("contracts",)) == {}


def test_the_contracts_need_nothing_of_the_project() -> None:
    """`contracts/` is read by the api, the actions and Rasa's channel alike (Python 3.10 too): it depends on none of them."""
    assert leaks(import_graph(), "contracts") == {}


def test_the_import_graph_sees_the_api_reaching_the_knowledge_library() -> None:
    """Guards the two tests above against a graph that finds nothing."""
    graph = import_graph()
    assert any(target.startswith("knowledge") for name, targets in graph.items() if name.startswith("api") for target in targets)
    assert "api.settings" in graph["api.main"]
