"""Read queries for networks and organisations; each loads what its page shows in a fixed number of
statements, whatever the number of rows (relationships come by selectinload, never lazily)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, raiseload, selectinload

from ..calendar import people_date
from ..models import Network, Organisation

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


def organisation_by_ods(session: Session, ods_code: str) -> Organisation | None:
    """One organisation with its network, successor and predecessors."""
    return session.scalar(
        select(Organisation)
        .where(Organisation.ods_code == ods_code)
        .options(
            selectinload(Organisation.network),
            selectinload(Organisation.successor),
            selectinload(Organisation.predecessors),
            _NO_LAZY,
        )
    )


def network_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every network, for a select."""
    rows = session.execute(select(Network.code, Network.name).order_by(Network.name))
    return [(code, f"{name} ({code})") for code, name in rows]


def successor_choices(session: Session, excluding: Organisation) -> list[tuple[str, str]]:
    """(ODS code, label) of every other organisation, for the successor select."""
    rows = session.execute(
        select(Organisation.ods_code, Organisation.name, Organisation.closed_on)
        .where(Organisation.id != excluding.id)
        .order_by(Organisation.name, Organisation.ods_code)
    )
    choices = []
    for ods_code, name, closed_on in rows:
        label = f"{name} ({ods_code})"
        if closed_on is not None:
            label += f", closed {people_date(closed_on)}"
        choices.append((ods_code, label))
    return choices
