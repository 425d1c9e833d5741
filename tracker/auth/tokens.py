"""API tokens: issue, revoke, and find the user a presented token belongs to.

A token is "st_" and 43 URL-safe characters. Only its SHA-256 (hex) is stored, with its first
characters (the prefix) so people can tell their tokens apart; the token itself is shown once.
A token is looked up by its hash, so checking one never compares secrets byte by byte.
Each token has a name, a scope (read, or read and write) and an expiry no further off than the
service allows (API_TOKEN_MAX_DAYS). Each writing function is one unit of work and commits; the
CLI and the admin pages share them, and check what they are given with check_request.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session, selectinload, undefer

from ..db import write_session
from ..editing import InvalidInput
from ..models import ApiToken, TokenScope, User, utcnow

TOKEN_PREFIX = "st_"
PREFIX_LENGTH = 10
# What secrets.token_urlsafe(32) gives, after "st_": anything else is not one of ours.
TOKEN_FORMAT = re.compile(r"st_[A-Za-z0-9_-]{43}")
# last_used_at is a rough guide, not a log: it is written at most this often per token, so reads
# through a busy token do not each write.
USE_RECORDED_EVERY = timedelta(minutes=1)
NAME_LENGTH = 80
DEFAULT_MAX_DAYS = 365


@dataclass(frozen=True)
class TokenRequest:
    """What a new token is to be: checked by check_request before anything is written."""

    name: str
    scope: TokenScope
    days: int


def check_request(user: User | None, name: str, scope: str, days: int | None, max_days: int) -> TokenRequest:
    """The request, or InvalidInput naming each problem (field: message)."""
    errors: dict[str, str] = {}
    if user is None:
        errors["user"] = "Choose the account the token is for"
    elif not user.active:
        errors["user"] = f"The account {user.email} is disabled: its tokens would not work"
    name = (name or "").strip()
    if not name:
        errors["name"] = "Enter a name that says what the token is for, such as the program that uses it"
    elif len(name) > NAME_LENGTH:
        errors["name"] = f"The name must be {NAME_LENGTH} characters or fewer"
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        errors["name"] = "The name must not contain control characters"
    try:
        chosen = TokenScope(scope)
    except ValueError:
        errors["scope"] = "Choose read only, or read and write"
        chosen = TokenScope.READ
    if days is None:
        errors["expires"] = "Enter how many days the token lasts"
    elif not 1 <= days <= max_days:
        errors["expires"] = f"A token lasts from 1 to {max_days} days"
    if errors:
        raise InvalidInput(errors)
    return TokenRequest(name=name, scope=chosen, days=days or 0)


def _note(session: Session, token: ApiToken, text: str) -> None:
    """What the audit row of the token's next change says about it (as tracker.audit_trail.note does;
    its key is written here so this module stays below the audit trail in the import graph)."""
    session.info.setdefault("audit_notes", {})[token] = text


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def is_well_formed(raw: str) -> bool:
    return TOKEN_FORMAT.fullmatch(raw) is not None


def issue_token(session: Session, user: User, wanted: TokenRequest | None = None) -> str:
    """Create a token for the user and return it: the only time it exists outside their hands.

    Without a request (the test suite's tokens): "unnamed", read and write, for the longest default.
    """
    wanted = wanted or TokenRequest(name="unnamed", scope=TokenScope.WRITE, days=DEFAULT_MAX_DAYS)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=token_hash(raw),
            prefix=raw[:PREFIX_LENGTH],
            name=wanted.name,
            scope=wanted.scope,
            created_at=now,
            expires_at=now + timedelta(days=wanted.days),
        )
    )
    session.commit()
    return raw


def all_tokens(session: Session, user_id: int | None = None) -> list[ApiToken]:
    """Every token (or one account's), with its user, newest first."""
    query = select(ApiToken).options(selectinload(ApiToken.user))
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def status(token: ApiToken, now: datetime) -> str:
    """ "revoked", "expired" or "active", as the list shows it."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    return "active"


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, revoked ones included, newest first."""
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def find_tokens(session: Session, prefix_or_token: str) -> list[ApiToken]:
    """The tokens a person means by a prefix (or by the whole token), with their users."""
    value = prefix_or_token.strip()
    where = ApiToken.token_hash == token_hash(value) if is_well_formed(value) else ApiToken.prefix == value
    return list(
        session.scalars(select(ApiToken).where(where).options(selectinload(ApiToken.user)).order_by(ApiToken.id))
    )


def revoke(session: Session, token: ApiToken) -> bool:
    """Revoke a token; False (and nothing written) when it already was."""
    if token.revoked_at is not None:
        session.rollback()
        return False
    name = f"“{token.name}” " if token.name else ""
    _note(session, token, f"{name}of {token.user.email}")
    token.revoked_at = utcnow()
    session.commit()
    return True


def revoke_all(session: Session, user: User) -> int:
    """Revoke every live token of the user; returns how many there were."""
    live = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    now = utcnow()
    for token in live:
        name = f"“{token.name}” " if token.name else ""
        _note(session, token, f"{name}of {user.email}")
        token.revoked_at = now
    session.commit()
    return len(live)


@dataclass(frozen=True)
class TokenMatch:
    """The active user a token belongs to, its scope, and whether its use is due to be recorded."""

    user: User
    token_id: int
    scope: TokenScope
    use_due: bool


@dataclass(frozen=True)
class TokenRefused:
    """Why a well-formed token names nobody, in words for the 401."""

    reason: str


# The user of a token and the token's state, in one statement built once (tracker.auth.session runs it on
# every bearer request), with the ids of the user's networks. The user's organisation and networks load when
# first used: most requests never do.
_USER_OF_TOKEN = (
    select(User, ApiToken.id, ApiToken.scope, ApiToken.last_used_at, ApiToken.expires_at, ApiToken.revoked_at)
    .options(undefer(User.network_ids_listed))
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def match_token(session: Session, raw: str, *, now: datetime) -> TokenMatch | TokenRefused:
    """The active user of a live token, or why not. One query.

    It writes nothing: when use_due the caller ends `session`'s transaction and then calls record_use,
    so a request never holds two connections at once (under load, requests each holding one and waiting
    for a second would drain the pool) nor waits on SQLite's write lock that its own transaction holds.
    """
    if not is_well_formed(raw):
        return TokenRefused("this one is malformed")
    row = session.execute(_USER_OF_TOKEN, {"token_hash": token_hash(raw)}).first()
    if row is None:
        return TokenRefused("this one is unknown")
    user, token_id, scope, last_used_at, expires_at, revoked_at = row
    if revoked_at is not None:
        return TokenRefused("this one has been revoked")
    if expires_at <= now:
        return TokenRefused("this one expired; ask an administrator for a new one")
    if not user.active:
        return TokenRefused("the account it belongs to is disabled")
    return TokenMatch(user, token_id, scope, last_used_at is None or now - last_used_at >= USE_RECORDED_EVERY)


def record_use(token_id: int, now: datetime) -> None:
    """Set last_used_at unless another request did within the minute (one short write).

    A plain UPDATE, not an ORM change, so the audit trail does not fill with hourly timestamps.
    """
    with write_session() as session:
        session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - USE_RECORDED_EVERY),
            )
            .values(last_used_at=now)
        )
        session.commit()
