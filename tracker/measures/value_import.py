"""Importing monthly values from a CSV file: upload and check, see what would be recorded, confirm.

The same two steps as the adoption import (tracker.spreadsheets), on its pieces: the upload is
checked whole and kept (staging.UploadStore); the preview's "Confirm import" posts a signed ticket
naming the file, its SHA-256 and the digest of the plan shown; the import checks the file again in
its own transaction and writes only if the plan is still exactly the one shown. One URL serves both
posts: a post carrying a ticket is the confirmation. Anyone who may record values for some
organisation may import; a row for an organisation they may not record for is a row error.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import may_record_values, signed_in
from ..calendar import today
from ..db import get_session
from ..models import Measure, Organisation
from ..spreadsheets import csvfile
from ..spreadsheets.csvfile import size_label
from ..spreadsheets.forms import ConfirmForm, UploadForm
from ..spreadsheets.staging import (
    MAX_AGE_SECONDS,
    Ticket,
    TicketExpired,
    TicketInvalid,
    UploadStore,
    read_upload,
    sha256,
)
from ..tabular import Column, table_download
from . import value_file
from .value_file import COLUMNS, REQUIRED, FileRefused, PlanChanged, ValuesPlan

PREVIEW_ROWS = 1_000
PROBLEMS_SHOWN = 1_000
INVALID_TICKET = "The confirmation was not valid, so nothing was imported. Upload the file again."


def _importer_or_403() -> None:
    if not may_record_values(current_user):
        abort(403, "Your account may not record measure values")


def _store() -> UploadStore:
    return UploadStore(
        Path(current_app.instance_path) / "values-imports",
        current_app.config["SECRET_KEY"],
        current_app.config.get("IMPORT_CONFIRM_SECONDS", MAX_AGE_SECONDS),
        salt="values-import",
    )


def _max_bytes() -> int:
    return current_app.config.get("IMPORT_MAX_BYTES", csvfile.MAX_BYTES)


def _max_rows() -> int:
    return current_app.config.get("IMPORT_MAX_ROWS", csvfile.MAX_ROWS)


def _crumbs():
    return [("Home", url_for("main.home"))]


def _upload_page(form: UploadForm, problems=(), status: int = 200):
    return (
        render_template(
            "measures/import_values.html",
            form=form,
            problems=list(problems)[:PROBLEMS_SHOWN],
            problem_count=len(problems),
            columns=COLUMNS,
            required=REQUIRED,
            max_size=size_label(_max_bytes()),
            max_rows=_max_rows(),
            breadcrumbs=_crumbs(),
        ),
        status,
    )


def _preview_page(plan: ValuesPlan, ticket: Ticket, store: UploadStore, changed: bool = False):
    return render_template(
        "measures/import_preview.html",
        plan=plan,
        rows=plan.rows[:PREVIEW_ROWS],
        filename=ticket.filename,
        ticket=store.sign(ticket),
        changed=changed,
        breadcrumbs=[*_crumbs(), ("Import measure values", url_for(".import_values"))],
    )


def _refused(form: UploadForm, problems, lead: str):
    count = len(problems)
    form.file.errors = [
        f"{lead} {count:,} problem{'' if count == 1 else 's'}, so nothing was imported. "
        "Correct the file and upload it again."
    ]
    return _upload_page(form, problems, 422)


def imported_message(plan: ValuesPlan) -> str:
    count = len(plan.rows)
    return f"Imported {count:,} monthly value{'' if count == 1 else 's'}"


@signed_in
def import_values():
    """Upload a CSV file of values and see what it would record; or (with a ticket) confirm it."""
    _importer_or_403()
    if request.method == "POST" and "ticket" in request.form:
        return _confirm()
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, status=422 if form.errors else 200)
    storage = form.file.data
    raw = read_upload(storage, _max_bytes())
    if raw is None:
        form.file.errors = [f"The file must be {size_label(_max_bytes())} or smaller: split it into smaller files"]
        return _upload_page(form, status=413)
    user = current_user._get_current_object()
    plan = value_file.check_file(get_session(), raw, user, max_rows=_max_rows())
    if plan.problems:
        return _refused(form, plan.problems, "The file has")
    store = _store()
    ticket = Ticket(
        upload=store.save(raw),
        sha256=sha256(raw),
        user_id=current_user.id,
        plan=plan.digest(),
        filename=Path(storage.filename or "values.csv").name[:120],
    )
    return _preview_page(plan, ticket, store)


def _confirm():
    """Record the checked file, provided it would still write exactly what was shown."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, INVALID_TICKET)
    store = _store()
    try:
        ticket = store.verify(form.ticket.data)
    except TicketExpired:
        flash("The check of your file has expired, so nothing was imported. Upload the file again.")
        return redirect(url_for(".import_values"))
    except TicketInvalid:
        abort(400, INVALID_TICKET)
    if ticket.user_id != current_user.id:
        abort(400, INVALID_TICKET)
    raw = store.load(ticket.upload)
    if raw is None:
        flash("That file has already been imported or its check has expired. Upload it again to check it.")
        return redirect(url_for(".import_values"))
    if sha256(raw) != ticket.sha256:
        abort(400, INVALID_TICKET)
    session = get_session()
    user = current_user._get_current_object()
    try:
        plan = value_file.import_file(session, raw, user, expected_digest=ticket.plan, max_rows=_max_rows())
    except FileRefused as refused:
        store.discard(ticket.upload)
        return _refused(UploadForm(formdata=None), refused.plan.problems, "Since you checked it, the file has")
    except PlanChanged as changed:
        return _preview_page(changed.plan, replace(ticket, plan=changed.plan.digest()), store, changed=True)
    store.discard(ticket.upload)
    flash(imported_message(plan) + ".", "success")
    return redirect(url_for(".import_values"))


@signed_in
def import_template():
    """The import's columns and one example row, as a CSV file to fill in."""
    _importer_or_403()
    session = get_session()
    measure = session.scalar(select(Measure).order_by(Measure.position, Measure.code).limit(1))
    organisation = (
        session.get(Organisation, current_user.organisation_id) if current_user.organisation_id else None
    ) or session.scalar(select(Organisation).order_by(Organisation.ods_code).limit(1))
    month = today().replace(day=1)
    example = [
        measure.code if measure else "RP-RESTRAINT",
        organisation.ods_code if organisation else "RNU",
        "",
        f"{month:%Y-%m}",
        12,
        2890 if measure is None or measure.is_rate else None,
        "Example row: replace it with your own",
    ]
    columns = [Column(name) for name in COLUMNS]
    return table_download("csv", columns, [example], "Measure values", "measure-values-template")
