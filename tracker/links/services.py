"""Record, change, confirm and delete learning links between organisations.

Each function is one unit of work: it checks every rule, writes and commits, or raises InvalidInput
(by field: source, target, kind, weight, note, start_date, end_date) / EditConflict having written
nothing. The pages and the API both call these, so the rules live here, not in the forms.

A link is undirected: whichever way round it is entered, it is stored with the organisation of the
lower id as its source, so a pair has one row per kind and a duplicate "the other way round" is the
same row (the database's unique constraint and ordered-pair check say so too).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ..editing import InvalidInput, check_version, commit_edit
from ..models import LearningLink, LinkKind, LinkStatus, Organisation

WEIGHTS = range(1, 6)
DEFAULT_WEIGHT = 3
NOTE_MAX = 2000

CHOOSE_SOURCE = "Choose the first organisation"
CHOOSE_TARGET = "Choose the second organisation"
CHOOSE_KIND = "Choose the kind of link"
SELF_LINK = "An organisation cannot be linked to itself"
WEIGHT_RANGE = "Choose a weight from 1 to 5"
NOTE_TOO_LONG = f"The note must be {NOTE_MAX:,} characters or fewer"
ENDS_BEFORE_START = "The end date must be the same as or after the start date"


def unknown_organisation(code: str) -> str:
    return f"No organisation has the ODS code {code}"


def duplicate(kind: LinkKind) -> str:
    return f"These organisations already have a {kind.label.lower()} link"


def ordered(a: Organisation, b: Organisation) -> tuple[Organisation, Organisation]:
    """The pair as it is stored: lower organisation id first."""
    return (a, b) if a.id < b.id else (b, a)


def _organisations(
    session: Session, source_ods: str, target_ods: str, errors: dict[str, str]
) -> tuple[Organisation | None, Organisation | None]:
    """The two organisations named by ODS code, reporting blank, unknown and identical codes."""
    codes = {"source": (source_ods or "").strip().upper(), "target": (target_ods or "").strip().upper()}
    wanted = [code for code in codes.values() if code]
    found = (
        {o.ods_code: o for o in session.scalars(select(Organisation).where(Organisation.ods_code.in_(wanted)))}
        if wanted
        else {}
    )
    chosen: dict[str, Organisation | None] = {}
    for field, code in codes.items():
        chosen[field] = found.get(code)
        if not code:
            errors[field] = CHOOSE_SOURCE if field == "source" else CHOOSE_TARGET
        elif chosen[field] is None:
            errors[field] = unknown_organisation(code)
    if codes["source"] and codes["source"] == codes["target"] and "target" not in errors:
        errors["target"] = SELF_LINK
    return chosen["source"], chosen["target"]


def _kind(kind: Any, errors: dict[str, str]) -> LinkKind | None:
    try:
        return LinkKind(kind.strip() if isinstance(kind, str) else kind)
    except (TypeError, ValueError):
        errors["kind"] = CHOOSE_KIND
        return None


def _check_values(
    weight: Any, note: str, start_date: date | None, end_date: date | None, errors: dict[str, str]
) -> None:
    if isinstance(weight, bool) or not isinstance(weight, int) or weight not in WEIGHTS:
        errors["weight"] = WEIGHT_RANGE
    if len(note) > NOTE_MAX:
        errors["note"] = NOTE_TOO_LONG
    if start_date is not None and end_date is not None and end_date < start_date:
        errors["end_date"] = ENDS_BEFORE_START


def _existing(session: Session, first: Organisation, second: Organisation, kind: LinkKind) -> LearningLink | None:
    """The link of this kind between the two organisations, whichever way round it was given."""
    source, target = ordered(first, second)
    return session.scalar(
        select(LearningLink).where(
            and_(
                LearningLink.source_id == source.id,
                LearningLink.target_id == target.id,
                LearningLink.kind == kind,
            )
        )
    )


def _checked(
    session: Session,
    source_ods: str,
    target_ods: str,
    kind: Any,
    weight: Any,
    note: str,
    start_date: date | None,
    end_date: date | None,
    editing: LearningLink | None = None,
) -> tuple[Organisation, Organisation, LinkKind]:
    """The ordered pair and kind, once every rule holds; else InvalidInput naming each problem."""
    errors: dict[str, str] = {}
    source, target = _organisations(session, source_ods, target_ods, errors)
    link_kind = _kind(kind, errors)
    _check_values(weight, note, start_date, end_date, errors)
    if source is not None and target is not None and link_kind is not None and "target" not in errors:
        other = _existing(session, source, target, link_kind)
        if other is not None and other is not editing:
            errors["target"] = duplicate(link_kind)
    if errors:
        raise InvalidInput(errors)
    assert source is not None and target is not None and link_kind is not None
    source, target = ordered(source, target)
    return source, target, link_kind


def _duplicate(session: Session, source: Organisation, target: Organisation, kind: LinkKind) -> InvalidInput | None:
    """After an IntegrityError: a duplicate that another request wrote first (PostgreSQL; SQLite
    serialises writers, so the check before the write sees it) is refused as InvalidInput."""
    if _existing(session, source, target, kind) is not None:
        return InvalidInput({"target": duplicate(kind)})
    return None


def create_link(
    session: Session,
    source_ods: str,
    target_ods: str,
    kind: LinkKind | str,
    weight: int = DEFAULT_WEIGHT,
    note: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
    status: LinkStatus = LinkStatus.CONFIRMED,
    is_demo: bool = False,
) -> LearningLink:
    """Record a learning link between two organisations (by ODS code, in either order)."""
    note = (note or "").strip()
    source, target, link_kind = _checked(session, source_ods, target_ods, kind, weight, note, start_date, end_date)
    link = LearningLink(
        source=source,
        target=target,
        kind=link_kind,
        weight=weight,
        note=note,
        start_date=start_date,
        end_date=end_date,
        status=LinkStatus(status),
        is_demo=is_demo,
    )
    session.add(link)
    commit_edit(session, on_integrity=lambda: _duplicate(session, source, target, link_kind))
    return link


def update_link(
    session: Session,
    link: LearningLink,
    source_ods: str,
    target_ods: str,
    kind: LinkKind | str,
    weight: int,
    note: str,
    start_date: date | None,
    end_date: date | None,
    expected_version: int | None,
) -> LearningLink:
    """Change a link's organisations, kind, weight, note and dates; its status stays as it is."""
    check_version(link, expected_version)
    note = (note or "").strip()
    source, target, link_kind = _checked(
        session, source_ods, target_ods, kind, weight, note, start_date, end_date, editing=link
    )
    link.source, link.target, link.kind = source, target, link_kind
    link.weight, link.note = weight, note
    link.start_date, link.end_date = start_date, end_date
    commit_edit(session, link, on_integrity=lambda: _duplicate(session, source, target, link_kind))
    return link


def confirm_link(session: Session, link: LearningLink, expected_version: int | None) -> LearningLink:
    """Confirm a proposed link, so that it counts; a confirmed link is left as it is."""
    check_version(link, expected_version)
    if link.status is LinkStatus.CONFIRMED:
        return link
    link.status = LinkStatus.CONFIRMED
    commit_edit(session, link)
    return link


def delete_link(session: Session, link: LearningLink, expected_version: int | None) -> None:
    """Delete a link. EditConflict (current None) if someone else deleted it first."""
    check_version(link, expected_version)
    session.delete(link)
    commit_edit(session, link)
