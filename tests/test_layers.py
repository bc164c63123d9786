"""The house keeps its shape: imports go down the layers only, and no module imports itself round a cycle.

ontology → {store, shapes} → etl → server (docs/architecture.md, STYLE.md). Every `import` is read
with `ast`, including those inside functions (issue 9 found 31 of them hiding edges from readers).
On the tree before issue 9 (commit 80154ac) this test finds, among others, etl/build.py → server.store,
ontology/iris.py → etl.model, the app ↔ views cycle and server/store.py ↔ server/remote_store.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("ontology", "store", "shapes", "etl", "server")
# Which layers each layer may import (its own included). store and shapes stand side by side.
ALLOWED: dict[str, frozenset[str]] = {
    "ontology": frozenset({"ontology"}),
    "store": frozenset({"ontology", "store"}),
    "shapes": frozenset({"ontology", "shapes"}),
    "etl": frozenset({"ontology", "store", "shapes", "etl"}),
    "server": frozenset(LAYERS),
}


def modules(root: Path) -> dict[str, Path]:
    """`luzhi.etl.build` → its file, for every module of the five layers under `root`."""
    found = {}
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(("luzhi", *parts))] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The luzhi modules `path` imports, anywhere in the file; `from pkg import mod` counts as `pkg.mod`."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names if alias.name.startswith("luzhi."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("luzhi"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                targets.add(sub if sub in known else node.module)
    return targets


def graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    return {name: {t for t in imports(path, known) if t != name} for name, path in known.items()}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def wrong_way(edges: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{source} → {target}"
        for source, targets in edges.items()
        for target in targets
        if layer_of(target) is not None and layer_of(target) not in ALLOWED[layer_of(source)]
    )


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_layers_are_all_there():
    # A layer that vanished (or a renamed folder) would make the checks below pass vacuously.
    found = {layer_of(name) for name in modules(ROOT)}
    assert found == set(LAYERS)
    assert len(modules(ROOT)) > 40


def test_imports_only_go_down_the_layers():
    assert wrong_way(graph(ROOT)) == []


def test_no_import_cycles():
    assert cycles(graph(ROOT)) == []


def test_the_checks_catch_a_wrong_edge_and_a_cycle():
    edges = {
        "luzhi.ontology.iris": {"luzhi.etl.model"},
        "luzhi.server.app": {"luzhi.server.views.pages"},
        "luzhi.server.views.pages": {"luzhi.server.app"},
        "luzhi.etl.model": set(),
    }
    assert wrong_way(edges) == ["luzhi.ontology.iris → luzhi.etl.model"]
    assert cycles(edges) == [["luzhi.server.app", "luzhi.server.views.pages"]]


def test_long_modules_say_why():
    # STYLE.md: small modules (< ~400 lines) or a reason at the top; the reason starts "Over 400 lines".
    unexplained = []
    for name, path in modules(ROOT).items():
        text = path.read_text(encoding="utf-8")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if text.count("\n") > 400 and "Over 400 lines" not in docstring:
            unexplained.append(name)
    assert unexplained == []
