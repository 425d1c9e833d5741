"""Reminders: what people follow, and the weekly digests sent to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, UTCDateTime, utcnow
from .catalogue import ChangeIdea
from .organisations import Organisation


class Follow(Base):
    """A person following one change idea or one organisation: its news comes in their weekly digest."""

    __tablename__ = "follows"
    __table_args__ = (
        CheckConstraint("(change_idea_id IS NULL) <> (organisation_id IS NULL)", name="one_idea_or_organisation"),
        UniqueConstraint("user_id", "change_idea_id", name="uq_follows_user_id_change_idea_id"),
        UniqueConstraint("user_id", "organisation_id", name="uq_follows_user_id_organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    change_idea_id: Mapped[int | None] = mapped_column(ForeignKey("change_ideas.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    change_idea: Mapped[ChangeIdea | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class DigestSent(Base):
    """One weekly digest sent (or being sent) to one person: at most one per person per ISO week, so
    running `reminders send` again in the same week sends nothing new. Claimed before the mail goes,
    removed again if the mail server refuses it."""

    __tablename__ = "digests_sent"
    __table_args__ = (UniqueConstraint("user_id", "week", name="uq_digests_sent_user_id_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))  # ISO week, "2026-W48"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stale_records: Mapped[int] = mapped_column(Integer, default=0)
    recent_changes: Mapped[int] = mapped_column(Integer, default=0)
    followed_news: Mapped[int] = mapped_column(Integer, default=0)
