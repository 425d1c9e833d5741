"""Outcome, process and balancing measures; the inpatient wards values may be recorded for; monthly
values; and the points where a chart's limits are worked out afresh (rebases)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.opening import open_on
from .base import Base, UTCDateTime, enum_type, utcnow
from .catalogue import Ambition
from .organisations import Network, Organisation


class MeasureKind(enum.StrEnum):
    """The three kinds of measure in a quality-improvement measurement plan."""

    OUTCOME = "outcome"
    PROCESS = "process"
    BALANCING = "balancing"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Direction(enum.StrEnum):
    """Which way is better; the SPC core's improvement direction (tracker.core.spc.DIRECTIONS)."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"

    @property
    def label(self) -> str:
        return {"increase": "Higher is better", "decrease": "Lower is better", "neutral": "Neither"}[self.value]


class WardService(enum.StrEnum):
    ADULT_ACUTE = "adult_acute"
    PICU = "picu"
    OLDER_ADULT = "older_adult"
    CHILDREN_YOUNG_PEOPLE = "children_young_people"
    FORENSIC = "forensic"
    LEARNING_DISABILITY_AUTISM = "learning_disability_autism"
    REHABILITATION = "rehabilitation"
    EATING_DISORDERS = "eating_disorders"
    PERINATAL = "perinatal"
    OTHER = "other"

    @property
    def label(self) -> str:
        return WARD_SERVICE_LABELS[self]


WARD_SERVICE_LABELS = {
    WardService.ADULT_ACUTE: "Adult acute",
    WardService.PICU: "Psychiatric intensive care (PICU)",
    WardService.OLDER_ADULT: "Older adult",
    WardService.CHILDREN_YOUNG_PEOPLE: "Children and young people",
    WardService.FORENSIC: "Forensic (secure)",
    WardService.LEARNING_DISABILITY_AUTISM: "Learning disability and autism",
    WardService.REHABILITATION: "Rehabilitation",
    WardService.EATING_DISORDERS: "Eating disorders",
    WardService.PERINATAL: "Perinatal (mother and baby)",
    WardService.OTHER: "Other",
}


class Measure(Base):
    """A measure of an ambition: numerator over an optional denominator, times a scale.

    A count has no denominator (scale 1); a rate such as "restraints per 1,000 occupied bed days"
    has numerator "Restraint incidents", denominator "Occupied bed days" and scale 1000.
    """

    __tablename__ = "measures"
    __table_args__ = (
        CheckConstraint("scale >= 1", name="scale_positive"),
        UniqueConstraint("ambition_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    ambition_id: Mapped[int] = mapped_column(ForeignKey("ambitions.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MeasureKind] = mapped_column(enum_type(MeasureKind, "measure_kind", 16))
    unit: Mapped[str] = mapped_column(String(120))
    numerator: Mapped[str] = mapped_column(String(200))
    denominator: Mapped[str] = mapped_column(String(200), default="")
    scale: Mapped[int] = mapped_column(Integer, default=1)
    direction: Mapped[Direction] = mapped_column(enum_type(Direction, "improvement_direction", 16))
    target: Mapped[float | None] = mapped_column(Float)
    definition: Mapped[str] = mapped_column(Text, default="")
    # Who names the measure, and what is ours: e.g. the rate's scale when no source gives one.
    source_note: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(default=False)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    ambition: Mapped[Ambition] = relationship()

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def is_rate(self) -> bool:
        return bool(self.denominator)


class Ward(Base):
    """An inpatient ward of an organisation; values may be recorded per ward."""

    __tablename__ = "wards"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name"),
        CheckConstraint(
            "closed_on IS NULL OR opened_on IS NULL OR closed_on >= opened_on",
            name="closes_after_opening",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    service: Mapped[WardService] = mapped_column(enum_type(WardService, "ward_service", 32))
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(default=False)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": row_version}

    @hybrid_method
    def is_open_on(self, day: date) -> bool:
        """The organisations' rule (tracker.core.opening), for a ward."""
        return open_on(self.opened_on, self.closed_on, day)

    @is_open_on.inplace.expression
    @classmethod
    def _is_open_on_sql(cls, day):
        return and_(
            or_(cls.opened_on.is_(None), cls.opened_on <= day),
            or_(cls.closed_on.is_(None), cls.closed_on > day),
        )


class MeasureValue(Base):
    """One month's numerator (and denominator, for a rate) for an organisation as a whole, or one of
    its wards. month is the first day of the month."""

    __tablename__ = "measure_values"
    __table_args__ = (
        CheckConstraint("numerator >= 0", name="numerator_not_negative"),
        CheckConstraint("denominator IS NULL OR denominator > 0", name="denominator_positive"),
        # A month once per measure and organisation as a whole, and once per ward: NULL is never
        # equal in a unique constraint, so the whole-organisation rows need an index of their own.
        Index(
            "uq_measure_values_organisation_month",
            "measure_id",
            "organisation_id",
            "month",
            unique=True,
            sqlite_where=text("ward_id IS NULL"),
            postgresql_where=text("ward_id IS NULL"),
        ),
        UniqueConstraint("measure_id", "ward_id", "month"),
        Index("ix_measure_values_organisation_measure", "organisation_id", "measure_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="RESTRICT"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("wards.id", ondelete="RESTRICT"), index=True)
    month: Mapped[date] = mapped_column(Date)
    numerator: Mapped[float] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    measure: Mapped[Measure] = relationship()
    organisation: Mapped[Organisation] = relationship()
    ward: Mapped[Ward | None] = relationship()

    __mapper_args__ = {"version_id_col": row_version}


class Rebase(Base):
    """A month from which a chart's limits are worked out afresh, with the reason (e.g. the month a
    trust implemented a change idea). The chart is the measure's for one ward, one organisation, one
    network, or (none of them) the whole collaborative."""

    __tablename__ = "spc_rebases"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN ward_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN organisation_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN network_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_chart",
        ),
        # One rebase per chart and month. A chart is named by at most one of the three columns, and
        # NULL never collides in a unique constraint, so each kind of chart has its own, and the
        # collaborative's (all three NULL) a partial index.
        UniqueConstraint("measure_id", "organisation_id", "month"),
        UniqueConstraint("measure_id", "ward_id", "month"),
        UniqueConstraint("measure_id", "network_id", "month"),
        Index(
            "uq_spc_rebases_collaborative_month",
            "measure_id",
            "month",
            unique=True,
            sqlite_where=text("organisation_id IS NULL AND ward_id IS NULL AND network_id IS NULL"),
            postgresql_where=text("organisation_id IS NULL AND ward_id IS NULL AND network_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    measure: Mapped[Measure] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    ward: Mapped[Ward | None] = relationship()
    network: Mapped[Network | None] = relationship()

    __mapper_args__ = {"version_id_col": row_version}
