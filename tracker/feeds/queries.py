"""The feeds' rows: one Core select each (no ORM objects), its columns named and ordered as the data
dictionary says, so a page of a feed of any size is one statement.

Each function builds the select for a feed from resolved filters; tracker.api.feeds reads a page of it. Ideas of draft packages, and their events and records, are left out unless
include_drafts. Monthly coverage is not a select: tracker.reports.service.monthly counts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from ..catalogue.queries import CATALOGUE_ORDER
from ..models import (
    Adoption,
    AdoptionEvent,
    Ambition,
    ChangeIdea,
    ChangePackage,
    Driver,
    Network,
    Organisation,
    User,
)
from ..models.adoption import rank_of
from .dictionary import EVENTS, INTERVENTIONS, ORGANISATIONS, RECORDS, Feed


@dataclass(frozen=True)
class Filters:
    """What a feed is narrowed to; None means any. Codes are already resolved to ids."""

    organisation_id: int | None = None
    idea_id: int | None = None
    ambition_id: int | None = None
    network_id: int | None = None
    since: date | None = None
    until: date | None = None
    logged_since: date | None = None
    open_on: date | None = None
    include_drafts: bool = False


def _select(feed: Feed, expressions: dict) -> Select:
    """The select of the feed's columns, in its order, each labelled with its name."""
    return select(*(expressions[name].label(name) for name in feed.column_names))


def _of_ideas(stmt: Select, idea_column, organisation_column, filters: Filters) -> Select:
    """The filters on a ledger select already joined to the idea's package."""
    if not filters.include_drafts:
        stmt = stmt.where(ChangePackage.is_published)
    if filters.organisation_id is not None:
        stmt = stmt.where(organisation_column == filters.organisation_id)
    if filters.idea_id is not None:
        stmt = stmt.where(idea_column == filters.idea_id)
    if filters.ambition_id is not None:
        stmt = stmt.where(ChangePackage.ambition_id == filters.ambition_id)
    if filters.network_id is not None:
        stmt = stmt.where(Organisation.network_id == filters.network_id)
    return stmt


def _joined(stmt: Select, base, organisation_column, idea_column) -> Select:
    return (
        stmt.select_from(base)
        .join(Organisation, organisation_column == Organisation.id)
        .outerjoin(Network, Organisation.network_id == Network.id)
        .join(ChangeIdea, idea_column == ChangeIdea.id)
        .join(ChangePackage, ChangeIdea.package_id == ChangePackage.id)
        .join(Ambition, ChangePackage.ambition_id == Ambition.id)
    )


def events(filters: Filters) -> Select:
    """Every event, in the order they took effect (ties: the order they were logged)."""
    event, correction = AdoptionEvent, aliased(AdoptionEvent)
    corrected_by = select(func.max(correction.id)).where(correction.corrects_event_id == event.id).scalar_subquery()
    stmt = _select(
        EVENTS,
        {
            "event_id": event.id,
            "effective_date": event.effective_date,
            "ods_code": Organisation.ods_code,
            "organisation_name": Organisation.name,
            "network_code": Network.code,
            "ambition_code": Ambition.code,
            "package_code": ChangePackage.code,
            "intervention_code": ChangeIdea.code,
            "stage": event.stage,
            "stage_rank": rank_of(event.stage),
            "wards_using": event.wards_using,
            "wards_in_scope": event.wards_in_scope,
            "discontinued_reason": event.discontinued_reason,
            "note": event.note,
            "evidence_url": event.evidence_url,
            "corrects_event_id": event.corrects_event_id,
            "corrected_by_event_id": corrected_by,
            "logged_at": event.logged_at,
            # The name the history page shows: the account's name, else its email address.
            "logged_by": func.coalesce(func.nullif(User.name, ""), User.email),
            "channel": event.channel,
            "is_demo": event.is_demo,
        },
    )
    stmt = _joined(stmt, event, event.organisation_id, event.change_idea_id).outerjoin(
        User, event.logged_by_id == User.id
    )
    stmt = _of_ideas(stmt, event.change_idea_id, event.organisation_id, filters)
    if filters.since is not None:
        stmt = stmt.where(event.effective_date >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(event.effective_date <= filters.until)
    if filters.logged_since is not None:
        stmt = stmt.where(event.logged_at >= datetime.combine(filters.logged_since, time(), tzinfo=UTC))
    return stmt.order_by(event.effective_date, event.id)


def records(filters: Filters) -> Select:
    """The current record of every organisation × idea that has one, by ODS code and idea code."""
    record = Adoption
    stmt = _select(
        RECORDS,
        {
            "ods_code": Organisation.ods_code,
            "organisation_name": Organisation.name,
            "network_code": Network.code,
            "ambition_code": Ambition.code,
            "package_code": ChangePackage.code,
            "intervention_code": ChangeIdea.code,
            "stage": record.stage,
            "stage_rank": rank_of(record.stage),
            "effective_date": record.effective_date,
            "stage_since": record.stage_since,
            "wards_using": record.wards_using,
            "wards_in_scope": record.wards_in_scope,
            "first_considered_on": record.first_considered_on,
            "first_implemented_on": record.first_implemented_on,
            "current_event_id": record.current_event_id,
            "version": record.row_version,
            "last_logged_at": record.last_logged_at,
            "is_demo": AdoptionEvent.is_demo,
        },
    )
    stmt = _joined(stmt, record, record.organisation_id, record.change_idea_id).join(
        AdoptionEvent, record.current_event_id == AdoptionEvent.id
    )
    stmt = _of_ideas(stmt, record.change_idea_id, record.organisation_id, filters)
    return stmt.order_by(Organisation.ods_code, ChangeIdea.code)


def organisations(filters: Filters) -> Select:
    """Every organisation (of one network, open on one day, if given), by ODS code."""
    successor = aliased(Organisation)
    stmt = _select(
        ORGANISATIONS,
        {
            "ods_code": Organisation.ods_code,
            "name": Organisation.name,
            "kind": Organisation.kind,
            "network_code": Network.code,
            "network_name": Network.name,
            "town": Organisation.town,
            "latitude": Organisation.latitude,
            "longitude": Organisation.longitude,
            "opened_on": Organisation.opened_on,
            "closed_on": Organisation.closed_on,
            "successor_ods_code": successor.ods_code,
            "membership": Organisation.membership,
            "is_demo": Organisation.is_demo,
        },
    )
    stmt = (
        stmt.select_from(Organisation)
        .outerjoin(Network, Organisation.network_id == Network.id)
        .outerjoin(successor, Organisation.successor_id == successor.id)
    )
    if filters.network_id is not None:
        stmt = stmt.where(Organisation.network_id == filters.network_id)
    if filters.open_on is not None:
        stmt = stmt.where(Organisation.is_open_on(filters.open_on))
    return stmt.order_by(Organisation.ods_code)


def interventions(filters: Filters) -> Select:
    """Every visible change idea (of one ambition, if given), ambition by ambition in catalogue order."""
    driver, parent = aliased(Driver), aliased(Driver)
    stmt = _select(
        INTERVENTIONS,
        {
            "intervention_code": ChangeIdea.code,
            "title": ChangeIdea.title,
            "ambition_code": Ambition.code,
            "ambition_title": Ambition.title,
            "package_code": ChangePackage.code,
            "package_title": ChangePackage.title,
            "package_status": ChangePackage.status,
            # An idea under a secondary driver sits under that driver's parent too.
            "primary_driver": case((driver.parent_id.is_(None), driver.title), else_=parent.title),
            "secondary_driver": case((driver.parent_id.is_not(None), driver.title)),
            "source_url": ChangeIdea.source_url,
            "is_demo": ChangeIdea.is_demo,
        },
    )
    stmt = (
        stmt.select_from(ChangeIdea)
        .join(ChangePackage, ChangeIdea.package_id == ChangePackage.id)
        .join(Ambition, ChangePackage.ambition_id == Ambition.id)
        .outerjoin(driver, ChangeIdea.driver_id == driver.id)
        .outerjoin(parent, driver.parent_id == parent.id)
    )
    if not filters.include_drafts:
        stmt = stmt.where(ChangePackage.is_published)
    if filters.ambition_id is not None:
        stmt = stmt.where(ChangePackage.ambition_id == filters.ambition_id)
    return stmt.order_by(Ambition.position, Ambition.code, *CATALOGUE_ORDER)
