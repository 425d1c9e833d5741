"""Where the spread map puts each organisation: the one implementation of the map's projection and
layouts. The SVG (tracker.maps.svg) and the live map (static/map.js, through the data the page
hands it) draw at these positions. Pure: no Flask, no database.

Geographic: an equirectangular projection scaled to the outline's box: x grows east, y grows south,
and longitude is shrunk by the cosine of the box's mean latitude so shapes keep their proportions.
Organisations at the same place sit side by side; organisations with no coordinates wait in a row
in the top-left corner (open sea).

By links: each network's organisations are drawn together, pulled together by their learning links
and pushed apart from each other (Fruchterman and Reingold's forces, from their places on the map,
so the same data is always drawn the same); then the networks' groups, each starting where its
organisations are on the map, are pushed apart until no group's box (wide enough for the network's
name) overlaps another.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .assemble import Edge, Node
from .outline import Outline

Point = tuple[float, float]

VIEW_WIDTH = 800.0
PADDING = 12.0
SPACING = 30.0  # between organisations at one place, and in the row of unplaced ones
LINK_LENGTH = 90.0  # the length a learning link settles at in the layout by links
GROUP_MARGIN = 40.0  # around a network's organisations, for their labels and the group's box
GROUP_GAP = 40.0  # between the boxes of two groups, for the network's name
ITERATIONS = 120
GRAVITY = 1.0  # towards the group's middle, which keeps organisations without links near the rest
SEPARATION_ROUNDS = 200
SPREAD = 2.0  # how much further apart the groups start than their organisations are on the map
WIDE = 1.5  # groups overlapping are pushed sideways unless that is this much further than up or down


@dataclass(frozen=True)
class Projection:
    """lon/lat to SVG user units: x = padding + (lon − west)·kx, y = padding + (north − lat)·ky."""

    west: float
    north: float
    kx: float
    ky: float
    width: float
    height: float
    padding: float
    spacing: float = SPACING

    def point(self, lon: float, lat: float) -> Point:
        return self.padding + (lon - self.west) * self.kx, self.padding + (self.north - lat) * self.ky


def projection_for(outline: Outline, width: float = VIEW_WIDTH, padding: float = PADDING) -> Projection:
    """The projection that fits the outline's box into `width` units across, keeping proportions."""
    shrink = math.cos(math.radians((outline.south + outline.north) / 2))
    inner = width - 2 * padding
    ky = inner / ((outline.east - outline.west) * shrink)
    kx = ky * shrink
    height = round(2 * padding + (outline.north - outline.south) * ky, 1)
    return Projection(outline.west, outline.north, kx, ky, width, height, padding)


def _order(node: Node) -> tuple[str, str]:
    return (node.ods or "", node.id)


# On the map ---------------------------------------------------------------------------------------


def place_on_map(organisations: Iterable[Node], projection: Projection) -> dict[str, Point]:
    """Each organisation's id → (x, y).

    Organisations at the same coordinates (a trust and the one it merged into) sit side by side,
    in ODS order, centred on the place; organisations without coordinates wait in a row in the
    top-left corner.
    """
    places: dict[tuple[str, str], list[Node]] = {}
    unplaced = []
    for node in organisations:
        if node.lat is None or node.lon is None:
            unplaced.append(node)
        else:
            places.setdefault((f"{node.lat:.4f}", f"{node.lon:.4f}"), []).append(node)
    positions = {}
    for group in places.values():
        group = sorted(group, key=_order)
        x0, y0 = projection.point(group[0].lon, group[0].lat)
        for k, node in enumerate(group):
            positions[node.id] = (x0 + (k - (len(group) - 1) / 2) * projection.spacing, y0)
    start = projection.padding + projection.spacing / 2
    for k, node in enumerate(sorted(unplaced, key=_order)):
        positions[node.id] = (start + k * projection.spacing, start)
    return positions


# By links -----------------------------------------------------------------------------------------


def groups_of(organisations: Iterable[Node]) -> dict[str, list[str]]:
    """Organisation ids by network code; an organisation without a network is a group of its own."""
    groups: dict[str, list[str]] = {}
    for node in sorted(organisations, key=_order):
        groups.setdefault(node.network or f"\0{node.id}", []).append(node.id)
    return groups


def place_by_links(
    organisations: Sequence[Node],
    links: Iterable[Edge],
    start: Mapping[str, Point],
    room: Mapping[str, float] | None = None,
) -> dict[str, Point]:
    """Each organisation's id → (x, y), grouped by network and drawn by their links, from `start`
    (their places on the map). room is the least half-width a network's group takes (its name is
    drawn above it). Coordinates start at PADDING."""
    groups = groups_of(organisations)
    group_of = {member: key for key, members in groups.items() for member in members}
    pairs = {
        (min(e.source, e.target), max(e.source, e.target))
        for e in links
        if e.source in group_of and e.target in group_of and e.source != e.target
    }
    inside: dict[str, list[tuple[str, str]]] = {}
    for a, b in sorted(pairs):
        if group_of[a] == group_of[b]:
            inside.setdefault(group_of[a], []).append((a, b))
    shapes = {key: _spring(members, inside.get(key, []), start) for key, members in groups.items()}
    places = {key: _middle([start[m] for m in members]) for key, members in groups.items()}
    mean = _middle(list(places.values()))  # groups take more room than their places: spread them out
    middles = {
        key: (mean[0] + SPREAD * (x - mean[0]), mean[1] + SPREAD * (y - mean[1])) for key, (x, y) in places.items()
    }
    centres = _separate(middles, shapes, room or {})
    positions = {
        member: (centres[key][0] + dx, centres[key][1] + dy)
        for key, shape in shapes.items()
        for member, (dx, dy) in shape.items()
    }
    return _shifted(positions)


def _middle(points: Sequence[Point]) -> Point:
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def _spring(members: Sequence[str], pairs: Sequence[tuple[str, str]], start: Mapping[str, Point]) -> dict[str, Point]:
    """One group's positions about its middle (0, 0): Fruchterman–Reingold forces, cooling linearly.

    With numpy, every pair at once: a national network's groups of hundreds take milliseconds."""
    middle = _middle([start[m] for m in members])
    pos = np.array([[start[m][0] - middle[0], start[m][1] - middle[1]] for m in members], dtype=float)
    index = {m: k for k, m in enumerate(members)}
    linked = np.array([[index[a], index[b]] for a, b in pairs], dtype=int).reshape(-1, 2)
    n = len(members)
    upper = np.triu_indices(n, 1)
    # Two organisations at one place are pushed apart along a direction of their own: the k-th pair
    # in combinations' order along the angle k.
    apart = np.zeros((n, n, 2))
    apart[upper[0], upper[1], 0] = np.cos(np.arange(len(upper[0])))
    apart[upper[0], upper[1], 1] = np.sin(np.arange(len(upper[0])))
    apart -= apart.transpose(1, 0, 2)
    for step in range(ITERATIONS if n > 1 else 0):
        push = _forces(pos, linked, apart)
        limit = LINK_LENGTH * (1 - step / ITERATIONS) + 1  # the temperature: how far one step may move
        length = np.hypot(push[:, 0], push[:, 1])
        moving = length > 0
        scale = np.where(moving, np.minimum(length, limit) / np.where(moving, length, 1), 0)
        pos += push * scale[:, None]
    pos -= pos.mean(axis=0)
    return {m: (float(pos[k, 0]), float(pos[k, 1])) for k, m in enumerate(members)}


def _forces(pos: np.ndarray, linked: np.ndarray, apart: np.ndarray) -> np.ndarray:
    """The force on each member: every pair repels (k²/d), linked pairs attract (d²/k), and
    GRAVITY pulls towards the group's middle."""
    k = LINK_LENGTH
    dx = pos[:, 0, None] - pos[None, :, 0]  # from each to each
    dy = pos[:, 1, None] - pos[None, :, 1]
    d2 = dx * dx + dy * dy
    np.fill_diagonal(d2, np.inf)
    close = d2 < 1e-6
    if close.any():  # at one place: apart along a direction of their own
        dx, dy, d2 = np.where(close, apart[:, :, 0], dx), np.where(close, apart[:, :, 1], dy), np.where(close, 1.0, d2)
    repel = k * k / d2  # k²/d times the unit vector (dx, dy)/d
    push = np.stack([(dx * repel).sum(axis=1), (dy * repel).sum(axis=1)], axis=1)
    if len(linked):
        a, b = linked[:, 0], linked[:, 1]
        along = pos[a] - pos[b]
        pull = along * (-np.hypot(along[:, 0], along[:, 1]) / k)[:, None]  # d²/k times the unit vector, the other way
        np.add.at(push, a, pull)
        np.add.at(push, b, -pull)
    return push - GRAVITY * (pos - pos.mean(axis=0))


def _separate(
    centres: dict[str, Point], shapes: Mapping[str, Mapping[str, Point]], room: Mapping[str, float]
) -> dict[str, Point]:
    """The groups' middles, pushed apart in turn, along the axis they overlap least on, until no
    two groups' boxes (with GROUP_GAP between them) overlap."""
    half = {}
    for key, shape in shapes.items():
        width = max((abs(x) for x, _y in shape.values()), default=0.0) + GROUP_MARGIN
        height = max((abs(y) for _x, y in shape.values()), default=0.0) + GROUP_MARGIN
        half[key] = (max(width, room.get(key, 0.0)), height)
    centres = {key: list(point) for key, point in centres.items()}
    keys = sorted(centres)
    for _round in range(SEPARATION_ROUNDS):
        moved = False
        for n, (a, b) in enumerate(combinations(keys, 2)):
            dx, dy = centres[b][0] - centres[a][0], centres[b][1] - centres[a][1]
            over_x = half[a][0] + half[b][0] + GROUP_GAP - abs(dx)
            over_y = half[a][1] + half[b][1] + GROUP_GAP - abs(dy)
            if over_x <= 0 or over_y <= 0:
                continue
            axis, over, d = (0, over_x, dx) if over_x < over_y * WIDE else (1, over_y, dy)
            sign = 1 if d > 0 or (d == 0 and n % 2) else -1
            centres[a][axis] -= sign * (over / 2 + 0.01)
            centres[b][axis] += sign * (over / 2 + 0.01)
            moved = True
        if not moved:
            break
    return {key: (point[0], point[1]) for key, point in centres.items()}


def _shifted(positions: Mapping[str, Point]) -> dict[str, Point]:
    """The positions moved so that the smallest x and y are PADDING + GROUP_MARGIN."""
    if not positions:
        return {}
    left = min(x for x, _y in positions.values()) - PADDING - GROUP_MARGIN
    top = min(y for _x, y in positions.values()) - PADDING - GROUP_MARGIN
    return {key: (x - left, y - top) for key, (x, y) in positions.items()}
