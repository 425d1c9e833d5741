"""Spreadsheets: everyone signed in downloads the events and records; managers import a CSV file.

The import is two steps. The upload is checked whole; if every row is good the page shows what
would be written and skipped, and keeps the file (see staging.py). "Confirm import" sends a
signed ticket naming that file, its SHA-256 and the digest of the plan shown; the import checks
the file again in its own transaction and writes only if the plan is still exactly the one shown.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from ..access import editors_only, sees_drafts, signed_in
from ..adoption import queries
from ..calendar import today
from ..db import get_session
from ..models import DiscontinuedReason, Stage
from ..tabular import table_download
from . import exporting, importing, services
from .forms import ConfirmForm, UploadForm
from .services import imported_message, size_label
from .staging import (
    MAX_AGE_SECONDS,
    Ticket,
    TicketExpired,
    TicketInvalid,
    UploadStore,
    read_upload,
    sha256,
)

bp = Blueprint("spreadsheets", __name__, url_prefix="/spreadsheets")

PREVIEW_ROWS = 1_000  # a page of 20,000 table rows helps nobody; the counts cover the rest
PROBLEMS_SHOWN = 1_000
INVALID_TICKET = "The confirmation was not valid, so nothing was imported. Upload the file again."
DOWNLOADS = {
    "adoption-events": ("Adoption events", exporting.EVENT_FIELDS),
    "adoption-records": ("Current records", exporting.RECORD_FIELDS),
}


def _crumbs(*extra):
    return [("Home", url_for("main.home")), ("Spreadsheets", url_for(".export")), *extra]


def _store() -> UploadStore:
    return UploadStore(
        Path(current_app.instance_path) / "adoption-imports",
        current_app.config["SECRET_KEY"],
        current_app.config.get("IMPORT_CONFIRM_SECONDS", MAX_AGE_SECONDS),
    )


def max_bytes() -> int:
    return current_app.config.get("IMPORT_MAX_BYTES", importing.MAX_BYTES)


def max_rows() -> int:
    return current_app.config.get("IMPORT_MAX_ROWS", importing.MAX_ROWS)


# Downloads --------------------------------------------------------------------------------------


@bp.get("")
@signed_in
def export():
    """The spreadsheets to download, what each holds, and (for project managers) the import."""
    return render_template(
        "spreadsheets/export.html",
        event_columns=exporting.EVENT_COLUMNS,
        record_columns=exporting.RECORD_COLUMNS,
        breadcrumbs=[("Home", url_for("main.home"))],
    )


def _download(name: str, fmt: str, lines) -> Response:
    title, fields = DOWNLOADS[name]
    columns = [field.column for field in fields]
    return table_download(fmt, columns, exporting.table(fields, lines), title, f"{name}-{today().isoformat()}")


@bp.get("/adoption-events.<any(csv, xlsx):fmt>")
@signed_in
def events_file(fmt: str):
    """Every adoption event, one row each, in the order they took effect (drafts only for editors)."""
    events = queries.visible(queries.events(get_session()), sees_drafts())
    return _download("adoption-events", fmt, exporting.event_lines(events))


@bp.get("/adoption-records.<any(csv, xlsx):fmt>")
@signed_in
def records_file(fmt: str):
    """The current record of every organisation and change idea (drafts only for editors)."""
    records = queries.visible(queries.current_records(get_session()), sees_drafts())
    return _download("adoption-records", fmt, exporting.record_lines(records))


# Import -----------------------------------------------------------------------------------------


def _upload_page(form: UploadForm, problems=(), status: int = 200):
    return (
        render_template(
            "spreadsheets/import_upload.html",
            form=form,
            problems=list(problems)[:PROBLEMS_SHOWN],
            problem_count=len(problems),
            columns=importing.COLUMNS,
            required=importing.REQUIRED_COLUMNS,
            stages=list(Stage),
            reasons=list(DiscontinuedReason),
            max_size=size_label(max_bytes()),
            max_rows=max_rows(),
            breadcrumbs=_crumbs(),
        ),
        status,
    )


def _preview_page(plan: services.ImportPlan, ticket: Ticket, store: UploadStore, changed: bool = False):
    return render_template(
        "spreadsheets/import_preview.html",
        plan=plan,
        rows=plan.rows[:PREVIEW_ROWS],
        new_count=len(plan.new_rows),
        duplicate_count=plan.duplicate_count,
        filename=ticket.filename,
        form=ConfirmForm(ticket=store.sign(ticket), formdata=None),
        changed=changed,
        breadcrumbs=_crumbs(("Import adoption records", url_for(".import_upload"))),
    )


def _refused(form: UploadForm, problems, lead: str):
    count = len(problems)
    message = f"{lead} {count:,} problem{'' if count == 1 else 's'}, so nothing was imported. Correct the file and upload it again."
    form.file.errors = [message]
    return _upload_page(form, problems, 422)


@bp.route("/import", methods=["GET", "POST"])
@editors_only
def import_upload():
    """Choose a CSV file; if every row is good, show what importing it would write and skip."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, status=422 if form.errors else 200)
    storage = form.file.data
    limit = max_bytes()
    raw = read_upload(storage, limit)
    if raw is None:
        form.file.errors = [f"The file must be {size_label(limit)} or smaller: split it into smaller files"]
        return _upload_page(form, status=413)
    plan = services.check_file(get_session(), raw, max_rows=max_rows())
    if plan.problems:
        return _refused(form, plan.problems, "The file has")
    store = _store()
    ticket = Ticket(
        upload=store.save(raw),
        sha256=sha256(raw),
        user_id=current_user.id,
        plan=plan.digest(),
        filename=Path(storage.filename or "upload.csv").name[:120],
    )
    return _preview_page(plan, ticket, store)


@bp.post("/import/confirm")
@editors_only
def import_confirm():
    """Import the checked file, provided it would still write exactly what was shown."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, INVALID_TICKET)
    store = _store()
    try:
        ticket = store.verify(form.ticket.data)
    except TicketExpired:
        flash("The check of your file has expired, so nothing was imported. Upload the file again.")
        return redirect(url_for(".import_upload"))
    except TicketInvalid:
        abort(400, INVALID_TICKET)
    if ticket.user_id != current_user.id:
        abort(400, INVALID_TICKET)
    raw = store.load(ticket.upload)
    if raw is None:
        # Already imported (a second click), or removed after an hour.
        flash("That file has already been imported or its check has expired. Upload it again to check it.")
        return redirect(url_for(".import_upload"))
    if sha256(raw) != ticket.sha256:
        abort(400, INVALID_TICKET)
    session = get_session()
    try:
        plan = services.import_file(
            session, raw, current_user._get_current_object(), expected_digest=ticket.plan, max_rows=max_rows()
        )
    except services.FileRefused as refused:
        store.discard(ticket.upload)
        return _refused(UploadForm(formdata=None), refused.plan.problems, "Since you checked it, the file has")
    except services.PlanChanged as changed:
        return _preview_page(changed.plan, replace(ticket, plan=changed.plan.digest()), store, changed=True)
    store.discard(ticket.upload)
    flash(imported_message(plan), "success")
    return redirect(url_for(".import_upload"))
