"""The adoption ledger: append-only events, and the current record kept in step with them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.stages import LADDER, DiscontinuedReason, Stage
from .accounts import User
from .base import Base, UTCDateTime, enum_type, utcnow
from .catalogue import ChangeIdea
from .organisations import Organisation


class AdoptionEvent(Base):
    """One stage move, as logged. Never updated or deleted (the database refuses it)."""

    __tablename__ = "adoption_events"
    __table_args__ = (
        CheckConstraint("wards_using IS NULL OR wards_using >= 0", name="wards_using_not_negative"),
        CheckConstraint("wards_in_scope IS NULL OR wards_in_scope >= 0", name="wards_in_scope_not_negative"),
        CheckConstraint(
            "wards_using IS NULL OR wards_in_scope IS NULL OR wards_using <= wards_in_scope",
            name="using_within_scope",
        ),
        CheckConstraint(
            "(stage = 'discontinued') = (discontinued_reason IS NOT NULL)",
            name="reason_when_discontinued",
        ),
        CheckConstraint(
            "discontinued_reason IS NULL OR discontinued_reason <> 'other' OR note <> ''",
            name="note_for_other_reason",
        ),
        Index("ix_adoption_events_latest", "organisation_id", "change_idea_id", "effective_date", "id"),
        # Covering, in the order the window functions over the ledger partition by: no sort, no table reads.
        Index("ix_adoption_events_idea_history", "change_idea_id", "organisation_id", "effective_date", "id", "stage"),
        # The order the history and the events feed are paged in (tracker.api.paging).
        Index("ix_adoption_events_effective", "effective_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    change_idea_id: Mapped[int] = mapped_column(ForeignKey("change_ideas.id", ondelete="RESTRICT"))
    stage: Mapped[Stage] = mapped_column(enum_type(Stage, "stage", 16))
    effective_date: Mapped[date] = mapped_column(Date)
    wards_using: Mapped[int | None] = mapped_column(Integer)
    wards_in_scope: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str] = mapped_column(String(500), default="")
    discontinued_reason: Mapped[DiscontinuedReason | None] = mapped_column(
        enum_type(DiscontinuedReason, "discontinued_reason", 24)
    )
    # A correction is a new event that names the one it corrects; nothing is edited in place.
    corrects_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("adoption_events.id", ondelete="RESTRICT"), index=True
    )
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How it arrived: form, api, import or demo.
    channel: Mapped[str] = mapped_column(String(16), default="form")
    # Fingerprint of the event's content, so a re-imported file adds nothing.
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    is_demo: Mapped[bool] = mapped_column(default=False)

    organisation: Mapped[Organisation] = relationship()
    change_idea: Mapped[ChangeIdea] = relationship()
    logged_by: Mapped[User | None] = relationship()
    corrects: Mapped[AdoptionEvent | None] = relationship(remote_side=[id], back_populates="corrections")
    # The events that name this one: if any, this one is void (tracker.core.ledger).
    corrections: Mapped[list[AdoptionEvent]] = relationship(back_populates="corrects", order_by="AdoptionEvent.id")


IDEA_STATE_COLUMNS = (
    "change_idea_id",
    "effective_date",
    "organisation_id",
    "stage",
    "wards_using",
    "wards_in_scope",
    "first_considered_on",
    "first_implemented_on",
)


class Adoption(Base):
    """The current record per organisation and change idea: what its state is now, under the rule for
    corrections. Derived from the events: who keeps it, and why, is said once in tracker.core.ledger."""

    __tablename__ = "adoptions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "change_idea_id"),
        # Everything the coverage figures read of an idea's pairs (tracker.reports.queries), so both
        # halves of their query, on or before the day and after it, read this index alone.
        Index("ix_adoptions_idea_state", *IDEA_STATE_COLUMNS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    change_idea_id: Mapped[int] = mapped_column(ForeignKey("change_ideas.id", ondelete="RESTRICT"), index=True)
    current_event_id: Mapped[int] = mapped_column(ForeignKey("adoption_events.id", ondelete="RESTRICT"))
    stage: Mapped[Stage] = mapped_column(enum_type(Stage, "stage", 16))
    effective_date: Mapped[date] = mapped_column(Date)
    # The day the stage was reached in its current run (the open spell's since).
    stage_since: Mapped[date] = mapped_column(Date)
    # The current event's ward counts, so coverage as of today reads no event.
    wards_using: Mapped[int | None] = mapped_column(Integer)
    wards_in_scope: Mapped[int | None] = mapped_column(Integer)
    # The latest event logged, whatever its effective date (a backdated one may not be current).
    last_logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # The first day of any event at considering, and at implementing or beyond: as of a day d the
    # first such day on or before d is this one when it is <= d, so medians need no event scan.
    first_considered_on: Mapped[date | None] = mapped_column(Date)
    first_implemented_on: Mapped[date | None] = mapped_column(Date)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship()
    change_idea: Mapped[ChangeIdea] = relationship()
    current_event: Mapped[AdoptionEvent] = relationship(foreign_keys=[current_event_id])
    last_logged_by: Mapped[User | None] = relationship(foreign_keys=[last_logged_by_id])

    __mapper_args__ = {"version_id_col": row_version}


class AdoptionSpell(Base):
    """How long each counting event held: from its effective date until the pair's next counting
    event (by effective date, then id), or open-ended; a void (corrected) event has none, and one
    replaced on its own date by a later-logged event has a spell of no length (starts = ends).

    Derived from the events: who keeps them, and why, is said once in tracker.core.ledger.
    Readers of the state as of a day d take the spell with starts <= d and (ends > d or ends null).
    """

    __tablename__ = "adoption_spells"
    __table_args__ = (
        # The series' scan: an ambition's ideas, the adopted stages, and no table reads.
        Index("ix_adoption_spells_series", "change_idea_id", "stage", "organisation_id", "starts", "ends"),
        # A pair's spells by start: the state of a pair as of a day.
        Index("ix_adoption_spells_pair", "organisation_id", "change_idea_id", "starts", "event_id"),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("adoption_events.id", ondelete="RESTRICT"), primary_key=True, autoincrement=False
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    change_idea_id: Mapped[int] = mapped_column(ForeignKey("change_ideas.id", ondelete="RESTRICT"))
    stage: Mapped[Stage] = mapped_column(enum_type(Stage, "stage", 16))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)
    # The day the stage was reached in its run: an update at the same stage does not move it.
    since: Mapped[date] = mapped_column(Date)
    # The event's ward counts, so coverage as of a past day reads no event.
    wards_using: Mapped[int | None] = mapped_column(Integer)
    wards_in_scope: Mapped[int | None] = mapped_column(Integer)


def rank_of(stage_column):
    """A stage column's place on the ladder in SQL (the ladder's own ranks); 0 for discontinued."""
    return case({stage.value: rank for stage, rank in LADDER.items()}, value=stage_column, else_=0)
