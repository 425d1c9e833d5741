"""Reads for the wards pages, each in a fixed number of statements whatever the number of wards."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, raiseload

from ..models import Organisation, Ward

_NO_LAZY = raiseload("*", sql_only=True)


def wards_of(session: Session, organisation: Organisation) -> list[Ward]:
    """The organisation's wards by name: one statement."""
    return list(
        session.scalars(
            select(Ward).where(Ward.organisation_id == organisation.id).options(_NO_LAZY).order_by(Ward.name)
        )
    )


def ward(session: Session, ward_id: int) -> Ward | None:
    """The ward with its organisation, or None."""
    return session.scalar(select(Ward).where(Ward.id == ward_id).options(joinedload(Ward.organisation)))
