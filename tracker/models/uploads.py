"""Checked import files waiting for their confirmation: in the database, so any server may confirm."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class CheckedUpload(Base):
    """The bytes of an import file that passed its check, until it is confirmed or expires.

    Not the record of anything: the import's writes are the ledger and are audited; this copy is
    removed on confirmation and once older than IMPORT_CONFIRM_SECONDS (by the next import checked,
    or by `flask prune`: tracker.retention).
    """

    __tablename__ = "checked_uploads"

    # A random name (secrets.token_urlsafe(24)), carried by the signed confirmation ticket.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # "adoption-import" or "values-import": one import's ticket cannot load another's file.
    kind: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
