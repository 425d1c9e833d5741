"""Check the package's import structure: area cycles, routes imported across areas, and chain depth.

    python scripts/import_structure.py            # report; exits 1 if a rule is broken

It reads the source (no imports run) and follows every `import`/`from ... import` of a `tracker`
module, those inside functions too, since they run when the factory calls them; imports under
`if TYPE_CHECKING:` never run and are left out. An *area* is a
sub-package of `tracker` (`tracker.adoption`) or a top-level module (`tracker.db`). It checks:
- no area-level import cycle (a module of area A importing area B while B imports A);
- no area imports another area's `routes` module;
- the longest import chain from the factory (`tracker/__init__.py`) to any module of
  `tracker.models` is at most MAX_DEPTH modules deep, counting the factory as level 1.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "tracker"
MAX_DEPTH = 7


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}


def _run_time_nodes(tree: ast.AST):
    """Every node, leaving out `if TYPE_CHECKING:` blocks: their imports never run."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The tracker modules `name` imports, resolving relative imports and `from package import module`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _run_time_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    result = set()
    for target in found:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            result.add(target)
    return result


def area(name: str) -> str:
    return ".".join(name.split(".")[:2])


def import_graph() -> nx.DiGraph:
    found = modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(found)
    for name, path in found.items():
        graph.add_edges_from((name, target) for target in imported(name, path, set(found)))
    return graph


def area_graph(graph: nx.DiGraph) -> nx.DiGraph:
    areas = nx.DiGraph()
    for a, b in graph.edges:
        if area(a) != area(b) and PACKAGE not in (area(a), area(b)):
            areas.add_edge(area(a), area(b))
    return areas


def deepest_chain(graph: nx.DiGraph) -> list[str]:
    """The longest chain of imports from the factory to a models module (on an acyclic graph)."""

    @cache
    def longest(node: str) -> tuple[str, ...]:
        if node.startswith(f"{PACKAGE}.models"):
            return (node,)  # the chain ends where it reaches the models
        best: tuple[str, ...] = ()
        for target in graph.successors(node):
            if target == PACKAGE:
                continue
            tail = longest(target)
            if tail and len(tail) + 1 > len(best):
                best = (node, *tail)
        return best

    return list(longest(PACKAGE))


def main() -> int:
    graph = import_graph()
    areas = area_graph(graph)
    problems = []
    for cycle in nx.simple_cycles(areas):
        problems.append("area cycle: " + " -> ".join([*cycle, cycle[0]]))
    for a, b in graph.edges:
        if b.endswith(".routes") and area(a) != area(b) and a != PACKAGE:
            problems.append(f"{a} imports another area's routes: {b}")
    module_cycles = [c for c in nx.simple_cycles(graph.subgraph(n for n in graph if n != PACKAGE)) if len(c) > 1]
    if module_cycles:
        problems.extend("module cycle: " + " -> ".join([*c, c[0]]) for c in module_cycles[:10])
    else:
        chain = deepest_chain(graph)
        print(f"Deepest import chain from the factory to the models: {len(chain)} levels (at most {MAX_DEPTH})")
        for level, name in enumerate(chain, start=1):
            print(f"  {level}. {name}")
        if len(chain) > MAX_DEPTH:
            problems.append(f"import chain {len(chain)} levels deep, over {MAX_DEPTH}")
    print(f"{graph.number_of_nodes()} modules in {len({area(n) for n in graph})} areas")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
