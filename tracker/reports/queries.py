"""The SQL behind the coverage figures: aggregates over each organisation × idea's state on a day.

Every function runs a fixed number of statements whatever the size of the data, and works the
same on SQLite and PostgreSQL. None scans the ledger: figures as of a day start from the current
record (adoptions) and probe the spells only for pairs that changed after the day (the monthly
series, tracker.reports.steps, reads the spells). Both follow the rule for corrections
(tracker.core.ledger works them out). With a cache, the figures are kept per state of the data and,
after new events, the organisations and ideas they name are counted again (tracker.reports.kept).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import CompoundSelect, Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from ..cache import MetricsCache
from ..core import coverage as cov
from ..core.stages import Stage
from ..models import Adoption, AdoptionSpell, Network, Organisation
from ..models.adoption import rank_of
from ..models.versions import Pairs, incremental
from . import kept
from .scope import Identified, Scope

SPELL_RANK = rank_of(AdoptionSpell.stage)


def _in_network(stmt: Select, network: Identified | None) -> Select:
    return stmt.where(Organisation.network_id == network.id) if network is not None else stmt


def open_organisations(session: Session, network: Identified | None, day: date) -> list[cov.Organisation]:
    stmt = (
        select(Organisation.id, Organisation.ods_code, Organisation.name, Network.code)
        .outerjoin(Network, Organisation.network_id == Network.id)
        .where(Organisation.is_open_on(day))
        .order_by(Organisation.name, Organisation.ods_code)
    )
    return [cov.Organisation(*row) for row in session.execute(_in_network(stmt, network))]


# Organisations and ideas whose pairs to count again (coverage_on after new events): the figures of those
# organisations and those ideas, from every pair of theirs.
Touched = tuple[Collection[int], Collection[int]]


def _latest_events(scope: Scope, day: date, touched: Touched | None = None) -> CompoundSelect:
    """Each organisation × idea's state on the day (open organisations only): its stage's rank and
    its ward counts.

    The current record answers for every pair whose current state began on or before the day (every
    pair as of today: no event is dated in the future). The others take the spell holding on the
    day, one probe of the spells' pair index each. No scan or sort of the ledger either way.
    """
    current = select(
        Adoption.organisation_id,
        Adoption.change_idea_id,
        rank_of(Adoption.stage).label("rank"),
        Adoption.wards_using,
        Adoption.wards_in_scope,
    ).where(Adoption.effective_date <= day)

    spell = aliased(AdoptionSpell)

    def of_spell_on_the_day(column):
        # The pair's spell holding on the day: void events have none, and a spell of no length
        # (an event replaced on its own date) holds on no day.
        return (
            select(column)
            .where(
                spell.organisation_id == Adoption.organisation_id,
                spell.change_idea_id == Adoption.change_idea_id,
                spell.starts <= day,
                or_(spell.ends.is_(None), spell.ends > day),
            )
            .order_by(spell.starts.desc())
            .limit(1)
            .scalar_subquery()
        )

    # Scalar subqueries, not a join: PostgreSQL would hash all the spells to join on an expression.
    changed_since = select(
        Adoption.organisation_id,
        Adoption.change_idea_id,
        of_spell_on_the_day(rank_of(spell.stage)),
        of_spell_on_the_day(spell.wards_using),
        of_spell_on_the_day(spell.wards_in_scope),
    ).where(Adoption.effective_date > day)  # a pair with no spell yet by the day gets NULLs: not adopted

    def in_scope(stmt: Select) -> Select:
        stmt = stmt.join(Organisation, Adoption.organisation_id == Organisation.id).where(
            Adoption.change_idea_id.in_(scope.idea_ids), Organisation.is_open_on(day)
        )
        if touched is not None:
            organisations, ideas = touched
            stmt = stmt.where(or_(Adoption.organisation_id.in_(organisations), Adoption.change_idea_id.in_(ideas)))
        return _in_network(stmt, scope.network)

    return union_all(in_scope(current), in_scope(changed_since))


def adoption_counts(
    session: Session, scope: Scope, day: date, threshold: Stage, touched: Touched | None = None
) -> tuple[list[cov.OrganisationState], dict[int, int]]:
    """Per organisation, ideas adopted at or above the threshold and its wards; per idea, its
    adopters. One statement: both groupings read the same latest events. With touched, only the pairs
    of those organisations or ideas: right for those organisations and those ideas only.

    Wards come from the latest events that give both counts: wards in scope from each of them,
    wards using only from those at or above the threshold (below it, or discontinued, none).
    """
    # A CTE read twice: both databases work it out once.
    latest = _latest_events(scope, day, touched).cte("latest")
    adopted = case((latest.c.rank >= threshold.rank, 1), else_=0)
    both_known = and_(latest.c.wards_using.is_not(None), latest.c.wards_in_scope.is_not(None))
    by_organisation = select(
        literal("organisation").label("kind"),
        latest.c.organisation_id.label("key"),
        func.sum(adopted).label("adopted"),
        func.sum(case((and_(both_known, latest.c.rank >= threshold.rank), latest.c.wards_using), else_=0)).label(
            "using"
        ),
        func.sum(case((both_known, latest.c.wards_in_scope), else_=0)).label("wards_in_scope"),
    ).group_by(latest.c.organisation_id)
    by_idea = select(
        literal("idea"),
        latest.c.change_idea_id,
        func.sum(adopted),
        literal(0),
        literal(0),
    ).group_by(latest.c.change_idea_id)
    states, adopters = [], {}
    for kind, key, count, using, in_scope in session.execute(union_all(by_organisation, by_idea)):
        if kind == "organisation":
            states.append(cov.OrganisationState(key, int(count), int(using), int(in_scope)))
        elif count:
            adopters[key] = int(count)
    return states, adopters


def days_to_implementing(
    session: Session, scope: Scope, day: date, ideas: Collection[int] | None = None
) -> list[tuple[int, int]]:
    """(idea id, days) from first considering to first implementing or beyond, per organisation × idea
    (of the given ideas only, if given).

    The current record keeps both first days; as of the day they count when on or before it.
    """
    stmt = (
        select(Adoption.change_idea_id, Adoption.first_considered_on, Adoption.first_implemented_on)
        .join(Organisation, Adoption.organisation_id == Organisation.id)
        .where(
            Adoption.change_idea_id.in_(scope.idea_ids if ideas is None else ideas),
            Organisation.is_open_on(day),
            Adoption.first_considered_on <= day,
            Adoption.first_implemented_on <= day,
            Adoption.first_implemented_on >= Adoption.first_considered_on,
        )
    )
    rows = session.execute(_in_network(stmt, scope.network))
    return [(idea_id, (implemented - considered).days) for idea_id, considered, implemented in rows]


def coverage_on(
    session: Session,
    scope: Scope,
    day: date,
    threshold: Stage,
    with_medians: bool = False,
    cache: MetricsCache | None = None,
) -> cov.Coverage:
    """The figures as of a day; with a cache, kept per state of the data and, after new events,
    brought up to date from the pairs they name (tracker.reports.kept)."""
    if cache is None or not cache.size:
        return _count_afresh(session, scope, day, threshold, with_medians).figures

    def again(counts: kept.Counts, pairs: Pairs) -> kept.Counts:
        organisations, ideas = kept.touched(scope, pairs)
        if not ideas:
            return counts  # the events are all for other ambitions' ideas
        states, adopters = adoption_counts(session, scope, day, threshold, touched=(organisations, ideas))
        days = days_to_implementing(session, scope, day, ideas=ideas) if counts.days is not None else None
        return kept.recounted(scope, counts, organisations, ideas, states, adopters, days)

    key = ("coverage", kept.scope_key(scope), day, threshold.value, with_medians)
    afresh = lambda: _count_afresh(session, scope, day, threshold, with_medians)  # noqa: E731
    return incremental(session, cache, key, afresh, again).figures


def _count_afresh(session: Session, scope: Scope, day: date, threshold: Stage, with_medians: bool) -> kept.Counts:
    organisations = open_organisations(session, scope.network, day)
    states, adopters = adoption_counts(session, scope, day, threshold)
    days = days_to_implementing(session, scope, day) if with_medians else None
    return kept.counted(scope, organisations, states, adopters, days)
