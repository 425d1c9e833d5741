"""Confirming it is you with a work account, for people who sign in with one (and may have no password).

The person is sent to their organisation's sign-in page with `prompt=login` and `max_age=0`; what comes
back is accepted only when it is the account's own work account (the tenant and object id bound at its
first sign-in) and the provider's `auth_time` says they signed in after we sent them (less a little
clock skew): a provider that answered from a sign-in it remembered has not confirmed anything. Each
refusal is audited as a failed confirmation (reauth_failed); success writes nothing, as with a password.
No Flask here.
"""

from __future__ import annotations

import enum

from sqlalchemy.orm import Session

from .. import audit_trail
from ..models import User
from .oidc_client import Identity
from .oidc_settings import OidcSettings

# The provider's clock and ours may differ by this much (Entra's is NTP-synchronised; so should ours be).
CLOCK_SKEW_SECONDS = 60


class Refusal(enum.StrEnum):
    """Why the confirmation was refused; the value begins the audit row's detail."""

    FLOW = "work account sign-in not completed"
    TENANT = "work account of an organisation (tenant) not allowed"
    OTHER_ACCOUNT = "another work account signed in"
    NO_AUTH_TIME = "the provider did not say when they signed in (no auth_time)"
    STALE = "the provider did not ask them to sign in again"


def possible(settings: OidcSettings, user: User) -> bool:
    """Whether this account can confirm it is them with its work account: sign-in with one is on, and the
    account is linked to one (at its first sign-in with it)."""
    return settings.enabled and user.oidc_object_id is not None


def check(
    user: User, identity: Identity, asked_at: float, allowed_tenants: tuple[str, ...]
) -> tuple[Refusal, str] | None:
    """Why the returned identity does not confirm it is `user` (the refusal, and what the audit adds), or None.

    asked_at: when we sent the person to the provider (seconds since the epoch)."""
    if identity.tenant_id not in allowed_tenants:
        return Refusal.TENANT, identity.tenant_id
    if (identity.tenant_id, identity.object_id) != (user.oidc_tenant_id, user.oidc_object_id):
        return Refusal.OTHER_ACCOUNT, f"{identity.tenant_id}/{identity.object_id}"
    if identity.auth_time is None:
        return Refusal.NO_AUTH_TIME, ""
    if identity.auth_time < asked_at - CLOCK_SKEW_SECONDS:
        return Refusal.STALE, f"signed in {round(asked_at - identity.auth_time):,} seconds before they were asked"
    return None


def refuse(session: Session, user: User, refusal: Refusal, detail: str = "") -> None:
    """Audit a refused confirmation by the signed-in account, and commit."""
    text = refusal.value + (f" ({detail})" if detail else "")
    audit_trail.record(session, "reauth_failed", entity="users", entity_key=user.email, detail=text)
    session.commit()
