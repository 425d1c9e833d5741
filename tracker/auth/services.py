"""Sign-in, sign-out and password changes: each function is one unit of work and commits.

Failed sign-ins are counted per email address in the table sign_in_attempts, so every server process
sees the same count, and an unknown address is slowed and locked exactly like a known one. Before that,
and before any password is hashed, attempts are counted per client address and subnet (address_throttle).

Sign-in times, session tokens and password hashes are written with plain UPDATE statements, which
leave the account's row_version alone: signing in is not an edit, and must not make an
administrator's open edit form stale.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, has_app_context
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit_trail
from ..editing import InvalidInput
from ..models import Network, Organisation, SignInAttempts, User, utcnow
from ..models.accounts import new_session_token
from . import address_throttle
from .password_words import words_of
from .passwords import SAME_PASSWORD, hash_password, password_problem, verify_password

BAD_CREDENTIALS = "Enter a correct email address and password"
WRONG_CURRENT_PASSWORD = "Your current password is not correct"


@cache
def _dummy_hash(iterations: int) -> str:
    """Checked against when the email is unknown, so both paths take the same time."""
    return hash_password("not a real password", iterations)


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
    retry_after: int | None = None  # seconds, when the attempt was refused before any password was checked
    # The password was right but the sign-in waits for a security code (tracker.auth.mfa): nothing says
    # "signed in" until the code is given (record_sign_in).
    pending: bool = False


# What the "sign_in" audit row's detail says of how the person signed in (tracker.audit.sentences reads it).
WITH_SECURITY_CODE = "password and security code"
WITH_RECOVERY_CODE = "password and recovery code"
WITH_NEW_AUTHENTICATOR = "password and a newly set up authenticator app"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _recent_attempts(session: Session, email: str, policy: ThrottlePolicy, now: datetime) -> SignInAttempts | None:
    """The address's failure record (locked for this transaction), forgetting an ended lock or old failures."""
    record = session.get(SignInAttempts, email, with_for_update=True)
    if record is None:
        return None
    lock_over = record.locked_until is not None and record.locked_until <= now
    stale = now - record.last_failure_at > timedelta(minutes=policy.window_minutes)
    if lock_over or (record.locked_until is None and stale):
        record.failures = 0
        record.locked_until = None
    return record


def _refusal(record: SignInAttempts | None, policy: ThrottlePolicy, now: datetime) -> str | None:
    """Why this attempt is refused before the password is even checked, or None."""
    if record is None or not record.failures:
        return None
    if record.locked_until is not None and record.locked_until > now:
        minutes = max(1, math.ceil((record.locked_until - now).total_seconds() / 60))
        return (
            "Too many failed attempts to sign in with this email address. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
    ready_at = record.last_failure_at + policy.wait_after(record.failures)
    if now < ready_at:
        seconds = max(1, math.ceil((ready_at - now).total_seconds()))
        return f"Too many failed attempts. Wait {seconds} second{'s' if seconds != 1 else ''} and try again."
    return None


def _count_failure(
    session: Session,
    record: SignInAttempts | None,
    email: str,
    policy: ThrottlePolicy,
    now: datetime,
) -> None:
    if record is None:
        record = SignInAttempts(email=email, failures=0, last_failure_at=now)
        try:
            with session.begin_nested():
                session.add(record)
        except IntegrityError:
            # Another process counted a first failure for this address at the same moment.
            record = session.get(SignInAttempts, email, with_for_update=True, populate_existing=True)
            assert record is not None
    record.failures += 1
    record.last_failure_at = now
    if record.failures >= policy.lock_after:
        record.locked_until = now + timedelta(minutes=policy.lock_minutes)


def _forget_failures(session: Session, record: SignInAttempts | None) -> None:
    if record is not None:
        session.delete(record)


def _turned_away(
    session: Session, email: str, action: str, reason: str, message: str, retry_after: int | None = None
) -> SignInResult:
    """Record a sign-in that did not happen (throttled or failed) and answer with message."""
    audit_trail.record(
        session, action, entity="users", entity_key=email, detail=reason, actor=audit_trail.as_person(session, email)
    )
    session.commit()
    return SignInResult(None, message, retry_after)


def _seconds_until(record: SignInAttempts, policy: ThrottlePolicy, now: datetime) -> int:
    ready_at = record.locked_until or record.last_failure_at + policy.wait_after(record.failures)
    return max(1, math.ceil((ready_at - now).total_seconds()))


def sign_in(
    session: Session,
    email: str,
    password: str,
    policy: ThrottlePolicy,
    now: datetime | None = None,
    *,
    address: str | None = None,
    network: address_throttle.NetworkPolicy | None = None,
    needs_second_step: Callable[[User], bool] | None = None,
) -> SignInResult:
    """Check the credentials; the same message for every failure, whether or not the account exists.

    Two transactions around the password check, so no lock is held while it runs: the first counts
    the attempt against the client address (with `network`), then against the email address, and
    refuses it if either has had too many; the second forgives both counts if the password was right,
    and records the sign-in, unless `needs_second_step` says the account must still give a code: then
    the result is pending and the second step records it (someone who has the password but not the
    code has not signed in).
    """
    now = now or utcnow()
    email = normalise_email(email)
    if network is not None:
        refused = address_throttle.reserve(session, address, network, now)
        if refused and not refused.audit:
            session.commit()  # counted on the throttle's row; its run's first refusal was audited
            return SignInResult(None, refused.message, refused.retry_after)
        if refused:
            return _turned_away(
                session, email, "sign_in_refused", refused.message, refused.message, refused.retry_after
            )
    record = _recent_attempts(session, email, policy, now)
    refusal = _refusal(record, policy, now)
    if refusal:
        assert record is not None
        return _turned_away(session, email, "sign_in_refused", refusal, refusal, _seconds_until(record, policy, now))
    # Counted before the check, forgiven after it if right: concurrent guesses cannot all slip through.
    _count_failure(session, record, email, policy, now)
    user = session.scalar(select(User).where(User.email == email))
    stored_hash = user.password_hash if user else _dummy_hash(policy.hash_iterations)
    active = user is not None and user.active
    # Read now: the commit expires the user, and reloading it would cost a statement.
    signed_in_as = audit_trail.as_person(session, email, user) if user is not None else None
    pending = user is not None and needs_second_step is not None and needs_second_step(user)
    session.commit()
    valid = verify_password(stored_hash, password)
    if user is None or not valid or not active:
        reason = "unknown email" if user is None else "wrong password" if not valid else "account disabled"
        return _turned_away(session, email, "sign_in_failed", reason, BAD_CREDENTIALS)
    if network is not None:
        address_throttle.succeeded(session, address, now)
    _forget_failures(session, _recent_attempts(session, email, policy, now))
    assert signed_in_as is not None
    if not pending:
        record_sign_in(session, signed_in_as, now)
    session.commit()
    return SignInResult(user, pending=pending)


def record_sign_in(session: Session, actor: audit_trail.Actor, now: datetime, detail: str = "") -> None:
    """The sign-in is complete: the account's sign-in time and the "sign_in" audit row (the caller commits).

    `actor` is the account's (audit_trail.as_person), read while the account is loaded."""
    session.execute(update(User).where(User.id == actor.id).values(last_signed_in_at=now))
    audit_trail.record(session, "sign_in", entity="users", entity_key=actor.email, detail=detail, actor=actor)


def words_to_refuse(session: Session) -> set[str]:
    """The words of the service's name and of every organisation's and network's: no password may be built from them."""
    names = [*session.scalars(select(Organisation.name)), *session.scalars(select(Network.name))]
    service = current_app.config.get("SERVICE_NAME", "") if has_app_context() else ""
    return words_of(service, *names)


def sign_out(session: Session, user: User) -> None:
    """Replace the session token, so a copy of the old cookie no longer signs anyone in."""
    session.execute(update(User).where(User.id == user.id).values(session_token=new_session_token()))
    audit_trail.record(session, "sign_out", entity="users", entity_key=user.email)
    session.commit()


def set_password(session: Session, user: User, password: str, iterations: int) -> None:
    """Store a new hash and end every session of the user (the caller may sign the current one in again)."""
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            password_hash=hash_password(password, iterations),
            password_changed_at=utcnow(),
            session_token=new_session_token(),
        )
    )
    # A Core UPDATE (so the account's edit version stays put) is not seen by the flush audit.
    audit_trail.record(session, "password_set", entity="users", entity_key=user.email, detail="sessions ended")
    session.commit()


def check_own_password(
    session: Session,
    user: User,
    password: str,
    policy: ThrottlePolicy,
    now: datetime,
    field: str,
    wrong: str,
    on_wrong: Callable[[], None] | None = None,
) -> SignInAttempts | None:
    """A signed-in user's own password, checked under the sign-in throttle (changing a password, confirming
    it is them): raises InvalidInput on `field` when throttled or wrong, a wrong one counted as a failed
    sign-in (and `on_wrong` called, to audit it) and committed. Returns the attempts record, for the caller
    to forget the failures once everything it asks for is right."""
    record = _recent_attempts(session, user.email, policy, now)
    refusal = _refusal(record, policy, now)
    if refusal:
        session.commit()
        raise InvalidInput({field: refusal})
    if not verify_password(user.password_hash, password):
        _count_failure(session, record, user.email, policy, now)
        if on_wrong is not None:
            on_wrong()
        session.commit()
        raise InvalidInput({field: wrong})
    return record


def change_own_password(
    session: Session,
    user: User,
    current_password: str,
    new_password: str,
    policy: ThrottlePolicy,
    now: datetime | None = None,
) -> None:
    """Change a user's own password after checking the current one; raises InvalidInput.

    Wrong current passwords count as failed sign-ins for the address, so a session left open
    cannot be used to guess the password at leisure.
    """
    now = now or utcnow()
    record = check_own_password(
        session, user, current_password, policy, now, "current_password", WRONG_CURRENT_PASSWORD
    )
    if new_password == current_password:
        problem = SAME_PASSWORD
    else:
        problem = password_problem(new_password, email=user.email, name=user.name, words=words_to_refuse(session))
    if problem:
        session.rollback()
        raise InvalidInput({"new_password": problem})
    _forget_failures(session, record)
    set_password(session, user, new_password, policy.hash_iterations)
