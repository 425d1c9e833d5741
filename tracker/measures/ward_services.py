"""Add and change an organisation's wards.

Each function is one unit of work: it checks every rule, writes and commits, or raises InvalidInput
(by field: name, service, opened_on, closed_on) or EditConflict having written nothing. Who may do it
(tracker.access.may_record_values) is the view's to ask; the rules are here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..calendar import people_month
from ..calendar import today as calendar_today
from ..editing import InvalidInput, check_version, commit_edit
from ..models import MeasureValue, Organisation, Ward, WardService
from ..organisations import dates
from .ward_rules import first_month

NAME_MAX = 120
ENTER_NAME = "Enter the name of the ward"
NAME_TOO_LONG = f"The name must be {NAME_MAX} characters or fewer"
CHOOSE_SERVICE = "Choose the ward's service"


def name_taken(organisation: Organisation, name: str) -> str:
    return f"{organisation.name} already has a ward called {name}"


@dataclass(frozen=True)
class WardDetails:
    name: str
    service: WardService | str
    opened_on: date | None = None
    closed_on: date | None = None


def _values_outside(session: Session, ward: Ward, opened_on: date | None, closed_on: date | None) -> dict[str, str]:
    """The refusal, by field, of dates that would leave months with recorded values outside the ward's open dates."""
    errors = {}
    start = first_month(opened_on)
    for field, outside, when in (
        ("opened_on", start is not None and MeasureValue.month < start, "before it opened"),
        ("closed_on", closed_on is not None and MeasureValue.month >= closed_on, "after it closed"),
    ):
        if outside is False:
            continue
        count, first, last = session.execute(
            select(func.count(), func.min(MeasureValue.month), func.max(MeasureValue.month)).where(
                MeasureValue.ward_id == ward.id, outside
            )
        ).one()
        if count:
            months = people_month(first) if first == last else f"{people_month(first)} to {people_month(last)}"
            values = "value is" if count == 1 else "values are"
            errors[field] = (
                f"{count} recorded {values} for months {when} ({months}): "
                f"change the date, or correct or remove {'that value' if count == 1 else 'those values'} first"
            )
    return errors


def _checked(
    session: Session, organisation: Organisation, details: WardDetails, editing: Ward | None = None
) -> tuple[str, WardService | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = " ".join((details.name or "").split())
    if not name:
        errors["name"] = ENTER_NAME
    elif len(name) > NAME_MAX:
        errors["name"] = NAME_TOO_LONG
    else:
        same = select(Ward.id).where(Ward.organisation_id == organisation.id, func.lower(Ward.name) == name.lower())
        if editing is not None:
            same = same.where(Ward.id != editing.id)
        if session.scalar(same) is not None:
            errors["name"] = name_taken(organisation, name)
    try:
        service = WardService(details.service.strip() if isinstance(details.service, str) else details.service)
    except (TypeError, ValueError):
        service = None
        errors["service"] = CHOOSE_SERVICE
    errors.update(dates.date_errors(details.opened_on, details.closed_on, calendar_today(), subject="ward"))
    if editing is not None and not {"opened_on", "closed_on"} & errors.keys():
        errors.update(_values_outside(session, editing, details.opened_on, details.closed_on))
    return name, service, errors


def _taken_meanwhile(session: Session, organisation: Organisation, name: str):
    """For commit_edit: a name another editor took between our check and the write (PostgreSQL)."""

    def refusal():
        same = select(Ward.id).where(Ward.organisation_id == organisation.id, Ward.name == name)
        return InvalidInput({"name": name_taken(organisation, name)}) if session.scalar(same) is not None else None

    return refusal


def create_ward(session: Session, organisation: Organisation, details: WardDetails, is_demo: bool = False) -> Ward:
    """Add a ward to the organisation."""
    name, service, errors = _checked(session, organisation, details)
    if errors:
        raise InvalidInput(errors)
    ward = Ward(
        organisation=organisation,
        name=name,
        service=service,
        opened_on=details.opened_on,
        closed_on=details.closed_on,
        is_demo=is_demo,
    )
    session.add(ward)
    commit_edit(session, on_integrity=_taken_meanwhile(session, organisation, name))
    return ward


def update_ward(session: Session, ward: Ward, details: WardDetails, expected_version: int | None) -> Ward:
    """Change a ward's name, service and dates; dates that leave recorded values outside them are refused.

    The ward's row is locked first, so a value recorded meanwhile (recording reads the ward's dates
    under a share lock) is counted, or sees the new dates.
    """
    check_version(ward, expected_version)
    session.execute(select(Ward.id).where(Ward.id == ward.id).with_for_update())
    name, service, errors = _checked(session, ward.organisation, details, editing=ward)
    if errors:
        raise InvalidInput(errors)
    changes = {"name": name, "service": service, "opened_on": details.opened_on, "closed_on": details.closed_on}
    for column, value in changes.items():
        if getattr(ward, column) != value:  # an unchanged column stays out of the audit row
            setattr(ward, column, value)
    commit_edit(session, ward, on_integrity=_taken_meanwhile(session, ward.organisation, name))
    return ward
