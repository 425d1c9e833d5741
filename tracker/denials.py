"""Refused requests of people not signed in: counted per hour, route and subnet, not audited one by one.

A client without a session or token that keeps calling the API would otherwise write an audit row per
request (9,145 in 15 s from one client), rows the audit trail must keep for ever. Instead each
(hour, route, subnet, status) is one row whose count is raised by an upsert, atomic on both databases.
The counting is rate-limited: a count stops at ANONYMOUS_DENIALS_PER_HOUR, and once a process has seen
a count full it writes nothing more for it until the hour ends. `flask prune` removes old hours.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import AnonymousDenial

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
NO_ROUTE = "(an address the service does not have)"


def route_of(method: str, rule: str | None) -> str:
    """What a count is kept by: the method and the route's rule ("GET /api/v1/ideas/<code>"), never the path
    itself, which the client chooses: a scan of made-up addresses is one row, not one per address."""
    return f"{method if method in METHODS else 'OTHER'} {rule or NO_ROUTE}"


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def count(
    session: Session, *, route: str, subnet: str, status: int, at: datetime, per_hour: int, full: set[tuple]
) -> bool:
    """Add one refused request to its hour's count; False when the count is full (nothing written).

    full holds the keys this process has seen full (the app keeps it): a flood costs no write after the cap.
    """
    hour = hour_of(at)
    key = (hour, route[:200], subnet[:64], status)
    if key in full:
        return False
    if any(seen[0] != hour for seen in full):
        full.intersection_update({seen for seen in full if seen[0] == hour})
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = AnonymousDenial.__table__
    statement = insert(table).values(hour=hour, route=key[1], subnet=key[2], status=status, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["hour", "route", "subnet", "status"],
        set_={"count": table.c.count + 1},
        where=table.c.count < per_hour,
    ).returning(table.c.count)
    counted = session.execute(statement).scalar()
    if counted is None or counted >= per_hour:
        full.add(key)
    return counted is not None


def total(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.sum(AnonymousDenial.count), 0))) or 0


def prune_before(session: Session, cutoff: datetime, dry_run: bool) -> int:
    """Remove (or, dry, just count) the hours that ended before cutoff; the number of rows."""
    older = AnonymousDenial.hour < hour_of(cutoff)
    if dry_run:
        return session.scalar(select(func.count()).select_from(AnonymousDenial).where(older)) or 0
    return session.execute(delete(AnonymousDenial).where(older)).rowcount
