"""Logging adoption: each call is one transaction that appends an event and keeps the record in step."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ..calendar import today
from ..db import lock_for_writing
from ..editing import EditConflict, InvalidInput
from ..models import Adoption, AdoptionEvent, ChangeIdea, DiscontinuedReason, Organisation, Role, Stage, User, utcnow
from . import rules


class NotPermitted(Exception):
    """The user may not log adoption for this organisation."""


def may_log(user: User, organisation: Organisation) -> bool:
    """Managers and administrators anywhere; faculty only in the networks assigned to them.

    A faculty member with no networks logs nowhere (deny by default): an administrator ticks every
    network in the account form to let someone log everywhere. Every page and the API ask this.
    """
    if user.role in (Role.MANAGER, Role.ADMIN):
        return True
    if user.role is Role.FACULTY:
        return organisation.network_id in {n.id for n in user.networks}
    return False


@dataclass(frozen=True)
class LogResult:
    event: AdoptionEvent
    adoption: Adoption
    became_current: bool


def _organisation_dates(organisation: Organisation) -> rules.OrganisationDates:
    return rules.OrganisationDates(organisation.opened_on, organisation.closed_on)


def _new_event(organisation, idea, data: rules.EventInput, user, channel, corrects_event_id, is_demo, logged_at):
    return AdoptionEvent(
        organisation=organisation,
        change_idea=idea,
        stage=Stage(data.stage),
        effective_date=data.effective_date,
        wards_using=data.wards_using,
        wards_in_scope=data.wards_in_scope,
        note=data.note.strip(),
        evidence_url=data.evidence_url.strip(),
        discontinued_reason=DiscontinuedReason(data.discontinued_reason) if data.discontinued_reason else None,
        corrects_event_id=corrects_event_id,
        logged_by=user,
        logged_at=logged_at or utcnow(),
        channel=channel,
        fingerprint=rules.fingerprint(organisation.ods_code, idea.code, data),
        is_demo=is_demo,
    )


@dataclass(frozen=True)
class NewEvent:
    """One event to append: who it is about and what it says."""

    organisation: Organisation
    idea: ChangeIdea
    data: rules.EventInput


def append_events(
    session: Session,
    user: User | None,
    new_events: list[NewEvent],
    *,
    channel: str = "form",
    corrects_event_id: int | None = None,
    is_demo: bool = False,
    logged_at: datetime | None = None,
) -> list[LogResult]:
    """Append checked events in order and bring each current record in step; does not commit.

    Two flushes whatever the number of events (imports append thousands at once).
    """
    events = [
        _new_event(n.organisation, n.idea, n.data, user, channel, corrects_event_id, is_demo, logged_at)
        for n in new_events
    ]
    session.add_all(events)
    session.flush()
    pairs = {(e.organisation.id, e.change_idea.id) for e in events}
    records = {
        (a.organisation_id, a.change_idea_id): a
        for a in session.scalars(
            select(Adoption)
            .where(
                Adoption.organisation_id.in_({o for o, _ in pairs}),
                Adoption.change_idea_id.in_({i for _, i in pairs}),
            )
            .options(joinedload(Adoption.current_event))
        )
        if (a.organisation_id, a.change_idea_id) in pairs
    }
    results = []
    for event in events:
        key = (event.organisation.id, event.change_idea.id)
        adoption = records.get(key)
        if adoption is None:
            adoption = Adoption(
                organisation=event.organisation,
                change_idea=event.change_idea,
                current_event=event,
                stage=event.stage,
                effective_date=event.effective_date,
                wards_using=event.wards_using,
                wards_in_scope=event.wards_in_scope,
                last_logged_at=event.logged_at,
                last_logged_by=user,
            )
            session.add(adoption)
            records[key] = adoption
            became_current = True
        else:
            current = adoption.current_event
            became_current = rules.is_later((event.effective_date, event.id), (current.effective_date, current.id))
            if became_current:
                adoption.current_event = event
                adoption.stage = event.stage
                adoption.effective_date = event.effective_date
                adoption.wards_using = event.wards_using
                adoption.wards_in_scope = event.wards_in_scope
            adoption.last_logged_at = event.logged_at
            adoption.last_logged_by = user
        _note_first_days(adoption, event)
        results.append(LogResult(event, adoption, became_current))
    session.flush()
    return results


def _note_first_days(adoption: Adoption, event: AdoptionEvent) -> None:
    """Keep the first day at considering, and at implementing or beyond, whatever order events come in."""
    if event.stage == Stage.CONSIDERING:
        adoption.first_considered_on = rules.earliest(adoption.first_considered_on, event.effective_date)
    elif event.stage.at_least(Stage.IMPLEMENTING):
        adoption.first_implemented_on = rules.earliest(adoption.first_implemented_on, event.effective_date)


def append_event(
    session: Session,
    user: User | None,
    organisation: Organisation,
    idea: ChangeIdea,
    data: rules.EventInput,
    **options,
) -> LogResult:
    """Append one checked event (see append_events); does not commit."""
    return append_events(session, user, [NewEvent(organisation, idea, data)], **options)[0]


def log_adoption(
    session: Session,
    user: User,
    organisation: Organisation,
    idea: ChangeIdea,
    data: rules.EventInput,
    *,
    expected_version: int | None,
    channel: str = "form",
    corrects_event_id: int | None = None,
    on_day: date | None = None,
    keep_wards: Collection[str] = (),
) -> LogResult:
    """Check and log one stage move; refuse a stale form. One unit of work: commits.

    expected_version is the record's version the person saw (0 when there was no record yet);
    None skips the check (the API lets clients omit it). keep_wards names the ward fields the person
    left unchanged: when empty, the event carries the record's number for them.
    Raises NotPermitted, InvalidInput (by field; also for an entry that repeats the record) or EditConflict.
    """
    if not may_log(user, organisation):
        raise NotPermitted()
    adoption = _locked_record(session, organisation, idea)
    if adoption is not None:
        data = rules.with_kept_wards(data, (adoption.wards_using, adoption.wards_in_scope), keep_wards)
    errors = rules.event_problems(data, _organisation_dates(organisation), on_day or today())
    if corrects_event_id is not None:
        corrected = session.get(AdoptionEvent, corrects_event_id)
        if corrected is None or corrected.organisation_id != organisation.id or corrected.change_idea_id != idea.id:
            errors["corrects_event_id"] = "Choose an earlier event of this organisation and change idea"
    if errors:
        raise InvalidInput(errors)
    current_version = adoption.row_version if adoption else 0
    if expected_version is not None and expected_version != current_version:
        raise EditConflict(adoption)
    if adoption is not None and corrects_event_id is None and rules.repeats_record(data, _current_state(adoption)):
        raise InvalidInput({"stage": rules.repeat_message(adoption.stage, record_since(session, adoption))})
    try:
        result = append_event(
            session, user, organisation, idea, data, channel=channel, corrects_event_id=corrects_event_id
        )
    except IntegrityError:
        # Only another writer that took no pair lock (an import) can create the record meanwhile.
        session.rollback()
        raise EditConflict(_locked_record(session, organisation, idea)) from None
    session.commit()
    return result


def _locked_record(session: Session, organisation: Organisation, idea: ChangeIdea) -> Adoption | None:
    """The pair's record read fresh, with the pair locked until the transaction ends.

    A row lock alone cannot guard the first event (there is no row to lock yet, so two writers
    both see "no record"): a lock on the pair's name always exists. SQLite's BEGIN IMMEDIATE
    already lets one writer in at a time.
    """
    lock_for_writing(session, f"adoption:{organisation.id}:{idea.id}")
    return session.scalar(
        select(Adoption)
        .where(Adoption.organisation_id == organisation.id, Adoption.change_idea_id == idea.id)
        .options(joinedload(Adoption.current_event))
        .with_for_update(of=Adoption)
        .execution_options(populate_existing=True)
    )


def record_since(session: Session, adoption: Adoption) -> date:
    """The day one record's stage was first reached in its current run (queries.stages_since)."""
    from .queries import EventFilters, records_since  # queries imports this module (may_log)

    pair = EventFilters(organisation=adoption.organisation.ods_code, intervention=adoption.change_idea.code)
    return records_since(session, [adoption], pair)[(adoption.organisation_id, adoption.change_idea_id)]


def _current_state(adoption: Adoption) -> rules.CurrentState:
    current = adoption.current_event
    return rules.CurrentState(
        stage=adoption.stage,
        effective_date=adoption.effective_date,
        wards_using=adoption.wards_using,
        wards_in_scope=adoption.wards_in_scope,
        note=current.note,
        evidence_url=current.evidence_url,
        discontinued_reason=current.discontinued_reason.value if current.discontinued_reason else None,
    )
