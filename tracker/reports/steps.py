"""The monthly series of reach and depth: the SQL of its steps, and the series kept per state of the
data and brought up to date after new events from the organisations they name.

Each value is as of its month's last day, from steps by month: the organisations opening and
closing, and each organisation's adopted pairs starting and ending (its spells, tracker.models.
AdoptionSpell, at or above the threshold). Two statements whatever the size of the data; after new
events, one, reading the spells of the organisations they name only (tracker.reports.kept).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from ..cache import MetricsCache
from ..core import coverage as cov
from ..core.stages import LADDER, Stage
from ..models import AdoptionSpell, Organisation
from ..models.months import month_index
from ..models.versions import Pairs, incremental
from . import kept
from .scope import Scope


def monthly(
    session: Session, scope: Scope, start: date, end: date, threshold: Stage, cache: MetricsCache | None = None
) -> tuple[cov.SeriesPoint, ...]:
    """Reach and depth as of each month's last day from start to end's month; with a cache, kept per
    state of the data and brought up to date after new events."""
    months = series_months(start, end)

    def afresh() -> kept.Steps:
        opening = open_deltas(session, scope, months)
        return kept.stepped(scope, months, opening, reach_deltas(session, scope, months, threshold))

    if cache is None or not cache.size:
        return afresh().points

    def again(steps: kept.Steps, pairs: Pairs) -> kept.Steps:
        organisations, _ideas = kept.touched(scope, pairs)
        if not organisations:
            return steps
        found = reach_deltas(session, scope, months, threshold, organisations)
        return kept.restepped(scope, months, steps, organisations, found)

    key = ("series", kept.scope_key(scope), start, end, threshold.value)
    return incremental(session, cache, key, afresh, again).points


def series_months(start: date, end: date) -> range:
    """The month indices of a series from start to end's month."""
    return range(cov.month_index(start), cov.month_index(end) + 1)


def _organisations(scope: Scope):
    stmt = select(Organisation.id, Organisation.opened_on, Organisation.closed_on)
    if scope.network is not None:
        stmt = stmt.where(Organisation.network_id == scope.network.id)
    return stmt.subquery("organisations")


def open_deltas(session: Session, scope: Scope, months: range) -> list[tuple[int, int]]:
    """(month index, +n/-n): the organisations opening (from their first month) and closing. One statement."""
    organisations = _organisations(scope)
    opened = select(month_index(organisations.c.opened_on).label("month"), literal(1).label("delta")).where(
        organisations.c.opened_on.is_not(None)
    )
    always_open = select(literal(months.start).label("month"), literal(1).label("delta")).where(
        organisations.c.opened_on.is_(None)
    )
    closed = select(month_index(organisations.c.closed_on).label("month"), literal(-1).label("delta")).where(
        organisations.c.closed_on.is_not(None)
    )
    open_steps = union_all(opened, always_open, closed).subquery()
    rows = session.execute(select(open_steps.c.month, func.sum(open_steps.c.delta)).group_by(open_steps.c.month))
    return [(int(month), int(delta)) for month, delta in rows]


def reach_deltas(
    session: Session, scope: Scope, months: range, threshold: Stage, organisations: Collection[int] | None = None
) -> list[kept.Step]:
    """(organisation id, month index, +n/-n) adopted pairs starting and ending, per organisation (of the
    given ones only, if given): one statement.

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
        select(adopted.c.organisation_id, month_index(adopted.c.starts).label("month"), literal(1).label("delta")),
        select(adopted.c.organisation_id, month_index(adopted.c.ends).label("month"), literal(-1).label("delta")).where(
            adopted.c.ends.is_not(None)
        ),
    ).subquery("steps")
    # Steps that cancel out (one spell ending where the pair's next adopted one starts: implementing,
    # then spreading) are a third of them, and change nothing: left out.
    rows = session.execute(
        select(steps.c.organisation_id, steps.c.month, func.sum(steps.c.delta))
        .group_by(steps.c.organisation_id, steps.c.month)
        .having(func.sum(steps.c.delta) != 0)
    )
    return [(organisation_id, int(month), int(delta)) for organisation_id, month, delta in rows]
