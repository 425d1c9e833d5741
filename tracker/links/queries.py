"""Read queries for learning links: each loads what its page or answer shows in a fixed number of
statements, whatever the number of links (both organisations come in the same statement)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, raiseload, selectinload

from ..core.graph import LinkRecord
from ..models import LearningLink, LinkStatus, Organisation

_NO_LAZY = raiseload("*", sql_only=True)


def _links(organisation_id: int | None, status: LinkStatus | None):
    """The select of links with both organisations loaded, and the two aliases it joins them by."""
    source, target = aliased(Organisation), aliased(Organisation)
    query = (
        select(LearningLink)
        .join(source, LearningLink.source)
        .join(target, LearningLink.target)
        .options(
            contains_eager(LearningLink.source.of_type(source)),
            contains_eager(LearningLink.target.of_type(target)),
            _NO_LAZY,
        )
    )
    if organisation_id is not None:
        query = query.where(or_(LearningLink.source_id == organisation_id, LearningLink.target_id == organisation_id))
    if status is not None:
        query = query.where(LearningLink.status == status)
    return query, source, target


def links_query(organisation_id: int | None = None, status: LinkStatus | None = None) -> Select:
    """Links with both organisations, optionally of one organisation and of one status, by id (the API's)."""
    return _links(organisation_id, status)[0].order_by(LearningLink.id)


def links(session: Session, organisation_id: int | None = None, status: LinkStatus | None = None) -> list[LearningLink]:
    """Links with both organisations, as links_query(), by the organisations' names then kind (the page's)."""
    query, source, target = _links(organisation_id, status)
    return list(session.scalars(query.order_by(source.name, target.name, LearningLink.kind, LearningLink.id)))


def link(session: Session, link_id: int) -> LearningLink | None:
    """One link with both organisations."""
    return session.scalar(
        select(LearningLink)
        .where(LearningLink.id == link_id)
        .options(selectinload(LearningLink.source), selectinload(LearningLink.target))
    )


def active_links(session: Session, day: date) -> list[LinkRecord]:
    """Learning links active on the day between organisations open on it, proposed ones included.

    Each link runs from the lower ODS code to the higher; sorted by source, target and kind.
    """
    source, target = aliased(Organisation), aliased(Organisation)
    rows = session.execute(
        select(source.ods_code, target.ods_code, LearningLink.kind, LearningLink.weight, LearningLink.status)
        .join(source, LearningLink.source_id == source.id)
        .join(target, LearningLink.target_id == target.id)
        .where(
            or_(LearningLink.start_date.is_(None), LearningLink.start_date <= day),
            or_(LearningLink.end_date.is_(None), LearningLink.end_date >= day),
            source.is_open_on(day),
            target.is_open_on(day),
        )
    )
    links = [
        LinkRecord(min(a, b), max(a, b), kind.value, weight, status == LinkStatus.CONFIRMED)
        for a, b, kind, weight, status in rows
    ]
    return sorted(links, key=lambda link: (link.source, link.target, link.kind))
