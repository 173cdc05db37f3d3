"""What a source file imports, read with `ast` (the boundary tests in tests/test_architecture.py and
tests/api/test_http_edge.py read the code, not a running process)."""
from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path


def _load_time_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run when the module loads: not function bodies, not `if TYPE_CHECKING:` blocks."""
    for node in body:
        if isinstance(node, ast.If):
            if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                yield from _load_time_statements(node.body)
            yield from _load_time_statements(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _load_time_statements(node.body)
        else:
            yield node


def imported_names(path: Path, *, at_load_only: bool = False) -> set[str]:
    """Every dotted name `path` imports (`from x import y` counts as x and x.y); with `at_load_only`, only the imports
    that run when the module loads (late imports inside functions are deliberate)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes: Iterable[ast.AST] = _load_time_statements(tree.body) if at_load_only else ast.walk(tree)
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names
