"""Read queries for the catalogue; each loads what its page shows in a fixed number of statements."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Ambition, ChangePackage


def ambitions_overview(session: Session) -> list[Ambition]:
    """Every ambition with its targets and packages."""
    return list(
        session.scalars(
            select(Ambition)
            .options(selectinload(Ambition.targets), selectinload(Ambition.packages).selectinload(ChangePackage.ideas))
            .order_by(Ambition.position, Ambition.code)
        )
    )
