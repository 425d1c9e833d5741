"""The "Making Data Count" icons, ours to draw: each one's kind (its colour), letter and words, keyed by
the SPC core's icon names (tracker.core.spc). The words stand beside or behind every icon, so none is
read by its colour alone. The chart page, the summary matrix and the coverage report all use these."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Icon:
    name: str  # the SPC core's name, e.g. "improvement_low"
    kind: str  # what the icon's colour shows: improvement, concern, neutral, common, pass, fail, inconsistent, none
    letter: str  # drawn in the icon: H or L for a special cause's side, P, F or ? for assurance
    short: str  # a few words, beside the icon
    meaning: str  # the full sentence, in the key


VARIATION = {
    icon.name: icon
    for icon in (
        Icon("common_cause", "common", "", "Common cause", "Common cause variation: no significant change."),
        Icon(
            "improvement_high",
            "improvement",
            "H",
            "Improvement (higher)",
            "Special cause variation of an improving nature: the measure is significantly higher.",
        ),
        Icon(
            "improvement_low",
            "improvement",
            "L",
            "Improvement (lower)",
            "Special cause variation of an improving nature: the measure is significantly lower.",
        ),
        Icon(
            "concern_high",
            "concern",
            "H",
            "Concern (higher)",
            "Special cause variation of a concerning nature: the measure is significantly higher.",
        ),
        Icon(
            "concern_low",
            "concern",
            "L",
            "Concern (lower)",
            "Special cause variation of a concerning nature: the measure is significantly lower.",
        ),
        Icon(
            "neutral_high",
            "neutral",
            "H",
            "Neutral (higher)",
            "Special cause variation of a neutral nature (neither direction is better): significantly higher.",
        ),
        Icon(
            "neutral_low",
            "neutral",
            "L",
            "Neutral (lower)",
            "Special cause variation of a neutral nature (neither direction is better): significantly lower.",
        ),
    )
}

ASSURANCE = {
    icon.name: icon
    for icon in (
        Icon("pass", "pass", "P", "Target: pass", "The process is expected to pass the target consistently."),
        Icon("fail", "fail", "F", "Target: fail", "The process is expected to fail the target consistently."),
        Icon(
            "inconsistent",
            "inconsistent",
            "?",
            "Target: hit and miss",
            "The process will hit and miss the target, by common cause variation alone.",
        ),
    )
}

NO_TARGET = Icon("none", "none", "", "No target", "The measure has no target, so there is no assurance icon.")


def variation(name: str | None) -> Icon | None:
    return VARIATION.get(name) if name else None


def assurance(name: str | None) -> Icon:
    return ASSURANCE.get(name, NO_TARGET) if name else NO_TARGET


ASSURANCE_KEY = (*ASSURANCE.values(), NO_TARGET)  # the key lists "no target" too
DRAWN = (*VARIATION.values(), *ASSURANCE.values())  # every icon with a shape
