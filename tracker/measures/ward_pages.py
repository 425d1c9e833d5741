"""An organisation's wards: everyone signed in reads them; those who may record its values add and change them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import lookups
from ..access import may_record_values, signed_in
from ..calendar import today
from ..db import get_session
from ..editing import Submission
from . import ward_queries, ward_services
from .ward_forms import EditWardForm, WardForm


def _organisation_or_404(ods: str):
    organisation = lookups.organisation_by_ods(get_session(), ods.upper())
    if organisation is None:
        abort(404)
    return organisation


def _may_record_or_403(organisation) -> None:
    if not may_record_values(current_user, organisation):
        abort(403)


def _crumbs(organisation, wards: bool = True):
    crumbs = [
        ("Home", url_for("main.home")),
        ("Organisations", url_for("organisations.organisations")),
        (organisation.name, url_for("organisations.organisation", ods=organisation.ods_code)),
    ]
    return [*crumbs, ("Wards", url_for("measures.wards", ods=organisation.ods_code))] if wards else crumbs


@signed_in
def wards(ods: str):
    """The organisation's wards, with their service and whether they are open."""
    if ods != ods.upper():
        return redirect(url_for("measures.wards", ods=ods.upper()), code=301)
    organisation = _organisation_or_404(ods)
    return render_template(
        "measures/wards.html",
        organisation=organisation,
        wards=ward_queries.wards_of(get_session(), organisation),
        today=today(),
        breadcrumbs=_crumbs(organisation, wards=False),
    )


@signed_in
def new_ward(ods: str):
    """Add a ward to an organisation."""
    organisation = _organisation_or_404(ods)
    _may_record_or_403(organisation)
    form = WardForm()
    added = Submission(form, lambda: ward_services.create_ward(get_session(), organisation, form.details()))
    if added.saved:
        flash(f"{added.result.name} has been added to the wards of {organisation.name}.", "success")
        return redirect(url_for("measures.wards", ods=organisation.ods_code))
    return render_template(
        "measures/new_ward.html", form=form, organisation=organisation, breadcrumbs=_crumbs(organisation)
    )


@signed_in
def edit_ward(ward_id: int):
    """Change a ward's name, service and dates."""
    session = get_session()
    ward = ward_queries.ward(session, ward_id)
    if ward is None:
        abort(404)
    organisation = ward.organisation
    _may_record_or_403(organisation)
    form = EditWardForm.from_ward(ward) if request.method == "GET" else EditWardForm()
    edit = Submission(
        form,
        lambda: ward_services.update_ward(session, ward, form.details(), form.expected_version()),
        reload=lambda current: EditWardForm.from_ward(current if current is not None else abort(404)),
    )
    if edit.saved:
        flash(f"The details of {ward.name} have been saved.", "success")
        return redirect(url_for("measures.wards", ods=organisation.ods_code))
    return render_template(
        "measures/edit_ward.html",
        form=edit.form,
        ward=ward,
        organisation=organisation,
        breadcrumbs=_crumbs(organisation),
    )
