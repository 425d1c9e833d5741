"""User accounts, their roles, and sign-in throttling."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    cast,
    func,
    select,
    true,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, object_session, relationship

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


# The password hash of an account that signs in only with a work account: no password ever matches it.
NO_PASSWORD = "!"


user_networks = Table(
    "user_networks",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role <> 'trust' OR organisation_id IS NOT NULL", name="trust_has_organisation"),
        # One account per work account: the identity provider's tenant and the person's object id in it.
        # (A unique index: SQLite adds one without rebuilding the table, which others' keys point at.)
        Index("ix_users_oidc_identity", "oidc_tenant_id", "oidc_object_id", unique=True),
    )

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
    # The work account (OpenID Connect `tid` and `oid`) bound at the first sign-in with it; the email
    # address may change at the provider afterwards without breaking the link.
    oidc_tenant_id: Mapped[str | None] = mapped_column(String(64))
    oidc_object_id: Mapped[str | None] = mapped_column(String(64))
    # TOTP (tracker.auth.mfa): the base32 secret, shown once at enrolment and never again. Stored as it
    # is, not encrypted: a key in the app's own configuration would sit beside the database it protects,
    # and rotating it would lock every enrolled account out. The column is hidden from the audit trail.
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time step of the last code accepted: a code of that step or an earlier one is a replay.
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # The weekly reminder digest (tracker.reminders): on unless the person turns it off on their account page.
    email_reminders: Mapped[bool] = mapped_column(default=True, server_default=true())
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation | None] = relationship()
    networks: Mapped[list[Network]] = relationship(secondary=user_networks, order_by="Network.code")
    # The ids of its networks as text ("3,7"): loaded only by the statements that find a signed-in user
    # (tracker.auth.session, tracker.auth.tokens), so knowing them costs no statement of its own.
    network_ids_listed: Mapped[str | None] = column_property(
        select(func.aggregate_strings(cast(user_networks.c.network_id, String), ","))
        .where(user_networks.c.user_id == id)
        .scalar_subquery(),
        deferred=True,
    )

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
    def network_ids(self) -> frozenset[int]:
        """The ids of the networks assigned to the account: what its networks hold when they are loaded, else
        network_ids_listed (loaded with the signed-in user by tracker.auth.session, otherwise by one small
        query the first time, and kept, like any mapped attribute, until a commit expires it)."""
        if "networks" in self.__dict__:
            return frozenset(network.id for network in self.networks)
        if "network_ids_listed" not in self.__dict__ and object_session(self) is None:
            return frozenset()
        listed = self.network_ids_listed
        return frozenset(int(part) for part in listed.split(",")) if listed else frozenset()

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


class TokenScope(enum.StrEnum):
    READ = "read"
    WRITE = "write"

    @property
    def label(self) -> str:
        return "Read only" if self is TokenScope.READ else "Read and write"


class ApiToken(Base):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    # What the token is for, in its maker's words ("Power BI refresh").
    name: Mapped[str] = mapped_column(String(80), default="")
    scope: Mapped[TokenScope] = mapped_column(enum_type(TokenScope, "token_scope", 8), default=TokenScope.WRITE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class IdempotentRequest(Base):
    """An API write sent with an Idempotency-Key, and its answer once there is one, so a retry gets
    that answer again instead of writing twice. The key is unique per user: every server process
    sees the same rows, and a second request racing the first fails on the unique constraint.
    """

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotent_requests_user_id_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, path, query and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # None while the first request is still being answered.
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100), default="")
    body: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class RecoveryCode(Base):
    """A one-time recovery code for when the authenticator app is lost: only its SHA-256 is stored
    (the code is 80 random bits, so a fast hash is enough, as for API tokens), shown once at enrolment."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
