"""The package's shape: pure cores stay pure, areas do not import each other in circles or reach
into each other's routes, and the import chain from the factory to the models stays shallow.

The same checks run by hand: `python scripts/import_structure.py`.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "tracker" / "core"
FORBIDDEN_IN_CORE = ("flask", "sqlalchemy", "tracker.models", "werkzeug", "jinja2")


def _load_script():
    spec = importlib.util.spec_from_file_location("import_structure", ROOT / "scripts" / "import_structure.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("import_structure", module)
    spec.loader.exec_module(module)
    return module


structure = _load_script()


def _imports(path: Path) -> set[str]:
    names = set()
    package = "tracker.core"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                names.add(".".join([*parts, node.module] if node.module else parts))
            else:
                names.add(node.module or "")
    return names


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_a_pure_core_imports_neither_flask_nor_sqlalchemy_nor_the_models(path):
    bad = {name for name in _imports(path) for f in FORBIDDEN_IN_CORE if name == f or name.startswith(f + ".")}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_pure_cores_load_without_the_models():
    """Importing every core module loads no mapper: they run on plain data alone."""
    code = (
        "import sys, importlib, pkgutil, tracker.core as core\n"
        "before = set(sys.modules)  # the tracker package itself holds the factory, which needs Flask\n"
        "for m in pkgutil.iter_modules(core.__path__): importlib.import_module('tracker.core.' + m.name)\n"
        "loaded = sorted(n for n in set(sys.modules) - before if n.startswith(('tracker.models', 'flask', 'sqlalchemy')))\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_no_area_imports_another_in_a_circle():
    cycles = list(nx.simple_cycles(structure.area_graph(structure.import_graph())))
    assert not cycles


def test_no_area_imports_another_areas_routes():
    graph = structure.import_graph()
    crossing = [
        (a, b)
        for a, b in graph.edges
        if b.endswith(".routes") and structure.area(a) != structure.area(b) and a != structure.PACKAGE
    ]
    assert not crossing


def test_no_module_imports_itself_back():
    graph = structure.import_graph()
    cycles = list(nx.simple_cycles(graph.subgraph(n for n in graph if n != "tracker")))
    assert not cycles


def test_the_import_chain_from_the_factory_to_the_models_is_at_most_seven_deep():
    chain = structure.deepest_chain(structure.import_graph())
    assert chain[0] == "tracker" and chain[-1].startswith("tracker.models")
    assert len(chain) <= structure.MAX_DEPTH, " -> ".join(chain)


def test_no_application_file_is_over_four_hundred_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "tracker").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 420
    }
    assert not long
