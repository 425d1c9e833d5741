"""The SQL behind the coverage figures: aggregates over each organisation × idea's state on a day.

Every function runs a fixed number of statements whatever the size of the data, and works the
same on SQLite and PostgreSQL. None scans the ledger: figures as of a day start from the current
record (adoptions) and probe the spells only for pairs that changed after the day; the monthly
series reads the spells. Both follow the rule for corrections (tracker.core.ledger works them out).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import CompoundSelect, Integer, Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from ..core import coverage as cov
from ..core.stages import LADDER, Stage
from ..models import Adoption, AdoptionSpell, Network, Organisation
from ..models.adoption import rank_of

SPELL_RANK = rank_of(AdoptionSpell.stage)


class Identified(Protocol):
    """An ambition or network, as a row or as plain data: the queries need its id (and the callers its code)."""

    id: int
    code: str


@dataclass(frozen=True)
class Scope:
    """What a report covers: the ideas an ambition's coverage counts (reports.service.scope finds
    them) and, optionally, one network."""

    ambition: Identified
    ideas: list[cov.Idea]
    network: Identified | None

    @property
    def idea_ids(self) -> list[int]:
        return [i.id for i in self.ideas]


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


# Organisations and ideas whose pairs to count again (tracker.reports.kept): the figures of those
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
    session: Session, scope: Scope, day: date, threshold: Stage, with_medians: bool = False
) -> cov.Coverage:
    """The figures as of a day, computed afresh (tracker.reports.kept keeps them and brings them up to date)."""
    organisations = open_organisations(session, scope.network, day)
    states, adopters = adoption_counts(session, scope, day, threshold)
    medians = cov.median_days(days_to_implementing(session, scope, day)) if with_medians else None
    return cov.figures_from(organisations, scope.ideas, states, adopters, medians)


# The monthly series ---------------------------------------------------------------------------


class _MonthIndex(FunctionElement):
    """A date's month as one number: year × 12 + month - 1."""

    type = Integer()
    name = "month_index"
    inherit_cache = True


@compiles(_MonthIndex)
def _month_index(element, compiler, **kw):
    day = compiler.process(element.clauses, **kw)
    return f"(EXTRACT(YEAR FROM {day}) * 12 + EXTRACT(MONTH FROM {day}) - 1)"


@compiles(_MonthIndex, "sqlite")
def _month_index_sqlite(element, compiler, **kw):
    # SQLite keeps dates as ISO text: cutting it is cheaper than strftime() parsing it.
    day = compiler.process(element.clauses, **kw)
    return f"(CAST(substr({day}, 1, 4) AS INTEGER) * 12 + CAST(substr({day}, 6, 2) AS INTEGER) - 1)"


def _month(column):
    return _MonthIndex(column)


def series(
    session: Session,
    scope: Scope,
    start: date,
    end: date,
    threshold: Stage,
    end_figures: cov.Coverage | None = None,
) -> list[cov.SeriesPoint]:
    """Reach and depth month by month, each as of the month's last day, the last as of end itself,
    computed afresh (tracker.reports.kept keeps them and brings them up to date).

    end_figures: the coverage as of end, if the caller has it (else it is computed, unless end is
    a month's last day).
    """
    months = series_months(start, end)
    points = points_from(
        scope, months, open_deltas(session, scope, months), reach_deltas(session, scope, months, threshold)
    )
    if end_figures is None:
        if end == cov.month_end(cov.month_index(end)):
            return list(points)
        end_figures = coverage_on(session, scope, end, threshold)
    return cov.with_point(points, end_figures, end)


def points_from(
    scope: Scope, months: range, opening: list[tuple[int, int]], reaching: dict[int, list[tuple[int, int, int]]]
) -> list[cov.SeriesPoint]:
    """The series from open_deltas() and reach_deltas()."""
    steps = [step for steps in reaching.values() for step in steps]
    return cov.series(months, len(scope.ideas), opening, [(month, delta) for _org, month, delta in steps], steps)


def series_months(start: date, end: date) -> range:
    """The month indices of a series from start to end's month."""
    return range(cov.month_index(start), cov.month_index(end) + 1)


def _organisations(scope: Scope):
    stmt = select(Organisation.id, Organisation.opened_on, Organisation.closed_on)
    return _in_network(stmt, scope.network).subquery("organisations")


def open_deltas(session: Session, scope: Scope, months: range) -> list[tuple[int, int]]:
    """(month index, +n/-n): the organisations opening (from their first month) and closing. One statement."""
    organisations = _organisations(scope)
    opened = select(_month(organisations.c.opened_on).label("month"), literal(1).label("delta")).where(
        organisations.c.opened_on.is_not(None)
    )
    always_open = select(literal(months.start).label("month"), literal(1).label("delta")).where(
        organisations.c.opened_on.is_(None)
    )
    closed = select(_month(organisations.c.closed_on).label("month"), literal(-1).label("delta")).where(
        organisations.c.closed_on.is_not(None)
    )
    open_steps = union_all(opened, always_open, closed).subquery()
    rows = session.execute(select(open_steps.c.month, func.sum(open_steps.c.delta)).group_by(open_steps.c.month))
    return [(int(month), int(delta)) for month, delta in rows]


def reach_deltas(
    session: Session, scope: Scope, months: range, threshold: Stage, organisations: Collection[int] | None = None
) -> dict[int, list[tuple[int, int, int]]]:
    """Per organisation (of the given ones only, if given), its (organisation id, month index, +n/-n)
    adopted pairs starting and ending: one statement.

    Each adopted spell of an organisation × idea (tracker.models.AdoptionSpell) runs from its
    event's date to the next event's (or the organisation's closure); spells become +1/-1 steps by
    month. Each value is as of its month's last day, so the last month takes events up to its own
    last day (series() then puts the figures as of end in its place); a spell ending after the last
    month steps outside the range.
    """
    last_day = cov.month_end(months.stop - 1)
    opening = _organisations(scope)
    # Spells at or above the threshold only: the others never make an organisation reached.
    spells = (
        select(
            AdoptionSpell.organisation_id,
            AdoptionSpell.starts,
            AdoptionSpell.ends.label("next_date"),
            opening.c.opened_on,
            opening.c.closed_on,
        )
        .join(opening, AdoptionSpell.organisation_id == opening.c.id)
        .where(
            AdoptionSpell.change_idea_id.in_(scope.idea_ids),
            AdoptionSpell.stage.in_([stage for stage in LADDER if stage.at_least(threshold)]),
            AdoptionSpell.starts <= last_day,
            *([] if organisations is None else [AdoptionSpell.organisation_id.in_(organisations)]),
        )
        .subquery("spells")
    )
    ends = case(
        (
            and_(
                spells.c.next_date.is_not(None),
                or_(spells.c.closed_on.is_(None), spells.c.next_date < spells.c.closed_on),
            ),
            spells.c.next_date,
        ),
        else_=spells.c.closed_on,
    )
    # A spell counts only while its organisation is open (dates edited after events were logged
    # could otherwise put one before the opening or after the closure).
    starts = case(
        (and_(spells.c.opened_on.is_not(None), spells.c.starts < spells.c.opened_on), spells.c.opened_on),
        else_=spells.c.starts,
    )
    # A CTE, not a subquery: both halves of the UNION below read it, and it is the costly part.
    adopted = (
        select(spells.c.organisation_id, starts.label("starts"), ends.label("ends"))
        .where(
            or_(spells.c.closed_on.is_(None), spells.c.starts < spells.c.closed_on),
            or_(spells.c.opened_on.is_(None), spells.c.next_date.is_(None), spells.c.next_date > spells.c.opened_on),
        )
        .cte("adopted")
    )
    steps = union_all(
        select(adopted.c.organisation_id, _month(adopted.c.starts).label("month"), literal(1).label("delta")),
        select(adopted.c.organisation_id, _month(adopted.c.ends).label("month"), literal(-1).label("delta")).where(
            adopted.c.ends.is_not(None)
        ),
    ).subquery("steps")
    rows = session.execute(
        select(steps.c.organisation_id, steps.c.month, func.sum(steps.c.delta)).group_by(
            steps.c.organisation_id, steps.c.month
        )
    )
    found: dict[int, list[tuple[int, int, int]]] = {}
    for organisation_id, month, delta in rows:
        found.setdefault(organisation_id, []).append((organisation_id, int(month), int(delta)))
    return found
