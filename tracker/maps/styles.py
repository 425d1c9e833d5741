"""How the spread map draws stages and learning links: one set of colours for the SVG, the live map
(through the data the page hands to static/map.js), the key and the tables' tags."""

from __future__ import annotations

from dataclasses import dataclass

from .assemble import PROPOSED

NOT_STARTED = "none"  # the stage key of an organisation with no event in scope
SOLID, DOTTED, DASHED = "solid", "dotted", "dashed"


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
    "buddy_pair": LinkStyle("Buddy pair", "#005eb8", SOLID),
    "shared_faculty": LinkStyle("Shared faculty", "#7c2855", SOLID),
    "learning_set": LinkStyle("Learning set", "#007f3b", DOTTED),
    "geographic_neighbour": LinkStyle("Geographic neighbour", "#768692", SOLID),
    "other": LinkStyle("Other", "#425563", DOTTED),
}
DASHES = {DOTTED: "1.5 3.5", DASHED: "7 4"}


def stage_key(stage: str | None) -> str:
    return stage if stage in STAGE_STYLES else NOT_STARTED


def stage_style(stage: str | None) -> StageStyle:
    return STAGE_STYLES[stage_key(stage)]


def link_style(kind: str) -> LinkStyle:
    return LINK_STYLES.get(kind, LINK_STYLES["other"])


def link_line(kind: str, status: str | None) -> str:
    """solid, dotted or dashed: dashed when proposed, else as the kind is drawn."""
    return DASHED if status == PROPOSED else link_style(kind).line


def link_dash(kind: str, status: str | None) -> str | None:
    """The stroke-dasharray of a link: dashed when proposed, else dotted or none by kind."""
    return DASHES.get(link_line(kind, status))


def link_width(weight: float | None) -> float:
    """Heavier links draw thicker: 1.75 for weight 1 up to 4.75 for weight 5."""
    w = min(max(weight or 1, 1), 5)
    return 1 + 0.75 * w
