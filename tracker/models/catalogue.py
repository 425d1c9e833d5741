"""The change-package catalogue: ambitions, their targets, packages, drivers and change ideas."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from .organisations import Network


class TargetMeasure(enum.StrEnum):
    """What a dated target counts: reach (the share of organisations adopting) or ward coverage (the
    share of wards in scope that use the ideas)."""

    REACH = "reach"
    WARD_COVERAGE = "ward_coverage"

    @property
    def label(self) -> str:
        return {"reach": "Reach", "ward_coverage": "Ward coverage"}[self.value]


class PackageStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Ambition(Base):
    __tablename__ = "ambitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    baseline_note: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    targets: Mapped[list[AmbitionTarget]] = relationship(
        back_populates="ambition",
        order_by="AmbitionTarget.position",
        cascade="all, delete-orphan",
    )
    packages: Mapped[list[ChangePackage]] = relationship(back_populates="ambition", order_by="ChangePackage.position")


class AmbitionTarget(Base):
    """One dated target of an ambition; an ambition may have several (original, revised, pilot).

    The published programme targets come from the reference data (is_reference): they are read-only in
    the app. Managers add their own, for the whole programme or for one network (network_id), each
    with what it counts (measure) and, if it sets one, the share it aims at (value, a percentage).
    """

    __tablename__ = "ambition_targets"
    __table_args__ = (
        UniqueConstraint("ambition_id", "label"),
        CheckConstraint("value IS NULL OR (value >= 0 AND value <= 100)", name="value_percentage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ambition_id: Mapped[int] = mapped_column(ForeignKey("ambitions.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    target_date: Mapped[date | None] = mapped_column(Date)
    source_url: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    measure: Mapped[TargetMeasure] = mapped_column(
        enum_type(TargetMeasure, "target_measure", 16), default=TargetMeasure.REACH
    )
    value: Mapped[float | None] = mapped_column(Float)  # a percentage, 0 to 100; None: as the text says
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    is_reference: Mapped[bool] = mapped_column(default=False)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    ambition: Mapped[Ambition] = relationship(back_populates="targets")
    network: Mapped[Network | None] = relationship(lazy="joined")  # pages and the API name it

    __mapper_args__ = {"version_id_col": row_version}


class ChangePackage(Base):
    __tablename__ = "change_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ambition_id: Mapped[int] = mapped_column(ForeignKey("ambitions.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    publisher: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[PackageStatus] = mapped_column(
        enum_type(PackageStatus, "package_status", 16),
        default=PackageStatus.DRAFT,
    )
    source_url: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    # What the package is and is not, e.g. "A related framework, not an MHSIP change package".
    provenance_note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(default=False)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    ambition: Mapped[Ambition] = relationship(back_populates="packages")
    drivers: Mapped[list[Driver]] = relationship(
        back_populates="package", order_by="Driver.position", cascade="all, delete-orphan"
    )
    ideas: Mapped[list[ChangeIdea]] = relationship(back_populates="package", order_by="ChangeIdea.position")
    resources: Mapped[list[PackageResource]] = relationship(
        back_populates="package", order_by="PackageResource.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": row_version}

    @hybrid_property
    def is_published(self) -> bool:
        """Published packages are what everyone sees and what coverage counts; drafts only editors see."""
        return self.status is PackageStatus.PUBLISHED

    @is_published.inplace.expression
    @classmethod
    def _is_published_sql(cls):
        return cls.status == PackageStatus.PUBLISHED


class Driver(Base):
    """A primary driver (no parent) or a secondary driver (parent is a primary driver)."""

    __tablename__ = "drivers"
    __table_args__ = (CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("change_packages.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("drivers.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    package: Mapped[ChangePackage] = relationship(back_populates="drivers")
    parent: Mapped[Driver | None] = relationship(remote_side=[id], back_populates="children")
    # The database cascades too; the ORM must not orphan secondary drivers into primary ones.
    children: Mapped[list[Driver]] = relationship(
        back_populates="parent",
        order_by="Driver.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    ideas: Mapped[list[ChangeIdea]] = relationship(back_populates="driver", order_by="ChangeIdea.position")

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def level(self) -> str:
        return "primary" if self.parent_id is None else "secondary"


class ChangeIdea(Base):
    """A change idea (intervention): the leaf of a driver diagram, the thing a trust adopts."""

    __tablename__ = "change_ideas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("change_packages.id", ondelete="RESTRICT"), index=True)
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("drivers.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    # E.g. "Reported by participating wards; not an NCCMH package item".
    provenance_note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Taken out of its package: left out of the diagram and of the next published version, never deleted,
    # so its code and its adoption records stay.
    retired: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_demo: Mapped[bool] = mapped_column(default=False)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    package: Mapped[ChangePackage] = relationship(back_populates="ideas")
    driver: Mapped[Driver | None] = relationship(back_populates="ideas")

    __mapper_args__ = {"version_id_col": row_version}


class PackageResource(Base):
    """A tool or document that supports a package's ideas (e.g. the DASA checklist)."""

    __tablename__ = "package_resources"
    __table_args__ = (UniqueConstraint("package_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("change_packages.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    package: Mapped[ChangePackage] = relationship(back_populates="resources")


class PackageVersion(Base):
    """A published version of a package: what it said (title, aim, drivers, ideas) when it was published.

    Append-only, like the ledger: the database refuses UPDATE and DELETE (and the app's role has neither
    privilege), so a version read in a year says what it said on the day. The snapshot's shape is
    tracker.core.package_versions'.
    """

    __tablename__ = "package_versions"
    __table_args__ = (UniqueConstraint("package_id", "number"), CheckConstraint("number > 0", name="number_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("change_packages.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # Who published, as said on the day (the account may be renamed later); "reference data" for the seed.
    published_by_name: Mapped[str] = mapped_column(String(254), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict] = mapped_column(JSON)
