"""The settings of sign-in with an NHS work account (OpenID Connect), read from the configuration.

Pure: the app's config in (set from the environment like every setting: tracker.envconfig), plain values
out. Sign-in with a work account
is on only when a discovery URL (or an issuer), a client id and a client secret are all set and at least
one tenant is allowed: a half-made configuration must not let anyone in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_BUTTON_LABEL = "Sign in with your NHS work account"
DEFAULT_ADMIN_CONTACT = "your programme's administrator"
# Microsoft's multi-tenant discovery documents name their issuer with this placeholder for the tenant.
TENANT_PLACEHOLDER = "{tenantid}"


def tenant_list(raw: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Tenant ids from "a, b c" or a list: trimmed, lower-case (Entra writes GUIDs in small letters)."""
    parts = re.split(r"[,\s]+", raw) if isinstance(raw, str) else list(raw or ())
    return tuple(dict.fromkeys(p.strip().lower() for p in parts if p and p.strip()))


@dataclass(frozen=True)
class OidcSettings:
    discovery_url: str
    client_id: str
    client_secret: str
    allowed_tenants: tuple[str, ...]
    button_label: str = DEFAULT_BUTTON_LABEL
    # The callback's address as registered at the provider; empty: this request's host and scheme
    # (behind a TLS proxy that does not pass them on, set it: Entra accepts only https).
    redirect_uri: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.discovery_url and self.client_id and self.client_secret and self.allowed_tenants)

    @classmethod
    def from_config(cls, config: Mapping) -> OidcSettings:
        discovery = config.get("OIDC_DISCOVERY_URL") or ""
        issuer = config.get("OIDC_ISSUER") or ""
        if not discovery and issuer:
            discovery = issuer.rstrip("/") + "/.well-known/openid-configuration"
        return cls(
            discovery_url=discovery,
            client_id=config.get("OIDC_CLIENT_ID") or "",
            client_secret=config.get("OIDC_CLIENT_SECRET") or "",
            allowed_tenants=tenant_list(config.get("OIDC_ALLOWED_TENANTS")),
            button_label=config.get("OIDC_BUTTON_LABEL") or DEFAULT_BUTTON_LABEL,
            redirect_uri=config.get("OIDC_REDIRECT_URI") or "",
        )


def passwords_on(config: Mapping) -> bool:
    """Whether people may sign in with a password (small deployments; off once everyone uses a work account)."""
    return bool(config.get("PASSWORD_SIGN_IN", True))


def expected_issuer(published: str, tenant_id: str) -> str:
    """The issuer a token of this tenant must name: the discovery document's, with the tenant put in."""
    return published.replace(TENANT_PLACEHOLDER, tenant_id)
