"""Logging adoption: each call is one transaction that appends an event and keeps the record in step."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session, joinedload

from ..access import may_log_adoption
from ..calendar import today
from ..core import ledger
from ..db import lock_for_writing
from ..editing import EditConflict, InvalidInput, check_version, saving
from ..models import (
    Adoption,
    AdoptionEvent,
    AdoptionSpell,
    ChangeIdea,
    DiscontinuedReason,
    Organisation,
    Stage,
    User,
    utcnow,
)
from . import rules


class NotPermitted(Exception):
    """The user may not log adoption for this organisation."""


@dataclass(frozen=True)
class LogResult:
    event: AdoptionEvent
    adoption: Adoption
    became_current: bool


def _committed_dates(session: Session, organisation: Organisation) -> rules.OrganisationDates:
    """The organisation's dates as committed, share-locked until the transaction ends: a closure
    being saved meanwhile (it locks the row) is waited for, then seen."""
    opened_on, closed_on = session.execute(
        select(Organisation.opened_on, Organisation.closed_on)
        .where(Organisation.id == organisation.id)
        .with_for_update(read=True)
    ).one()
    return rules.OrganisationDates(opened_on, closed_on)


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
    """Append checked events in order and bring each pair's current record and spells in step with
    all its events (tracker.core.ledger); does not commit.

    A fixed number of statements whatever the number of events (imports append thousands at once).
    """
    events = [
        _new_event(n.organisation, n.idea, n.data, user, channel, corrects_event_id, is_demo, logged_at)
        for n in new_events
    ]
    session.add_all(events)
    session.flush()
    pairs = {(e.organisation.id, e.change_idea.id) for e in events}
    ledgers = pair_events(session, pairs)
    states = {pair: ledger.derive(events) for pair, events in ledgers.items()}
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
    appended = {e.id: e for e in events}
    for event in events:  # the last event of a pair is its last logged
        key = (event.organisation.id, event.change_idea.id)
        adoption = records.get(key)
        if adoption is None:
            adoption = records[key] = Adoption(organisation=event.organisation, change_idea=event.change_idea)
            session.add(adoption)
        adoption.last_logged_at = event.logged_at
        adoption.last_logged_by = user
    for key, adoption in records.items():
        _follow(session, adoption, states[key], appended)
    _replace_spells(session, ledgers, states)
    session.flush()
    return [
        LogResult(e, records[key], states[key].current.id == e.id)
        for e, key in ((e, (e.organisation.id, e.change_idea.id)) for e in events)
    ]


PAIRS_PER_STATEMENT = 2_000  # two bound parameters a pair: well within SQLite's limit


def pair_events(session: Session, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[ledger.LedgerEvent]]:
    """Every event of the pairs (organisation id, idea id), as derive takes them: one statement for
    up to PAIRS_PER_STATEMENT pairs, each found through the ledger's pair index."""
    found: dict[tuple[int, int], list[ledger.LedgerEvent]] = {pair: [] for pair in pairs}
    ordered = sorted(pairs)
    for start in range(0, len(ordered), PAIRS_PER_STATEMENT):
        rows = session.execute(
            select(
                AdoptionEvent.organisation_id,
                AdoptionEvent.change_idea_id,
                AdoptionEvent.id,
                AdoptionEvent.stage,
                AdoptionEvent.effective_date,
                AdoptionEvent.wards_using,
                AdoptionEvent.wards_in_scope,
                AdoptionEvent.corrects_event_id,
            ).where(
                tuple_(AdoptionEvent.organisation_id, AdoptionEvent.change_idea_id).in_(
                    ordered[start : start + PAIRS_PER_STATEMENT]
                )
            )
        )
        for organisation_id, idea_id, *event in rows:
            found[(organisation_id, idea_id)].append(ledger.LedgerEvent(*event))
    return found


def _follow(session: Session, adoption: Adoption, state: ledger.PairState, appended: dict[int, AdoptionEvent]) -> None:
    """Make the record say what the pair's state is now."""
    current = state.current
    if adoption.current_event_id != current.id or adoption.current_event is None:
        # A correction can make an older event current again: the identity map usually holds it.
        adoption.current_event = appended.get(current.id) or session.get(AdoptionEvent, current.id)
    adoption.stage = current.stage
    adoption.effective_date = current.effective_date
    adoption.stage_since = state.since
    adoption.wards_using = current.wards_using
    adoption.wards_in_scope = current.wards_in_scope
    adoption.first_considered_on = state.first_considered_on
    adoption.first_implemented_on = state.first_implemented_on


SPELLS_PER_STATEMENT = 10_000  # keeps the bound parameters within SQLite's limit


def _replace_spells(session: Session, ledgers: dict, states: dict[tuple[int, int], ledger.PairState]) -> None:
    """Write the pairs' spells afresh (who keeps them, and why: tracker.core.ledger).

    A pair's spells belong to its events, so deleting by those events' ids removes exactly them.
    """
    stale = [e.id for events in ledgers.values() for e in events]
    for start in range(0, len(stale), SPELLS_PER_STATEMENT):
        session.execute(
            delete(AdoptionSpell)
            .where(AdoptionSpell.event_id.in_(stale[start : start + SPELLS_PER_STATEMENT]))
            .execution_options(synchronize_session=False)
        )
    rows = [
        {
            "event_id": s.event.id,
            "organisation_id": organisation_id,
            "change_idea_id": idea_id,
            "stage": s.event.stage,
            "starts": s.starts,
            "ends": s.ends,
            "since": s.since,
            "wards_using": s.event.wards_using,
            "wards_in_scope": s.event.wards_in_scope,
        }
        for (organisation_id, idea_id), state in states.items()
        for s in state.spells
    ]
    if rows:
        session.execute(insert(AdoptionSpell.__table__), rows)


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

    expected_version is the record's version the person saw (0 when there was no record yet); None
    (missing or garbled) is refused (tracker.editing.check_version). keep_wards names the ward fields
    the person left unchanged: when empty, the event carries the record's number for them.
    Raises NotPermitted, InvalidInput (by field; also for an entry that repeats the record) or EditConflict.
    """
    if not may_log_adoption(user, organisation):
        raise NotPermitted()
    adoption = _locked_record(session, organisation, idea)
    if adoption is not None:
        data = rules.with_kept_wards(data, (adoption.wards_using, adoption.wards_in_scope), keep_wards)
    errors = rules.event_problems(data, _committed_dates(session, organisation), on_day or today())
    if corrects_event_id is not None:
        pair = (organisation.id, idea.id)
        problem = ledger.correction_problem(pair_events(session, {pair})[pair], corrects_event_id)
        if problem:
            errors["corrects_event_id"] = problem
    if errors:
        raise InvalidInput(errors)
    check_version(adoption, expected_version)
    if adoption is not None and corrects_event_id is None and rules.repeats_record(data, _current_state(adoption)):
        raise InvalidInput({"stage": rules.repeat_message(adoption.stage, adoption.stage_since)})
    # Only another writer that took no pair lock (an import) can create the record meanwhile.
    with saving(session, adoption, on_integrity=lambda: EditConflict(_locked_record(session, organisation, idea))):
        result = append_event(
            session, user, organisation, idea, data, channel=channel, corrects_event_id=corrects_event_id
        )
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
