"""Records that need an update: how long ago each was last confirmed, and which have gone stale.

A record was last confirmed on its current entry's effective date (Adoption.effective_date): the day the
latest entry says the stage held. An entry backdated today says what held then, not that the stage still
holds, so the day it was logged does not count. Pure queries over a session (no Flask): the Needs an
update page, the weekly digest and the My work pages share them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload

from ..models import Adoption, ChangeIdea, ChangePackage, Organisation, Stage

DEFAULT_STALE_AFTER_DAYS = 90


@dataclass(frozen=True)
class StaleRecord:
    record: Adoption
    days: int  # since it was last confirmed

    @property
    def organisation(self) -> Organisation:
        return self.record.organisation

    @property
    def idea(self) -> ChangeIdea:
        return self.record.change_idea


def stale_before(day: date, days: int) -> date:
    """Records last confirmed before this day are stale on `day`: those not confirmed for `days` days or
    more (confirmed 90 days ago, a record has gone 90 days without confirmation)."""
    return day - timedelta(days=days - 1)


def is_stale(day: date, days: int):
    """The rule, as a condition on Adoption: not confirmed for `days` days on `day`, and not discontinued
    (nothing is expected of a record that stopped)."""
    return and_(Adoption.effective_date < stale_before(day, days), Adoption.stage != Stage.DISCONTINUED)


def _stale(day: date, days: int, network_ids: Collection[int] | None):
    """The stale records' conditions (over Adoption joined to its organisation, idea and package)."""
    conditions = [is_stale(day, days), Organisation.is_open_on(day), ChangePackage.is_published]
    if network_ids is not None:
        conditions.append(Organisation.network_id.in_(list(network_ids)))
    return conditions


def _joined(stmt):
    return (
        stmt.join(Organisation, Organisation.id == Adoption.organisation_id)
        .join(ChangeIdea, ChangeIdea.id == Adoption.change_idea_id)
        .join(ChangePackage, ChangePackage.id == ChangeIdea.package_id)
    )


def stale_records(
    session: Session,
    day: date,
    days: int,
    network_ids: Collection[int] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[StaleRecord]:
    """The records not confirmed for `days` days as of `day`, oldest first, in one statement (a page of
    them from `offset` when `limit` is given).

    network_ids None: every network (managers, administrators); a collection: only organisations in those
    networks (faculty), none for an empty one. Left out: discontinued records (nothing is expected of
    them), organisations not open on `day`, and ideas of draft packages (not yet part of the programme).
    """
    if network_ids is not None and not network_ids:
        return []
    stmt = (
        _joined(select(Adoption))
        .where(*_stale(day, days, network_ids))
        .options(joinedload(Adoption.organisation), joinedload(Adoption.change_idea))
        .order_by(Adoption.effective_date, Organisation.name, ChangeIdea.code, Adoption.id)
    )
    if limit is not None:
        stmt = stmt.offset(offset).limit(limit)
    return [StaleRecord(record, (day - record.effective_date).days) for record in session.scalars(stmt)]


@dataclass(frozen=True)
class StaleInNetwork:
    network_id: int | None  # None: organisations in no network
    records: int
    oldest: date  # the earliest last confirmation among them


def stale_by_network(
    session: Session, day: date, days: int, network_ids: Collection[int] | None = None
) -> list[StaleInNetwork]:
    """How many records are stale in each network (only networks with some), in one statement."""
    if network_ids is not None and not network_ids:
        return []
    rows = session.execute(
        _joined(select(Organisation.network_id, func.count(Adoption.id), func.min(Adoption.effective_date)))
        .where(*_stale(day, days, network_ids))
        .group_by(Organisation.network_id)
    )
    return [StaleInNetwork(network_id, count, oldest) for network_id, count, oldest in rows]


def ago(then: date, day: date) -> str:
    """How long before `day` a date was, as people say it: "today", "3 days ago", "4 months ago"."""
    days = (day - then).days
    if days < 0:
        return "in the future"
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    months = (day.year - then.year) * 12 + day.month - then.month - (day.day < then.day)
    if months < 24:
        return f"{months} months ago"
    return f"{months // 12} years ago"
