"""The adoption ladder: the stages an organisation moves through with a change idea, and the
threshold stage that counts as "adopted" in coverage and on the map."""

from __future__ import annotations

import enum


class Stage(enum.StrEnum):
    CONSIDERING = "considering"
    TESTING = "testing"
    IMPLEMENTING = "implementing"
    SPREADING = "spreading"
    SUSTAINED = "sustained"
    DISCONTINUED = "discontinued"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int | None:
        """Place on the ladder (1 = considering … 5 = sustained); discontinued is off the ladder."""
        return LADDER.get(self)

    def at_least(self, threshold: Stage) -> bool:
        return self.rank is not None and threshold.rank is not None and self.rank >= threshold.rank


LADDER = {
    Stage.CONSIDERING: 1,
    Stage.TESTING: 2,
    Stage.IMPLEMENTING: 3,
    Stage.SPREADING: 4,
    Stage.SUSTAINED: 5,
}

STAGE_MEANINGS = {
    Stage.CONSIDERING: "Intent, team forming, planning",
    Stage.TESTING: "PDSA tests on at least one ward",
    Stage.IMPLEMENTING: "In routine use on at least one ward",
    Stage.SPREADING: "Being rolled out to further wards",
    Stage.SUSTAINED: "Embedded, re-checked at least six months after implementing",
    Stage.DISCONTINUED: "Stopped; a reason is recorded",
}


class DiscontinuedReason(enum.StrEnum):
    LEADERSHIP_SUPPORT = "leadership_support"
    STAFFING = "staffing"
    RESOURCES = "resources"
    APPROVALS = "approvals"
    NOT_SUITABLE = "not_suitable"
    REPLACED = "replaced"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "leadership_support": "Lack of leadership support",
            "staffing": "Staffing",
            "resources": "Resources",
            "approvals": "Approvals",
            "not_suitable": "Not suitable here",
            "replaced": "Replaced by another change",
            "other": "Other",
        }[self.value]


DEFAULT_THRESHOLD = Stage.IMPLEMENTING
"""The stage from which an organisation counts as having adopted an idea, unless a page says otherwise."""


def threshold_named(value: str | None) -> Stage:
    """The threshold stage a parameter names (empty means the default); ValueError if it is no ladder stage."""
    if not value:
        return DEFAULT_THRESHOLD
    try:
        stage = Stage(value)
    except ValueError:
        stage = None
    if stage is None or stage.rank is None:
        raise ValueError(f"The threshold stage must be one of {', '.join(s.value for s in LADDER)}")
    return stage
