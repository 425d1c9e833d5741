"""What the spread map's filters offer: ambitions, and the published change ideas of one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Ambition, ChangeIdea, ChangePackage, PackageStatus


def ambitions(session: Session) -> list[Ambition]:
    return list(session.scalars(select(Ambition).order_by(Ambition.position, Ambition.code)))


def published_ideas(session: Session, ambition: Ambition) -> list[ChangeIdea]:
    """The ambition's ideas in published packages, in catalogue order (the ideas coverage counts)."""
    return list(
        session.scalars(
            select(ChangeIdea)
            .join(ChangeIdea.package)
            .where(ChangePackage.ambition_id == ambition.id, ChangePackage.status == PackageStatus.PUBLISHED)
            .order_by(ChangePackage.position, ChangePackage.code, ChangeIdea.position, ChangeIdea.code)
        )
    )


def idea_exists(session: Session, code: str) -> bool:
    """Whether a published idea has the code (draft ideas are not on the map)."""
    return (
        session.scalar(
            select(ChangeIdea.id)
            .join(ChangeIdea.package)
            .where(ChangeIdea.code == code, ChangePackage.status == PackageStatus.PUBLISHED)
        )
        is not None
    )
