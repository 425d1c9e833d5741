"""Networks (AHSNs / Health Innovation Networks) and the organisations in them."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, and_, or_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.opening import open_on
from .base import Base, enum_type


class OrganisationKind(enum.StrEnum):
    MENTAL_HEALTH_TRUST = "mental_health_trust"
    ACUTE_TRUST = "acute_trust"
    MIXED_TRUST = "mixed_trust"
    OTHER_PROVIDER = "other_provider"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    OrganisationKind.MENTAL_HEALTH_TRUST: "Mental health trust",
    OrganisationKind.ACUTE_TRUST: "Acute trust",
    OrganisationKind.MIXED_TRUST: "Mixed trust (acute, community and mental health)",
    OrganisationKind.OTHER_PROVIDER: "Other provider",
}


class Membership(enum.StrEnum):
    """Membership of the collaborative: not published by name, so managers confirm it."""

    UNVERIFIED = "unverified"
    MEMBER = "member"
    NOT_MEMBER = "not_member"

    @property
    def label(self) -> str:
        return {"unverified": "Not confirmed", "member": "Member", "not_member": "Not a member"}[self.value]


class Network(Base):
    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    former_name: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(300), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    organisations: Mapped[list[Organisation]] = relationship(back_populates="network", order_by="Organisation.name")

    __mapper_args__ = {"version_id_col": row_version}


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude_range"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude_range"),
        CheckConstraint(
            "closed_on IS NULL OR opened_on IS NULL OR closed_on >= opened_on",
            name="closes_after_opening",
        ),
        CheckConstraint("successor_id IS NULL OR successor_id <> id", name="not_own_successor"),
        CheckConstraint("successor_id IS NULL OR closed_on IS NOT NULL", name="successor_when_closed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ods_code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(enum_type(OrganisationKind, "organisation_kind", 24))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="RESTRICT"), index=True)
    town: Mapped[str] = mapped_column(String(100), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    membership: Mapped[Membership] = mapped_column(
        enum_type(Membership, "membership", 16), default=Membership.UNVERIFIED
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    network: Mapped[Network | None] = relationship(back_populates="organisations")
    successor: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="predecessors")
    predecessors: Mapped[list[Organisation]] = relationship(back_populates="successor")

    __mapper_args__ = {"version_id_col": row_version}

    @hybrid_method
    def is_open_on(self, day: date) -> bool:
        """Open on day: opened on or before it (or no opening date known), and not yet closed
        (closed_on is the first day closed). The one rule, in Python and in SQL."""
        return open_on(self.opened_on, self.closed_on, day)

    @is_open_on.inplace.expression
    @classmethod
    def _is_open_on_sql(cls, day):
        return and_(
            or_(cls.opened_on.is_(None), cls.opened_on <= day),
            or_(cls.closed_on.is_(None), cls.closed_on > day),
        )
