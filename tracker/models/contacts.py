"""Whom to ask: a record's lead and its Life QI project, an organisation's QI lead, and people's consent to be named.

Kept beside the adoption ledger, not in it. The ledger records stage moves, each dated and never changed;
a lead and a project link are who-to-contact details that change on their own, are cleared, and must stop
showing the moment a person withdraws consent. So they are editable rows keyed by (organisation, idea)
(and by organisation), versioned like every edited row and audited by tracker.audit_trail, and the
ledger's guarantees (append-only, fingerprints, derived spells) stay as they are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, UTCDateTime, utcnow
from .catalogue import ChangeIdea
from .organisations import Organisation


class ContactConsent(Base):
    """A person's consent to be shown as a contact, one row per account: who recorded it and when, and
    when it was withdrawn. A name shows wherever the person is a lead while it is in force, and nowhere
    once withdrawn; only the person may give it again after withdrawing."""

    __tablename__ = "contact_consents"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The person themselves, or whoever named them as a lead and says they agreed.
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    given_by: Mapped[User | None] = relationship(foreign_keys=[given_by_id])

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def id(self) -> int:
        """The key by which tracker.editing.saving() finds the row again after a lost race."""
        return self.user_id

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class AdoptionLead(Base):
    """The lead to contact about one organisation's use of one change idea, and its Life QI project."""

    __tablename__ = "adoption_leads"
    __table_args__ = (UniqueConstraint("organisation_id", "change_idea_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    change_idea_id: Mapped[int] = mapped_column(ForeignKey("change_ideas.id", ondelete="RESTRICT"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    lifeqi_url: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship()
    change_idea: Mapped[ChangeIdea] = relationship()
    lead: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": row_version}


class OrganisationLead(Base):
    """An organisation's quality improvement (QI) lead."""

    __tablename__ = "organisation_leads"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship()
    lead: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def id(self) -> int:
        """The key by which tracker.editing.saving() finds the row again after a lost race."""
        return self.organisation_id
