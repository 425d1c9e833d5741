"""The rules an adoption event must meet, as plain functions over plain values (no database)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlsplit

from ..calendar import people_date
from ..core.opening import closed_by, not_yet_open
from ..core.stages import DiscontinuedReason, Stage

NOTE_MAX = 4000
WARD_FIELDS = ("wards_using", "wards_in_scope")


@dataclass(frozen=True)
class EventInput:
    """What a person (or a file, or an API client) says about one organisation and idea."""

    stage: str
    effective_date: date | None
    wards_using: int | None = None
    wards_in_scope: int | None = None
    note: str = ""
    evidence_url: str = ""
    discontinued_reason: str | None = None


@dataclass(frozen=True)
class OrganisationDates:
    opened_on: date | None
    closed_on: date | None


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def event_problems(data: EventInput, organisation: OrganisationDates, today: date) -> dict[str, str]:
    """Each field's problem (empty when the event is acceptable)."""
    errors: dict[str, str] = {}
    try:
        stage = Stage(data.stage)
    except ValueError:
        errors["stage"] = "Choose a stage: " + ", ".join(s.value for s in Stage)
        stage = None
    day = data.effective_date
    if day is None:
        errors["effective_date"] = "Enter the date the stage took effect"
    elif day > today:
        errors["effective_date"] = "The date cannot be in the future"
    elif not_yet_open(organisation.opened_on, day):
        errors["effective_date"] = (
            f"The organisation opened on {people_date(organisation.opened_on)}: the date cannot be earlier"
        )
    elif closed_by(organisation.closed_on, day):
        errors["effective_date"] = (
            f"The organisation closed on {people_date(organisation.closed_on)}: the date must be earlier"
        )
    for name in ("wards_using", "wards_in_scope"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= 10_000:
            errors[name] = "Enter a whole number of wards from 0 to 10,000"
    if (
        "wards_using" not in errors
        and "wards_in_scope" not in errors
        and data.wards_using is not None
        and data.wards_in_scope is not None
        and data.wards_using > data.wards_in_scope
    ):
        errors["wards_using"] = "Wards using it cannot be more than wards in scope"
    if len(data.note) > NOTE_MAX:
        errors["note"] = f"The note must be {NOTE_MAX:,} characters or fewer"
    if data.evidence_url and (not is_web_url(data.evidence_url) or len(data.evidence_url) > 500):
        errors["evidence_url"] = "Enter a web address starting with http:// or https://"
    reason = None
    if data.discontinued_reason:
        try:
            reason = DiscontinuedReason(data.discontinued_reason)
        except ValueError:
            errors["discontinued_reason"] = "Choose a reason: " + ", ".join(r.value for r in DiscontinuedReason)
    if stage is Stage.DISCONTINUED and reason is None and "discontinued_reason" not in errors:
        errors["discontinued_reason"] = "Say why it was discontinued"
    if stage is not None and stage is not Stage.DISCONTINUED and data.discontinued_reason:
        errors["discontinued_reason"] = "A reason is only given when the stage is discontinued"
    if reason is DiscontinuedReason.OTHER and not data.note.strip():
        errors["note"] = "Say in the note why it was discontinued"
    return errors


def fingerprint(organisation_ods: str, idea_code: str, data: EventInput) -> str:
    """The same event said twice has the same fingerprint (used to skip re-imported rows)."""
    parts = [
        organisation_ods,
        idea_code,
        data.stage,
        data.effective_date.isoformat() if data.effective_date else "",
        "" if data.wards_using is None else str(data.wards_using),
        "" if data.wards_in_scope is None else str(data.wards_in_scope),
        data.note.strip(),
        data.evidence_url.strip(),
        data.discontinued_reason or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def with_kept_wards(data: EventInput, record_wards: tuple[int | None, int | None], keep: Collection[str]) -> EventInput:
    """The event with each ward field named in keep, and left empty, carrying the record's number.

    A person who logs a stage move without touching the ward numbers has not said they changed:
    the new event keeps them, so the trust stays in ward coverage. Clearing them is a choice of its own.
    """
    kept = {
        name: number
        for name, number in zip(WARD_FIELDS, record_wards, strict=True)
        if name in keep and getattr(data, name) is None
    }
    return replace(data, **kept) if kept else data


@dataclass(frozen=True)
class CurrentState:
    """The record as the new event would find it."""

    stage: Stage
    effective_date: date
    wards_using: int | None
    wards_in_scope: int | None
    note: str
    evidence_url: str
    discontinued_reason: str | None


def repeats_record(data: EventInput, current: CurrentState) -> bool:
    """Whether an event only repeats the current record (and so is refused).

    The same stage, dated on or after the current entry, with the same ward numbers, no new note or
    evidence and the same reason, would only move "since". A backdated entry adds history, so it passes.
    """
    return (
        data.stage == current.stage.value
        and data.effective_date is not None
        and data.effective_date >= current.effective_date
        and (data.wards_using, data.wards_in_scope) == (current.wards_using, current.wards_in_scope)
        and data.note.strip() in ("", current.note.strip())
        and data.evidence_url.strip() in ("", current.evidence_url.strip())
        and (data.discontinued_reason or None) == (current.discontinued_reason or None)
    )


def repeat_message(stage: Stage, since: date) -> str:
    return (
        f"This record is already at {stage.label.lower()} since {people_date(since)}: nothing changed, so "
        "nothing was logged. Change the ward numbers, or add a note or evidence, to log an update."
    )
