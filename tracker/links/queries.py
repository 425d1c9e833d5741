"""Read queries for learning links: each loads what its page or answer shows in a fixed number of
statements, whatever the number of links (both organisations come in the same statement)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, raiseload, selectinload

from ..core.graph import LinkRecord
from ..models import LearningLink, LinkKind, LinkStatus, Organisation

_NO_LAZY = raiseload("*", sql_only=True)


@dataclass(frozen=True)
class LinkFilter:
    """The links list's filters: one organisation (either end), one network (either end), a status, a kind."""

    organisation_id: int | None = None
    network_id: int | None = None
    status: LinkStatus | None = None
    kind: LinkKind | None = None


def _filtered(query: Select, chosen: LinkFilter, source, target) -> Select:
    if chosen.organisation_id is not None:
        query = query.where(
            or_(LearningLink.source_id == chosen.organisation_id, LearningLink.target_id == chosen.organisation_id)
        )
    if chosen.network_id is not None:
        query = query.where(or_(source.network_id == chosen.network_id, target.network_id == chosen.network_id))
    if chosen.status is not None:
        query = query.where(LearningLink.status == chosen.status)
    if chosen.kind is not None:
        query = query.where(LearningLink.kind == chosen.kind)
    return query


def _links(chosen: LinkFilter) -> tuple[Select, type[Organisation], type[Organisation]]:
    """The select of the links the filters match, both organisations loaded, and the two aliases it joins."""
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
    return _filtered(query, chosen, source, target), source, target


def links_query(organisation_id: int | None = None, status: LinkStatus | None = None) -> Select:
    """Links with both organisations, optionally of one organisation and of one status, by id (the API's,
    which pages it by cursor)."""
    return _links(LinkFilter(organisation_id=organisation_id, status=status))[0].order_by(LearningLink.id)


def links(
    session: Session,
    organisation_id: int | None = None,
    status: LinkStatus | None = None,
    *,
    chosen: LinkFilter | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[LearningLink]:
    """Links with both organisations, filtered (by `chosen`, or one organisation and one status), by the
    organisations' names then kind: the page's, which asks for one page of rows by offset and limit."""
    query, source, target = _links(chosen or LinkFilter(organisation_id=organisation_id, status=status))
    query = query.order_by(source.name, target.name, LearningLink.kind, LearningLink.id)
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return list(session.scalars(query))


def count(session: Session, chosen: LinkFilter) -> int:
    """How many links the filters match, in one statement."""
    source, target = aliased(Organisation), aliased(Organisation)
    query = (
        select(func.count(LearningLink.id))
        .join(source, LearningLink.source_id == source.id)
        .join(target, LearningLink.target_id == target.id)
    )
    return session.scalar(_filtered(query, chosen, source, target)) or 0


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
