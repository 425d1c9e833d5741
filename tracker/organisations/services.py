"""Maintain networks and organisations.

Each function is one unit of work: it checks the rules that need the database, writes and commits,
or raises InvalidInput / EditConflict having written nothing. The forms check everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit_trail
from ..calendar import people_date as day  # the one formatter of dates for people
from ..calendar import today as calendar_today
from ..editing import InvalidInput, check_version, commit_edit
from ..lookups import organisation_by_ods
from ..models import Membership, Network, Organisation, OrganisationKind
from . import dates
from .left_out import LeftOut, events_left_out

ODS_CODE = re.compile(r"^[A-Z][A-Z0-9]{2,5}$")
NETWORK_CODE = re.compile(r"^[A-Z]{2,8}$")
ODS_CODE_FORMAT = "Enter an ODS code of 3 to 6 letters and numbers that starts with a letter, like RNU"
NETWORK_CODE_FORMAT = "Enter a network code of 2 to 8 letters, like WSX"


class LeavesOutEvents(InvalidInput):
    """The new dates leave out adoption events that the editor has not confirmed leaving out."""

    def __init__(self, left_out: LeftOut):
        super().__init__({left_out.field: left_out.refusal()})
        self.left_out = left_out


@dataclass(frozen=True)
class OrganisationDetails:
    """What an editor may change about an organisation (not its ODS code, nor its closure)."""

    name: str
    kind: OrganisationKind
    network: str | None = None  # network code
    town: str = ""
    latitude: float | None = None
    longitude: float | None = None
    opened_on: date | None = None
    membership: Membership = Membership.UNVERIFIED
    notes: str = ""
    source_url: str = ""


@dataclass(frozen=True)
class NetworkDetails:
    """What an editor may change about a network (not its code)."""

    name: str
    former_name: str = ""
    region: str = ""
    website: str = ""
    source_url: str = ""


def _network(session: Session, code: str | None, errors: dict[str, str]) -> Network | None:
    if not code:
        return None
    network = session.scalar(select(Network).where(Network.code == code))
    if network is None:
        errors["network"] = f"No network has the code {code}"
    return network


def _predecessors(session: Session, organisation: Organisation) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.successor_id == organisation.id, Organisation.closed_on.is_not(None))
            .order_by(Organisation.closed_on.desc())
        )
    )


def _check_opened_on(
    session: Session, organisation: Organisation, opened_on: date | None, today: date, errors: dict[str, str]
) -> None:
    """A plausible date, by its own closure date and by the day each predecessor closed into it."""
    if opened_on is None:
        return
    if message := dates.opening_error(opened_on, today):
        errors["opened_on"] = message
        return
    if organisation.closed_on is not None and opened_on > organisation.closed_on:
        errors["opened_on"] = (
            f"The open from date must be on or before the date it closed, {day(organisation.closed_on)}"
        )
        return
    for predecessor in _predecessors(session, organisation):
        if opened_on > predecessor.closed_on:
            errors["opened_on"] = (
                f"The open from date must be on or before {day(predecessor.closed_on)}, "
                f"when {predecessor.name} ({predecessor.ods_code}) closed into it"
            )
            return


def _check_left_out(
    session: Session,
    organisation: Organisation,
    opened_on: date | None,
    closed_on: date | None,
    confirmed: int | None,
) -> None:
    """Refuse dates that leave out events, unless the editor confirmed leaving out exactly that many.

    The confirmation goes into the audit row of the change. The organisation's row is locked first,
    so an event logged meanwhile (log_adoption reads the dates under a share lock) is counted or refused.
    """
    session.execute(select(Organisation.id).where(Organisation.id == organisation.id).with_for_update())
    left_out = events_left_out(session, organisation, opened_on, closed_on)
    if not left_out:
        return
    if confirmed != left_out.events:
        raise LeavesOutEvents(left_out)
    audit_trail.note(session, organisation, left_out.confirmation())


def _apply(organisation: Organisation, details: OrganisationDetails, network: Network | None) -> None:
    organisation.name = details.name.strip()
    organisation.kind = details.kind
    organisation.network = network
    organisation.town = details.town.strip()
    organisation.latitude = details.latitude
    organisation.longitude = details.longitude
    organisation.opened_on = details.opened_on
    organisation.membership = details.membership
    organisation.notes = details.notes.strip()
    organisation.source_url = details.source_url.strip()


def _if_taken(taken, field: str, message: str):
    """For commit_edit: a code another editor took between our check and the insert is refused
    as the check would have refused it (PostgreSQL; SQLite serialises writers, so the check sees it)."""
    return lambda: InvalidInput({field: message}) if taken() else None


def _ods_taken(session: Session, ods_code: str) -> bool:
    return organisation_by_ods(session, ods_code) is not None


def create_organisation(session: Session, ods_code: str, details: OrganisationDetails) -> Organisation:
    ods_code = ods_code.strip().upper()
    errors: dict[str, str] = {}
    if not ODS_CODE.match(ods_code):
        errors["ods_code"] = ODS_CODE_FORMAT
    elif _ods_taken(session, ods_code):
        errors["ods_code"] = f"An organisation with ODS code {ods_code} already exists"
    network = _network(session, details.network, errors)
    if message := dates.opening_error(details.opened_on, calendar_today()):
        errors["opened_on"] = message
    if errors:
        raise InvalidInput(errors)
    organisation = Organisation(ods_code=ods_code)
    _apply(organisation, details, network)
    session.add(organisation)
    commit_edit(
        session,
        on_integrity=_if_taken(
            lambda: _ods_taken(session, ods_code),
            "ods_code",
            f"An organisation with ODS code {ods_code} already exists",
        ),
    )
    return organisation


def update_organisation(
    session: Session,
    organisation: Organisation,
    details: OrganisationDetails,
    expected_version: int | None,
    leave_out: int | None = None,
    today: date | None = None,
) -> Organisation:
    """Change the details; `leave_out` is how many events the editor confirmed the new dates leave out."""
    check_version(organisation, expected_version)
    errors: dict[str, str] = {}
    network = _network(session, details.network, errors)
    _check_opened_on(session, organisation, details.opened_on, today or calendar_today(), errors)
    if errors:
        raise InvalidInput(errors)
    _check_left_out(session, organisation, details.opened_on, organisation.closed_on, leave_out)
    _apply(organisation, details, network)
    commit_edit(session, organisation)
    return organisation


def _successor_loop(session: Session, organisation: Organisation, successor: Organisation) -> list[str] | None:
    """The ODS codes of the loop that naming `successor` would close, or None.

    Follows the ids rather than the relationship, so it never depends on what a page preloaded.
    """
    path, seen = [successor.ods_code], {successor.id}
    next_id = successor.successor_id
    while next_id is not None and next_id not in seen:
        if next_id == organisation.id:
            return [*path, organisation.ods_code, successor.ods_code]
        current = session.get(Organisation, next_id)
        if current is None:
            break
        seen.add(current.id)
        path.append(current.ods_code)
        next_id = current.successor_id
    return None


def _check_closure(
    session: Session,
    organisation: Organisation,
    closed_on: date | None,
    today: date,
    errors: dict[str, str],
) -> None:
    if closed_on is None:
        errors["closed_on"] = "Enter the date the organisation closed"
    elif message := dates.closing_error(closed_on, today) or dates.order_error(organisation.opened_on, closed_on):
        errors["closed_on"] = message
    else:
        for predecessor in _predecessors(session, organisation):
            # A successor must still be open on the day its predecessor closes into it.
            if closed_on <= predecessor.closed_on:
                errors["closed_on"] = (
                    f"The date the organisation closed must be after {day(predecessor.closed_on)}, "
                    f"when {predecessor.name} ({predecessor.ods_code}) closed into it"
                )
                break


def _check_successor(
    session: Session,
    organisation: Organisation,
    code: str,
    closed_on: date | None,
    errors: dict[str, str],
) -> Organisation | None:
    successor = organisation_by_ods(session, code)
    if successor is None:
        errors["successor"] = f"No organisation has the ODS code {code}"
        return None
    if successor.id == organisation.id:
        errors["successor"] = "An organisation cannot be its own successor"
        return None
    loop = _successor_loop(session, organisation, successor)
    if loop:
        errors["successor"] = "That successor would make a loop: " + " → ".join(loop)
    elif closed_on is not None and not successor.is_open_on(closed_on):
        errors["successor"] = (
            f"{successor.name} ({successor.ods_code}) was not open on {day(closed_on)}: "
            "choose an organisation that was open on the date this one closed"
        )
    return successor


def close_organisation(
    session: Session,
    organisation: Organisation,
    closed_on: date | None,
    successor_code: str | None,
    expected_version: int | None,
    today: date | None = None,
    leave_out: int | None = None,
) -> Organisation:
    """Record that the organisation closed on a date, and which organisation took over (if any).

    Also corrects the closure of an organisation already recorded as closed. `leave_out` is how many
    events the editor confirmed the closure leaves out.
    """
    check_version(organisation, expected_version)
    errors: dict[str, str] = {}
    _check_closure(session, organisation, closed_on, today or calendar_today(), errors)
    successor = None
    code = (successor_code or "").strip().upper()
    if code:
        successor = _check_successor(session, organisation, code, closed_on, errors)
    if errors:
        raise InvalidInput(errors)
    _check_left_out(session, organisation, organisation.opened_on, closed_on, leave_out)
    organisation.closed_on = closed_on
    organisation.successor = successor
    commit_edit(session, organisation)
    return organisation


def reopen_organisation(session: Session, organisation: Organisation, expected_version: int | None) -> Organisation:
    """Record the organisation as open: its closure date and successor are cleared."""
    check_version(organisation, expected_version)
    if organisation.closed_on is None and organisation.successor_id is None:
        return organisation
    organisation.closed_on = None
    organisation.successor = None
    commit_edit(session, organisation)
    return organisation


def _apply_network(network: Network, details: NetworkDetails) -> None:
    network.name = details.name.strip()
    network.former_name = details.former_name.strip()
    network.region = details.region.strip()
    network.website = details.website.strip()
    network.source_url = details.source_url.strip()


def _network_taken(session: Session, code: str) -> bool:
    return session.scalar(select(Network.id).where(Network.code == code)) is not None


def create_network(session: Session, code: str, details: NetworkDetails) -> Network:
    code = code.strip().upper()
    if not NETWORK_CODE.match(code):
        raise InvalidInput({"code": NETWORK_CODE_FORMAT})
    taken = f"A network with code {code} already exists"
    if _network_taken(session, code):
        raise InvalidInput({"code": taken})
    network = Network(code=code)
    _apply_network(network, details)
    session.add(network)
    commit_edit(session, on_integrity=_if_taken(lambda: _network_taken(session, code), "code", taken))
    return network


def update_network(
    session: Session, network: Network, details: NetworkDetails, expected_version: int | None
) -> Network:
    check_version(network, expected_version)
    _apply_network(network, details)
    commit_edit(session, network)
    return network
