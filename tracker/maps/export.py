"""The network as files: GraphML for graph tools (Gephi, yEd, networkx) and node and edge CSVs
for spreadsheets and Power BI. Pure: a NetworkView in, a document or table rows out.

GraphML has no empty value, so an attribute a node or edge does not have (a network's stage, a
membership edge's weight) is left out of that element. The CSV files are tracker.tabular's: a column
per field, empty where a node or edge has no value, flags as true/false, days as ISO dates.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import astuple, fields
from datetime import date
from typing import Any

import networkx as nx

from ..tabular import DAY, FLAG, NUMBER, TEXT, WHOLE, Column
from .assemble import Edge, NetworkView, Node

GRAPHML_MIMETYPE = "application/graphml+xml"
# A column per field, headed by its name; the kinds say what each holds (the CSV writes them all plainly).
KINDS = {"bool | None": FLAG, "date | None": DAY, "float | None": NUMBER, "int | None": WHOLE}
NODE_COLUMNS = tuple(Column(f.name, KINDS.get(str(f.type), TEXT)) for f in fields(Node))
EDGE_COLUMNS = tuple(Column(f.name, KINDS.get(str(f.type), TEXT)) for f in fields(Edge))
# GraphML keys are typed once per attribute: keep each attribute to one Python type.
FLOAT_ATTRIBUTES = frozenset({"lat", "lon", "exposure", "betweenness"})


def _graphml_value(name: str, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if name in FLOAT_ATTRIBUTES:
        return float(value)
    return value


def _attributes(record: Node | Edge, skip: tuple[str, ...]) -> dict[str, Any]:
    return {
        f.name: _graphml_value(f.name, getattr(record, f.name))
        for f in fields(record)
        if f.name not in skip and getattr(record, f.name) is not None
    }


def to_graph(view: NetworkView) -> nx.MultiGraph:
    """Every node and edge of the view (parallel edges for links of different kinds), with the
    scope as graph attributes."""
    about = {
        "ambition": view.scope.ambition,
        "intervention": view.scope.idea,
        "as_of": view.as_of.isoformat(),
        "min_stage": view.threshold.value,
    }
    graph = nx.MultiGraph(**{k: v for k, v in about.items() if v is not None})
    for node in view.nodes:
        graph.add_node(node.id, **_attributes(node, skip=("id",)))
    for number, edge in enumerate(view.edges, start=1):
        graph.add_edge(edge.source, edge.target, key=f"e{number}", **_attributes(edge, skip=("source", "target")))
    return graph


def to_graphml(view: NetworkView) -> bytes:
    """The view as a GraphML document (UTF-8, with its XML declaration)."""
    buffer = io.BytesIO()
    # Not pretty-printed: indentation was a fifth of the file (3.8 MB at 2,500 organisations, 3.1 without).
    nx.write_graphml(to_graph(view), buffer, encoding="utf-8", prettyprint=False)
    return buffer.getvalue()


def node_rows(view: NetworkView) -> Iterator[Sequence[Any]]:
    """One row per node (NODE_COLUMNS), in the view's order."""
    return (astuple(node) for node in view.nodes)


def edge_rows(view: NetworkView) -> Iterator[Sequence[Any]]:
    """One row per edge (EDGE_COLUMNS), in the view's order; membership edges have no weight or status."""
    return (astuple(edge) for edge in view.edges)
