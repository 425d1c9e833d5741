"""The lookups every area shares: an organisation by its ODS code, a change idea by its code.

Shared pieces live outside the feature folders, so that the areas that log, show and report on
adoption can all find an organisation or an idea without importing one another.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, raiseload, selectinload

from .models import ChangeIdea, ChangePackage, Driver, Organisation

# Any relationship a query did not load raises instead of quietly costing one statement per row.
_NO_LAZY = raiseload("*", sql_only=True)


def organisation_by_ods(session: Session, ods_code: str, *, related: bool = False) -> Organisation | None:
    """The organisation with this ODS code (as stored, in capitals), or None: the one lookup by ODS code.

    related: with its network, successor and predecessors, for a page or answer that shows them.
    """
    query = select(Organisation).where(Organisation.ods_code == ods_code)
    if related:
        query = query.options(
            selectinload(Organisation.network),
            selectinload(Organisation.successor),
            selectinload(Organisation.predecessors),
            _NO_LAZY,
        )
    return session.scalar(query)


def idea_detail(session: Session, code: str) -> ChangeIdea | None:
    """An idea with its package, ambition and place in the driver diagram, in one statement."""
    return session.scalar(
        select(ChangeIdea)
        .where(ChangeIdea.code == code)
        .options(
            joinedload(ChangeIdea.package).joinedload(ChangePackage.ambition),
            joinedload(ChangeIdea.driver).joinedload(Driver.parent),
        )
    )
