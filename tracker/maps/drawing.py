"""The spread map as something to draw: each organisation at its place with its colours and label,
each learning link with its colour, width and line, and (laid out by links) the networks' groups.
The server's SVG and the live map (static/map.js) both draw a Drawing. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import layout
from .assemble import NETWORK_PREFIX, PROPOSED, NetworkView, Node
from .outline import Outline
from .present import node_summary
from .styles import link_line, link_style, link_width, stage_key, stage_style

GEOGRAPHIC, BY_LINKS = "geographic", "force"  # the page's layout parameter's values
NAME_WIDTH = 5.5  # half the width of a character of a network's name over its group (18-unit type)


@dataclass(frozen=True)
class Mark:
    """An organisation, drawn."""

    id: str
    ods: str
    x: float
    y: float
    stage: str  # a key of styles.STAGE_STYLES
    fill: str
    stroke: str
    adopted: bool
    label: tuple[str, ...]  # the ODS code, and the network's code under it when there is one
    group: str | None  # the id of the group it is drawn in (laid out by links only)
    title: str  # one line about it, for a tooltip


@dataclass(frozen=True)
class Line:
    """A learning link, drawn."""

    source: str
    target: str
    kind: str
    proposed: bool
    colour: str
    width: float
    line: str  # solid, dotted or dashed


@dataclass(frozen=True)
class Group:
    """A network whose organisations are drawn together (laid out by links)."""

    id: str
    name: str


@dataclass(frozen=True)
class Drawing:
    layout: str
    width: float  # the box the positions are in, in drawing units (the SVG's user units on the map)
    height: float
    marks: tuple[Mark, ...]
    lines: tuple[Line, ...]
    groups: tuple[Group, ...]


def draw(view: NetworkView, outline: Outline, how: str = GEOGRAPHIC) -> Drawing:
    """The view drawn on the outline's map, or laid out by its links."""
    projection = layout.projection_for(outline)
    organisations = sorted(view.organisations, key=lambda n: (n.ods or "", n.id))
    positions = layout.place_on_map(organisations, projection)
    width, height = projection.width, projection.height
    groups: tuple[Group, ...] = ()
    if how == BY_LINKS:
        room = {code: len(name) * NAME_WIDTH for code, name in view.network_names.items()}
        positions = layout.place_by_links(organisations, view.learning_links, positions, room)
        width = max((x for x, _y in positions.values()), default=0) + layout.GROUP_MARGIN + layout.PADDING
        height = max((y for _x, y in positions.values()), default=0) + layout.GROUP_MARGIN + layout.PADDING
        drawn = {node.network for node in organisations}
        groups = tuple(Group(NETWORK_PREFIX + code, name) for code, name in view.network_names.items() if code in drawn)
    grouped = {group.id for group in groups}
    names = view.network_names
    marks = tuple(_mark(node, positions[node.id], names, grouped) for node in organisations)
    return Drawing(how, width, height, marks, _lines(view, positions), groups)


def _mark(node: Node, at: layout.Point, network_names: Mapping[str, str], grouped: set[str]) -> Mark:
    style = stage_style(node.stage)
    group = NETWORK_PREFIX + node.network if node.network else None
    return Mark(
        id=node.id,
        ods=node.ods or node.id,
        x=at[0],
        y=at[1],
        stage=stage_key(node.stage),
        fill=style.fill,
        stroke=style.stroke,
        adopted=bool(node.adopted),
        label=(node.ods or node.id, node.network) if node.network else (node.ods or node.id,),
        group=group if group in grouped else None,
        title=node_summary(node, network_names),
    )


def _lines(view: NetworkView, positions: Mapping[str, layout.Point]) -> tuple[Line, ...]:
    return tuple(
        Line(
            source=edge.source,
            target=edge.target,
            kind=edge.kind,
            proposed=edge.status == PROPOSED,
            colour=link_style(edge.kind).colour,
            width=link_width(edge.weight),
            line=link_line(edge.kind, edge.status),
        )
        for edge in view.learning_links
        if edge.source in positions and edge.target in positions and edge.source != edge.target
    )
