"""Reading the audit trail: filtered, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..limits import day_after
from ..models import AuditEvent

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor: str | None = None  # part of an email address
    entity: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _where(stmt, filters: AuditFilters):
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.actor:
        stmt = stmt.where(AuditEvent.actor_email.contains(filters.actor.strip().lower(), autoescape=True))
    if filters.entity:
        stmt = stmt.where(AuditEvent.entity == filters.entity)
    if filters.since:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(filters.since, time(), tzinfo=UTC))
    if filters.until and (end := day_after(filters.until)):
        stmt = stmt.where(AuditEvent.at < datetime.combine(end, time(), tzinfo=UTC))
    return stmt


def audit_page(session: Session, filters: AuditFilters, page: int = 1) -> AuditPage:
    total = session.scalar(_where(select(func.count()).select_from(AuditEvent), filters))
    events = session.scalars(
        _where(select(AuditEvent), filters)
        .order_by(AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return AuditPage(list(events), total, page)


def known_values(session: Session) -> tuple[list[str], list[str]]:
    """The actions and entities that occur, for the filter menus."""
    actions = session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    entities = session.scalars(
        select(AuditEvent.entity).where(AuditEvent.entity != "").distinct().order_by(AuditEvent.entity)
    )
    return list(actions), list(entities)


def changed_fields(event: AuditEvent) -> list[tuple[str, object, object]]:
    """(field, before, after) for each field the event touched."""
    before, after = event.before or {}, event.after or {}
    names = (
        list(after)
        if event.action == "create"
        else list(before)
        if event.action == "delete"
        else sorted(set(before) | set(after))
    )
    return [(name, before.get(name), after.get(name)) for name in names if name != "id"]
