"""Whom to ask: name a record's lead and its Life QI project, an organisation's QI lead; your consent to be named.

Names are shown only to signed-in users (every page here is), and only while the person's consent is in force.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import loggers_only, may_log_adoption, sees_drafts, signed_in
from ..db import get_session
from ..editing import EditConflict, InvalidInput, Submission, press, version_number
from ..lookups import idea_detail, organisation_by_ods
from ..models import PackageStatus
from . import queries, services
from .forms import LeadForm, RecordLeadForm

bp = Blueprint("leads", __name__)


def _organisation(ods: str):
    organisation = organisation_by_ods(get_session(), ods.upper(), related=True)
    if organisation is None:
        abort(404)
    if not may_log_adoption(current_user, organisation):
        abort(403)
    return organisation


def _idea(code: str):
    idea = idea_detail(get_session(), code.upper())
    if idea is None or (idea.package.status is not PackageStatus.PUBLISHED and not sees_drafts()):
        abort(404)
    return idea


def _shown_email(contact) -> str | None:
    return contact.email if contact is not None else None


@bp.route("/organisations/<ods>/adoption/<code>/lead", methods=["GET", "POST"])
@loggers_only
def record_lead(ods: str, code: str):
    """Name (or clear) the lead of a record, and link (or unlink) its Life QI project."""
    session = get_session()
    organisation, idea = _organisation(ods), _idea(code)
    recorded = queries.has_record(session, organisation, idea)

    def filled(_current=None) -> RecordLeadForm:
        form = RecordLeadForm(formdata=None)
        contact = queries.record_contact(session, organisation, idea)
        form.prefill_record(queries.record_lead(session, organisation, idea), _shown_email(contact and contact.lead))
        return form

    form = filled() if request.method == "GET" else RecordLeadForm()
    edit = Submission(
        form,
        lambda: services.set_record_lead(
            session,
            current_user,
            organisation,
            idea,
            form.choice(),
            form.lifeqi_url.data or "",
            form.expected_version(),
            has_record=recorded,
        ),
        reload=filled,
    )
    if edit.saved:
        flash(f"The lead and Life QI link of {idea.code} at {organisation.name} have been saved.", "success")
        return redirect(url_for("adoption.history", ods=organisation.ods_code, code=idea.code))
    row = queries.record_lead(session, organisation, idea)
    contact = queries.record_contact(session, organisation, idea)
    return render_template(
        "leads/record_lead.html",
        form=edit.form,
        organisation=organisation,
        idea=idea,
        hidden_lead=row is not None and row.lead_id is not None and (contact is None or contact.lead is None),
        breadcrumbs=[
            ("Home", url_for("main.home")),
            (organisation.name, url_for("organisations.organisation", ods=organisation.ods_code)),
            (idea.code, url_for("adoption.history", ods=organisation.ods_code, code=idea.code)),
        ],
    )


@bp.route("/organisations/<ods>/qi-lead", methods=["GET", "POST"])
@loggers_only
def organisation_lead(ods: str):
    """Name (or clear) an organisation's quality improvement lead."""
    session = get_session()
    organisation = _organisation(ods)

    def filled(_current=None) -> LeadForm:
        form = LeadForm(formdata=None)
        form.prefill(
            queries.organisation_lead(session, organisation),
            _shown_email(queries.organisation_contact(session, organisation)),
        )
        return form

    form = filled() if request.method == "GET" else LeadForm()
    edit = Submission(
        form,
        lambda: services.set_organisation_lead(
            session, current_user, organisation, form.choice(), form.expected_version()
        ),
        reload=filled,
    )
    if edit.saved:
        flash(f"The QI lead of {organisation.name} has been saved.", "success")
        return redirect(url_for("organisations.organisation", ods=organisation.ods_code))
    row = queries.organisation_lead(session, organisation)
    return render_template(
        "leads/organisation_lead.html",
        form=edit.form,
        organisation=organisation,
        hidden_lead=row is not None
        and row.lead_id is not None
        and queries.organisation_contact(session, organisation) is None,
        breadcrumbs=[
            ("Home", url_for("main.home")),
            ("Organisations", url_for("organisations.organisations")),
            (organisation.name, url_for("organisations.organisation", ods=organisation.ods_code)),
        ],
    )


@bp.get("/account/contact")
@signed_in
def account():
    """Your consent to be named as a contact, and everywhere you are named as a lead."""
    session = get_session()
    user = current_user._get_current_object()
    return render_template(
        "leads/account.html",
        consent=queries.consent_of(session, user.id),
        namings=queries.namings(session, user),
        breadcrumbs=[("Home", url_for("main.home"))],
    )


@bp.post("/account/contact/consent")
@signed_in
def consent():
    """Give or withdraw your consent to be named (the button carries the version the page showed)."""
    session = get_session()
    user = current_user._get_current_object()
    give = request.form.get("give") == "yes"
    version = version_number(request.form.get("row_version"))
    if give:
        message, category = press(
            lambda: services.give_consent(session, user, version),
            lambda: "You have agreed to be named: your name and email address now show where you are a lead.",
            "Your consent changed in another window meanwhile. Check this page and try again.",
        )
    else:
        message, category = _withdraw(session, user, version)
    flash(message, category)
    return redirect(url_for(".account"))


def _withdraw(session, user, version) -> tuple[str, str]:
    try:
        services.withdraw_consent(session, user, version)
    except InvalidInput as refusal:
        return next(iter(refusal.errors.values())), "message"
    except EditConflict:
        return "Your consent changed in another window meanwhile. Check this page and try again.", "message"
    return "You have withdrawn your consent: your name no longer shows anywhere as a contact.", "success"
