"""A package's driver diagram as the layout draws it: its tree (queries.driver_diagram) and the trusts using
each idea (queries.trusts_using) turned into tracker.core.driver_layout's plain data, then laid out."""

from __future__ import annotations

from ..core import driver_layout as layout
from ..models import ChangeIdea, ChangePackage
from .queries import Diagram, DriverNode


def _idea(idea: ChangeIdea, trusts: dict[int, tuple[int, int]]) -> layout.Idea:
    in_use, starting = trusts.get(idea.id, (0, 0))
    return layout.Idea(idea.code, idea.title, in_use, starting)


def _driver(node: DriverNode, trusts: dict[int, tuple[int, int]]) -> layout.Driver:
    return layout.Driver(
        str(node.driver.id),
        node.driver.title,
        tuple(_idea(i, trusts) for i in node.ideas),
        tuple(_driver(child, trusts) for child in node.children),
    )


def package_layout(
    package: ChangePackage, diagram: Diagram, trusts: dict[int, tuple[int, int]]
) -> layout.DriverDiagramLayout:
    """The drawn diagram: the package's aim (its summary), its drivers and ideas, each idea's trusts."""
    return layout.driver_layout(
        package.summary,
        [_driver(node, trusts) for node in diagram.primary],
        [_idea(i, trusts) for i in diagram.unplaced],
    )
