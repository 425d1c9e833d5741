"""The measures catalogue: everyone signed in reads it, project managers add and change measures."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..access import editors_only, signed_in
from ..db import get_session
from ..editing import Submission
from . import measure_queries, measure_services
from .measure_forms import EditMeasureForm, MeasureForm
from .measure_units import full_unit, number


def _crumbs(*more):
    return [("Home", url_for("main.home")), ("Measures", url_for("measures.measures")), *more]


def _measure_or_404(code: str):
    measure = measure_queries.measure_by_code(get_session(), code.upper())
    if measure is None:
        abort(404)
    return measure


def _still_there(current):
    if current is None:
        abort(404)  # deleted while the editor had it open
    return current


@signed_in
def measures():
    """Every measure, grouped by ambition in catalogue order, with its kind, unit, direction, target and source."""
    return render_template(
        "measures/measures.html",
        catalogue=measure_queries.catalogue(get_session()),
        full_unit=full_unit,
        number=number,
        breadcrumbs=[("Home", url_for("main.home"))],
    )


@signed_in
def measure(code: str):
    """One measure: its definition and parts, and what comes from its source and what is ours."""
    if code != code.upper():
        return redirect(url_for("measures.measure", code=code.upper()), code=301)
    return render_template(
        "measures/measure.html",
        measure=_measure_or_404(code),
        networks=measure_queries.networks(get_session()),
        full_unit=full_unit,
        number=number,
        breadcrumbs=_crumbs(),
    )


@editors_only
def new_measure():
    """Add a measure (?ambition=CODE chooses its ambition)."""
    session = get_session()
    form = MeasureForm(ambitions=measure_queries.ambition_choices(session))
    if request.method == "GET" and request.args.get("ambition"):
        form.ambition.data = request.args["ambition"].strip().upper()
    added = Submission(form, lambda: measure_services.create_measure(session, form.code.data, form.details()))
    if added.saved:
        measure = added.result
        flash(f"The measure {measure.name} ({measure.code}) has been added.", "success")
        return redirect(url_for("measures.measure", code=measure.code))
    return render_template("measures/new_measure.html", form=form, breadcrumbs=_crumbs())


@editors_only
def edit_measure(code: str):
    """Change a measure's ambition, name, parts, direction, target, definition and source (not its code)."""
    session = get_session()
    measure = _measure_or_404(code)
    ambitions = measure_queries.ambition_choices(session)
    if request.method == "GET":
        form = EditMeasureForm.from_measure(measure, ambitions)
    else:
        form = EditMeasureForm(ambitions=ambitions)
    edit = Submission(
        form,
        lambda: measure_services.update_measure(session, measure, form.details(), form.expected_version()),
        reload=lambda current: EditMeasureForm.from_measure(_still_there(current), ambitions),
    )
    if edit.saved:
        flash(f"The measure {measure.name} ({measure.code}) has been saved.", "success")
        return redirect(url_for("measures.measure", code=measure.code))
    crumbs = _crumbs((measure.name, url_for("measures.measure", code=measure.code)))
    return render_template("measures/edit_measure.html", form=edit.form, measure=measure, breadcrumbs=crumbs)
