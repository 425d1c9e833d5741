"""Record, change and remove monthly measure values: the one place that writes them.

Each function is one unit of work: it checks every rule, writes and commits, or raises NotPermitted,
InvalidInput (by field: organisation, ward, month, numerator, denominator, note) or EditConflict
having written nothing. The pages, the CSV import and the API all call these. The rules that need
no database are in value_rules; here are those that need stored rows: the ward is the
organisation's and open that month, the organisation is open that month, and the month is not
already recorded for the organisation as a whole (or for that ward). The audit trail records every
write by itself (tracker.audit_trail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..access import may_record_values
from ..calendar import people_month, today
from ..editing import InvalidInput, check_version, commit_edit
from ..models import Measure, MeasureValue, Organisation, User, Ward
from ..models.base import utcnow
from .value_rules import Checked, Names, ValueInput, check_input, month_of, open_in_month


class NotPermitted(Exception):
    """The user may not record values for this organisation: nothing was written."""


@dataclass(frozen=True)
class Key:
    """Where and when a value is: a month of a measure for an organisation as a whole (ward_id None) or a ward."""

    measure_id: int
    organisation_id: int
    ward_id: int | None
    month: date


def names(measure: Measure) -> Names:
    return Names(measure.numerator, measure.denominator)


def where(organisation: Organisation, ward: Ward | None) -> str:
    """Where a value is, as a message says it."""
    if ward is None:
        return f"{organisation.name} as a whole"
    return f"{ward.name} at {organisation.name}"


def already_recorded(month: date, organisation: Organisation, ward: Ward | None) -> str:
    return f"{people_month(month)} is already recorded for {where(organisation, ward)}: change that value instead"


def place_problems(organisation: Organisation, ward: Ward | None, month: date | None) -> dict[str, str]:
    """The ward must be the organisation's, and the ward and the organisation open that month."""
    errors: dict[str, str] = {}
    if ward is not None and ward.organisation_id != organisation.id:
        errors["ward"] = f"{ward.name} is a ward of {ward.organisation.name}, not of {organisation.name}"
    if month is None:
        return errors
    if not open_in_month(organisation.opened_on, organisation.closed_on, month):
        errors["month"] = f"{organisation.name} was not open in {people_month(month)}"
    elif ward is not None and "ward" not in errors and not open_in_month(ward.opened_on, ward.closed_on, month):
        errors["month"] = f"{ward.name} was not open in {people_month(month)}"
    return errors


def problems(
    measure: Measure, organisation: Organisation, ward: Ward | None, data: ValueInput, on_day: date
) -> tuple[Checked | None, dict[str, str]]:
    """Every rule but the one-value-a-month rule: the checked value, or None and the problems by field."""
    checked, errors = check_input(data, names(measure), on_day)
    month = checked.month if checked else None
    if month is None and "month" not in errors:  # the month is good though another field is not
        month, _ = month_of(data.month)
    for name, message in place_problems(organisation, ward, month).items():
        errors.setdefault(name, message)
    return (None if errors else checked), errors


def key(measure: Measure, organisation: Organisation, ward: Ward | None, month: date) -> Key:
    return Key(measure.id, organisation.id, ward.id if ward is not None else None, month)


def stored(session: Session, at: Key) -> MeasureValue | None:
    """The value recorded at this place and month, if any."""
    query = select(MeasureValue).where(
        MeasureValue.measure_id == at.measure_id,
        MeasureValue.organisation_id == at.organisation_id,
        MeasureValue.month == at.month,
        MeasureValue.ward_id.is_(None) if at.ward_id is None else MeasureValue.ward_id == at.ward_id,
    )
    return session.scalar(query)


def _checked(
    session: Session,
    user: User | None,
    measure: Measure,
    organisation: Organisation,
    ward: Ward | None,
    data: ValueInput,
    editing: MeasureValue | None = None,
) -> Checked:
    if user is not None and not may_record_values(user, organisation):
        raise NotPermitted(f"You may not record values for {organisation.name}")
    checked, errors = problems(measure, organisation, ward, data, today())
    if checked is not None:
        other = stored(session, key(measure, organisation, ward, checked.month))
        if other is not None and other is not editing:
            errors["month"] = already_recorded(checked.month, organisation, ward)
    if errors:
        raise InvalidInput(errors)
    assert checked is not None
    return checked


def _taken(session: Session, measure: Measure, organisation: Organisation, ward: Ward | None, month: date):
    """After an IntegrityError: the month that another request recorded first is refused as InvalidInput."""
    if stored(session, key(measure, organisation, ward, month)) is not None:
        return InvalidInput({"month": already_recorded(month, organisation, ward)})
    return None


def record_value(
    session: Session,
    user: User | None,
    measure: Measure,
    organisation: Organisation,
    ward: Ward | None,
    data: ValueInput,
    *,
    is_demo: bool = False,
) -> MeasureValue:
    """Record a month's value for the organisation as a whole (ward None) or one of its wards."""
    checked = _checked(session, user, measure, organisation, ward, data)
    value = MeasureValue(
        measure=measure,
        organisation=organisation,
        ward=ward,
        month=checked.month,
        numerator=checked.numerator,
        denominator=checked.denominator,
        note=checked.note,
        is_demo=is_demo,
        recorded_by_id=user.id if user is not None else None,
    )
    session.add(value)
    commit_edit(session, on_integrity=lambda: _taken(session, measure, organisation, ward, checked.month))
    return value


def change_value(
    session: Session,
    user: User | None,
    value: MeasureValue,
    ward: Ward | None,
    data: ValueInput,
    expected_version: int | None,
) -> MeasureValue:
    """Change a value's month, ward, numbers and note, if it is still the version the editor saw."""
    if user is not None and not may_record_values(user, value.organisation):
        raise NotPermitted(f"You may not record values for {value.organisation.name}")
    check_version(value, expected_version)
    measure, organisation = value.measure, value.organisation
    checked = _checked(session, user, measure, organisation, ward, data, editing=value)
    value.ward, value.month = ward, checked.month
    value.numerator, value.denominator, value.note = checked.numerator, checked.denominator, checked.note
    value.recorded_by_id = user.id if user is not None else None
    value.recorded_at = utcnow()
    commit_edit(session, value, on_integrity=lambda: _taken(session, measure, organisation, ward, checked.month))
    return value


def remove_value(session: Session, user: User | None, value: MeasureValue, expected_version: int | None) -> None:
    """Remove a value, if it is still the version the editor saw."""
    if user is not None and not may_record_values(user, value.organisation):
        raise NotPermitted(f"You may not record values for {value.organisation.name}")
    check_version(value, expected_version)
    session.delete(value)
    commit_edit(session, value)
