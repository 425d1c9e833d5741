"""Sign-in with a work account: which account a checked identity signs in to, or why it is refused.

One unit of work per sign-in, audited and committed. Accounts are keyed on the provider's tenant id and
object id (`tid` + `oid`), never on the email address alone: an administrator invites a person by email
(with the role and organisation or networks; nothing comes from the provider's group claims), and the
first sign-in with that address binds the work account to the invitation. Afterwards the binding alone
finds the account, so the address may change at the provider, and another work account presenting the
same address is refused. A person nobody invited gets no account.

The binding and the sign-in time are written with plain UPDATE statements (as for password sign-ins),
which leave the account's row_version alone: signing in must not make an administrator's open edit form
stale. The binding is recorded in the audit trail by its own row.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import audit_trail
from ..models import User, utcnow
from .oidc_client import Identity

SIGNED_IN_DETAIL = "work account"


class Refusal(enum.StrEnum):
    """Why a work account was turned away; the value is what the audit row's detail says."""

    FLOW = "sign-in not completed"
    TENANT = "organisation (tenant) not allowed"
    UNINVITED = "no account for this email address"
    DISABLED = "account disabled"
    OTHER_IDENTITY = "email address linked to another work account"


@dataclass(frozen=True)
class WorkAccountResult:
    user: User | None
    refusal: Refusal | None = None
    email: str = ""


def _identity_key(identity: Identity) -> str:
    return f"{identity.tenant_id}/{identity.object_id}"


def refuse(session: Session, refusal: Refusal, key: str, detail: str = "", email: str = "") -> WorkAccountResult:
    """Record a refused sign-in with a work account (who presented what, and why) and answer with it."""
    text = refusal.value + (f": {detail}" if detail else "")
    audit_trail.record(
        session,
        "work_account_refused",
        entity="users",
        entity_key=key,
        detail=text,
        actor=audit_trail.as_person(session, email),
    )
    session.commit()
    return WorkAccountResult(None, refusal, email)


def _bound_to(session: Session, identity: Identity) -> User | None:
    return session.scalar(
        select(User).where(User.oidc_tenant_id == identity.tenant_id, User.oidc_object_id == identity.object_id)
    )


def _bind(session: Session, user: User, identity: Identity) -> bool:
    """Bind the work account to the invitation, unless another sign-in bound one first."""
    result = session.execute(
        update(User)
        .where(User.id == user.id, User.oidc_object_id.is_(None))
        .values(oidc_tenant_id=identity.tenant_id, oidc_object_id=identity.object_id)
    )
    if result.rowcount != 1:
        return False
    audit_trail.record(
        session,
        "work_account_linked",
        entity="users",
        entity_key=user.email,
        detail=_identity_key(identity),
        actor=audit_trail.as_person(session, user.email, user),
    )
    return True


def sign_in(
    session: Session, identity: Identity, allowed_tenants: tuple[str, ...], now: datetime | None = None
) -> WorkAccountResult:
    """The account this checked identity signs in to, binding an invitation at the first sign-in."""
    now = now or utcnow()
    key = identity.email or _identity_key(identity)
    if identity.tenant_id not in allowed_tenants:
        return refuse(session, Refusal.TENANT, key, f"tenant {identity.tenant_id}", identity.email)
    user = _bound_to(session, identity)
    if user is None:
        invited = session.scalar(select(User).where(User.email == identity.email)) if identity.email else None
        if invited is None:
            return refuse(session, Refusal.UNINVITED, key, email=identity.email)
        if invited.oidc_object_id is not None or not _bind(session, invited, identity):
            return refuse(session, Refusal.OTHER_IDENTITY, key, _identity_key(identity), identity.email)
        user = invited
    if not user.active:
        return refuse(session, Refusal.DISABLED, user.email, email=identity.email)
    session.execute(update(User).where(User.id == user.id).values(last_signed_in_at=now))
    detail = SIGNED_IN_DETAIL if identity.email in ("", user.email) else f"{SIGNED_IN_DETAIL}, now {identity.email}"
    audit_trail.record(
        session,
        "sign_in",
        entity="users",
        entity_key=user.email,
        detail=detail,
        actor=audit_trail.as_person(session, user.email, user),
    )
    session.commit()
    return WorkAccountResult(user, email=identity.email)
