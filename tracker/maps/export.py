"""The network as files: GraphML for graph tools (Gephi, yEd, networkx) and node and edge CSVs
for spreadsheets and Power BI. Pure: a NetworkView in, text out.

GraphML has no empty value, so an attribute a node or edge does not have (a network's stage, a
membership edge's weight) is left out of that element. CSV cells that a spreadsheet would run as a
formula are neutralised as in the adoption exports; the files start with a byte order mark so Excel
reads accents correctly.
"""

from __future__ import annotations

import csv
import io
from dataclasses import fields
from datetime import date
from typing import Any

import networkx as nx

from ..tabular import neutralise
from .assemble import Edge, NetworkView, Node

GRAPHML_MIMETYPE = "application/graphml+xml"
CSV_MIMETYPE = "text/csv"
NODE_COLUMNS = tuple(f.name for f in fields(Node))
EDGE_COLUMNS = tuple(f.name for f in fields(Edge))
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
        "intervention": view.scope.intervention,
        "as_of": view.as_of.isoformat(),
        "min_stage": view.min_stage.value,
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
    nx.write_graphml(to_graph(view), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def _csv(columns: tuple[str, ...], records) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(getattr(record, column)) for column in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def nodes_csv(view: NetworkView) -> bytes:
    """One row per node, in the view's order; empty cells where a node has no value."""
    return _csv(NODE_COLUMNS, view.nodes)


def edges_csv(view: NetworkView) -> bytes:
    """One row per edge, in the view's order; membership edges have no weight or status."""
    return _csv(EDGE_COLUMNS, view.edges)
