"""Read queries for the catalogue; each loads what its page shows in a fixed number of statements.

Pages never walk one-to-many relationships lazily: the driver diagram is built here, in Python,
from the package's drivers and ideas that one query loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from ..calendar import today
from ..core.stages import DEFAULT_THRESHOLD
from ..models import Adoption, Ambition, ChangeIdea, ChangePackage, Driver, Organisation, PackageStatus
from ..models.adoption import rank_of

MAX_SEARCH_WORDS = 10
MAX_SEARCH_LENGTH = 200


CATALOGUE_ORDER = (ChangePackage.position, ChangePackage.code, ChangeIdea.position, ChangeIdea.code)


def counted_ideas(ambition_id: int) -> Select[tuple[ChangeIdea]]:
    """The ideas an ambition's coverage counts (those in its published packages), in catalogue order.

    The one definition every report, map and API uses; narrow the columns with with_only_columns()."""
    return (
        select(ChangeIdea)
        .join(ChangePackage, ChangeIdea.package_id == ChangePackage.id)
        .where(ChangePackage.ambition_id == ambition_id, ChangePackage.is_published)
        .order_by(*CATALOGUE_ORDER)
    )


def _packages(include_drafts: bool):
    """The loader path for an ambition's packages, leaving out drafts unless asked."""
    if include_drafts:
        return Ambition.packages
    return Ambition.packages.and_(ChangePackage.is_published)


def ambitions_overview(session: Session, include_drafts: bool = False) -> list[Ambition]:
    """Every ambition with its targets and (published, unless asked) packages and their ideas."""
    return list(
        session.scalars(
            select(Ambition)
            .options(
                selectinload(Ambition.targets),
                selectinload(_packages(include_drafts)).selectinload(ChangePackage.ideas),
            )
            .order_by(Ambition.position, Ambition.code)
        )
    )


def ambition_detail(session: Session, code: str, include_drafts: bool = False) -> Ambition | None:
    return session.scalar(
        select(Ambition)
        .where(Ambition.code == code)
        .options(
            selectinload(Ambition.targets),
            selectinload(_packages(include_drafts)).selectinload(ChangePackage.ideas),
        )
    )


def ambition_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(select(Ambition.id, Ambition.title).order_by(Ambition.position, Ambition.code))
    return [(id_, title) for id_, title in rows]


def ambition_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Ambition.id).where(Ambition.code == code))


def package_detail(session: Session, code: str) -> ChangePackage | None:
    """A package with everything its page shows: ambition, drivers, ideas and resources."""
    return session.scalar(
        select(ChangePackage)
        .where(ChangePackage.code == code)
        .options(
            joinedload(ChangePackage.ambition),
            selectinload(ChangePackage.drivers),
            selectinload(ChangePackage.ideas),
            selectinload(ChangePackage.resources),
        )
    )


def trusts_using(session: Session, package_id: int, include_drafts: bool = False) -> dict[int, tuple[int, int]]:
    """Per idea of the package (by id): how many open trusts use it now (their current record at the adoption
    threshold or beyond) and how many more are considering or testing it. One statement; nothing for the
    ideas of a draft package unless drafts may be seen."""
    rank = rank_of(Adoption.stage)
    stmt = (
        select(
            Adoption.change_idea_id,
            func.sum(case((rank >= DEFAULT_THRESHOLD.rank, 1), else_=0)),
            func.sum(case((and_(rank > 0, rank < DEFAULT_THRESHOLD.rank), 1), else_=0)),
        )
        .join(Organisation, Adoption.organisation_id == Organisation.id)
        .join(ChangeIdea, Adoption.change_idea_id == ChangeIdea.id)
        .join(ChangePackage, ChangeIdea.package_id == ChangePackage.id)
        .where(ChangeIdea.package_id == package_id, Organisation.is_open_on(today()))
        .group_by(Adoption.change_idea_id)
    )
    if not include_drafts:
        stmt = stmt.where(ChangePackage.is_published)
    return {idea_id: (int(in_use), int(starting)) for idea_id, in_use, starting in session.execute(stmt)}


def package_for_edit(session: Session, code: str) -> ChangePackage | None:
    """A package with its drivers (for the driver choices of the idea and driver forms)."""
    return session.scalar(
        select(ChangePackage)
        .where(ChangePackage.code == code)
        .options(joinedload(ChangePackage.ambition), selectinload(ChangePackage.drivers))
    )


def driver_detail(session: Session, driver_id: int) -> Driver | None:
    """A driver with its package, ambition, secondary drivers and ideas (for edit and delete)."""
    return session.scalar(
        select(Driver)
        .where(Driver.id == driver_id)
        .options(
            joinedload(Driver.package).joinedload(ChangePackage.ambition),
            joinedload(Driver.package).selectinload(ChangePackage.drivers),
            selectinload(Driver.ideas),
            selectinload(Driver.children).selectinload(Driver.ideas),
        )
    )


@dataclass
class DriverNode:
    driver: Driver
    ideas: list[ChangeIdea] = field(default_factory=list)
    children: list[DriverNode] = field(default_factory=list)


@dataclass
class Diagram:
    primary: list[DriverNode]
    unplaced: list[ChangeIdea]


def _order(item) -> tuple[int, int]:
    return (item.position, item.id)


def driver_diagram(drivers: list[Driver], ideas: list[ChangeIdea]) -> Diagram:
    """The package's tree: primary drivers, their secondary drivers, the ideas under each.

    Ideas whose driver is not among `drivers` (not known yet) are listed as unplaced.
    """
    nodes = {d.id: DriverNode(d) for d in sorted(drivers, key=_order)}
    primary = []
    for node in nodes.values():
        parent = nodes.get(node.driver.parent_id) if node.driver.parent_id is not None else None
        if parent is None:
            primary.append(node)
        else:
            parent.children.append(node)
    unplaced = []
    for idea in sorted(ideas, key=_order):
        node = nodes.get(idea.driver_id) if idea.driver_id is not None else None
        (node.ideas if node else unplaced).append(idea)
    return Diagram(primary, unplaced)


def driver_choices(drivers: list[Driver]) -> list[tuple[int, str]]:
    """Every driver of a package, in diagram order, labelled with its primary driver."""
    choices = []
    for node in driver_diagram(drivers, []).primary:
        choices.append((node.driver.id, node.driver.title))
        for child in node.children:
            choices.append((child.driver.id, f"{node.driver.title} › {child.driver.title}"))
    return choices


def search_words(query: str | None) -> list[str]:
    """The distinct words of a search, case-folded, at most MAX_SEARCH_WORDS of them."""
    words: list[str] = []
    for word in (query or "")[:MAX_SEARCH_LENGTH].split():
        word = word.casefold()
        if word not in words:
            words.append(word)
    return words[:MAX_SEARCH_WORDS]


def search_ideas(session: Session, words: list[str], include_drafts: bool = False) -> list[ChangeIdea]:
    """Ideas whose code, title or description contains every word, case-insensitively.

    icontains (lower() LIKE with escaping) behaves the same on SQLite and PostgreSQL, and
    escaping means % and _ in a search are taken literally.
    """
    if not words:
        return []
    conditions = [
        or_(
            ChangeIdea.code.icontains(word, autoescape=True),
            ChangeIdea.title.icontains(word, autoescape=True),
            ChangeIdea.description.icontains(word, autoescape=True),
        )
        for word in words
    ]
    if not include_drafts:
        conditions.append(ChangePackage.status == PackageStatus.PUBLISHED)
    return list(
        session.scalars(
            select(ChangeIdea)
            .join(ChangeIdea.package)
            .join(ChangePackage.ambition)
            .where(and_(*conditions))
            .options(contains_eager(ChangeIdea.package).contains_eager(ChangePackage.ambition))
            .order_by(Ambition.position, ChangePackage.position, ChangeIdea.code)
        )
    )
