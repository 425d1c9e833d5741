"""One value that changes whenever anything a computed report reads is written.

Database triggers give it a new random 64-bit value on every write that computed reports read (the
migrations that made and redefined them list the tables; why triggers own it: tracker.core.ledger).
A value is never reused: a
recreated table, a restored backup written to again, or another database all hold values of their
own, while a restored backup brings back its value together with exactly the data it was drawn
for. Caches key their results by it and are never stale. Reading it is one primary-key lookup,
whatever the size of the ledger.

The row also tells the ledger's appends apart from every other write (migration c4e9a2d7b615):
rest_version moves with every watched write but an appended adoption event, and appended counts
the events appended. incremental() uses them to bring a kept result up to date from the new events
alone, when they are all that changed and there are few of them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import BigInteger, column, select, table
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base

if TYPE_CHECKING:  # the cache needs no models; importing it here only for the type keeps it so
    from ..cache import MetricsCache

T = TypeVar("T")


class DataVersion(Base):
    """A single row (id 1); the triggers insert it if it is missing."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)
    # None until a write other than an appended event has drawn one: then nothing can be brought up to date.
    rest_version: Mapped[int | None] = mapped_column(BigInteger)
    appended: Mapped[int] = mapped_column(BigInteger, server_default="0")


# Built once: every cached page and API answer reads it (a statement costs more to build than to run).
_VERSION_NOW = select(DataVersion.version).where(DataVersion.id == 1)


def data_version(session: Session) -> int:
    """The value now (read afresh, never from the session's identity map). Without the row (it was
    deleted), a new value on every call: nothing cached under one is ever served again."""
    value = session.scalar(_VERSION_NOW)
    return secrets.randbits(64) if value is None else value


def cached(session: Session, cache: MetricsCache, key: tuple, compute: Callable[[], T]) -> T:
    """compute() kept under key and the data version.

    The version is read again after computing, and the result kept only if it has not moved:
    on PostgreSQL (read committed) each statement sees the latest commits, so a write during the
    computation could otherwise put newer figures under an older version, which a restored backup
    might bring back.
    """
    version = data_version(session)
    full_key: Hashable = (*key, version)
    return cache.get_or_compute(full_key, compute, keep=lambda: data_version(session) == version)


# Incremental updates -----------------------------------------------------------------------------

# The most appended events a kept result is brought up to date from; past it, computed afresh (a
# bulk import touches too many pairs for the update to be the cheaper way).
MAX_APPENDED = 200

# The ledger as these queries need it (a table clause: the models import this module's neighbours).
_EVENTS = table(
    "adoption_events", column("id"), column("organisation_id"), column("change_idea_id"), column("logged_at")
)
_LAST = select(_EVENTS.c.id, _EVENTS.c.logged_at).order_by(_EVENTS.c.id.desc()).limit(1)
_MARKS = select(
    DataVersion.version,
    DataVersion.rest_version,
    DataVersion.appended,
    _LAST.with_only_columns(_EVENTS.c.id).scalar_subquery(),
    _LAST.with_only_columns(_EVENTS.c.logged_at).scalar_subquery(),
).where(DataVersion.id == 1)

Pairs = frozenset[tuple[int, int]]  # (organisation id, change idea id)


@dataclass(frozen=True)
class Marks:
    """The state of the data a kept result was computed for: its version, the version of all but the
    ledger's appends, the count of appended events, and the highest event id then with when it was
    logged (a restored backup's ledger may hold another event under that id)."""

    version: int
    rest: int | None
    appended: int
    last_event: int
    last_logged: object = None


@dataclass(frozen=True)
class Kept:
    marks: Marks
    value: object


def marks(session: Session) -> Marks:
    """One statement: the row and the ledger's last event (an index's last entry). Without the row,
    marks matching nothing kept, as data_version() does."""
    row = session.execute(_MARKS).one_or_none()
    if row is None:
        return Marks(secrets.randbits(64), None, 0, 0)
    return Marks(row[0], row[1], row[2], row[3] or 0, row[4])


def appended_pairs(session: Session, since: Marks, now: Marks) -> Pairs | None:
    """The pairs the events appended since `since` name, or None when they cannot be told or are too many.

    Only when nothing but events was written (the same rest_version) and at most MAX_APPENDED
    events: one statement reads the events above the highest id then, and they must be exactly the
    events appended since (on PostgreSQL an id can commit after a higher one: then they are not),
    after the same last event as then (not so in a backup restored since and written to again).
    """
    count = now.appended - since.appended
    if since.rest is None or since.rest != now.rest or not 0 < count <= MAX_APPENDED:
        return None
    rows = session.execute(
        select(_EVENTS.c.id, _EVENTS.c.organisation_id, _EVENTS.c.change_idea_id, _EVENTS.c.logged_at)
        .where(_EVENTS.c.id >= since.last_event)
        .order_by(_EVENTS.c.id)
        .limit(MAX_APPENDED + 2)
    ).all()
    if since.last_event:
        if not rows or (rows[0].id, rows[0].logged_at) != (since.last_event, since.last_logged):
            return None
        rows = rows[1:]
    return frozenset((row.organisation_id, row.change_idea_id) for row in rows) if len(rows) == count else None


def incremental(
    session: Session,
    cache: MetricsCache,
    key: tuple,
    compute: Callable[[], T],
    update: Callable[[T, Pairs], T],
) -> T:
    """compute() kept under key for the state of the data; when only events were appended since,
    update(kept value, the pairs they name) instead of computing afresh.

    update must give what compute() would for the new data, reading only what the pairs change.
    One entry per key (the latest state): a kept result is served while the version holds, brought
    up to date when events were appended, computed afresh after any other write. As cached() does,
    the result is kept only if the data did not move while it was worked out.
    """
    if not cache.size:
        return compute()
    now = marks(session)
    entry_key = (*key, "kept")
    kept = cache.get(entry_key)
    if isinstance(kept, Kept) and kept.marks.version == now.version:
        return kept.value  # type: ignore[return-value]
    pairs = appended_pairs(session, kept.marks, now) if isinstance(kept, Kept) else None
    value = compute() if pairs is None else update(kept.value, pairs)  # type: ignore[union-attr, arg-type]
    if marks(session).version == now.version:
        cache.put(entry_key, Kept(now, value))
    return value
