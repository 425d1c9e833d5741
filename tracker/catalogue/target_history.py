"""A target's history: every audited change to it, worded as the audit page words it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit.queries import names_for
from ..audit.sentences.entry import entry
from ..audit.sentences.rows import Entry
from ..models import AmbitionTarget, AuditEvent


def history(session: Session, target_id: int) -> list[Entry]:
    """Every audited change to the target, oldest first: two statements (the rows, the names they use)."""
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == AmbitionTarget.__tablename__, AuditEvent.entity_key == str(target_id))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
    names = names_for(session, events) if events else None
    return [entry(event, names) for event in events] if names else []
