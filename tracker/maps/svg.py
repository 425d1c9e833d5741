"""The spread map as SVG: pure functions from a Drawing (tracker.maps.drawing) and the outline to markup.

The page puts the SVG inside <noscript>; static/map.js copies it out for printing and, without its
links, organisations and labels, as the background of the interactive map (one copy of the
outline's paths in the page). Positions are the Drawing's (tracker.maps.layout places them), in
the projection's user units, which are also the live map's.

Colours are SVG presentation attributes (fill="#…"), which the CSP allows where style="…" is
refused, plus class names that app.css may refine (for print and forced colours).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from .drawing import Drawing, Line, Mark
from .layout import Projection, projection_for
from .outline import Outline
from .styles import DASHES

NODE_RADIUS = 8.0
ADOPTED_RADIUS = 11.0
LABEL_GAP = 10.0  # from a circle's edge to its label's baseline
OUTLINE_STYLES = {  # kind: (fill, stroke, stroke width); drawn in this order
    "land": ("#e8edee", "none", 0),
    "icb": ("none", "#aeb7bd", 0.6),
    "nhs_region": ("none", "#768692", 1.2),
}
LABEL_COLOUR = "#212b32"
# Whom to engage next: a dark ring round the circle AND a numbered badge (the rank), so that the
# highlight never rests on colour alone (WCAG 1.4.1).
ENGAGE_COLOUR = "#212b32"
ENGAGE_RING_GAP = 4.0  # from the circle's edge to the ring
BADGE_RADIUS = 7.5
ATTRIBUTION_COLOUR = "#4c6272"


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


def _link_lines(drawing: Drawing) -> list[str]:
    """Learning links, one <path> per look (colour, width, line): a national network's thousands of
    links stay a small file. Parallel links between one pair are drawn a little apart."""
    at = {mark.id: (mark.x, mark.y) for mark in drawing.marks}
    pairs: dict[tuple[str, str], list[Line]] = {}
    for line in drawing.lines:
        pairs.setdefault((min(line.source, line.target), max(line.source, line.target)), []).append(line)
    looks: dict[tuple[str, str, float, str, bool], list[str]] = {}
    for (a, b), group in pairs.items():
        (x1, y1), (x2, y2) = at[a], at[b]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        nx_, ny_ = -(y2 - y1) / length, (x2 - x1) / length  # unit normal
        for k, line in enumerate(sorted(group, key=lambda item: (item.kind, item.proposed))):
            offset = (k - (len(group) - 1) / 2) * 4
            segment = (
                f"M{_n(x1 + nx_ * offset)} {_n(y1 + ny_ * offset)}L{_n(x2 + nx_ * offset)} {_n(y2 + ny_ * offset)}"
            )
            looks.setdefault((line.kind, line.colour, line.width, line.line, line.proposed), []).append(segment)
    return [
        "<path"
        + _attrs(
            class_=f"app-map-link app-map-link--{kind}" + (" app-map-link--proposed" if proposed else ""),
            d="".join(segments),
            fill="none",
            stroke=colour,
            stroke_width=_n(width),
            stroke_dasharray=DASHES.get(line),
            stroke_linecap="round",
        )
        + "/>"
        for (kind, colour, width, line, proposed), segments in sorted(looks.items())
    ]


CHARACTER = 6.2  # the width of a label's character (bold, 10 units), about
LINE_HEIGHT = 10.0
CELL = 60.0  # the grid that finds a label's neighbours


def _label_box(mark: Mark, radius: float) -> tuple[float, float, float, float]:
    half = max(len(text) for text in mark.label) * CHARACTER / 2
    top = mark.y + radius + LABEL_GAP - LINE_HEIGHT
    return mark.x - half, top, mark.x + half, top + LINE_HEIGHT * len(mark.label) + 1


def labelled(marks: Sequence[Mark]) -> set[str]:
    """The marks whose label fits: it overlaps no circle and no label drawn before it (in ODS order,
    adopted ones first). Many organisations close together get circles, and the tables name them."""
    boxes: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}

    def cells(box):
        for i in range(int(box[0] // CELL), int(box[2] // CELL) + 1):
            for j in range(int(box[1] // CELL), int(box[3] // CELL) + 1):
                yield i, j

    def add(box):
        for cell in cells(box):
            boxes.setdefault(cell, []).append(box)

    def free(box):
        return not any(
            box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]
            for cell in cells(box)
            for other in boxes.get(cell, ())
        )

    for mark in marks:
        radius = _radius(mark)
        add((mark.x - radius, mark.y - radius, mark.x + radius, mark.y + radius))
    found = set()
    for mark in sorted(marks, key=lambda m: (not m.adopted, m.ods)):
        box = _label_box(mark, _radius(mark))
        if free(box):
            add(box)
            found.add(mark.id)
    return found


def _radius(mark: Mark) -> float:
    return ADOPTED_RADIUS if mark.adopted else NODE_RADIUS


def _node_marks(marks: Sequence[Mark]) -> tuple[list[str], list[str]]:
    circles, labels = [], []
    fits = labelled(marks)
    for mark in marks:
        radius = _radius(mark)
        circles.append(
            "<circle"
            + _attrs(
                class_=f"app-map-node app-map-node--{mark.stage}" + (" app-map-node--adopted" if mark.adopted else ""),
                cx=_n(mark.x),
                cy=_n(mark.y),
                r=_n(radius),
                fill=mark.fill,
                stroke=mark.stroke,
                stroke_width=3 if mark.adopted else 2,
                data_ods=mark.ods,
                data_stage=mark.stage,
            )
            + "><title>"
            + escape(mark.title)
            + "</title></circle>"
        )
        if mark.id not in fits:
            continue
        first, *under = mark.label
        labels.append(
            f'<text x="{_n(mark.x)}" y="{_n(mark.y + radius + LABEL_GAP)}">{escape(first)}'
            + "".join(f'<tspan x="{_n(mark.x)}" dy="10" font-size="8">{escape(text)}</tspan>' for text in under)
            + "</text>"
        )
    return circles, labels


def _engage_marks(marks: Sequence[Mark], engaged: Mapping[str, int]) -> list[str]:
    """A ring and a numbered badge for each organisation to engage next (ODS code → rank)."""
    out = []
    for mark in sorted((m for m in marks if m.ods in engaged), key=lambda m: engaged[m.ods]):
        rank = engaged[mark.ods]
        ring = (ADOPTED_RADIUS if mark.adopted else NODE_RADIUS) + ENGAGE_RING_GAP
        bx, by = mark.x + ring * 0.8, mark.y - ring * 0.8  # the badge sits on the ring, top right
        out.append(
            "<g"
            + _attrs(class_="app-map-engage", data_ods=mark.ods, data_rank=rank)
            + f"><title>To engage next, number {rank}: {escape(mark.title)}</title>"
            + "<circle"
            + _attrs(
                class_="app-map-engage__ring",
                cx=_n(mark.x),
                cy=_n(mark.y),
                r=_n(ring),
                fill="none",
                stroke=ENGAGE_COLOUR,
                stroke_width=2.5,
            )
            + "/><circle"
            + _attrs(
                class_="app-map-engage__badge",
                cx=_n(bx),
                cy=_n(by),
                r=_n(BADGE_RADIUS),
                fill=ENGAGE_COLOUR,
                stroke="#ffffff",
                stroke_width=1.5,
            )
            + "/><text"
            + _attrs(
                x=_n(bx),
                y=_n(by + 3.5),
                fill="#ffffff",
                font_size=10,
                font_weight="bold",
                text_anchor="middle",
                font_family="Arial, sans-serif",
            )
            + f">{rank}</text></g>"
        )
    return out


def map_svg(
    drawing: Drawing,
    outline: Outline,
    *,
    title: str,
    description: str,
    id_prefix: str = "spread-map-svg",
    engaged: Mapping[str, int] | None = None,
) -> str:
    """The whole map: outline, learning links, then organisations coloured by stage, with labels.

    The drawing is on the outline's map (drawing.draw(view, outline)). role="img" with its <title>
    and <desc>; each organisation's circle has a <title> (the tooltip), and data-ods / data-stage
    attributes. `engaged` (ODS code → rank) rings and numbers whom to engage next, over the labels.
    """
    projection = projection_for(outline)
    circles, labels = _node_marks(drawing.marks)
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    return (
        _svg_open(projection, class_="app-map-svg", role="img", aria_labelledby=f"{title_id} {desc_id}")
        + f'<title id="{title_id}">{escape(title)}</title>'
        + f'<desc id="{desc_id}">{escape(description)} {escape(outline.attribution)}</desc>'
        + '<g class="app-map-outlines">'
        + "".join(outline_paths(outline, projection))
        + "</g>"
        + '<g class="app-map-links">'
        + "".join(_link_lines(drawing))
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
        + ('<g class="app-map-engaged">' + "".join(_engage_marks(drawing.marks, engaged)) + "</g>" if engaged else "")
        + _attribution(outline, projection)
        + "</svg>"
    )


def outline_svg(outline: Outline) -> str:
    """The outline and its attribution alone: what the live map is drawn over (decoration: the live
    map is labelled, and the tables carry its content)."""
    projection = projection_for(outline)
    return (
        _svg_open(projection, class_="app-map-svg")
        + '<g class="app-map-outlines">'
        + "".join(outline_paths(outline, projection))
        + "</g>"
        + _attribution(outline, projection)
        + "</svg>"
    )
