"""The OpenID Connect client: send a person to their organisation's sign-in page, and check what comes back.

Authlib does the protocol: the authorisation code flow with PKCE (S256), a random state and nonce kept
in the signed session cookie (so any of several app servers can finish a sign-in another started), the
code exchanged for tokens over a back channel, the id_token's signature checked against the provider's
published keys (JWKS), its audience, expiry and nonce. Here: which issuer a token may name (Entra's
multi-tenant discovery documents publish "…/{tenantid}/v2.0", so the issuer must be the one of the
token's own tenant), and every failure turned into a reason the audit trail records. To confirm it is
them before a sensitive change, a signed-in person is sent with `prompt=login` and `max_age=0`, so the
provider asks them to sign in afresh; the id_token's `auth_time` says when they did.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, session
from joserfc.errors import BadSignatureError, ClaimError, JoseError

from .oidc_settings import OidcSettings, expected_issuer

CLIENT = "work_account"
EXTENSION = "tracker_oidc"
SCOPE = "openid email profile"
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, from a checked id_token."""

    tenant_id: str
    object_id: str
    email: str
    name: str
    auth_time: int | None = None  # when the person signed in at the provider (seconds since the epoch)


class SignInProblem(Exception):
    """The sign-in could not be completed or trusted; `reason` is what the audit trail records."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def init_oidc(app: Flask) -> None:
    """Register the provider when the settings make sign-in with a work account complete."""
    settings = OidcSettings.from_config(app.config)
    app.extensions["oidc_settings"] = settings
    if not settings.enabled:
        return
    # One registry per app (Authlib's registry is keyed by name, and tests make many apps).
    oauth = OAuth(app)
    oauth.register(
        CLIENT,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=settings.discovery_url,
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": TIMEOUT_SECONDS},
    )
    app.extensions[EXTENSION] = oauth


def settings() -> OidcSettings:
    return current_app.extensions["oidc_settings"]


def _client():
    return current_app.extensions[EXTENSION].create_client(CLIENT)


# Ask the provider to sign the person in now, not to answer from the sign-in it remembers (OpenID Connect
# Core 3.1.2.1): its id_token then carries auth_time, which the caller checks.
FRESH_SIGN_IN = {"prompt": "login", "max_age": 0}


def start(redirect_uri: str, fresh: bool = False):
    """The redirect to the provider's sign-in page (state, nonce and PKCE verifier kept in the session);
    `fresh`: the person must sign in there again, whatever the provider remembers."""
    try:
        return _client().authorize_redirect(redirect_uri, **(FRESH_SIGN_IN if fresh else {}))
    except (requests.RequestException, ValueError) as error:
        raise SignInProblem(f"provider unreachable ({type(error).__name__})") from error


def pending() -> bool:
    """Whether this browser started a sign-in that has not come back yet (Authlib keeps its state in the session)."""
    prefix = f"_state_{CLIENT}_"
    return any(key.startswith(prefix) for key in session)


def _issuer_check(published: str):
    def check(claims, issuer) -> bool:
        tenant = str(claims.get("tid") or "")
        return bool(tenant) and issuer == expected_issuer(published, tenant)

    return check


def finish() -> Identity:
    """Exchange the code of this callback and check the id_token; SignInProblem if anything is wrong."""
    client = _client()
    try:
        published = client.load_server_metadata().get("issuer", "")
        claims_options = {"iss": {"essential": True, "validate": _issuer_check(published)}}
        token = client.authorize_access_token(claims_options=claims_options)
    except MismatchingStateError as error:
        raise SignInProblem("state did not match: not started here, or already used") from error
    except OAuthError as error:
        raise SignInProblem(f"provider answered {error.error or 'an error'}") from error
    except BadSignatureError as error:
        raise SignInProblem("id_token signature did not verify") from error
    except ClaimError as error:
        raise SignInProblem(f"id_token claim {error.claim} was wrong") from error
    except JoseError as error:
        raise SignInProblem(f"id_token was not valid ({error.error})") from error
    except requests.RequestException as error:
        raise SignInProblem(f"provider unreachable ({type(error).__name__})") from error
    claims = token.get("userinfo")
    if not claims:
        raise SignInProblem("no id_token")
    return identity_of(claims)


def identity_of(claims) -> Identity:
    """Tenant, object id, email and name from checked claims (Entra puts the address in `email` when the
    optional claim is configured, else in `preferred_username`, the sign-in name, e.g. name@nhs.net)."""
    tenant, object_id = str(claims.get("tid") or ""), str(claims.get("oid") or "")
    if not tenant or not object_id:
        raise SignInProblem("id_token had no tid or oid claim")
    email = str(claims.get("email") or "")
    if "@" not in email:
        username = str(claims.get("preferred_username") or "")
        email = username if "@" in username else ""
    auth_time = claims.get("auth_time")
    return Identity(
        tenant.lower(),
        object_id.lower(),
        email.strip().lower(),
        str(claims.get("name") or ""),
        int(auth_time) if isinstance(auth_time, int | float) and not isinstance(auth_time, bool) else None,
    )
