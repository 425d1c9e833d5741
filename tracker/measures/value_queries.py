"""Reading measures, wards and values for the values pages, the import and the API: each list in
one statement, its related rows loaded with it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload, raiseload

from ..calendar import people_date
from ..core.opening import closed_by
from ..models import Measure, MeasureValue, Organisation, Ward

_NO_LAZY = raiseload("*", sql_only=True)


def measures(session: Session) -> list[Measure]:
    """Every measure with its ambition, by ambition, then position."""
    return list(
        session.scalars(
            select(Measure)
            .options(joinedload(Measure.ambition), _NO_LAZY)
            .order_by(Measure.ambition_id, Measure.position, Measure.code)
        )
    )


def measure_by_code(session: Session, code: str) -> Measure | None:
    return session.scalar(select(Measure).where(Measure.code == code.strip().upper()))


def wards(session: Session, organisation: Organisation) -> list[Ward]:
    """The organisation's wards by name."""
    return list(session.scalars(select(Ward).where(Ward.organisation_id == organisation.id).order_by(Ward.name)))


def ward_choices(wards: list[Ward], day: date | None = None) -> list[tuple[str, str]]:
    """Every ward, a closed one saying so: months from before it closed are still recorded for it."""
    return [
        (str(w.id), f"{w.name} (closed {people_date(w.closed_on)})" if day and closed_by(w.closed_on, day) else w.name)
        for w in wards
    ]


def value(session: Session, value_id: int) -> MeasureValue | None:
    """A value with its measure, organisation and ward."""
    return session.scalar(
        select(MeasureValue)
        .where(MeasureValue.id == value_id)
        .options(
            joinedload(MeasureValue.measure),
            joinedload(MeasureValue.organisation),
            joinedload(MeasureValue.ward),
        )
    )


def values(
    session: Session, measure: Measure, organisation: Organisation, ward: Ward | None = None
) -> list[MeasureValue]:
    """The measure's values at the organisation (only the ward's, if given), newest month first,
    the organisation as a whole before its wards; with their wards, in one statement."""
    query = (
        select(MeasureValue)
        .where(MeasureValue.measure_id == measure.id, MeasureValue.organisation_id == organisation.id)
        .outerjoin(MeasureValue.ward)
        .options(contains_eager(MeasureValue.ward), _NO_LAZY)
        .order_by(MeasureValue.month.desc(), MeasureValue.ward_id.isnot(None), Ward.name)
    )
    if ward is not None:
        query = query.where(MeasureValue.ward_id == ward.id)
    return list(session.scalars(query))
