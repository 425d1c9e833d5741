"""The spread map as SVG: pure functions from the network payload and the outline to markup.

The payload is the dict GET /api/v1/network answers (tracker.maps.payload); the outline is
tracker.maps.outline's. The page puts the SVG inside <noscript>; static/map.js copies it out for
printing and, without its links, organisations and labels, as the background of the interactive
map (one copy of the outline's paths in the page).

Positions use an equirectangular projection scaled to the outline's box: x grows east, y grows
south, and longitude is shrunk by the cosine of the box's mean latitude so shapes keep their
proportions. Organisations at the same place sit side by side; organisations with no coordinates
wait in a row in the top-left corner (open sea). static/map.js places nodes by the same rules
from Projection.as_dict(): keep the two in step.

Colours are SVG presentation attributes (fill="#…"), which the CSP allows where style="…" is
refused, plus class names that app.css may refine (for print and forced colours).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from html import escape

from .outline import Outline

VIEW_WIDTH = 800.0
PADDING = 12.0
NODE_RADIUS = 8.0
ADOPTED_RADIUS = 11.0
SPACING = 30.0  # between organisations at one place, and in the row of unplaced ones
ORGANISATION = "organisation"
NOT_STARTED = "none"  # the stage key of an organisation with no event in scope


@dataclass(frozen=True)
class StageStyle:
    label: str
    tag: str  # the NHS.UK tag colour (nhsuk-tag--<tag>) the legend and tables use
    fill: str  # the tag's background
    stroke: str  # the tag's border and text


# The NHS.UK frontend's tag colours, as templates/adoption/_stage.html uses them along the ladder.
STAGE_STYLES: dict[str, StageStyle] = {
    NOT_STARTED: StageStyle("Not started", "white", "#ffffff", "#212b32"),
    "considering": StageStyle("Considering", "grey", "#dbe0e3", "#354550"),
    "testing": StageStyle("Testing", "blue", "#ccdff1", "#004281"),
    "implementing": StageStyle("Implementing", "aqua-green", "#ccedeb", "#00524d"),
    "spreading": StageStyle("Spreading", "green", "#cce5d8", "#004c23"),
    "sustained": StageStyle("Sustained", "purple", "#d6cce3", "#240050"),
    "discontinued": StageStyle("Discontinued", "red", "#f7d4d1", "#6b140e"),
}


@dataclass(frozen=True)
class LinkStyle:
    label: str
    colour: str
    line: str  # solid or dotted; a proposed link of any kind is dashed


LINK_STYLES: dict[str, LinkStyle] = {
    "buddy_pair": LinkStyle("Buddy pair", "#005eb8", "solid"),
    "shared_faculty": LinkStyle("Shared faculty", "#7c2855", "solid"),
    "learning_set": LinkStyle("Learning set", "#007f3b", "dotted"),
    "geographic_neighbour": LinkStyle("Geographic neighbour", "#768692", "solid"),
    "other": LinkStyle("Other", "#425563", "dotted"),
}
DASHES = {"dotted": "1.5 3.5", "dashed": "7 4"}

OUTLINE_STYLES = {  # kind: (fill, stroke, stroke width); drawn in this order
    "land": ("#e8edee", "none", 0),
    "icb": ("none", "#aeb7bd", 0.6),
    "nhs_region": ("none", "#768692", 1.2),
}
LABEL_COLOUR = "#212b32"
ATTRIBUTION_COLOUR = "#4c6272"


def stage_key(stage: str | None) -> str:
    return stage if stage in STAGE_STYLES else NOT_STARTED


def stage_style(stage: str | None) -> StageStyle:
    return STAGE_STYLES[stage_key(stage)]


def link_style(kind: str) -> LinkStyle:
    return LINK_STYLES.get(kind, LINK_STYLES["other"])


def link_dash(kind: str, status: str | None) -> str | None:
    """The stroke-dasharray of a link: dashed when proposed, else dotted or none by kind."""
    if status == "proposed":
        return DASHES["dashed"]
    return DASHES.get(link_style(kind).line)


def link_width(weight: float | None) -> float:
    """Heavier links draw thicker: 1.75 for weight 1 up to 4.75 for weight 5."""
    w = min(max(weight or 1, 1), 5)
    return 1 + 0.75 * w


# Projection -------------------------------------------------------------------------------------


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

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return self.padding + (lon - self.west) * self.kx, self.padding + (self.north - lat) * self.ky

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def projection_for(outline: Outline, width: float = VIEW_WIDTH, padding: float = PADDING) -> Projection:
    """The projection that fits the outline's box into `width` units across, keeping proportions."""
    shrink = math.cos(math.radians((outline.south + outline.north) / 2))
    inner = width - 2 * padding
    ky = inner / ((outline.east - outline.west) * shrink)
    kx = ky * shrink
    height = round(2 * padding + (outline.north - outline.south) * ky, 1)
    return Projection(outline.west, outline.north, kx, ky, width, height, padding)


def organisations(nodes: Iterable[Mapping]) -> list[Mapping]:
    return [n for n in nodes if n.get("kind") == ORGANISATION]


def _order(node: Mapping) -> tuple[str, str]:
    return (str(node.get("ods") or ""), str(node.get("id")))


def place_organisations(nodes: Iterable[Mapping], projection: Projection) -> dict[str, tuple[float, float]]:
    """Each organisation node's id → (x, y).

    Organisations at the same coordinates (a trust and the one it merged into) sit side by side,
    in ODS order, centred on the place; organisations without coordinates wait in a row in the
    top-left corner.
    """
    places: dict[tuple[str, str], list[Mapping]] = {}
    unplaced = []
    for node in organisations(nodes):
        lat, lon = node.get("lat"), node.get("lon")
        if lat is None or lon is None:
            unplaced.append(node)
        else:
            places.setdefault((f"{float(lat):.4f}", f"{float(lon):.4f}"), []).append(node)
    positions = {}
    for group in places.values():
        group = sorted(group, key=_order)
        x0, y0 = projection.point(float(group[0]["lon"]), float(group[0]["lat"]))
        for k, node in enumerate(group):
            positions[str(node["id"])] = (x0 + (k - (len(group) - 1) / 2) * projection.spacing, y0)
    for k, node in enumerate(sorted(unplaced, key=_order)):
        start = projection.padding + projection.spacing / 2
        positions[str(node["id"])] = (start + k * projection.spacing, start)
    return positions


# Markup -----------------------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate to one decimal place, without a trailing .0 (shorter paths)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(**attributes) -> str:
    """SVG attributes, escaped; names with _ become -, None values are left out."""
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for name, value in attributes.items()
        if value is not None
    )


def ring_path(ring: Sequence[tuple[float, float]], projection: Projection) -> str:
    """One ring as path data (M … Z), dropping points that round onto the previous one."""
    points: list[str] = []
    for lon, lat in ring:
        x, y = projection.point(lon, lat)
        point = f"{_n(x)},{_n(y)}"
        if not points or points[-1] != point:
            points.append(point)
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len(points) < 3:
        return ""
    return "M" + " ".join(points) + "Z"


def outline_paths(outline: Outline, projection: Projection) -> list[str]:
    """A <path> per feature: land first, then ICB borders, then the heavier region borders."""
    paths = []
    for kind, (fill, stroke, width) in OUTLINE_STYLES.items():
        for feature in outline.features:
            if feature.kind != kind:
                continue
            d = "".join(ring_path(ring, projection) for polygon in feature.polygons for ring in polygon)
            if not d:
                continue
            paths.append(
                "<path"
                + _attrs(
                    class_=f"app-map-outline app-map-outline--{kind}",
                    d=d,
                    fill=fill,
                    fill_rule="evenodd",
                    stroke=stroke,
                    stroke_width=width or None,
                    stroke_linejoin="round",
                )
                + "><title>"
                + escape(feature.name)
                + "</title></path>"
            )
    return paths


def _attribution(outline: Outline, projection: Projection) -> str:
    """The attribution in two lines, bottom right, over the English Channel."""
    first, _, second = outline.attribution.partition(" Contains ")
    lines = [first, "Contains " + second] if second else [outline.attribution]
    x = _n(projection.width - projection.padding)
    texts = []
    for k, line in enumerate(lines):
        y = _n(projection.height - projection.padding / 2 - (len(lines) - 1 - k) * 11)
        texts.append(f'<text x="{x}" y="{y}">{escape(line)}</text>')
    return (
        '<g class="app-map-attribution"'
        + _attrs(fill=ATTRIBUTION_COLOUR, font_size=9, text_anchor="end", font_family="Arial, sans-serif")
        + ">"
        + "".join(texts)
        + "</g>"
    )


def _svg_open(projection: Projection, **attributes) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg"'
        + _attrs(
            viewBox=f"0 0 {_n(projection.width)} {_n(projection.height)}",
            width=_n(projection.width),
            height=_n(projection.height),
            **attributes,
        )
        + ">"
    )


def percent(value: float | None) -> str:
    """0.5 → '50%'; None → 'Not known'."""
    if value is None:
        return "Not known"
    return f"{round(value * 100):d}%"


def node_summary(node: Mapping, network_names: Mapping[str, str] | None = None) -> str:
    """One line about an organisation: name, ODS code, network, stage, adoption and exposure."""
    network = node.get("network")
    network_text = f", {(network_names or {}).get(network, network)}" if network else ""
    adopted = "adopted" if node.get("adopted") else "not adopted"
    return (
        f"{node.get('name')} ({node.get('ods')}){network_text}: {stage_style(node.get('stage')).label}, {adopted}; "
        f"exposure {percent(node.get('exposure'))}"
    )


def _link_lines(edges: Iterable[Mapping], positions: Mapping[str, tuple[float, float]]) -> list[str]:
    """Learning links as lines; parallel links between one pair are drawn a little apart."""
    pairs: dict[tuple[str, str], list[Mapping]] = {}
    for edge in edges:
        source, target = str(edge.get("source")), str(edge.get("target"))
        if edge.get("kind") == "membership" or source not in positions or target not in positions or source == target:
            continue
        pairs.setdefault((min(source, target), max(source, target)), []).append(edge)
    lines = []
    for (a, b), group in pairs.items():
        (x1, y1), (x2, y2) = positions[a], positions[b]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        nx_, ny_ = -(y2 - y1) / length, (x2 - x1) / length  # unit normal
        for k, edge in enumerate(sorted(group, key=lambda e: (str(e.get("kind")), str(e.get("status"))))):
            offset = (k - (len(group) - 1) / 2) * 4
            kind, status = str(edge.get("kind")), edge.get("status")
            style = link_style(kind)
            lines.append(
                "<line"
                + _attrs(
                    class_=f"app-map-link app-map-link--{kind}"
                    + (" app-map-link--proposed" if status == "proposed" else ""),
                    x1=_n(x1 + nx_ * offset),
                    y1=_n(y1 + ny_ * offset),
                    x2=_n(x2 + nx_ * offset),
                    y2=_n(y2 + ny_ * offset),
                    stroke=style.colour,
                    stroke_width=_n(link_width(edge.get("weight"))),
                    stroke_dasharray=link_dash(kind, status),
                    stroke_linecap="round",
                )
                + "/>"
            )
    return lines


def _node_marks(
    nodes: Sequence[Mapping], positions: Mapping[str, tuple[float, float]], network_names: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    circles, labels = [], []
    for node in sorted(nodes, key=_order):
        x, y = positions[str(node["id"])]
        key = stage_key(node.get("stage"))
        style = STAGE_STYLES[key]
        adopted = bool(node.get("adopted"))
        radius = ADOPTED_RADIUS if adopted else NODE_RADIUS
        circles.append(
            "<circle"
            + _attrs(
                class_=f"app-map-node app-map-node--{key}" + (" app-map-node--adopted" if adopted else ""),
                cx=_n(x),
                cy=_n(y),
                r=_n(radius),
                fill=style.fill,
                stroke=style.stroke,
                stroke_width=3 if adopted else 2,
                data_ods=node.get("ods"),
                data_stage=key,
            )
            + "><title>"
            + escape(node_summary(node, network_names))
            + "</title></circle>"
        )
        label_y = y + radius + 10
        network = node.get("network")
        labels.append(
            f'<text x="{_n(x)}" y="{_n(label_y)}">{escape(str(node.get("ods") or ""))}'
            + (f'<tspan x="{_n(x)}" dy="10" font-size="8">{escape(str(network))}</tspan>' if network else "")
            + "</text>"
        )
    return circles, labels


def network_names(nodes: Iterable[Mapping]) -> dict[str, str]:
    """Network code → name, from the payload's network nodes."""
    return {str(n["network"]): str(n["name"]) for n in nodes if n.get("kind") == "network" and n.get("network")}


def map_svg(
    payload: Mapping, outline: Outline, *, title: str, description: str, id_prefix: str = "spread-map-svg"
) -> str:
    """The whole map: outline, learning links, then organisations coloured by stage, with labels.

    role="img" with its <title> and <desc>; each organisation's circle has a <title> (the tooltip),
    and data-ods / data-stage attributes.
    """
    projection = projection_for(outline)
    nodes = organisations(payload.get("nodes", []))
    positions = place_organisations(nodes, projection)
    names = network_names(payload.get("nodes", []))
    circles, labels = _node_marks(nodes, positions, names)
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    return (
        _svg_open(projection, class_="app-map-svg", role="img", aria_labelledby=f"{title_id} {desc_id}")
        + f'<title id="{title_id}">{escape(title)}</title>'
        + f'<desc id="{desc_id}">{escape(description)} {escape(outline.attribution)}</desc>'
        + '<g class="app-map-outlines">'
        + "".join(outline_paths(outline, projection))
        + "</g>"
        + '<g class="app-map-links">'
        + "".join(_link_lines(payload.get("edges", []), positions))
        + "</g>"
        + '<g class="app-map-nodes">'
        + "".join(circles)
        + "</g>"
        + '<g class="app-map-labels"'
        + _attrs(
            fill=LABEL_COLOUR,
            font_size=10,
            font_weight="bold",
            text_anchor="middle",
            font_family="Arial, sans-serif",
            stroke="#ffffff",
            stroke_width=3,
            stroke_linejoin="round",
            paint_order="stroke",
        )
        + ">"
        + "".join(labels)
        + "</g>"
        + _attribution(outline, projection)
        + "</svg>"
    )
