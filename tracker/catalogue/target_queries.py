"""Read queries for an ambition's targets: the ambition, the target with its ambition and network, and the
networks to choose from (a target's history: tracker.catalogue.target_history)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import Ambition, AmbitionTarget, Network


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
