"""Sign-in, sign-out and password changes: each function is one unit of work and commits."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from datetime import datetime, timedelta

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ..models import SignInAttempts, User, utcnow
from ..models.accounts import new_session_token
from .passwords import hash_password, verify_password


@cache
def _dummy_hash(iterations: int) -> str:
    """Checked against when the email is unknown, so both paths take the same time."""
    return hash_password("not a real password", iterations)

BAD_CREDENTIALS = "Enter a correct email address and password"


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    lock_after: int
    lock_minutes: int
    window_minutes: int
    hash_iterations: int = 600_000

    @classmethod
    def from_config(cls, config) -> ThrottlePolicy:
        return cls(
            free_failures=config["SIGN_IN_FREE_FAILURES"],
            lock_after=config["SIGN_IN_LOCK_AFTER"],
            lock_minutes=config["SIGN_IN_LOCK_MINUTES"],
            window_minutes=config["SIGN_IN_WINDOW_MINUTES"],
            hash_iterations=config["PASSWORD_HASH_ITERATIONS"],
        )

    def wait_after(self, failures: int) -> timedelta:
        """How long the next attempt must wait after this many recent failures."""
        if failures < self.free_failures:
            return timedelta(0)
        return timedelta(seconds=2 ** (failures - self.free_failures))


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _attempts(session: Session, email: str, policy: ThrottlePolicy, now: datetime) -> SignInAttempts:
    record = session.get(SignInAttempts, email, with_for_update=True)
    if record is None:
        record = SignInAttempts(email=email, failures=0, last_failure_at=now)
        session.add(record)
        return record
    lock_over = record.locked_until is not None and record.locked_until <= now
    stale = now - record.last_failure_at > timedelta(minutes=policy.window_minutes)
    if lock_over or (record.locked_until is None and stale):
        record.failures = 0
        record.locked_until = None
    return record


def _refusal(record: SignInAttempts, policy: ThrottlePolicy, now: datetime) -> str | None:
    if record.locked_until is not None and record.locked_until > now:
        minutes = max(1, round((record.locked_until - now).total_seconds() / 60))
        return (
            "Too many failed attempts to sign in with this email address. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
    ready_at = record.last_failure_at + policy.wait_after(record.failures)
    if record.failures and now < ready_at:
        seconds = max(1, int((ready_at - now).total_seconds() + 0.999))
        return f"Too many failed attempts. Wait {seconds} second{'s' if seconds != 1 else ''} and try again."
    return None


def sign_in(
    session: Session, email: str, password: str, policy: ThrottlePolicy, now: datetime | None = None
) -> SignInResult:
    """Check the credentials, counting failures per address; the same message for every failure."""
    now = now or utcnow()
    email = normalise_email(email)
    record = _attempts(session, email, policy, now)
    refusal = _refusal(record, policy, now)
    if refusal:
        session.commit()
        return SignInResult(None, refusal)
    user = session.scalar(select(User).where(User.email == email))
    valid = verify_password(user.password_hash if user else _dummy_hash(policy.hash_iterations), password)
    if user is None or not valid or not user.active:
        record.failures += 1
        record.last_failure_at = now
        if record.failures >= policy.lock_after:
            record.locked_until = now + timedelta(minutes=policy.lock_minutes)
        session.commit()
        return SignInResult(None, BAD_CREDENTIALS)
    if inspect(record).pending:
        session.expunge(record)
    else:
        session.delete(record)
    user.last_signed_in_at = now
    session.commit()
    return SignInResult(user)


def sign_out(session: Session, user: User) -> None:
    """Replace the session token, so a copy of the old cookie no longer signs anyone in."""
    user.session_token = new_session_token()
    session.commit()


def set_password(session: Session, user: User, password: str, iterations: int) -> None:
    user.password_hash = hash_password(password, iterations)
    user.password_changed_at = utcnow()
    user.session_token = new_session_token()
    session.commit()
