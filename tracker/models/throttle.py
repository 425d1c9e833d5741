"""Counters that keep noise out of the audit trail and slow password guessing: prunable, unlike the trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class SignInThrottle(Base):
    """Sign-in attempts per client address, per subnet (/24, /64) and for the whole service.

    Counted before any password is hashed and shared by every server process. key is "address …",
    "subnet …" or "service" (the cap on password checks per second for addresses never seen signing in).
    """

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    # Failed attempts, plus those being checked now (counted before the hash, forgiven on success).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Attempts refused since the last one counted: only the first of a run is audited, the rest are counted here.
    refusals: Mapped[int] = mapped_column(Integer, default=0)
    # When someone last signed in from here: such an address is not new, and is not held to the service cap.
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AnonymousDenial(Base):
    """Refused requests of people not signed in, counted per hour, route and subnet: one row, not one per request."""

    __tablename__ = "anonymous_denials"
    __table_args__ = (Index("ix_anonymous_denials_hour", "hour"),)

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    # "GET /api/v1/networks/<code>": the route's rule, not the path, so the rows stay few.
    route: Mapped[str] = mapped_column(String(200), primary_key=True)
    subnet: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
