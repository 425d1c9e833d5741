"""Read queries for the JSON API.

Plain functions over a Session, knowing nothing of Flask. Each loads everything its endpoint
serialises in a fixed number of statements (joins and selectinload), whatever the data size, and
returns rows in a fixed order. Draft packages, and the ideas in them, are left out unless the
caller passes include_drafts=True.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from ..catalogue.queries import CATALOGUE_ORDER
from ..models import (
    Ambition,
    ChangeIdea,
    ChangePackage,
    Driver,
    Network,
    Organisation,
)


def _visible(query: Select, include_drafts: bool) -> Select:
    """The query (which joins ChangePackage) without draft packages, unless drafts are wanted."""
    return query if include_drafts else query.where(ChangePackage.is_published)


def _packages_of(include_drafts: bool):
    """Ambition.packages, narrowed to the packages the caller may see."""
    return Ambition.packages if include_drafts else Ambition.packages.and_(ChangePackage.is_published)


def ambitions(session: Session, include_drafts: bool = False) -> list[Ambition]:
    """Every ambition with its targets and visible packages, by position."""
    return list(
        session.scalars(
            select(Ambition)
            .options(selectinload(Ambition.targets), selectinload(_packages_of(include_drafts)))
            .order_by(Ambition.position, Ambition.code)
        )
    )


def ambition(session: Session, code: str, include_drafts: bool = False) -> Ambition | None:
    """One ambition with its targets and visible packages, each with its drivers and ideas."""
    packages = selectinload(_packages_of(include_drafts))
    return session.scalar(
        select(Ambition)
        .where(Ambition.code == code)
        .options(
            selectinload(Ambition.targets),
            packages.selectinload(ChangePackage.drivers),
            packages.selectinload(ChangePackage.ideas),
        )
    )


def ambition_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Ambition.id).where(Ambition.code == code))


def network_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Network.id).where(Network.code == code))


def _ideas_query(include_drafts: bool) -> Select:
    """Ideas joined to their package and ambition, with driver and the driver's parent loaded."""
    query = (
        select(ChangeIdea)
        .join(ChangeIdea.package)
        .join(ChangePackage.ambition)
        .options(
            contains_eager(ChangeIdea.package).contains_eager(ChangePackage.ambition),
            joinedload(ChangeIdea.driver).joinedload(Driver.parent),
        )
    )
    return _visible(query, include_drafts)


def ideas(include_drafts: bool = False, ambition_id: int | None = None) -> Select:
    """Visible ideas (of one ambition if given), in catalogue order.

    Without drafts, an ambition's are the ideas its coverage counts (catalogue.queries.counted_ideas);
    editors see its draft ideas too, so the list is built here with what serialising needs loaded."""
    query = _ideas_query(include_drafts)
    if ambition_id is not None:
        query = query.where(ChangePackage.ambition_id == ambition_id)
    return query.order_by(*CATALOGUE_ORDER)


def idea(session: Session, code: str, include_drafts: bool = False) -> ChangeIdea | None:
    return session.scalars(_ideas_query(include_drafts).where(ChangeIdea.code == code)).first()


def networks() -> Select:
    """Every network with the number of organisations in it (closed ones included), by code."""
    count = func.count(Organisation.id)
    return (
        select(Network, count)
        .outerjoin(Organisation, Organisation.network_id == Network.id)
        .group_by(Network.id)
        .order_by(Network.code)
    )


def organisations(network_id: int | None = None, open_on: date | None = None) -> Select:
    """Organisations (of one network, open on one day, if given) by ODS code."""
    # Joined, not selectin: a page is then the same statements whether or not its rows have a network.
    query = select(Organisation).options(joinedload(Organisation.network), joinedload(Organisation.successor))
    if network_id is not None:
        query = query.where(Organisation.network_id == network_id)
    if open_on is not None:
        query = query.where(Organisation.is_open_on(open_on))
    return query.order_by(Organisation.ods_code)


def idea_id(session: Session, code: str, include_drafts: bool = False) -> int | None:
    """The id of a visible idea (drafts only when include_drafts), None for unknown or hidden ones."""
    query = select(ChangeIdea.id).join(ChangeIdea.package).where(ChangeIdea.code == code)
    return session.scalar(_visible(query, include_drafts))
