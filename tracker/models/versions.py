"""One value that changes whenever anything a computed report reads is written.

Database triggers give it a new random 64-bit value on every write that computed reports read (the
migrations that made and redefined them list the tables; why triggers own it: tracker.core.ledger).
A value is never reused: a
recreated table, a restored backup written to again, or another database all hold values of their
own, while a restored backup brings back its value together with exactly the data it was drawn
for. Caches key their results by it and are never stale. Reading it is one primary-key lookup,
whatever the size of the ledger.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import BigInteger, select
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
