"""API tokens: issue, revoke, and find the user a presented token belongs to.

A token is "st_" and 43 URL-safe characters. Only its SHA-256 (hex) is stored, with its first
characters (the prefix) so people can tell their tokens apart; the token itself is shown once.
A token is looked up by its hash, so checking one never compares secrets byte by byte.
Each writing function is one unit of work and commits; the CLI and the admin pages share them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..db import write_session
from ..models import ApiToken, User, utcnow

TOKEN_PREFIX = "st_"
PREFIX_LENGTH = 10
# What secrets.token_urlsafe(32) gives, after "st_": anything else is not one of ours.
TOKEN_FORMAT = re.compile(r"st_[A-Za-z0-9_-]{43}")
# last_used_at is a rough guide, not a log: it is written at most this often.
USE_RECORDED_EVERY = timedelta(hours=1)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def is_well_formed(raw: str) -> bool:
    return TOKEN_FORMAT.fullmatch(raw) is not None


def issue_token(session: Session, user: User) -> str:
    """Create a token for the user and return it: the only time it exists outside their hands."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=token_hash(raw), prefix=raw[:PREFIX_LENGTH]))
    session.commit()
    return raw


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
    token.revoked_at = utcnow()
    session.commit()
    return True


def revoke_all(session: Session, user: User) -> int:
    """Revoke every live token of the user; returns how many there were."""
    live = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    now = utcnow()
    for token in live:
        token.revoked_at = now
    session.commit()
    return len(live)


@dataclass(frozen=True)
class TokenMatch:
    """The active user a token belongs to, and whether its use is due to be recorded."""

    user: User
    token_id: int
    use_due: bool


def match_token(session: Session, raw: str, *, now: datetime) -> TokenMatch | None:
    """The active user of an unrevoked token (organisation and networks loaded), else None. One query.

    It writes nothing: the caller releases `session` and then calls record_use when use_due, so a
    request never holds two connections at once (under load, requests each holding one and waiting
    for a second would drain the pool).
    """
    if not is_well_formed(raw):
        return None
    row = session.execute(
        select(User, ApiToken.id, ApiToken.last_used_at)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_hash(raw), ApiToken.revoked_at.is_(None), User.active.is_(True))
        .options(selectinload(User.organisation), selectinload(User.networks))
    ).first()
    if row is None:
        return None
    user, token_id, last_used_at = row
    return TokenMatch(user, token_id, last_used_at is None or now - last_used_at >= USE_RECORDED_EVERY)


def record_use(token_id: int, now: datetime) -> None:
    """Set last_used_at unless another request did within the hour (one short write).

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
