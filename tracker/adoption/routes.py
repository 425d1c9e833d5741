"""The adoption ledger's pages: an organisation's matrix, one record's history, the log form."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import loggers_only, may_log_adoption, sees_drafts, signed_in
from ..calendar import people_date, today
from ..db import get_session
from ..editing import EditConflict, InvalidInput, apply_form_errors
from ..leads import queries as lead_queries
from ..lookups import idea_detail, organisation_by_ods
from ..models import Adoption, PackageStatus
from . import queries, services, stale
from .forms import LogAdoptionForm

bp = Blueprint("adoption", __name__)


def _organisation_or_404(ods: str):
    organisation = organisation_by_ods(get_session(), ods.upper(), related=True)
    if organisation is None:
        abort(404)
    return organisation


def _idea_or_404(code: str):
    idea = idea_detail(get_session(), code.upper())
    if idea is None or (idea.package.status is not PackageStatus.PUBLISHED and not sees_drafts()):
        abort(404)
    return idea


def _crumbs(organisation, *more):
    return [
        ("Home", url_for("main.home")),
        ("Organisations", url_for("organisations.organisations")),
        (organisation.name, url_for("organisations.organisation", ods=organisation.ods_code)),
        *more,
    ]


def _staleness() -> dict:
    """What the pages need to say a record needs an update: the setting, and the day before which it does."""
    days = current_app.config["STALE_AFTER_DAYS"]
    return {"stale_after_days": days, "stale_before": stale.stale_before(today(), days)}


@bp.get("/organisations/<ods>/adoption")
@signed_in
def matrix(ods: str):
    """Where one organisation stands on every change idea, grouped as the change packages are."""
    session = get_session()
    organisation = _organisation_or_404(ods)
    ambitions, records = queries.organisation_matrix(session, organisation)
    return render_template(
        "adoption/matrix.html",
        organisation=organisation,
        ambitions=ambitions,
        records=records,
        include_drafts=sees_drafts(),
        breadcrumbs=_crumbs(organisation),
        **_staleness(),
    )


@bp.get("/organisations/<ods>/adoption/<code>")
@signed_in
def history(ods: str, code: str):
    """Every stage move of one organisation and change idea, who logged it and when."""
    session = get_session()
    organisation, idea = _organisation_or_404(ods), _idea_or_404(code)
    record, events = queries.record(session, organisation, idea), queries.history(session, organisation, idea)
    return render_template(
        "adoption/history.html",
        organisation=organisation,
        idea=idea,
        record=record,
        events=events,
        contact=lead_queries.record_contact(session, organisation, idea) if record else None,
        breadcrumbs=_crumbs(organisation, ("Adoption", url_for(".matrix", ods=organisation.ods_code))),
        **_staleness(),
    )


@bp.get("/adoption/start")
@loggers_only
def start():
    """From a change idea's page: go to the log form for the organisation chosen there."""
    organisation = _organisation_or_404(request.args.get("organisation", ""))
    idea = _idea_or_404(request.args.get("idea", ""))
    return redirect(url_for(".log", ods=organisation.ods_code, code=idea.code))


@bp.route("/organisations/<ods>/adoption/<code>/log", methods=["GET", "POST"])
@loggers_only
def log(ods: str, code: str):
    """Log a stage move for one organisation and change idea."""
    session = get_session()
    organisation, idea = _organisation_or_404(ods), _idea_or_404(code)
    if not may_log_adoption(current_user, organisation):
        abort(403)
    record = queries.record(session, organisation, idea)
    form = LogAdoptionForm()
    form.set_corrections(queries.history(session, organisation, idea))
    if request.method == "GET":
        form.prefill(record, today())
    elif not form.checks_out():
        form.add_rule_problems(organisation, record, today())
    else:
        result, record = _submit(session, form, organisation, idea, record)
        if result is not None:
            _say_logged(result, organisation, idea)
            return redirect(url_for(".history", ods=organisation.ods_code, code=idea.code))
    crumbs = _crumbs(
        organisation,
        ("Adoption", url_for(".matrix", ods=organisation.ods_code)),
        (idea.code, url_for(".history", ods=organisation.ods_code, code=idea.code)),
    )
    return render_template(
        "adoption/log.html", form=form, organisation=organisation, idea=idea, record=record, breadcrumbs=crumbs
    )


def _submit(
    session, form: LogAdoptionForm, organisation, idea, record: Adoption | None
) -> tuple[services.LogResult | None, Adoption | None]:
    """Log what the checked form says: (the result, the record), or (None, the record as it is now)
    with the service's problems, or the conflict, shown on the form."""
    try:
        result = services.log_adoption(
            session,
            current_user,
            organisation,
            idea,
            form.event_input(),
            expected_version=form.expected_version(),
            corrects_event_id=form.corrects_event_id.data,
            keep_wards=form.kept_wards(),
        )
    except InvalidInput as error:
        session.rollback()
        apply_form_errors(form, error)
        return None, record
    except EditConflict:
        session.rollback()
        record = queries.record(session, organisation, idea)
        form.show_conflict(record, queries.history(session, organisation, idea))
        return None, record
    return result, record


def _say_logged(result: services.LogResult, organisation, idea) -> None:
    stage = result.event.stage.label.lower()
    flash(
        f"Logged {idea.code} at {organisation.name}: {stage} from {people_date(result.event.effective_date)}.",
        "success",
    )
    if not result.became_current:
        flash(
            f"That entry is dated before the current one, so it is in the history but the current stage "
            f"stays {result.adoption.stage.label.lower()}.",
            "info",
        )
