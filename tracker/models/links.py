"""Learning links between organisations: the relationships spread travels along."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, utcnow
from .organisations import Organisation


class LinkKind(enum.StrEnum):
    BUDDY_PAIR = "buddy_pair"
    SHARED_FACULTY = "shared_faculty"
    LEARNING_SET = "learning_set"
    GEOGRAPHIC_NEIGHBOUR = "geographic_neighbour"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class LinkStatus(enum.StrEnum):
    """Proposed links (e.g. nearest neighbours suggested by the seed) are drawn but not counted."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"


class LearningLink(Base):
    """An undirected link; stored with the lower organisation id first so each pair has one row per kind."""

    __tablename__ = "learning_links"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "kind"),
        CheckConstraint("source_id < target_id", name="ordered_pair"),
        CheckConstraint("weight BETWEEN 1 AND 5", name="weight_range"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LinkKind] = mapped_column(enum_type(LinkKind, "link_kind", 24))
    weight: Mapped[int] = mapped_column(Integer, default=3)
    note: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[LinkStatus] = mapped_column(enum_type(LinkStatus, "link_status", 16), default=LinkStatus.CONFIRMED)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    source: Mapped[Organisation] = relationship(foreign_keys=[source_id])
    target: Mapped[Organisation] = relationship(foreign_keys=[target_id])

    __mapper_args__ = {"version_id_col": row_version}
