"""The SQL behind the coverage figures: aggregates over each organisation × idea's latest event.

Every function runs a fixed number of statements whatever the size of the data, and works the
same on SQLite and PostgreSQL (window functions, CASE, EXTRACT).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, case, extract, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from ..models import (
    AdoptionEvent,
    Ambition,
    ChangeIdea,
    ChangePackage,
    Network,
    Organisation,
    PackageStatus,
    Stage,
)
from ..models.adoption import LADDER
from ..network.cache import MetricsCache
from . import coverage as cov

STAGE_RANK = case({stage.value: rank for stage, rank in LADDER.items()}, value=AdoptionEvent.stage, else_=0)


@dataclass(frozen=True)
class Scope:
    """What a report covers: an ambition's published ideas and, optionally, one network."""

    ambition: Ambition
    ideas: list[cov.Idea]
    network: Network | None

    @property
    def idea_ids(self) -> list[int]:
        return [i.id for i in self.ideas]


def scope(session: Session, ambition: Ambition, network: Network | None) -> Scope:
    rows = session.execute(
        select(ChangeIdea.id, ChangeIdea.code, ChangeIdea.title)
        .join(ChangePackage, ChangeIdea.package_id == ChangePackage.id)
        .where(ChangePackage.ambition_id == ambition.id, ChangePackage.status == PackageStatus.PUBLISHED)
        .order_by(ChangePackage.position, ChangePackage.id, ChangeIdea.position, ChangeIdea.id)
    )
    return Scope(ambition, [cov.Idea(*row) for row in rows], network)


def _open_on(day: date):
    return and_(
        or_(Organisation.opened_on.is_(None), Organisation.opened_on <= day),
        or_(Organisation.closed_on.is_(None), Organisation.closed_on > day),
    )


def _in_network(stmt: Select, network: Network | None) -> Select:
    return stmt.where(Organisation.network_id == network.id) if network is not None else stmt


def open_organisations(session: Session, network: Network | None, day: date) -> list[cov.Organisation]:
    stmt = (
        select(Organisation.id, Organisation.ods_code, Organisation.name, Network.code)
        .outerjoin(Network, Organisation.network_id == Network.id)
        .where(_open_on(day))
        .order_by(Organisation.name, Organisation.ods_code)
    )
    return [cov.Organisation(*row) for row in session.execute(_in_network(stmt, network))]


def _latest_events(scope: Scope, day: date):
    """Each organisation × idea's latest event dated on or before the day (open organisations only)."""
    ranked = (
        select(
            AdoptionEvent.organisation_id,
            AdoptionEvent.change_idea_id,
            AdoptionEvent.stage,
            AdoptionEvent.effective_date,
            AdoptionEvent.wards_using,
            AdoptionEvent.wards_in_scope,
            STAGE_RANK.label("rank"),
            func.row_number()
            .over(
                partition_by=(AdoptionEvent.organisation_id, AdoptionEvent.change_idea_id),
                order_by=(AdoptionEvent.effective_date.desc(), AdoptionEvent.id.desc()),
            )
            .label("position"),
        )
        .join(Organisation, AdoptionEvent.organisation_id == Organisation.id)
        .where(
            AdoptionEvent.effective_date <= day,
            AdoptionEvent.change_idea_id.in_(scope.idea_ids),
            _open_on(day),
        )
    )
    ranked = _in_network(ranked, scope.network).subquery("ranked")
    return select(ranked).where(ranked.c.position == 1).subquery("latest")


def organisation_states(session: Session, scope: Scope, day: date, min_rank: int) -> list[cov.OrganisationState]:
    """Per organisation: ideas adopted at or above the threshold, and wards where both counts are known."""
    latest = _latest_events(scope, day)
    both_known = and_(latest.c.wards_using.is_not(None), latest.c.wards_in_scope.is_not(None))
    rows = session.execute(
        select(
            latest.c.organisation_id,
            func.sum(case((latest.c.rank >= min_rank, 1), else_=0)),
            func.coalesce(func.sum(case((both_known, latest.c.wards_using), else_=0)), 0),
            func.coalesce(func.sum(case((both_known, latest.c.wards_in_scope), else_=0)), 0),
        ).group_by(latest.c.organisation_id)
    )
    return [
        cov.OrganisationState(org, int(adopted), int(using), int(in_scope)) for org, adopted, using, in_scope in rows
    ]


def adopters_by_idea(session: Session, scope: Scope, day: date, min_rank: int) -> dict[int, int]:
    latest = _latest_events(scope, day)
    rows = session.execute(
        select(latest.c.change_idea_id, func.count()).where(latest.c.rank >= min_rank).group_by(latest.c.change_idea_id)
    )
    return dict(rows.all())  # a Result has keys(): dict() would take it for a mapping


def days_to_implementing(session: Session, scope: Scope, day: date) -> list[tuple[int, int]]:
    """(idea id, days) from first considering to first implementing or beyond, per organisation × idea."""
    events = (
        select(
            AdoptionEvent.organisation_id,
            AdoptionEvent.change_idea_id,
            func.min(case((AdoptionEvent.stage == Stage.CONSIDERING.value, AdoptionEvent.effective_date))).label(
                "considered"
            ),
            func.min(case((LADDER[Stage.IMPLEMENTING] <= STAGE_RANK, AdoptionEvent.effective_date))).label(
                "implemented"
            ),
        )
        .join(Organisation, AdoptionEvent.organisation_id == Organisation.id)
        .where(AdoptionEvent.effective_date <= day, AdoptionEvent.change_idea_id.in_(scope.idea_ids), _open_on(day))
        .group_by(AdoptionEvent.organisation_id, AdoptionEvent.change_idea_id)
    )
    events = _in_network(events, scope.network).subquery()
    rows = session.execute(
        select(events.c.change_idea_id, events.c.considered, events.c.implemented).where(
            events.c.considered.is_not(None),
            events.c.implemented.is_not(None),
            events.c.implemented >= events.c.considered,
        )
    )
    return [(idea_id, (_as_date(implemented) - _as_date(considered)).days) for idea_id, considered, implemented in rows]


def _as_date(value) -> date:
    # MIN() over a CASE loses the column type on SQLite, which then answers ISO strings.
    return date.fromisoformat(value) if isinstance(value, str) else value


def data_version(session: Session) -> tuple[int, ...]:
    """What coverage depends on besides its parameters: the ledger (append-only, so its size and
    newest id) and the organisations (any edit bumps a row version). Two cheap statements."""
    events = session.execute(select(func.count(), func.coalesce(func.max(AdoptionEvent.id), 0))).one()
    organisations = session.execute(select(func.count(), func.coalesce(func.sum(Organisation.row_version), 0))).one()
    return (*events, *organisations)


def _scope_key(scope: Scope) -> tuple:
    return (scope.ambition.id, scope.network.id if scope.network else None, tuple(scope.idea_ids))


def coverage(
    session: Session,
    scope: Scope,
    day: date,
    min_rank: int,
    with_medians: bool = False,
    cache: MetricsCache | None = None,
) -> cov.Coverage:
    """The figures as of a day; with a cache, computed once per state of the data."""
    if cache is None or not cache.size:
        return _coverage(session, scope, day, min_rank, with_medians)
    key = ("coverage", _scope_key(scope), day, min_rank, with_medians, data_version(session))
    return cache.get_or_compute(key, lambda: _coverage(session, scope, day, min_rank, with_medians))


def _coverage(session: Session, scope: Scope, day: date, min_rank: int, with_medians: bool) -> cov.Coverage:
    organisations = open_organisations(session, scope.network, day)
    states = organisation_states(session, scope, day, min_rank)
    adopters = adopters_by_idea(session, scope, day, min_rank)
    medians = cov.median_days(days_to_implementing(session, scope, day)) if with_medians else None
    return cov.coverage(organisations, scope.ideas, states, adopters, medians)


# The monthly series ---------------------------------------------------------------------------


def _month(column):
    return extract("year", column) * 12 + extract("month", column) - 1


def series(
    session: Session, scope: Scope, start: date, end: date, min_rank: int, cache: MetricsCache | None = None
) -> list[cov.SeriesPoint]:
    """The monthly series; with a cache, computed once per state of the data."""
    if cache is None or not cache.size:
        return _series(session, scope, start, end, min_rank)
    key = ("series", _scope_key(scope), start, end, min_rank, data_version(session))
    return cache.get_or_compute(key, lambda: tuple(_series(session, scope, start, end, min_rank)))


def _series(session: Session, scope: Scope, start: date, end: date, min_rank: int) -> list[cov.SeriesPoint]:
    """Reach and depth as of each month's last day from start to end: three statements in all.

    Each adopted spell of an organisation × idea runs from its event's date to the next event's
    (or the organisation's closure); spells and open periods become +1/-1 steps by month.
    """
    months = range(cov.month_index(start), cov.month_index(end) + 1)
    # Each value is as of its month's last day, so the last month takes events up to its own last
    # day, not only up to end (a series ending on 10 June reports June as of 30 June).
    last_day = cov.month_end(months.stop - 1)
    organisations = _in_network(select(Organisation.id, Organisation.opened_on, Organisation.closed_on), scope.network)
    organisations = organisations.subquery("organisations")
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
    open_deltas = session.execute(
        select(open_steps.c.month, func.sum(open_steps.c.delta)).group_by(open_steps.c.month)
    ).all()

    spells = (
        select(
            AdoptionEvent.organisation_id,
            AdoptionEvent.effective_date.label("starts"),
            func.lead(AdoptionEvent.effective_date)
            .over(
                partition_by=(AdoptionEvent.organisation_id, AdoptionEvent.change_idea_id),
                order_by=(AdoptionEvent.effective_date, AdoptionEvent.id),
            )
            .label("next_date"),
            organisations.c.opened_on,
            organisations.c.closed_on,
            STAGE_RANK.label("rank"),
        )
        .join(organisations, AdoptionEvent.organisation_id == organisations.c.id)
        .where(AdoptionEvent.change_idea_id.in_(scope.idea_ids), AdoptionEvent.effective_date <= last_day)
        .cte("spells")
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
            spells.c.rank >= min_rank,
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
    reach_deltas = session.execute(
        select(steps.c.organisation_id, steps.c.month, func.sum(steps.c.delta)).group_by(
            steps.c.organisation_id, steps.c.month
        )
    ).all()
    pair_deltas = [(int(month), int(delta)) for _org, month, delta in reach_deltas]
    return cov.series(
        months,
        len(scope.ideas),
        [(int(m), int(d)) for m, d in open_deltas],
        pair_deltas,
        [(org, int(month), int(delta)) for org, month, delta in reach_deltas],
    )
