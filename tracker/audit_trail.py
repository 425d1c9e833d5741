"""The audit trail, written in the same transaction as the change it records.

Every flush of a session is inspected after the fact (ids known, history still available): each
inserted, changed or deleted row of an audited table becomes one audit row with its values before
and after. So no service can forget to audit, and an audit row exists only if its change committed.
Sign-ins and signed-in users' denied requests are recorded explicitly with record(); anonymous denials
are only counted (tracker.denials).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from flask import Flask, request
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from . import db
from .models import (
    AnonymousDenial,
    AuditEvent,
    Base,
    CheckedUpload,
    DigestSent,
    IdempotentRequest,
    SignInAttempts,
    SignInThrottle,
)
from .models.base import utcnow

SECRET_FIELDS = frozenset({"password_hash", "session_token", "token_hash", "mfa_secret", "code_hash"})
# Counters and bookkeeping, not acts: throttling and anonymous denial counts change on every attempt, and
# stored answers to retried API writes repeat a write that is itself audited, and a checked import file
# waiting for its confirmation is a working copy (the import it leads to is audited row by row). A weekly
# digest sent is itself the log of a mail, kept by the command that sends it.
NOT_AUDITED = (
    AuditEvent,
    SignInAttempts,
    SignInThrottle,
    AnonymousDenial,
    IdempotentRequest,
    CheckedUpload,
    DigestSent,
)
NATURAL_KEYS = ("code", "ods_code", "email", "prefix")
ACTOR_KEY = "audit_actor"
NOTES_KEY = "audit_notes"


@dataclass(frozen=True)
class Actor:
    id: int | None = None
    email: str = ""
    role: str = ""
    remote_addr: str = ""
    path: str = ""


COMMAND_LINE = Actor(email="command line", role="cli")


def request_actor() -> Actor:
    """The signed-in user (or nobody) and where the request came from."""
    from flask_login import current_user

    signed_in = current_user and current_user.is_authenticated
    return Actor(
        id=current_user.id if signed_in else None,
        email=current_user.email if signed_in else "",
        role=current_user.role.value if signed_in else "anonymous",
        remote_addr=request.remote_addr or "",
        path=f"{request.method} {request.full_path.rstrip('?')}",
    )


def _name_the_actor(session: Session, in_request: bool) -> None:
    set_actor(session, request_actor if in_request else COMMAND_LINE)


def init_app(app: Flask) -> None:
    """Every session the app makes records its writes as the request's user, or as the command line."""
    db.on_new_session(app, _name_the_actor)


def set_actor(session: Session, actor: Actor | Callable[[], Actor]) -> None:
    """Say who the session's writes are by: an Actor, or a function that finds one at flush time."""
    session.info[ACTOR_KEY] = actor


def actor_of(session: Session) -> Actor:
    actor = session.info.get(ACTOR_KEY, COMMAND_LINE)
    return actor() if callable(actor) else actor


def note(session: Session, obj: Base, text: str) -> None:
    """Put a note on the audit row of obj's next write in this session (what the editor confirmed)."""
    session.info.setdefault(NOTES_KEY, {})[obj] = text


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Base):
        return _key(value)
    return value


def _key(obj: Base) -> str:
    for name in NATURAL_KEYS:
        value = getattr(obj, name, None)
        if value:
            return str(value)
    primary_key = inspect(obj).mapper.primary_key_from_instance(obj)
    return "/".join(str(part) for part in primary_key if part is not None)


def _columns(obj: Base, attribute_filter=None) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    out = {}
    for column in mapper.column_attrs:
        name = column.key
        if attribute_filter is not None and name not in attribute_filter:
            continue
        value = getattr(obj, name)
        out[name] = "(hidden)" if name in SECRET_FIELDS else _plain(value)
    return out


def _changes(obj: Base) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed columns and collections of a dirty row, before and after."""
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.attrs:
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        name = attr.key
        if hasattr(attr, "columns"):
            if name == "row_version":
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            hidden = name in SECRET_FIELDS
            before[name] = "(hidden)" if hidden else _plain(old)
            after[name] = "(hidden)" if hidden else _plain(new)
        elif attr.uselist:
            current = getattr(obj, name)
            unchanged = list(history.unchanged)
            before[name] = sorted(_key(o) for o in unchanged + list(history.deleted))
            after[name] = sorted(_key(o) for o in current)
    return before, after


def _row(action: str, obj: Base, actor: Actor, before, after) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "action": action,
        "entity": obj.__tablename__,
        "entity_key": _key(obj)[:120],
        "actor_id": actor.id,
        "actor_email": actor.email,
        "actor_role": actor.role,
        "remote_addr": actor.remote_addr,
        "path": actor.path[:500],
        "before": before,
        "after": after,
        "detail": "",
    }


@event.listens_for(Session, "after_flush")
def _audit_flush(session: Session, _flush_context) -> None:
    rows = []
    actor = None
    for kind, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if not isinstance(obj, Base) or isinstance(obj, NOT_AUDITED):
                continue
            if kind == "update":
                if not session.is_modified(obj, include_collections=True):
                    continue
                before, after = _changes(obj)
                if not before and not after:
                    continue
            elif kind == "create":
                before, after = None, _columns(obj)
            else:
                before, after = _columns(obj), None
            actor = actor or actor_of(session)
            rows.append(_row(kind, obj, actor, before, after))
            rows[-1]["detail"] = session.info.get(NOTES_KEY, {}).pop(obj, "")
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(*_args) -> None:
    raise PermissionError("audit rows are append-only")


def as_person(session: Session, email: str, user=None) -> Actor:
    """The session's actor (address, request), speaking for a person who is not signed in yet."""
    actor = actor_of(session)
    if user is not None:
        return replace(actor, id=user.id, email=user.email, role=user.role.value)
    return replace(actor, id=None, email=email, role="anonymous")


def record(
    session: Session,
    action: str,
    *,
    detail: str = "",
    entity: str = "",
    entity_key: str = "",
    actor: Actor | None = None,
    after: dict | None = None,
) -> None:
    """Add an audit row for something that is not a row change (sign-in, denied request, prune)."""
    actor = actor or actor_of(session)
    session.add(
        AuditEvent(
            action=action,
            entity=entity,
            entity_key=entity_key[:120],
            actor_id=actor.id,
            actor_email=actor.email,
            actor_role=actor.role,
            remote_addr=actor.remote_addr,
            path=actor.path[:500],
            detail=detail,
            after=after,
        )
    )
