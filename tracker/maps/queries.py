"""The spread map's reads: what its filters offer, and the network as of a day as plain records.

No Flask here. Each function is one statement whatever the size of the data.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import Row, and_, case, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from ..catalogue.queries import counted_ideas
from ..core.graph import OrganisationRecord
from ..core.stages import Stage
from ..links.queries import active_links as active_links  # re-exported: the map reads links from here
from ..models import (
    AdoptionSpell,
    Ambition,
    ChangeIdea,
    ChangePackage,
    LearningLink,
    LinkStatus,
    Network,
    Organisation,
)
from ..models.adoption import rank_of
from ..models.months import month_index
from .assemble import AdoptionState, NotFound, Scope

# The filters -----------------------------------------------------------------------------------


def ambitions(session: Session) -> Sequence[Row]:
    """Each ambition's id, code and title (what the filters offer), in the catalogue's order."""
    return session.execute(
        select(Ambition.id, Ambition.code, Ambition.title).order_by(Ambition.position, Ambition.code)
    ).all()


def published_ideas(session: Session, ambition_id: int) -> Sequence[Row]:
    """The code and title of each of the ambition's ideas that coverage counts, in catalogue order."""
    return session.execute(counted_ideas(ambition_id).with_only_columns(ChangeIdea.code, ChangeIdea.title)).all()


def idea_exists(session: Session, code: str) -> bool:
    """Whether a published idea has the code (draft ideas are not on the map)."""
    found = select(ChangeIdea.id).join(ChangeIdea.package).where(ChangeIdea.code == code, ChangePackage.is_published)
    return session.scalar(found) is not None


# The network -----------------------------------------------------------------------------------


def find_scope(session: Session, ambition: str | None, idea: str | None, include_drafts: bool = False) -> Scope:
    """The scope an ambition code or an idea code names (one statement); NotFound if none.

    An idea implies its ambition; given both, they must agree. Ideas in draft packages are
    found only with include_drafts; an ambition's scope is always the ideas coverage counts.
    The parameter names in NotFound are the API's.
    """
    if idea is not None:
        return _idea_scope(session, ambition, idea, include_drafts)
    if ambition is None:
        raise ValueError("an ambition or an idea is needed")
    ambition_id = select(Ambition.id).where(Ambition.code == ambition).scalar_subquery()
    ideas = counted_ideas(ambition_id).with_only_columns(ChangeIdea.id).subquery()
    rows = session.execute(
        select(Ambition.code, ideas.c.id)
        .select_from(Ambition)
        .outerjoin(ideas, true())
        .where(Ambition.code == ambition)
    ).all()
    if not rows:
        raise NotFound("ambition", f"No ambition has the code {ambition}")
    return Scope(ambition, None, tuple(sorted(idea_id for _code, idea_id in rows if idea_id is not None)))


def _idea_scope(session: Session, ambition: str | None, idea: str, include_drafts: bool) -> Scope:
    row = session.execute(
        select(ChangeIdea.id, Ambition.code, ChangePackage.is_published)
        .join(ChangePackage, ChangeIdea.package_id == ChangePackage.id)
        .join(Ambition, ChangePackage.ambition_id == Ambition.id)
        .where(ChangeIdea.code == idea)
    ).first()
    if row is None or not (row.is_published or include_drafts):
        raise NotFound("intervention", f"No intervention has the code {idea}")
    if ambition is not None and ambition != row.code:
        raise NotFound("intervention", f"The intervention {idea} is not one of the ambition {ambition}'s")
    return Scope(row.code, idea, (row.id,))


def open_organisations(session: Session, day: date) -> list[tuple[int, OrganisationRecord]]:
    """(id, record) of every organisation open on the day, by ODS code."""
    rows = session.execute(
        select(
            Organisation.id,
            Organisation.ods_code,
            Organisation.name,
            Network.code,
            Organisation.latitude,
            Organisation.longitude,
        )
        .outerjoin(Network, Organisation.network_id == Network.id)
        .where(Organisation.is_open_on(day))
        .order_by(Organisation.ods_code)
    )
    return [(id_, OrganisationRecord(ods, name, network, lat, lon)) for id_, ods, name, network, lat, lon in rows]


def networks(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every network, by code."""
    return [(code, name) for code, name in session.execute(select(Network.code, Network.name).order_by(Network.code))]


def adoption_states(
    session: Session,
    idea_ids: Sequence[int],
    day: date,
    threshold: Stage,
    organisations: Collection[int] | None = None,
) -> dict[int, AdoptionState]:
    """Per organisation id (open or not; of the given ones only, if given) with a spell of the ideas
    begun on or before the day: its standing.

    One statement over the spells (tracker.core.ledger: void events have none): each
    organisation × idea's state on the day, and the first day a state at or above the threshold
    held, gathered per organisation. A spell of no length (an event replaced on its own date by a
    later-logged one) was never the state, so it gives neither.
    """
    if not idea_ids:
        return {}
    rank = rank_of(AdoptionSpell.stage)
    holds_on_the_day = or_(AdoptionSpell.ends.is_(None), AdoptionSpell.ends > day)
    held = or_(AdoptionSpell.ends.is_(None), AdoptionSpell.ends > AdoptionSpell.starts)
    rows = session.execute(
        select(
            AdoptionSpell.organisation_id,
            func.max(case((holds_on_the_day, rank))),
            func.min(case((and_(held, rank >= threshold.rank), AdoptionSpell.starts))),
        )
        .where(AdoptionSpell.starts <= day, AdoptionSpell.change_idea_id.in_(idea_ids))
        .where(true() if organisations is None else AdoptionSpell.organisation_id.in_(organisations))
        .group_by(AdoptionSpell.organisation_id)
    )
    return {org: AdoptionState(int(rank), _as_date(first)) for org, rank, first in rows}


def _as_date(value) -> date | None:
    # MIN() over a CASE loses the column type on SQLite, which then answers ISO strings.
    return date.fromisoformat(value) if isinstance(value, str) else value


# The timeline ----------------------------------------------------------------------------------


def organisations_between(
    session: Session, first: date, last: date
) -> list[tuple[int, OrganisationRecord, date | None, date | None]]:
    """(id, record, opened on, closed on) of every organisation open on some day from first to last, by ODS code."""
    rows = session.execute(
        select(
            Organisation.id,
            Organisation.ods_code,
            Organisation.name,
            Network.code,
            Organisation.latitude,
            Organisation.longitude,
            Organisation.opened_on,
            Organisation.closed_on,
        )
        .outerjoin(Network, Organisation.network_id == Network.id)
        .where(
            or_(Organisation.opened_on.is_(None), Organisation.opened_on <= last),
            or_(Organisation.closed_on.is_(None), Organisation.closed_on > first),
        )
        .order_by(Organisation.ods_code)
    )
    return [
        (id_, OrganisationRecord(ods, name, network, lat, lon), opened, closed)
        for id_, ods, name, network, lat, lon, opened, closed in rows
    ]


def spells_of(
    session: Session, idea_ids: Sequence[int], day: date, organisations: Collection[int] | None = None
) -> Sequence[tuple]:
    """What each organisation's stage was, month by month, up to the day, in whole numbers (a national
    ledger's hundreds of thousands of spells read fast, through Core): for each spell of the ideas that
    held for a day or more and began on or before the day, (organisation id, rank, the month begun, the
    month ended (None: not ended), 1 if held on the day itself else 0). Rank 0 is discontinued.
    organisations: of these only (after new events, those they name)."""
    if not idea_ids:
        return []
    holds = case((or_(AdoptionSpell.ends.is_(None), AdoptionSpell.ends > day), 1), else_=0)
    statement = select(
        AdoptionSpell.organisation_id,
        rank_of(AdoptionSpell.stage),
        month_index(AdoptionSpell.starts),
        month_index(AdoptionSpell.ends),
        holds,
    ).where(
        AdoptionSpell.starts <= day,
        AdoptionSpell.change_idea_id.in_(idea_ids),
        or_(AdoptionSpell.ends.is_(None), AdoptionSpell.ends > AdoptionSpell.starts),
    )
    if organisations is not None:
        statement = statement.where(AdoptionSpell.organisation_id.in_(sorted(organisations)))
    # Whole numbers only, so the DBAPI's own tuples are read: SQLAlchemy's rows would double the time.
    return session.connection().execute(statement).cursor.fetchall()


def links_between(session: Session, first: date, last: date) -> Sequence[Row]:
    """(source ODS, target ODS, kind, weight, confirmed, start, end) of every learning link active on
    some day from first to last, by source, target and kind (from the lower ODS code to the higher)."""
    source, target = aliased(Organisation), aliased(Organisation)
    rows = (
        session.connection()
        .execute(
            select(
                source.ods_code,
                target.ods_code,
                LearningLink.kind,
                LearningLink.weight,
                LearningLink.status,
                LearningLink.start_date,
                LearningLink.end_date,
            )
            .join(source, LearningLink.source_id == source.id)
            .join(target, LearningLink.target_id == target.id)
            .where(
                or_(LearningLink.start_date.is_(None), LearningLink.start_date <= last),
                or_(LearningLink.end_date.is_(None), LearningLink.end_date >= first),
            )
        )
        .all()
    )
    found = [
        (min(a, b), max(a, b), kind.value, weight, status == LinkStatus.CONFIRMED, start, end)
        for a, b, kind, weight, status, start, end in rows
        if a != b
    ]
    return sorted(found, key=lambda row: row[:3])
