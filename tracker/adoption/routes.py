"""The adoption ledger's pages: an organisation's matrix, one record's history, the log form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import loggers_only, may_log_adoption, sees_drafts, signed_in
from ..calendar import people_date, today
from ..catalogue.queries import idea_detail
from ..db import get_session
from ..editing import CONFLICT_MESSAGE, EditConflict, InvalidInput, apply_form_errors
from ..models import PackageStatus
from ..organisations.queries import organisation_by_ods
from . import queries, rules, services
from .forms import LogAdoptionForm
from .rules import EventInput

bp = Blueprint("adoption", __name__)


def _organisation_or_404(ods: str):
    organisation = organisation_by_ods(get_session(), ods.upper())
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
        breadcrumbs=_crumbs(organisation, ("Adoption", url_for(".matrix", ods=organisation.ods_code))),
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
    events = queries.history(session, organisation, idea)
    form = LogAdoptionForm()
    form.set_corrections(events)
    if request.method == "GET":
        form.row_version.data = str(record.row_version if record else 0)
        form.effective_date.data = today()
        form.prefill(record)
    elif not (form.validate_on_submit() and not form.corrects_event_id.errors):
        _add_rule_problems(form, organisation, record)
    else:
        try:
            result = services.log_adoption(
                session,
                current_user,
                organisation,
                idea,
                _event_input(form),
                expected_version=form.expected_version(),
                corrects_event_id=form.corrects_event_id.data,
                keep_wards=form.kept_wards(),
            )
        except InvalidInput as error:
            session.rollback()
            apply_form_errors(form, error)
        except EditConflict:
            session.rollback()
            record = queries.record(session, organisation, idea)
            events = queries.history(session, organisation, idea)
            form.set_corrections(events)
            form.form_errors.append(
                CONFLICT_MESSAGE.replace("the form now shows their version", "the current record is shown above")
            )
            form.row_version.data = str(record.row_version if record else 0)
        else:
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
            return redirect(url_for(".history", ods=organisation.ods_code, code=idea.code))
    return render_template(
        "adoption/log.html",
        form=form,
        organisation=organisation,
        idea=idea,
        record=record,
        breadcrumbs=_crumbs(
            organisation,
            ("Adoption", url_for(".matrix", ods=organisation.ods_code)),
            (idea.code, url_for(".history", ods=organisation.ods_code, code=idea.code)),
        ),
    )


def _event_input(form: LogAdoptionForm) -> EventInput:
    return EventInput(
        stage=form.stage.data or "",
        effective_date=form.effective_date.data,
        wards_using=form.wards_using.data,
        wards_in_scope=form.wards_in_scope.data,
        note=form.note.data or "",
        evidence_url=(form.evidence_url.data or "").strip(),
        discontinued_reason=form.discontinued_reason.data or None,
    )


def _add_rule_problems(form: LogAdoptionForm, organisation, record) -> None:
    """Add the ledger's rules' problems to fields the form found nothing wrong with, so one
    submission names every mistake (a missing stage does not hide a date in the future)."""
    data = _event_input(form)
    if record is not None:
        data = rules.with_kept_wards(data, (record.wards_using, record.wards_in_scope), form.kept_wards())
    problems = rules.event_problems(
        data, rules.OrganisationDates(organisation.opened_on, organisation.closed_on), today()
    )
    apply_form_errors(form, InvalidInput({name: m for name, m in problems.items() if not getattr(form, name).errors}))
