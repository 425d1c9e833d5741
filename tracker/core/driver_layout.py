"""A change package's driver diagram laid out as the NHS and IHI draw it: plain data in, boxes and lines out.

Four columns, left to right: the aim, the primary drivers, the secondary drivers, the change ideas.
Each box's text is wrapped to its column's width by a character-width estimate (as charts.py keeps
labels apart), so the box grows downwards rather than its text running out of it. Each driver sits
level with the middle of what hangs from it; lines are right-angled connectors that run in the gaps
between columns and, for an idea hung straight from a primary driver, across the empty row of the
secondary column. Gaps are shown, never hidden: a driver with nothing under it gets a dashed "No change
ideas yet" box, and ideas not yet under a driver hang from a dashed group of their own.

Each idea's box is shaded by how many trusts use it (SHADES: a sequential, colour-blind-safe scale of
light to dark blue, text dark or white for contrast), and the count is written in the box, so the
shade never carries the meaning alone. No Flask and no markup: templates/catalogue/_diagram.html draws it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from .charts import LABEL_CHAR_WIDTH

FONT_SIZE = 13
CHAR_WIDTH = LABEL_CHAR_WIDTH * FONT_SIZE / 12  # charts' estimate for 12px labels, scaled to 13px
BOLD_CHAR_WIDTH = CHAR_WIDTH * 1.1
LINE_HEIGHT = 17
PAD_X = 10
PAD_Y = 9
MARGIN = 4
HEADINGS_HEIGHT = 30  # the column titles above the boxes
COLUMNS = (  # (title, width); the gaps between them carry the connectors
    ("Aim", 170),
    ("Primary drivers", 196),
    ("Secondary drivers", 196),
    ("Change ideas", 250),
)
GAP = 40
WIDTH = 2 * MARGIN + sum(width for _, width in COLUMNS) + GAP * (len(COLUMNS) - 1)
SIBLING_GAP = 10  # between boxes under one driver
BRANCH_GAP = 24  # between the blocks of two primary drivers
AIM, PRIMARY, SECONDARY, IDEAS = range(4)


@dataclass(frozen=True)
class Shade:
    """A band of the adoption scale: from `low` trusts up to `high` (None: no upper end)."""

    low: int
    high: int | None
    fill: str
    text: str  # the text colour on this fill (contrast at least 4.5:1)

    @property
    def label(self) -> str:
        if self.high is None:
            return f"{self.low} or more trusts"
        if self.low == self.high:
            return "No trusts" if self.low == 0 else f"{self.low} trust{'' if self.low == 1 else 's'}"
        return f"{self.low} to {self.high} trusts"


DARK, LIGHT = "#212b32", "#ffffff"
# ColorBrewer's single-hue Blues: lightness alone orders them, which every kind of colour vision sees.
SHADES = (
    Shade(0, 0, "#ffffff", DARK),
    Shade(1, 2, "#deebf7", DARK),
    Shade(3, 5, "#9ecae1", DARK),
    Shade(6, 9, "#6baed6", DARK),
    Shade(10, None, "#08519c", LIGHT),
)


def shade_of(count: int) -> int:
    """The index in SHADES of the band holding `count` trusts."""
    for index, shade in enumerate(SHADES):
        if count >= shade.low and (shade.high is None or count <= shade.high):
            return index
    return 0


# In ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Idea:
    code: str
    title: str
    in_use: int = 0  # trusts at implementing or beyond (the adoption threshold)
    starting: int = 0  # trusts considering or testing it


@dataclass(frozen=True)
class Driver:
    key: str  # unique among the package's drivers (its id)
    title: str
    ideas: tuple[Idea, ...] = ()
    children: tuple[Driver, ...] = ()  # secondary drivers (a primary driver's only)


# Out -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextLine:
    x: float
    y: float  # baseline
    text: str
    style: str  # "heading", "code", "title", "count" or "empty": a class of app.css and the width estimate


@dataclass(frozen=True)
class Box:
    key: str  # unique in the diagram: "aim", "driver-<key>", "idea-<code>", "empty-…", "unplaced", "no-drivers"
    kind: str  # "aim", "primary", "secondary", "idea", "empty" (a gap shown) or "unplaced" (the group)
    column: int
    x: float
    y: float
    width: float
    height: float
    lines: tuple[TextLine, ...]
    fill: str
    text_colour: str
    label: str  # the box in words: an idea link's accessible name
    idea_code: str | None = None
    shade: int | None = None  # an idea's band in SHADES
    trusts: str = ""  # an idea's trusts in words, as its box says them

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def middle_y(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Connector:
    source: str  # the keys of the boxes it joins, left to right
    target: str
    points: tuple[tuple[float, float], ...]  # right-angled: horizontal, vertical, horizontal

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y) in enumerate(self.points))


@dataclass(frozen=True)
class Heading:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class DriverDiagramLayout:
    width: float
    height: float
    headings: tuple[Heading, ...]
    boxes: tuple[Box, ...]  # in reading order: each box before what hangs from it
    connectors: tuple[Connector, ...]

    def box(self, key: str) -> Box:
        return next(box for box in self.boxes if box.key == key)

    @property
    def ideas(self) -> tuple[Box, ...]:
        return tuple(box for box in self.boxes if box.kind == "idea")

    @property
    def trusts(self) -> dict[str, str]:
        """Each idea's trusts in words, by its code (for the list that gives the diagram in words)."""
        return {box.idea_code: box.trusts for box in self.ideas}


# Text ----------------------------------------------------------------------------------------


def column_x(column: int) -> float:
    return MARGIN + sum(width for _, width in COLUMNS[:column]) + GAP * column


def char_width(style: str) -> float:
    return BOLD_CHAR_WIDTH if style in ("code", "heading") else CHAR_WIDTH


def wrap(text: str, width: float, style: str = "title") -> list[str]:
    """The text in lines that fit `width` by the estimate; a word too long for a line is broken."""
    chars = max(1, int(width // char_width(style)))
    return textwrap.wrap(" ".join(text.split()), chars, break_long_words=True, break_on_hyphens=True) or [""]


def count_words(idea: Idea) -> list[str]:
    """What an idea's box says of its trusts, as short lines."""
    words = [f"In use at {idea.in_use} trust{'' if idea.in_use == 1 else 's'}" if idea.in_use else "Not in use yet"]
    if idea.starting:
        words.append(f"{idea.starting} more considering or testing")
    return words


def trusts_words(idea: Idea) -> str:
    """The box's count lines as one phrase: "In use at 3 trusts, 2 more considering or testing"."""
    return ", ".join(count_words(idea))


def idea_label(idea: Idea) -> str:
    words = trusts_words(idea)
    return f"{idea.code} {idea.title}: {words[0].lower()}{words[1:]}"


@dataclass
class _Node:
    """A box not yet placed, and what hangs from it."""

    key: str
    kind: str
    column: int
    styled: list[tuple[str, str]]  # (style, text) before wrapping
    label: str
    fill: str = LIGHT
    text_colour: str = DARK
    idea: Idea | None = None
    children: list[_Node] = field(default_factory=list)
    gap: float = SIBLING_GAP

    def lines(self) -> list[tuple[str, str]]:
        width = COLUMNS[self.column][1] - 2 * PAD_X
        return [(style, line) for style, text in self.styled for line in wrap(text, width, style)]

    @property
    def height(self) -> float:
        return 2 * PAD_Y + len(self.lines()) * LINE_HEIGHT

    @property
    def block(self) -> float:
        """The height of this box and everything under it: the taller of the two."""
        if not self.children:
            return self.height
        under = sum(child.block for child in self.children) + self.gap * (len(self.children) - 1)
        return max(self.height, under)


def _idea(idea: Idea) -> _Node:
    shade = SHADES[shade_of(idea.in_use)]
    styled = [("code", idea.code), ("title", idea.title), *(("count", words) for words in count_words(idea))]
    return _Node(f"idea-{idea.code}", "idea", IDEAS, styled, idea_label(idea), shade.fill, shade.text, idea)


def _empty(key: str, column: int, words: str) -> _Node:
    return _Node(f"empty-{key}", "empty", column, [("empty", words)], words, "#f0f4f5")


def _secondary(driver: Driver) -> _Node:
    node = _Node(f"driver-{driver.key}", "secondary", SECONDARY, [("title", driver.title)], driver.title)
    node.children = [_idea(i) for i in driver.ideas] or [_empty(driver.key, IDEAS, "No change ideas yet")]
    return node


def _primary(driver: Driver) -> _Node:
    node = _Node(f"driver-{driver.key}", "primary", PRIMARY, [("heading", driver.title)], driver.title, "#e8edee")
    # Ideas hung straight from the primary driver come first, in rows of their own.
    node.children = [_idea(i) for i in driver.ideas] + [_secondary(c) for c in driver.children]
    if not node.children:
        node.children = [_empty(driver.key, SECONDARY, "No secondary drivers or change ideas yet")]
    return node


def _place(node: _Node, top: float, boxes: list[Box], connectors: list[Connector]) -> Box:
    """Place the node's box level with the middle of its block, then what hangs from it, below `top`."""
    block = node.block
    x, width = column_x(node.column), COLUMNS[node.column][1]
    y = top + (block - node.height) / 2
    lines = tuple(
        TextLine(x + PAD_X, y + PAD_Y + (k + 1) * LINE_HEIGHT - 4, text, style)
        for k, (style, text) in enumerate(node.lines())
    )
    box = Box(
        node.key,
        node.kind,
        node.column,
        x,
        y,
        width,
        node.height,
        lines,
        node.fill,
        node.text_colour,
        node.label,
        node.idea.code if node.idea else None,
        shade_of(node.idea.in_use) if node.idea else None,
        trusts_words(node.idea) if node.idea else "",
    )
    boxes.append(box)
    under = sum(child.block for child in node.children) + node.gap * (len(node.children) - 1)
    child_top = top + (block - under) / 2
    for child in node.children:
        child_box = _place(child, child_top, boxes, connectors)
        child_top += child.block + node.gap
        elbow = box.right + GAP / 2  # in the gap just right of the parent's column
        connectors.append(
            Connector(
                box.key,
                child_box.key,
                (
                    (box.right, box.middle_y),
                    (elbow, box.middle_y),
                    (elbow, child_box.middle_y),
                    (child_box.x, child_box.middle_y),
                ),
            )
        )
    return box


def driver_layout(aim: str, primaries: Sequence[Driver], unplaced: Sequence[Idea] = ()) -> DriverDiagramLayout:
    """The diagram of a package: its aim, its primary drivers in order (each with its secondary drivers and
    ideas), then the ideas not yet placed under a driver."""
    aim = aim.strip() or "No aim recorded yet"
    root = _Node("aim", "aim", AIM, [("heading", aim)], aim, "#425563", LIGHT)
    root.gap = BRANCH_GAP
    root.children = [_primary(p) for p in primaries]
    if not primaries:
        words = "No drivers recorded yet" if unplaced else "No drivers or change ideas recorded yet"
        root.children.append(_Node("no-drivers", "empty", PRIMARY, [("empty", words)], words, "#f0f4f5"))
    if unplaced:
        words = "Not yet placed under a driver"
        group = _Node("unplaced", "unplaced", PRIMARY, [("empty", words)], words, "#f0f4f5")
        group.children = [_idea(i) for i in unplaced]
        root.children.append(group)
    boxes: list[Box] = []
    connectors: list[Connector] = []
    _place(root, MARGIN + HEADINGS_HEIGHT, boxes, connectors)
    headings = tuple(Heading(column_x(k), MARGIN + 16, title) for k, (title, _) in enumerate(COLUMNS))
    height = MARGIN + HEADINGS_HEIGHT + root.block + MARGIN
    return DriverDiagramLayout(WIDTH, height, headings, tuple(boxes), tuple(connectors))
