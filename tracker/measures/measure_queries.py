"""Reads for the measures catalogue, each in a fixed number of statements whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, raiseload

from ..models import Ambition, Measure, Network

# Any relationship a query did not load raises instead of quietly costing one statement per row.
_NO_LAZY = raiseload("*", sql_only=True)


@dataclass(frozen=True)
class AmbitionMeasures:
    ambition: Ambition
    measures: list[Measure]


def catalogue(session: Session) -> list[AmbitionMeasures]:
    """Every ambition in catalogue order, each with its measures in their order: two statements."""
    ambitions = list(session.scalars(select(Ambition).order_by(Ambition.position, Ambition.code)))
    measures = session.scalars(select(Measure).options(_NO_LAZY).order_by(Measure.position, Measure.code))
    by_ambition: dict[int, list[Measure]] = {a.id: [] for a in ambitions}
    for measure in measures:
        by_ambition[measure.ambition_id].append(measure)
    return [AmbitionMeasures(a, by_ambition[a.id]) for a in ambitions]


def measure_by_code(session: Session, code: str) -> Measure | None:
    """The measure with its ambition, or None."""
    return session.scalar(select(Measure).where(Measure.code == code).options(joinedload(Measure.ambition), _NO_LAZY))


def ambition_choices(session: Session) -> list[tuple[str, str]]:
    """(code, "title (code)") of every ambition, in catalogue order."""
    rows = session.execute(select(Ambition.code, Ambition.title).order_by(Ambition.position, Ambition.code))
    return [(code, f"{title} ({code})") for code, title in rows]


def networks(session: Session) -> list[Network]:
    """The networks by name: each has a chart of every measure."""
    return list(session.scalars(select(Network).order_by(Network.name)))
