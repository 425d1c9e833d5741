"""What API requests with a body pass before their view: the CSRF rule, and for writes the token's scope
and Idempotency-Key (honoured so a lost answer can be fetched again).

A client that sent a write and lost the answer (a timeout, a dropped connection) cannot know whether it
was made. Sending the write with an `Idempotency-Key` header (any unique value, such as a UUID) lets it
send the same request again: the first one is made and its answer kept; a retry with the same key gets
that answer back (with `Idempotent-Replayed: true`) and writes nothing. Keys are per user and kept for
IDEMPOTENCY_KEY_HOURS in the database, so every server process shares them.

The key is claimed before the write, in a committed row whose (user, key) is unique: of two requests
racing with one key, the second fails on the constraint (on PostgreSQL it waits for the first's insert
to commit), finds the claim and is told the first is still being answered (409), or gets its answer.
A write that fails (an exception, a 5xx) gives the key back so a retry can make it. Answers below 500,
refusals included, are kept: the same request would be refused the same way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from flask import Response, abort, current_app, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.session import refuse_read_only_token, signed_in_by_token
from ..db import get_session
from ..errors import error_json
from ..extensions import csrf
from ..models import IdempotentRequest, utcnow

HEADER = "Idempotency-Key"
KEY_LENGTH = 255
KEY_FORMAT = re.compile(r"[A-Za-z0-9_.:~-]+")
CLAIM_ATTEMPTS = 3  # a claim found and given back between our insert and our read: try again


def check_csrf() -> None:
    """Session-cookie callers must prove the request came from our pages; token callers need not."""
    if signed_in_by_token() or not current_app.config["WTF_CSRF_ENABLED"]:
        return
    try:
        csrf.protect()
    except CSRFError as error:
        abort(
            400,
            f"{error.description} A request signed in by session cookie must send the CSRF token "
            "in the X-CSRFToken header; programs should use an API token instead.",
        )


def key_problem(key: str) -> str | None:
    """Why the header's value cannot be a key, or None when it can."""
    if not key:
        return f"The {HEADER} header is empty: send a unique value such as a UUID, or leave the header out"
    if len(key) > KEY_LENGTH:
        return f"The {HEADER} header is {len(key)} characters long: it may be at most {KEY_LENGTH}"
    if not KEY_FORMAT.fullmatch(key):
        return f"The {HEADER} header may hold only letters, digits and the characters - _ . : ~ (a UUID, for example)"
    return None


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes a request the same request: its method, path with query, and body."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(session: Session, user_id: int, key: str, print_: str, now: datetime, kept: timedelta):
    """None when this request now holds the key (committed); else the stored row holding it.

    Expired keys (everyone's) are forgotten first, so the table holds a day of writes at most.
    """
    for _ in range(CLAIM_ATTEMPTS):
        session.execute(delete(IdempotentRequest).where(IdempotentRequest.created_at < now - kept))
        try:
            session.execute(
                insert(IdempotentRequest).values(
                    user_id=user_id, key=key, fingerprint=print_, created_at=now, content_type="", body=b""
                )
            )
            session.commit()
            return None
        except IntegrityError:
            session.rollback()
        held = session.execute(
            select(
                IdempotentRequest.fingerprint,
                IdempotentRequest.status,
                IdempotentRequest.content_type,
                IdempotentRequest.body,
            ).where(IdempotentRequest.user_id == user_id, IdempotentRequest.key == key)
        ).first()
        session.rollback()
        if held is not None:
            return held
    raise RuntimeError("could not claim an idempotency key")  # the 500 page; the client retries


def _finish(session: Session, user_id: int, key: str, response: Response | None) -> None:
    """Keep the answer under the key, or (None) give the key back. Whatever the view left uncommitted
    is not part of its answer: it is dropped first."""
    session.rollback()
    where = (IdempotentRequest.user_id == user_id, IdempotentRequest.key == key)
    if response is None:
        session.execute(delete(IdempotentRequest).where(*where))
    else:
        session.execute(
            update(IdempotentRequest)
            .where(*where)
            .values(status=response.status_code, content_type=response.content_type or "", body=response.get_data())
        )
    session.commit()


def _replay(held) -> Response | tuple:
    if held.fingerprint != request_fingerprint():
        return error_json(
            422,
            f"This {HEADER} was first sent with a different request (method, address or body). "
            "Use a new key for a new request; resend the first request unchanged to get its answer.",
        )
    if held.status is None:
        response, status = error_json(
            409, f"The first request with this {HEADER} is still being answered. Send it again in a moment."
        )
        response.headers["Retry-After"] = "1"
        return response, status
    response = Response(held.body, status=held.status, content_type=held.content_type or None)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def request_fingerprint() -> str:
    return fingerprint(request.method, request.full_path.rstrip("?"), request.get_data(cache=True))


def writes(view: Callable) -> Callable:
    """Mark an API view as a write: read-only tokens are refused, and Idempotency-Key is honoured."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        check_csrf()
        refuse_read_only_token()
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        problem = key_problem(key.strip())
        if problem:
            abort(400, problem)
        key = key.strip()
        session = get_session()
        user_id = current_user.id
        kept = timedelta(hours=current_app.config["IDEMPOTENCY_KEY_HOURS"])
        held = claim(session, user_id, key, request_fingerprint(), utcnow(), kept)
        if held is not None:
            return _replay(held)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            _finish(session, user_id, key, None)
            raise
        _finish(session, user_id, key, None if response.status_code >= 500 else response)
        return response

    wrapper.api_write = True  # type: ignore[attr-defined]
    return wrapper
