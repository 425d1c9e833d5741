"""Flask-Login wiring: the session cookie holds a per-user token, never the user's id.

API requests may instead carry "Authorization: Bearer <API token>". When an API request carries an
Authorization header, that header alone decides who is calling: the session cookie is ignored, and
a header that is not a valid bearer token is answered 401, never a silent fall-back to the cookie.
On other paths the header is ignored.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Request, abort, g, request
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import undefer

from ..access import is_api_request
from ..db import get_session
from ..extensions import login_manager
from ..models import TokenScope, User, utcnow
from . import tokens

BAD_TOKEN = 'The Authorization header must be "Bearer" and a valid API token: {reason}'
READ_ONLY = (
    "This API token may only read: its scope is read only, so it cannot {method} {path}. "
    "Ask an administrator for a token with the read and write scope."
)


def presents_bearer() -> bool:
    """Whether this is an API request carrying an Authorization header (valid or not)."""
    return is_api_request() and "Authorization" in request.headers


def bearer_token(header: str) -> str | None:
    """The credentials of an "Authorization: Bearer …" header, None for any other scheme."""
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


def signed_in_by_token() -> bool:
    """Whether this request's user was found by an API token (so no cookie, and no CSRF risk)."""
    return g.get("signed_in_by_token", False)


def refuse_read_only_token() -> None:
    """403 when this request's token may only read (API writes call it before doing anything)."""
    if g.get("token_scope") is TokenScope.READ:
        abort(403, READ_ONLY.format(method=request.method, path=request.path))


# The signed-in user of a session cookie, built once: it runs on every signed-in request. The ids of the
# user's networks come with it (the rules and the kind of viewer a kept page is for read them); the
# organisation and the networks themselves load when first used (few pages do).
_USER_OF_SESSION = (
    select(User)
    .options(undefer(User.network_ids_listed))
    .where(User.session_token == bindparam("token"), User.active.is_(True))
)


def load_user(token: str) -> User | None:
    if presents_bearer():
        return None  # the Authorization header decides, not the cookie
    return get_session().scalar(_USER_OF_SESSION, {"token": token})


def load_user_from_request(req: Request) -> User | None:
    """The user of a valid bearer token on an API request, else None."""
    if not presents_bearer():
        return None
    raw = bearer_token(req.headers["Authorization"])
    if raw is None:
        g.bad_bearer_reason = 'the header holds no "Bearer" token'
        return None
    now = utcnow()
    session = get_session()
    match = tokens.match_token(session, raw, now=now)
    if isinstance(match, tokens.TokenRefused):
        g.bad_bearer_reason = match.reason
        return None
    if match.use_due:
        # Recorded in a short write of its own, after this request's transaction has ended: a writing
        # request's transaction holds SQLite's write lock from its first statement, and one request never
        # holds two connections at once. The user is kept as read (ending a transaction would expire it).
        session.expunge(match.user)
        session.rollback()
        tokens.record_use(match.token_id, now)
        session.add(match.user)
    g.signed_in_by_token = True
    g.token_scope = match.scope
    return match.user


def _refuse_bad_bearer() -> None:
    """401 for an API request whose Authorization header names nobody (before the access rules)."""
    if presents_bearer() and not current_user.is_authenticated:
        g.bad_bearer = True
        abort(401, BAD_TOKEN.format(reason=g.get("bad_bearer_reason", "this one is malformed")))


def _www_authenticate(response):
    """API 401s say how to authenticate (RFC 6750)."""
    if response.status_code == 401 and is_api_request():
        challenge = 'Bearer realm="api"'
        if g.get("bad_bearer"):
            challenge += ', error="invalid_token"'
        response.headers.setdefault("WWW-Authenticate", challenge)
    return response


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.request_loader(load_user_from_request)
    # Registered before tracker.access's rules, so a bad token is refused as such.
    app.before_request(_refuse_bad_bearer)
    app.after_request(_www_authenticate)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"


def safe_next(target: str | None) -> str | None:
    """The target if it is a path on this site, else None.

    Browsers read a backslash as a slash and drop tabs and line breaks inside a URL, so
    "/\\evil.example" or "/\\t/evil.example" would leave the site: anything holding those is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ch == "\\" or ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
