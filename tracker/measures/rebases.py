"""Rebases of a chart: a manager marks the month from which its limits are worked out afresh, with the
reason, or removes one. The form and the service; the service checks every rule, whoever calls it."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired

from ..calendar import people_month
from ..editing import InvalidInput, VersionedForm, check_version, commit_edit
from ..forms import Form, choices, strip
from ..models import Rebase
from .series import ChartSeries, rebases_of

CHOOSE_MONTH = "Choose the month the new limits start from"
NOT_A_MONTH = "Choose a month of this chart"
GIVE_REASON = "Enter the reason for the rebase, for example the month a change idea was implemented"
REASON_MAX = 500
REASON_TOO_LONG = f"The reason must be {REASON_MAX} characters or fewer"


class RebaseForm(Form):
    """Add a rebase: the month (one of the chart's) and the reason."""

    month = SelectField(
        "Month the new limits start from", validate_choice=False, validators=[DataRequired(CHOOSE_MONTH)]
    )
    reason = TextAreaField("Reason", filters=[strip], validators=[DataRequired(GIVE_REASON)])

    @classmethod
    def for_chart(cls, chart: ChartSeries, **kwargs) -> RebaseForm:
        form = cls(**kwargs)
        later = chart.months[1:]  # the first month starts the limits already
        form.month.choices = choices([(m.isoformat(), people_month(m)) for m in later], none=CHOOSE_MONTH)
        return form


class RebaseVersionForm(VersionedForm):
    """The remove button: its CSRF token and the rebase's version as the editor saw it."""


def _month(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def add_rebase(session: Session, chart: ChartSeries, month_text: str | None, reason: str | None, user_id: int | None):
    """Mark a month of the chart as a rebase; InvalidInput (month, reason) and nothing written on bad input."""
    errors = {}
    month = _month(month_text)
    if not (month_text or "").strip():
        errors["month"] = CHOOSE_MONTH
    elif month is None or month not in chart.months:
        errors["month"] = NOT_A_MONTH
    elif month == chart.months[0]:
        errors["month"] = "The chart's first month already starts its limits: choose a later month"
    elif any(r.month == month for r in chart.rebases):
        errors["month"] = _taken(month)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = GIVE_REASON
    elif len(reason) > REASON_MAX:
        errors["reason"] = REASON_TOO_LONG
    if errors:
        raise InvalidInput(errors)
    scope = chart.scope
    rebase = Rebase(
        measure_id=chart.measure.id,
        organisation_id=scope.organisation.id if scope.organisation is not None else None,
        ward_id=scope.ward.id if scope.ward is not None else None,
        network_id=scope.network.id if scope.network is not None else None,
        month=month,
        reason=reason,
        created_by_id=user_id,
    )
    session.add(rebase)
    commit_edit(session, on_integrity=lambda: _taken_meanwhile(session, chart, month))
    return rebase


def _taken(month: date) -> str:
    # Also what a rebase added by someone else in the same instant gets: the database's unique
    # indexes refuse the second, whichever check ran first.
    return f"{people_month(month)} is already a rebase of this chart: choose another month"


def _taken_meanwhile(session: Session, chart: ChartSeries, month: date) -> InvalidInput | None:
    """After an IntegrityError: the month someone else made a rebase of first, refused as InvalidInput."""
    if any(r.month == month for r in rebases_of(session, chart.measure, chart.scope)):
        return InvalidInput({"month": _taken(month)})
    return None


def remove_rebase(session: Session, rebase: Rebase, expected_version: int | None) -> None:
    """Remove a rebase. EditConflict (current None) if someone else removed or changed it first."""
    check_version(rebase, expected_version)
    session.delete(rebase)
    commit_edit(session, rebase)
