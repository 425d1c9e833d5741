"""One counter that moves whenever anything a computed report reads is written.

Database triggers bump it on new adoption events and on every write to organisations, networks,
change packages and change ideas (the migration that made this table lists them), so no code
path, ORM or bulk insert, can forget to; caches key their results by it and are never stale.
Reading it is one primary-key lookup, whatever the size of the ledger.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base


class DataVersion(Base):
    """A single row (id 1); the triggers insert it if it is missing."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


def data_version(session: Session) -> int:
    """The counter now (0 before the first write)."""
    return session.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0
