"""Read queries for networks and organisations; each loads what its page shows in a fixed number of
statements, whatever the number of rows (relationships come by selectinload, never lazily)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, raiseload, selectinload

from ..calendar import people_date, today
from ..models import Network, Organisation
from . import dates

# Any relationship a query did not load raises instead of quietly costing one statement per row.
# sql_only: a many-to-one already in the identity map (an organisation's network) still resolves.
_NO_LAZY = raiseload("*", sql_only=True)


def networks_overview(session: Session) -> list[Network]:
    """Every network with its organisations (by name)."""
    return list(
        session.scalars(select(Network).options(selectinload(Network.organisations), _NO_LAZY).order_by(Network.name))
    )


def find_network(session: Session, code: str) -> Network | None:
    """Just the network, without its organisations."""
    return session.scalar(select(Network).where(Network.code == code))


def network_by_code(session: Session, code: str) -> Network | None:
    """One network with its organisations and their successors."""
    return session.scalar(
        select(Network)
        .where(Network.code == code)
        .options(selectinload(Network.organisations).selectinload(Organisation.successor), _NO_LAZY)
    )


def organisations_list(session: Session, network: Network | None = None) -> list[Organisation]:
    """Organisations by name, optionally of one network, with their network and successor."""
    query = (
        select(Organisation)
        .options(selectinload(Organisation.network), selectinload(Organisation.successor), _NO_LAZY)
        .order_by(Organisation.name, Organisation.ods_code)
    )
    if network is not None:
        query = query.where(Organisation.network_id == network.id)
    return list(session.scalars(query))


def network_rows(session: Session) -> list[Network]:
    """Every network on its own (no organisations), by name."""
    return list(session.scalars(select(Network).order_by(Network.name).options(_NO_LAZY)))


def network_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every network, for a select."""
    rows = session.execute(select(Network.code, Network.name).order_by(Network.name))
    return [(code, f"{name} ({code})") for code, name in rows]


def _dates_note(organisation: Organisation, day: date) -> str:
    """What a choice's label says of an organisation not simply open on day: ", closed 1 October 2024"."""
    if dates.opens_later(organisation, day):
        return f", opens {people_date(organisation.opened_on)}"
    if organisation.closed_on is None:
        return ""
    return f", {'closes' if organisation.is_open_on(day) else 'closed'} {people_date(organisation.closed_on)}"


def organisation_choices(session: Session, excluding: Organisation | None = None) -> list[tuple[str, str]]:
    """(ODS code, "Name (ODS)") of every organisation (but `excluding`) by name, for a select; those
    not open today say so."""
    query = select(Organisation).options(_NO_LAZY).order_by(Organisation.name, Organisation.ods_code)
    if excluding is not None:
        query = query.where(Organisation.id != excluding.id)
    day = today()
    return [(o.ods_code, f"{o.name} ({o.ods_code}){_dates_note(o, day)}") for o in session.scalars(query)]
