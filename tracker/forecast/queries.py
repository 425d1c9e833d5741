"""The monthly panel spread is fitted on (tracker.core.panel.Panel), read from the database in three
statements whatever the size of the data: the organisations, each one's first month at the threshold,
and the learning links.

- Months count from the programme's first month (tracker.calendar.PROGRAMME_START) to as_of's.
- An organisation is in the panel if it was open on some day between the programme's start and as_of
  (and is in the network, if one is given). It is open in a month if it was open on at least one day
  of it: its opening month counts, and it is closed from the month of its closing date when that is
  the 1st, else from the month after.
- It adopts in the month of its first spell at or above the threshold stage in a counted change idea
  of the ambition (the report's reach), among spells that held a day (an entry replaced on its own
  date never was the state), up to as_of.
- Links are the confirmed learning links active on as_of between organisations open on it (the spread
  map's rule, tracker.links.queries.active_links), with their strength (1-5); two organisations linked
  in two ways (say a buddy pair and shared faculty) have two links. A link's own dates are not
  replayed month by month: the graph is today's, as the forecast uses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..cache import MetricsCache
from ..calendar import PROGRAMME_START
from ..core import coverage as cov
from ..core.panel import Panel
from ..core.stages import LADDER, Stage
from ..links.queries import active_links
from ..models import AdoptionSpell, Network, Organisation
from ..models.versions import cached
from ..reports.queries import Scope

FIRST_MONTH = cov.month_index(PROGRAMME_START)


def month_of(day: date) -> int:
    """The panel's month index of a day."""
    return cov.month_index(day) - FIRST_MONTH


def _closed_from(closed_on: date) -> int:
    """The first month with no open day: closed_on is the first day closed."""
    return month_of(closed_on) + (0 if closed_on.day == 1 else 1)


def panel_for(session: Session, scope: Scope, threshold: Stage, as_of: date) -> Panel:
    """The panel of the scope's organisations from the programme's start to as_of's month."""
    organisations = select(
        Organisation.id, Organisation.ods_code, Organisation.opened_on, Organisation.closed_on
    ).where(
        or_(Organisation.opened_on.is_(None), Organisation.opened_on <= as_of),
        or_(Organisation.closed_on.is_(None), Organisation.closed_on > PROGRAMME_START),
    )
    if scope.network is not None:
        organisations = organisations.where(Organisation.network_id == scope.network.id)
    rows = session.execute(organisations).all()
    ods_of = {row.id: row.ods_code for row in rows}
    open_from = {
        row.ods_code: month_of(row.opened_on) for row in rows if row.opened_on and row.opened_on > PROGRAMME_START
    }
    closed_from = {
        row.ods_code: _closed_from(row.closed_on) for row in rows if row.closed_on and row.closed_on <= as_of
    }

    first = session.execute(
        select(AdoptionSpell.organisation_id, func.min(AdoptionSpell.starts))
        .where(
            AdoptionSpell.change_idea_id.in_(scope.idea_ids),
            AdoptionSpell.stage.in_([stage for stage in LADDER if stage.at_least(threshold)]),
            AdoptionSpell.starts <= as_of,
            or_(AdoptionSpell.ends.is_(None), AdoptionSpell.ends > AdoptionSpell.starts),
        )
        .group_by(AdoptionSpell.organisation_id)
    ).all()
    # Adopted before the programme began (history logged from earlier): -1, an adopter from the start.
    adopted = {ods_of[org_id]: max(-1, month_of(starts)) for org_id, starts in first if org_id in ods_of}

    members = set(ods_of.values())
    links = tuple(
        (link.source, link.target, float(link.weight))
        for link in active_links(session, as_of)
        if link.confirmed and link.source in members and link.target in members
    )
    return Panel(
        months=month_of(as_of) + 1,
        organisations=tuple(sorted(ods_of.values())),
        adopted=adopted,
        open_from=open_from,
        closed_from=closed_from,
        links=links,
    )


def kept_panel(session: Session, scope: Scope, threshold: Stage, as_of: date, cache: MetricsCache | None) -> Panel:
    """panel_for, kept per state of the data with a cache: the forecast, whom to engage and the what-if page
    of one ambition, threshold and day read it once between writes. Shared by requests, so never changed:
    nothing here alters a panel once made."""
    if cache is None or not cache.size:
        return panel_for(session, scope, threshold, as_of)
    network = scope.network.id if scope.network else None
    key = ("panel", scope.ambition.id, network, tuple(scope.idea_ids), threshold.value, as_of)
    return cached(session, cache, key, lambda: panel_for(session, scope, threshold, as_of))


def network_names(session: Session, organisations: Sequence[str]) -> dict[str, str | None]:
    """Each organisation's network's name (None without one): one statement."""
    if not organisations:
        return {}
    rows = session.execute(
        select(Organisation.ods_code, Network.name)
        .outerjoin(Network, Organisation.network_id == Network.id)
        .where(Organisation.ods_code.in_(organisations))
    )
    return dict(rows.all())


def organisation_names(session: Session, organisations: Sequence[str]) -> dict[str, str]:
    """Each organisation's name by its ODS code: one statement (none for no organisations)."""
    if not organisations:
        return {}
    rows = session.execute(
        select(Organisation.ods_code, Organisation.name).where(Organisation.ods_code.in_(organisations))
    )
    return dict(rows.all())
