"""Read queries over the ledger; each runs a fixed number of statements whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload, selectinload

from ..access import may_log_adoption
from ..calendar import today
from ..models import (
    Adoption,
    AdoptionEvent,
    AdoptionSpell,
    Ambition,
    ChangeIdea,
    ChangePackage,
    Driver,
    Network,
    Organisation,
    PackageStatus,
    Stage,
    User,
)
from ..models.adoption import rank_of


@dataclass(frozen=True)
class EventFilters:
    """Which events or records to return; None means any."""

    organisation: str | None = None  # ODS code
    idea: str | None = None  # change idea code
    ambition: str | None = None  # ambition code
    network: str | None = None  # network code
    as_of: date | None = None


def _filtered(stmt: Select, event, filters: EventFilters) -> Select:
    if filters.organisation:
        stmt = stmt.where(
            event.organisation_id
            == select(Organisation.id).where(Organisation.ods_code == filters.organisation).scalar_subquery()
        )
    if filters.idea:
        stmt = stmt.where(
            event.change_idea_id == select(ChangeIdea.id).where(ChangeIdea.code == filters.idea).scalar_subquery()
        )
    if filters.ambition:
        ideas_of_ambition = (
            select(ChangeIdea.id)
            .join(ChangePackage, ChangeIdea.package_id == ChangePackage.id)
            .join(Ambition, ChangePackage.ambition_id == Ambition.id)
            .where(Ambition.code == filters.ambition)
        )
        stmt = stmt.where(event.change_idea_id.in_(ideas_of_ambition))
    if filters.network:
        organisations_in_network = (
            select(Organisation.id)
            .join(Network, Organisation.network_id == Network.id)
            .where(Network.code == filters.network)
        )
        stmt = stmt.where(event.organisation_id.in_(organisations_in_network))
    if filters.as_of:
        stmt = stmt.where(event.effective_date <= filters.as_of)
    return stmt


def _event_loads():
    return (
        joinedload(AdoptionEvent.organisation).joinedload(Organisation.network),
        joinedload(AdoptionEvent.change_idea).joinedload(ChangeIdea.package).joinedload(ChangePackage.ambition),
        joinedload(AdoptionEvent.logged_by),
    )


def published_only(stmt: Select, event) -> Select:
    """The statement without the events or records of ideas in draft packages (done in SQL, so that a
    page of rows is a page of visible rows). NOT IN the few draft ideas, rather than IN the published
    ones: the database then reads in the page's order instead of searching by idea and sorting."""
    drafts = select(ChangeIdea.id).join(ChangePackage, ChangeIdea.package_id == ChangePackage.id)
    return stmt.where(event.change_idea_id.not_in(drafts.where(ChangePackage.status == PackageStatus.DRAFT)))


def events_query(filters: EventFilters = EventFilters(), include_drafts: bool = True) -> Select:
    """Events in the order they took effect (ties: the order they were logged), with their organisation,
    idea and who logged them; each row also holds the id of the latest event correcting it, or None
    (in the same statement, so a page of any size is one statement)."""
    correction = aliased(AdoptionEvent)
    corrected_by = select(func.max(correction.id)).where(correction.corrects_event_id == AdoptionEvent.id)
    stmt = _filtered(select(AdoptionEvent, corrected_by.scalar_subquery()), AdoptionEvent, filters)
    if not include_drafts:
        stmt = published_only(stmt, AdoptionEvent)
    return stmt.options(*_event_loads()).order_by(AdoptionEvent.effective_date, AdoptionEvent.id)


def events(session: Session, filters: EventFilters = EventFilters(), limit: int | None = None) -> list[AdoptionEvent]:
    """Events in the order they took effect (ties: the order they were logged), each with its corrections."""
    stmt = events_query(filters).with_only_columns(AdoptionEvent).options(selectinload(AdoptionEvent.corrections))
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


class RecordAsOf(NamedTuple):
    event: AdoptionEvent  # the record's state on the day
    since: date  # the day its stage was reached in its run then (tracker.core.ledger)


def records_as_of(session: Session, filters: EventFilters = EventFilters()) -> list[RecordAsOf]:
    """Each organisation × idea's state on filters.as_of (today if None), by ODS code and idea code."""
    return [RecordAsOf(event, since) for event, since in session.execute(records_as_of_query(filters))]


def records_as_of_query(filters: EventFilters = EventFilters(), include_drafts: bool = True) -> Select:
    """Each organisation × idea's state on filters.as_of (today if None): the event whose spell holds
    then, so corrected events never, and of one date's events the last logged (tracker.core.ledger).
    Rows of (event, since), with Organisation and ChangeIdea joined (their codes order it).
    """
    spell = AdoptionSpell
    if filters.as_of:
        holding = (spell.starts <= filters.as_of, or_(spell.ends.is_(None), spell.ends > filters.as_of))
    else:
        holding = (spell.ends.is_(None),)
    stmt = (
        select(AdoptionEvent, spell.since)
        .join(spell, spell.event_id == AdoptionEvent.id)
        .where(*holding)
        .options(*_event_loads())
        .join(Organisation, AdoptionEvent.organisation_id == Organisation.id)
        .join(ChangeIdea, AdoptionEvent.change_idea_id == ChangeIdea.id)
        .order_by(Organisation.ods_code, ChangeIdea.code)
    )
    stmt = _filtered(stmt, spell, replace(filters, as_of=None))
    return stmt if include_drafts else published_only(stmt, spell)


def current_records(session: Session, filters: EventFilters = EventFilters()) -> list[Adoption]:
    """The current record of every organisation × idea (the ledger's present state)."""
    event = aliased(AdoptionEvent)
    stmt = (
        select(Adoption)
        .join(event, Adoption.current_event_id == event.id)
        .join(Organisation, Adoption.organisation_id == Organisation.id)
        .join(ChangeIdea, Adoption.change_idea_id == ChangeIdea.id)
        .options(
            joinedload(Adoption.current_event).joinedload(AdoptionEvent.logged_by),
            joinedload(Adoption.organisation).joinedload(Organisation.network),
            joinedload(Adoption.change_idea).joinedload(ChangeIdea.package).joinedload(ChangePackage.ambition),
            joinedload(Adoption.last_logged_by),
        )
        .order_by(Organisation.ods_code, ChangeIdea.code)
    )
    stmt = _filtered(stmt, event, EventFilters(filters.organisation, filters.idea, filters.ambition, filters.network))
    return list(session.scalars(stmt))


def record(session: Session, organisation: Organisation, idea: ChangeIdea) -> Adoption | None:
    return session.scalar(
        select(Adoption)
        .where(Adoption.organisation_id == organisation.id, Adoption.change_idea_id == idea.id)
        .options(joinedload(Adoption.current_event), joinedload(Adoption.last_logged_by))
    )


def history(session: Session, organisation: Organisation, idea: ChangeIdea) -> list[AdoptionEvent]:
    """Every event of one record, newest effective date first (ties: latest logged first), each with
    the event it corrects and its corrections (a corrected event counts for no date)."""
    return list(
        session.scalars(
            select(AdoptionEvent)
            .where(AdoptionEvent.organisation_id == organisation.id, AdoptionEvent.change_idea_id == idea.id)
            .options(
                joinedload(AdoptionEvent.logged_by),
                joinedload(AdoptionEvent.corrects),
                selectinload(AdoptionEvent.corrections),
            )
            .order_by(AdoptionEvent.effective_date.desc(), AdoptionEvent.id.desc())
        )
    )


def adopter_counts(session: Session, idea: ChangeIdea) -> list[tuple[Network | None, Stage, int]]:
    """How many organisations have a record of this idea, by network and stage: one statement."""
    rows = session.execute(
        select(Network, Adoption.stage, func.count())
        .select_from(Adoption)
        .join(Organisation, Adoption.organisation_id == Organisation.id)
        .outerjoin(Network, Organisation.network_id == Network.id)
        .where(Adoption.change_idea_id == idea.id)
        .group_by(Network.id, Adoption.stage)
    )
    return [(network, stage, count) for network, stage, count in rows]


def adopters(
    session: Session, idea: ChangeIdea, network: Network | None = None, offset: int = 0, limit: int | None = None
) -> list[Adoption]:
    """The organisations with a record for this idea (of one network, if given): the peers to ask, furthest
    along first, then longest at it, then by name; the rows from offset, limit of them (all if None)."""
    stmt = (
        select(Adoption)
        .join(Organisation, Adoption.organisation_id == Organisation.id)
        .where(Adoption.change_idea_id == idea.id)
        .options(
            contains_eager(Adoption.organisation).joinedload(Organisation.network),
            joinedload(Adoption.current_event),
            joinedload(Adoption.last_logged_by),
        )
        .order_by(rank_of(Adoption.stage).desc(), Adoption.effective_date, Organisation.name, Organisation.id)
    )
    if network is not None:
        stmt = stmt.where(Organisation.network_id == network.id)
    if limit is not None:
        stmt = stmt.offset(offset).limit(limit)
    return list(session.scalars(stmt).unique())


def organisation_matrix(session: Session, organisation: Organisation) -> tuple[list[Ambition], dict[int, Adoption]]:
    """The catalogue (ambitions › packages › drivers › ideas) and this organisation's record per idea id."""
    ambitions = list(
        session.scalars(
            select(Ambition)
            .options(
                selectinload(Ambition.packages).selectinload(ChangePackage.drivers).selectinload(Driver.ideas),
                selectinload(Ambition.packages).selectinload(ChangePackage.ideas),
            )
            .order_by(Ambition.position, Ambition.code)
        )
    )
    records = session.scalars(
        select(Adoption)
        .where(Adoption.organisation_id == organisation.id)
        .options(joinedload(Adoption.last_logged_by), joinedload(Adoption.current_event))
    )
    return ambitions, {r.change_idea_id: r for r in records}


def visible(rows: list, include_drafts: bool, event=lambda row: row) -> list:
    """Events or records (or rows holding one: `event` finds it), less those of ideas in draft
    packages unless drafts may be seen."""
    if include_drafts:
        return rows
    return [r for r in rows if event(r).change_idea.package.status is not PackageStatus.DRAFT]


def stage_counts(session: Session, organisation: Organisation) -> dict[Stage, int]:
    """How many of the organisation's current records stand at each stage."""
    rows = session.execute(
        select(Adoption.stage, func.count()).where(Adoption.organisation_id == organisation.id).group_by(Adoption.stage)
    )
    return dict(rows.all())  # a Result has keys(): dict() would take it for a mapping


def loggable_organisations(session: Session, user: User) -> list[Organisation]:
    """The open organisations this user may log adoption for (none for trust staff)."""
    if not may_log_adoption(user):
        return []
    day = today()
    organisations = session.scalars(
        select(Organisation).where(Organisation.is_open_on(day)).order_by(Organisation.name)
    )
    return [o for o in organisations if may_log_adoption(user, o)]
