"""An ambition's dated targets: add and edit those the programme team sets; the published ones stay.

A target counts reach or ward coverage (measure) and aims at a share (value, a percentage from 0 to
100) by its date, for the whole programme or one network. A date already passed is allowed (a target
kept for the record) and the caller says so. The published targets from the reference data
(is_reference) are refused here, whoever asks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...editing import InvalidInput, check_version, commit_edit
from ...models import Ambition, AmbitionTarget, Network, TargetMeasure
from .common import check_lengths, next_position, refuse, web_address_problem

READ_ONLY = (
    "This is a published programme target: it stays as published and cannot be changed in the app. "
    "Add a target of your own instead."
)
LABEL_TAKEN = "This ambition already has a target with this name. Choose another name"
CHOOSE_MEASURE = "Choose what the target counts: reach or ward coverage"
ENTER_VALUE = "Enter the share the target aims at, as a percentage from 0 to 100"
VALUE_RANGE = "The share must be a percentage from 0 to 100, like 80 or 72.5"
ENTER_DATE = "Enter the date the target is due by"
CHOOSE_NETWORK = "Choose the whole programme or one of the networks"
LABELS = {"label": "Name", "source_url": "Source web address"}


@dataclass
class TargetDetails:
    label: str
    text: str
    target_date: date | None
    measure: str  # as sent: TargetMeasure's values are the ones allowed
    value: float | None  # a percentage
    network_id: int | None = None
    source_url: str = ""


def _check(session: Session, ambition: Ambition, details: TargetDetails, target: AmbitionTarget | None) -> None:
    errors: dict[str, str] = {}
    label = details.label.strip()
    if not label:
        errors["label"] = "Enter a name for the target, like Board 2026"
    else:
        others = select(AmbitionTarget.id).where(
            AmbitionTarget.ambition_id == ambition.id, AmbitionTarget.label == label
        )
        if target is not None:
            others = others.where(AmbitionTarget.id != target.id)
        if session.scalar(others) is not None:
            errors["label"] = LABEL_TAKEN
    if not details.text.strip():
        errors["text"] = "Enter what the target says"
    if details.target_date is None:
        errors["target_date"] = ENTER_DATE
    if details.measure not in {m.value for m in TargetMeasure}:
        errors["measure"] = CHOOSE_MEASURE
    if details.value is None:
        errors["value"] = ENTER_VALUE
    elif not math.isfinite(details.value) or not 0 <= details.value <= 100:
        errors["value"] = VALUE_RANGE
    if details.network_id is not None and session.get(Network, details.network_id) is None:
        errors["network_id"] = CHOOSE_NETWORK
    if problem := web_address_problem(details.source_url):
        errors["source_url"] = problem
    check_lengths(errors, details, AmbitionTarget, LABELS)
    refuse(errors)


def _apply(target: AmbitionTarget, details: TargetDetails) -> None:
    target.label = details.label.strip()
    target.text = details.text.strip()
    target.target_date = details.target_date
    target.measure = TargetMeasure(details.measure)
    target.value = details.value
    target.network_id = details.network_id
    target.source_url = details.source_url


def _taken() -> InvalidInput:
    return InvalidInput({"label": LABEL_TAKEN})


def create_target(session: Session, ambition: Ambition, details: TargetDetails) -> AmbitionTarget:
    """Add a target of the programme team's own, after the ambition's others."""
    _check(session, ambition, details, None)
    # By id, not through ambition.targets: adding a target is not a change to the ambition's own row.
    target = AmbitionTarget(
        ambition_id=ambition.id,
        position=next_position(session, AmbitionTarget.position, AmbitionTarget.ambition_id == ambition.id),
    )
    _apply(target, details)
    session.add(target)
    commit_edit(session, on_integrity=_taken)
    return target


def update_target(
    session: Session, target: AmbitionTarget, details: TargetDetails, expected_version: int | None
) -> AmbitionTarget:
    """Change a target the programme team set; the published ones are refused."""
    if target.is_reference:
        raise InvalidInput({"form": READ_ONLY})
    check_version(target, expected_version)
    _check(session, target.ambition, details, target)
    _apply(target, details)
    commit_edit(session, target, on_integrity=_taken)
    return target


def is_past(target: AmbitionTarget, today: date) -> bool:
    """Whether the target's date has passed: it is kept for the record, and judged on its date's figure."""
    return target.target_date is not None and target.target_date < today
