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

from sqlalchemy import and_, select
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


def stale_records(
    session: Session, day: date, days: int, network_ids: Collection[int] | None = None
) -> list[StaleRecord]:
    """The records not confirmed for `days` days as of `day`, oldest first, in one statement.

    network_ids None: every network (managers, administrators); a collection: only organisations in those
    networks (faculty), none for an empty one. Left out: discontinued records (nothing is expected of
    them), organisations not open on `day`, and ideas of draft packages (not yet part of the programme).
    """
    if network_ids is not None and not network_ids:
        return []
    stmt = (
        select(Adoption)
        .join(Organisation, Organisation.id == Adoption.organisation_id)
        .join(ChangeIdea, ChangeIdea.id == Adoption.change_idea_id)
        .join(ChangePackage, ChangePackage.id == ChangeIdea.package_id)
        .where(
            is_stale(day, days),
            Organisation.is_open_on(day),
            ChangePackage.is_published,
        )
        .options(joinedload(Adoption.organisation), joinedload(Adoption.change_idea))
        .order_by(Adoption.effective_date, Organisation.name, ChangeIdea.code)
    )
    if network_ids is not None:
        stmt = stmt.where(Organisation.network_id.in_(list(network_ids)))
    return [StaleRecord(record, (day - record.effective_date).days) for record in session.scalars(stmt)]


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
