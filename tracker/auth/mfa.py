"""MFA for accounts: who must enrol, enrolment, the second step of sign-in, recovery codes, removal and reset.

Each writing function is one unit of work and commits. Wrong codes are counted per account in
sign_in_attempts (under the key "mfa#<id>", never a valid email address) with the sign-in throttle's
rules, so every server process sees the same count. A code is accepted at most once: the step of the
last accepted code is stored, and the UPDATE that stores a later one is the check (two processes
racing with one code: one wins). Account columns change by plain UPDATEs, which leave the account's
edit version alone, and each act is recorded in the audit trail explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from .. import audit_trail
from ..access import MFA_REQUIRED
from ..editing import InvalidInput
from ..models import RecoveryCode, SignInAttempts, User, utcnow
from ..models.accounts import new_session_token
from . import totp
from .services import (
    WITH_NEW_AUTHENTICATOR,
    WITH_RECOVERY_CODE,
    WITH_SECURITY_CODE,
    ThrottlePolicy,
    _count_failure,
    _forget_failures,
    _recent_attempts,
    _refusal,
    record_sign_in,
)

REQUIRED_FOR = MFA_REQUIRED

ENTER_CODE = "Enter the 6-digit code from your authenticator app, or a recovery code"
WRONG_CODE = "The code is not correct. Enter the code your authenticator app shows now"
USED_CODE = "That code has already been used. Wait for your authenticator app to show a new code"
WRONG_ENROL_CODE = (
    "The code is not correct. Check the time on your phone is right, and enter the code the app shows now"
)
USED_RECOVERY_CODE = "That recovery code is not correct or has already been used"
STILL_REQUIRED = "Your role requires MFA: you can set up a new authenticator app, but not turn MFA off"


def required(user: User) -> bool:
    """Whether the account's role must use MFA (when signing in with a password)."""
    return user.role in REQUIRED_FOR


def must_enrol(user: User) -> bool:
    return required(user) and not user.mfa_enrolled


def needs_second_step(user: User) -> bool:
    """Whether a right password still leaves the sign-in waiting: for a code, or for enrolment first."""
    return user.mfa_enrolled or must_enrol(user)


def _record(session: Session, user: User, action: str, detail: str = "") -> None:
    """An audit row by the account itself (half-way through signing in it is not the request's user yet)."""
    actor = audit_trail.as_person(session, user.email, user)
    audit_trail.record(session, action, entity="users", entity_key=user.email, detail=detail, actor=actor)


def _throttle_key(user: User) -> str:
    return f"mfa#{user.id}"


def recovery_codes_left(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def enrol(
    session: Session,
    user: User,
    secret: str,
    code: str,
    now: datetime | None = None,
    *,
    completes_sign_in: bool = False,
) -> list[str]:
    """Store the secret once a code from it is confirmed; return ten new recovery codes (the old ones end).

    A wrong code raises InvalidInput and writes nothing. Half-way through signing in (`completes_sign_in`),
    the same unit of work records the sign-in.
    """
    now = now or utcnow()
    step = totp.accepted_step(secret, code, now, None)
    if step is None:
        session.rollback()
        raise InvalidInput({"code": WRONG_ENROL_CODE if totp.normalise(code) else ENTER_CODE})
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(mfa_secret=secret, mfa_enrolled_at=now, mfa_last_step=step)
        .execution_options(synchronize_session=False)
    )
    codes = _replace_recovery_codes(session, user, now)
    again = user.mfa_enrolled
    _record(session, user, "mfa_enrolled", "a new authenticator app replaced the old one" if again else "")
    if completes_sign_in:
        _signed_in(session, user, now, WITH_NEW_AUTHENTICATOR)
    session.commit()
    session.refresh(user)
    return codes


def _replace_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    codes = totp.new_recovery_codes()
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # Core INSERT: the flush audit would write ten rows of hidden hashes; the enrolment's own row says it.
    session.execute(
        insert(RecoveryCode),
        [{"user_id": user.id, "code_hash": totp.recovery_hash(c), "created_at": now} for c in codes],
    )
    return codes


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    error: str | None = None


def _failed(session: Session, user: User, record, policy: ThrottlePolicy, now: datetime, why: str, message: str):
    key = _throttle_key(user)
    _count_failure(session, record, key, policy, now)
    counted = session.get(SignInAttempts, key)
    locked = counted is not None and counted.locked_until is not None
    action = "mfa_locked" if locked else "mfa_failed"
    _record(session, user, action, why)
    session.commit()
    return CodeCheck(False, message)


def check_code(
    session: Session,
    user: User,
    code: str,
    policy: ThrottlePolicy,
    now: datetime | None = None,
    purpose: str = "sign-in",
    *,
    completes_sign_in: bool = False,
) -> CodeCheck:
    """The second factor: a current TOTP code (each accepted once) or an unused recovery code.

    Failures are throttled per account like failed sign-ins; each failure, lock-out and recovery
    code use is audited. At sign-in (`completes_sign_in`) an accepted code records the sign-in in
    the same unit of work: only then has the person signed in.
    """
    now = now or utcnow()
    record = _recent_attempts(session, _throttle_key(user), policy, now)
    refusal = _refusal(record, policy, now)
    if refusal:
        _record(session, user, "mfa_refused", refusal)
        session.commit()
        return CodeCheck(False, refusal)
    typed = totp.normalise(code)
    if not typed:
        session.rollback()
        return CodeCheck(False, ENTER_CODE)
    if totp.looks_like_recovery_code(typed):
        return _use_recovery_code(session, user, typed, record, policy, now, purpose, completes_sign_in)
    step = totp.accepted_step(user.mfa_secret or "", typed, now, user.mfa_last_step)
    if step is not None:
        # The check that counts: only one request may move the last step forward to this one.
        moved = session.execute(
            update(User)
            .where(User.id == user.id, or_(User.mfa_last_step.is_(None), User.mfa_last_step < step))
            .values(mfa_last_step=step)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved == 1:
            _forget_failures(session, record)
            if completes_sign_in:
                _signed_in(session, user, now, WITH_SECURITY_CODE)
            session.commit()
            return CodeCheck(True)
    if step is not None or totp.is_replay(user.mfa_secret or "", typed, now, user.mfa_last_step):
        return _failed(session, user, record, policy, now, f"{purpose}: code already used", USED_CODE)
    return _failed(session, user, record, policy, now, f"{purpose}: wrong code", WRONG_CODE)


def _signed_in(session: Session, user: User, now: datetime, detail: str) -> None:
    record_sign_in(session, audit_trail.as_person(session, user.email, user), now, detail)


def _use_recovery_code(session, user, typed, record, policy, now, purpose, completes_sign_in) -> CodeCheck:
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == totp.recovery_hash(typed),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        return _failed(
            session, user, record, policy, now, f"{purpose}: wrong or used recovery code", USED_RECOVERY_CODE
        )
    _forget_failures(session, record)
    left = recovery_codes_left(session, user)
    when = "at sign-in" if purpose == "sign-in" else f"when {purpose}"
    _record(session, user, "recovery_code_used", f"{left} left, {when}")
    if completes_sign_in:
        _signed_in(session, user, now, WITH_RECOVERY_CODE)
    session.commit()
    return CodeCheck(True)


def _clear(session: Session, user: User, end_sessions: bool) -> None:
    values = {"mfa_secret": None, "mfa_enrolled_at": None, "mfa_last_step": None}
    if end_sessions:
        values["session_token"] = new_session_token()
    session.execute(
        update(User).where(User.id == user.id).values(**values).execution_options(synchronize_session=False)
    )
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def remove_own(session: Session, user: User) -> None:
    """Turn MFA off for yourself (trust staff and faculty only: managers and administrators must keep it)."""
    if required(user):
        session.rollback()
        raise InvalidInput({"": STILL_REQUIRED})
    _clear(session, user, end_sessions=False)
    audit_trail.record(session, "mfa_removed", entity="users", entity_key=user.email)
    session.commit()
    session.refresh(user)


def reset(session: Session, user: User) -> None:
    """An administrator's act: forget the account's authenticator and recovery codes and end its sessions.

    A manager or administrator enrols again at their next sign-in; others may choose to.
    """
    _clear(session, user, end_sessions=True)
    audit_trail.record(session, "mfa_reset", entity="users", entity_key=user.email, detail="sessions ended")
    session.commit()
    session.refresh(user)
