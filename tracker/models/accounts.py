"""User accounts, their roles, and sign-in throttling."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, utcnow
from .organisations import Network, Organisation


class Role(enum.StrEnum):
    TRUST = "trust"
    FACULTY = "faculty"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.TRUST: "Trust staff",
    Role.FACULTY: "Improvement faculty",
    Role.MANAGER: "Project manager",
    Role.ADMIN: "Administrator",
}


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


user_networks = Table(
    "user_networks",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role <> 'trust' OR organisation_id IS NOT NULL", name="trust_has_organisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role", 16))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # What the session cookie holds instead of the id: replaced at sign-out and password change.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TOTP (tracker.auth.mfa): the base32 secret, shown once at enrolment and never again. Stored as it
    # is, not encrypted: a key in the app's own configuration would sit beside the database it protects,
    # and rotating it would lock every enrolled account out. The column is hidden from the audit trail.
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time step of the last code accepted: a code of that step or an earlier one is a replay.
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation | None] = relationship()
    networks: Mapped[list[Network]] = relationship(secondary=user_networks, order_by="Network.code")

    __mapper_args__ = {"version_id_col": row_version}

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def mfa_enrolled(self) -> bool:
        return self.mfa_enrolled_at is not None and self.mfa_secret is not None


class SignInAttempts(Base):
    """Failed sign-ins per email address (known or not), shared by every server process."""

    __tablename__ = "sign_in_attempts"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """A one-time recovery code for when the authenticator app is lost: only its SHA-256 is stored
    (the code is 80 random bits, so a fast hash is enough, as for API tokens), shown once at enrolment."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
