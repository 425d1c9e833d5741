"""Read queries for an ambition's targets: the target with its ambition and network, the networks to
choose from, and the target's history from the audit trail (as the audit page words it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..audit.queries import names_for
from ..audit.sentences.entry import entry
from ..audit.sentences.rows import Entry
from ..models import Ambition, AmbitionTarget, AuditEvent, Network


def ambition_for_targets(session: Session, code: str) -> Ambition | None:
    return session.scalar(select(Ambition).where(Ambition.code == code))


def target_detail(session: Session, target_id: int) -> AmbitionTarget | None:
    """The target with its ambition (its network comes joined): one statement."""
    return session.scalar(
        select(AmbitionTarget).where(AmbitionTarget.id == target_id).options(joinedload(AmbitionTarget.ambition))
    )


def network_choices(session: Session) -> list[tuple[int, str]]:
    return [
        (id_, f"{name} only") for id_, name in session.execute(select(Network.id, Network.name).order_by(Network.name))
    ]


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
