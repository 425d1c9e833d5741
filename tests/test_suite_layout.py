"""The suite's own layout: test modules import shared helpers from tests/helpers.py and
tests/factories.py, never from another test module or from a conftest (fixtures come by name)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent


def imported_modules(tree: ast.Module) -> list[str]:
    """Every module an import statement anywhere in the tree names, dotted, relative ones with their dots."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]  # from tests import test_api
    return names


def forbidden(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def test_no_test_module_imports_another_or_a_conftest():
    offences = [
        f"{path.relative_to(TESTS)} imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for module in imported_modules(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        if forbidden(module)
    ]
    assert offences == [], "shared helpers go in tests/helpers.py or tests/factories.py:\n" + "\n".join(offences)


@pytest.mark.parametrize(
    "source",
    [
        "import test_api",
        "import tests.test_api as api",
        "from tests.test_api import get_json",
        "from test_api import get_json",
        "from tests import test_api",
        "from .test_api import get_json",
        "from conftest import FormClient",
        "from tests.conftest import FormClient",
        "def later():\n    from tests.test_dashboard import figure",
    ],
)
def test_the_check_sees_each_way_of_importing_a_test_module(source):
    assert any(forbidden(m) for m in imported_modules(ast.parse(source)))


def test_the_check_lets_helpers_factories_and_the_app_be_imported():
    source = (
        "from tests.helpers import get_json\nfrom tests.factories import add_events\nimport tracker.tests_of_nothing"
    )
    assert not any(forbidden(m) for m in imported_modules(ast.parse(source)))
