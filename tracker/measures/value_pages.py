"""The values pages: list an organisation's months of a measure, record a month, change or remove one.

Everyone signed in reads the list; recording, changing and removing need the ability record_values
on the organisation (tracker.access.may_record_values): others get 403. The rules are the service's
(tracker.measures.values); these views only carry the form to it and show what it says.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import may_record_values, signed_in
from ..calendar import people_month, today
from ..core.measures import Month, plotted
from ..db import get_session
from ..editing import InvalidInput, Submission
from ..lookups import organisation_by_ods
from ..models import Measure, MeasureValue, Organisation, Ward
from . import value_queries as queries
from . import values as service
from .value_forms import ValueChoiceForm, ValueForm
from .value_rules import ValueInput


def _organisation_or_404(ods: str) -> Organisation:
    organisation = organisation_by_ods(get_session(), ods.strip().upper())
    if organisation is None:
        abort(404)
    return organisation


def _recorder_or_403(organisation: Organisation) -> None:
    if not may_record_values(current_user, organisation):
        abort(403, f"Your account may not record values for {organisation.name}")


def _crumbs(organisation: Organisation, *extra):
    return [
        ("Home", url_for("main.home")),
        ("Organisations", url_for("organisations.organisations")),
        (organisation.name, url_for("organisations.organisation", ods=organisation.ods_code)),
        *extra,
    ]


def _list_url(organisation: Organisation, measure: Measure, ward: Ward | None = None) -> str:
    return url_for(".values", ods=organisation.ods_code, measure=measure.code, ward=ward.id if ward else None)


def _measure_choices(measures: list[Measure]) -> list[tuple[str, str]]:
    return [(m.code, f"{m.name} ({m.ambition.code})") for m in measures]


def _ward(wards: list[Ward], ward_id: int | None) -> Ward | None:
    """The organisation's ward with this id; 404 for one it does not have."""
    if ward_id is None:
        return None
    found = next((w for w in wards if w.id == ward_id), None)
    if found is None:
        abort(404)
    return found


@dataclass(frozen=True)
class Shown:
    """A value's row on the list, its numbers written as people read them."""

    value: MeasureValue
    month: str
    numerator: str
    denominator: str
    rate: str


def number_text(number: float | None, places: int = 0) -> str:
    """12 or 2,890 for whole numbers, 12.5 otherwise; a rate to the places given."""
    if number is None:
        return ""
    if places:
        return f"{number:,.{places}f}"
    return f"{number:,.0f}" if number == int(number) else f"{number:,}"


def shown(rows: list[MeasureValue], measure: Measure) -> list[Shown]:
    return [
        Shown(
            value,
            people_month(value.month),
            number_text(value.numerator),
            number_text(value.denominator),
            number_text(plotted(Month(value.numerator, value.denominator), measure.scale, measure.is_rate), 2),
        )
        for value in rows
    ]


@signed_in
def values(ods: str):
    """The months recorded of one measure at one organisation (?measure=CODE, ?ward=ID), newest first."""
    session = get_session()
    organisation = _organisation_or_404(ods)
    measures = queries.measures(session)
    wards = queries.wards(session, organisation)
    form = ValueChoiceForm(request.args, measures=_measure_choices(measures), wards=queries.ward_choices(wards))
    measure = next((m for m in measures if m.code == form.measure.data), None) if form.measure.data else None
    if form.measure.data and measure is None:
        abort(404)
    measure = measure or (measures[0] if measures else None)
    if measure is not None:
        form.measure.data = measure.code
    ward_text = form.ward.data or ""
    ward = _ward(wards, int(ward_text) if ward_text.isdigit() and len(ward_text) < 10 else None)
    if ward_text and ward is None:
        abort(404)
    rows = queries.values(session, measure, organisation, ward) if measure is not None else []
    return render_template(
        "measures/values.html",
        form=form,
        organisation=organisation,
        measure=measure,
        ward=ward,
        rows=shown(rows, measure) if measure is not None else [],
        may_record=may_record_values(current_user, organisation),
        breadcrumbs=_crumbs(organisation),
    )


def _form_page(template: str, form: ValueForm, organisation: Organisation, measure: Measure, **extra):
    return render_template(
        template,
        form=form,
        organisation=organisation,
        measure=measure,
        example_month=f"{today():%Y-%m}",
        breadcrumbs=_crumbs(organisation, ("Measure values", _list_url(organisation, measure))),
        **extra,
    )


def _input(form: ValueForm) -> ValueInput:
    return ValueInput(form.month.data, form.numerator.data, form.denominator.data, form.note.data or "")


def _chosen_ward(form: ValueForm, wards: list[Ward]) -> Ward | None:
    """The ward the form names (another organisation's too: the service refuses it, saying whose it is)."""
    ward_id = form.ward_id()
    if ward_id is None:
        return None
    found = next((w for w in wards if w.id == ward_id), None)
    if found is None and ward_id > 0:
        found = get_session().get(Ward, ward_id)
    if found is None:
        raise InvalidInput({"ward": "Choose one of the organisation's wards, or the organisation as a whole"})
    return found


def _month_message(value: MeasureValue) -> str:
    return f"{people_month(value.month)} for {service.where(value.organisation, value.ward)}"


@signed_in
def new_value(ods: str, code: str):
    """Record a month's value of the measure (?ward=ID chooses the ward)."""
    session = get_session()
    organisation = _organisation_or_404(ods)
    _recorder_or_403(organisation)
    measure = queries.measure_by_code(session, code) or abort(404)
    every_ward = queries.wards(session, organisation)
    form = ValueForm(wards=queries.ward_choices(every_ward, today()), names=(measure.numerator, measure.denominator))
    if request.method == "GET" and request.args.get("ward", "").isdigit():
        form.ward.data = request.args["ward"]

    def save():
        ward = _chosen_ward(form, every_ward)
        return service.record_value(
            session, current_user._get_current_object(), measure, organisation, ward, _input(form)
        )

    added = Submission(form, save)
    if added.saved:
        value = added.result
        flash(f"{_month_message(value)} has been recorded.", "success")
        return redirect(_list_url(organisation, measure, value.ward))
    return _form_page("measures/new_value.html", form, organisation, measure), 422 if form.errors else 200


@signed_in
def edit_value(value_id: int):
    """Change a recorded month, or remove it (the remove button posts action=remove)."""
    session = get_session()
    value = queries.value(session, value_id) or abort(404)
    organisation, measure = value.organisation, value.measure
    _recorder_or_403(organisation)
    every_ward = queries.wards(session, organisation)
    options = {"wards": queries.ward_choices(every_ward, today()), "names": (measure.numerator, measure.denominator)}
    form = ValueForm.from_value(value, **options) if request.method == "GET" else ValueForm(**options)
    removing = request.method == "POST" and form.action.data == "remove"
    description = _month_message(value)  # read now: once removed, the row has no attributes
    user = current_user._get_current_object()

    def save():
        if removing:
            return service.remove_value(session, user, value, form.expected_version())
        ward = _chosen_ward(form, every_ward)
        return service.change_value(session, user, value, ward, _input(form), form.expected_version())

    def reload(current):
        if current is None:
            return form  # removed meanwhile: the view says so and leaves
        session.expire_all()
        return ValueForm.from_value(queries.value(session, value_id), **options)

    edit = Submission(form, save, reload=reload)
    if edit.conflict and edit.conflict.current is None:
        flash(f"{description} had already been removed.")
        return redirect(_list_url(organisation, measure))
    if edit.saved:
        if removing:
            flash(f"{description} has been removed.", "success")
            return redirect(_list_url(organisation, measure))
        flash(f"{_month_message(edit.result)} has been saved.", "success")
        return redirect(_list_url(organisation, measure, edit.result.ward))
    status = 409 if edit.conflict else 422 if edit.form.errors else 200
    return _form_page("measures/edit_value.html", edit.form, organisation, measure, value=value), status
