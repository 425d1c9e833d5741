"""The rows of the events and records downloads: one statement each, read in chunks.

Plain columns rather than ORM objects, with the organisation, network, idea, package, ambition and
user joined in, and the latest correction of each event as a correlated subquery: a million events
then stream through a worker a chunk at a time (yield_per; a server-side cursor on PostgreSQL)
instead of a million objects and their relationship lists being held at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from ..adoption.queries import published_only
from ..models import Adoption, AdoptionEvent, Ambition, ChangeIdea, ChangePackage, Network, Organisation, User

CHUNK_ROWS = 2_000  # rows fetched (and written out) at a time: a few MB at most


def _shared(event) -> tuple:
    return (
        Organisation.name.label("organisation_name"),
        Organisation.ods_code.label("ods_code"),
        Network.code.label("network_code"),
        Network.name.label("network_name"),
        Ambition.code.label("ambition_code"),
        ChangePackage.code.label("package_code"),
        ChangeIdea.code.label("intervention_code"),
        ChangeIdea.title.label("intervention_title"),
        event.stage.label("stage"),
        event.effective_date.label("effective_date"),
        event.wards_using.label("wards_using"),
        event.wards_in_scope.label("wards_in_scope"),
        event.note.label("note"),
        event.evidence_url.label("evidence_url"),
        event.discontinued_reason.label("discontinued_reason"),
        event.id.label("event_id"),
        event.is_demo.label("is_demo"),
    )


def _joined(stmt: Select, organisation_id, idea_id) -> Select:
    return (
        stmt.join(Organisation, organisation_id == Organisation.id)
        .outerjoin(Network, Organisation.network_id == Network.id)
        .join(ChangeIdea, idea_id == ChangeIdea.id)
        .join(ChangePackage, ChangeIdea.package_id == ChangePackage.id)
        .join(Ambition, ChangePackage.ambition_id == Ambition.id)
    )


def events_statement(include_drafts: bool) -> Select:
    """Every event in the order they took effect (ties: the order they were logged)."""
    correction = aliased(AdoptionEvent)
    corrected_by = select(func.max(correction.id)).where(correction.corrects_event_id == AdoptionEvent.id)
    stmt = select(
        *_shared(AdoptionEvent),
        AdoptionEvent.corrects_event_id.label("corrects_event_id"),
        User.email.label("logged_by"),
        AdoptionEvent.logged_at.label("logged_at"),
        AdoptionEvent.channel.label("channel"),
        corrected_by.scalar_subquery().label("corrected_by"),
    ).select_from(AdoptionEvent)
    stmt = _joined(stmt, AdoptionEvent.organisation_id, AdoptionEvent.change_idea_id).outerjoin(
        User, AdoptionEvent.logged_by_id == User.id
    )
    if not include_drafts:
        stmt = published_only(stmt, AdoptionEvent)
    return stmt.order_by(AdoptionEvent.effective_date, AdoptionEvent.id)


def records_statement(include_drafts: bool) -> Select:
    """The current record of every organisation × idea, by ODS code and idea code."""
    event = aliased(AdoptionEvent)
    stmt = select(
        *_shared(event),
        User.email.label("last_logged_by"),
        Adoption.last_logged_at.label("last_logged_at"),
    ).select_from(Adoption)
    stmt = stmt.join(event, Adoption.current_event_id == event.id)
    stmt = _joined(stmt, Adoption.organisation_id, Adoption.change_idea_id).outerjoin(
        User, Adoption.last_logged_by_id == User.id
    )
    if not include_drafts:
        stmt = published_only(stmt, Adoption)
    return stmt.order_by(Organisation.ods_code, ChangeIdea.code)


def count(session: Session, stmt: Select) -> int:
    """How many rows the statement gives, in one statement."""
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def stream(session: Session, stmt: Select) -> Iterator[Any]:
    """The statement's rows, fetched chunk by chunk (never all at once), then the session closed. Through
    the session's connection, in its transaction: plain rows need none of the ORM's work per row."""
    try:
        yield from session.connection().execute(stmt.execution_options(yield_per=CHUNK_ROWS))
    finally:
        # A streamed response's rows come after the view has returned: end the read (and close its
        # cursor) as soon as the last row is read or the download stops, not when the context ends.
        session.close()
