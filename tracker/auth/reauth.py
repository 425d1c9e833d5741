"""Confirming it is you before a sensitive change: the password again, and a code when MFA is set up.

Wrong passwords count as failed sign-ins for the address and wrong codes as failed second steps, so a
session left open cannot be used to guess either at leisure.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .. import audit_trail
from ..editing import InvalidInput
from ..models import User, utcnow
from . import mfa
from .services import (
    WRONG_CURRENT_PASSWORD,
    ThrottlePolicy,
    _forget_failures,
    check_own_password,
)

WRONG_PASSWORD = WRONG_CURRENT_PASSWORD.replace("current ", "")


def confirm_identity(
    session: Session, user: User, password: str, code: str, policy: ThrottlePolicy, now: datetime | None = None
) -> None:
    """Raise InvalidInput naming the field that is wrong; commit what the throttle and the audit need."""
    now = now or utcnow()
    record = check_own_password(
        session,
        user,
        password,
        policy,
        now,
        "password",
        WRONG_PASSWORD,
        on_wrong=lambda: audit_trail.record(
            session, "reauth_failed", entity="users", entity_key=user.email, detail="wrong password"
        ),
    )
    _forget_failures(session, record)
    session.commit()
    if user.mfa_enrolled:
        if not (code or "").strip():
            raise InvalidInput({"code": mfa.ENTER_CODE})
        check = mfa.check_code(session, user, code, policy, now, purpose="confirming it was them")
        if not check.ok:
            raise InvalidInput({"code": check.error})
