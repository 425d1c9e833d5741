"""Spreadsheets: everyone signed in downloads the events and records; managers import a CSV file or an
Excel workbook, and download its templates.

The import is two steps (see two_step.py): the upload is checked whole and, if every row is good, the
page shows what would be written and skipped; "Confirm import" writes it if the plan is unchanged.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import Select, select

from ..access import editors_only, sees_drafts, signed_in
from ..calendar import today
from ..core.stages import STAGE_MEANINGS
from ..db import get_session
from ..models import ChangeIdea, DiscontinuedReason, Organisation, Stage
from ..tabular import MIMETYPES, XLSX_MAX_ROWS, csv_chunks, download, sent_in_pieces, xlsx_temporary_file
from . import export_queries, exporting, import_template, importing, services, two_step
from .forms import ConfirmForm, UploadForm, WorkbookUploadForm
from .services import imported_message, size_label
from .staging import MAX_AGE_SECONDS, Ticket, UploadStore
from .two_step import max_bytes, max_rows

bp = Blueprint("spreadsheets", __name__, url_prefix="/spreadsheets")

PREVIEW_ROWS = 1_000  # a page of 20,000 table rows helps nobody; the counts cover the rest
PROBLEMS_SHOWN = 1_000
DOWNLOADS = {
    "adoption-events": ("Adoption events", exporting.EVENT_FIELDS),
    "adoption-records": ("Current records", exporting.RECORD_FIELDS),
}


def _crumbs(*extra):
    return [("Home", url_for("main.home")), ("Spreadsheets", url_for(".export")), *extra]


def _store() -> UploadStore:
    return UploadStore(
        get_session(),
        current_app.config["SECRET_KEY"],
        current_app.config.get("IMPORT_CONFIRM_SECONDS", MAX_AGE_SECONDS),
    )


# Downloads --------------------------------------------------------------------------------------


def _export_page(too_many: tuple[str, int] | None = None, status: int = 200):
    return (
        render_template(
            "spreadsheets/export.html",
            event_columns=exporting.EVENT_COLUMNS,
            record_columns=exporting.RECORD_COLUMNS,
            xlsx_max_rows=_xlsx_max_rows(),
            too_many=too_many,
            breadcrumbs=[("Home", url_for("main.home"))],
        ),
        status,
    )


def _xlsx_max_rows() -> int:
    return current_app.config.get("XLSX_MAX_ROWS", XLSX_MAX_ROWS)


@bp.get("")
@signed_in
def export():
    """The spreadsheets to download, what each holds, and (for project managers) the import."""
    return _export_page()


def _download(name: str, fmt: str, stmt: Select) -> Response | tuple:
    """The file, streamed: CSV a chunk of rows at a time as they are read (the request's session stays
    open until the last one is sent), XLSX written row by row to a temporary file and sent from it.
    A workbook Excel could not open (more rows than a sheet holds) is refused before anything is written."""
    title, fields = DOWNLOADS[name]
    columns = [field.column for field in fields]
    filename = f"{name}-{today().isoformat()}.{fmt}"
    session = get_session()
    if fmt == "csv":
        rows = exporting.table(fields, export_queries.stream(session, stmt))
        return download(stream_with_context(csv_chunks(columns, rows)), MIMETYPES[fmt], filename)
    found = export_queries.count(session, stmt)
    if found > _xlsx_max_rows():
        return _export_page(too_many=(title, found), status=422)
    workbook = xlsx_temporary_file(columns, exporting.table(fields, export_queries.stream(session, stmt)), title)
    size = workbook.seek(0, 2)
    workbook.seek(0)
    response = download(sent_in_pieces(workbook), MIMETYPES[fmt], filename)
    response.content_length = size
    response.call_on_close(workbook.close)  # if the download is cut short
    return response


@bp.get("/adoption-events.<any(csv, xlsx):fmt>")
@signed_in
def events_file(fmt: str):
    """Every adoption event, one row each, in the order they took effect (drafts only for editors)."""
    return _download("adoption-events", fmt, export_queries.events_statement(sees_drafts()))


@bp.get("/adoption-records.<any(csv, xlsx):fmt>")
@signed_in
def records_file(fmt: str):
    """The current record of every organisation and change idea (drafts only for editors)."""
    return _download("adoption-records", fmt, export_queries.records_statement(sees_drafts()))


# Import -----------------------------------------------------------------------------------------


def _upload_page(form: UploadForm, problems=(), status: int = 200, note: str = ""):
    return (
        render_template(
            "spreadsheets/import_upload.html",
            form=form,
            problems=list(problems)[:PROBLEMS_SHOWN],
            problem_count=len(problems),
            note=note,
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


def _steps() -> two_step.Steps:
    session = get_session()
    return two_step.Steps(
        store=_store(),
        upload_url=url_for(".import_upload"),
        upload_page=_upload_page,
        preview_page=_preview_page,
        check=lambda raw: services.check_file(session, raw, max_rows=max_rows()),
        run=lambda raw, digest: services.import_file(
            session, raw, current_user._get_current_object(), expected_digest=digest, max_rows=max_rows()
        ),
        imported=imported_message,
        default_filename="upload.csv",
        form=WorkbookUploadForm,
    )


@bp.route("/import", methods=["GET", "POST"])
@editors_only
def import_upload():
    """Choose a CSV file or Excel workbook; if every row is good, show what importing it would write and skip."""
    return two_step.check_upload(_steps())


@bp.post("/import/confirm")
@editors_only
def import_confirm():
    """Import the checked file, provided it would still write exactly what was shown."""
    return two_step.confirm(_steps())


@bp.get("/import/template.<any(csv, xlsx):fmt>")
@editors_only
def import_template_file(fmt: str):
    """The import's columns and one example row (a real one: it imports as it is); the workbook also
    lists the allowed values."""
    session = get_session()
    day = today()
    organisations = session.execute(
        select(Organisation.ods_code, Organisation.name)
        .where(Organisation.is_open_on(day))
        .order_by(Organisation.ods_code)
    ).all()
    ideas = session.execute(select(ChangeIdea.code, ChangeIdea.title).order_by(ChangeIdea.code)).all()
    example = import_template.example_row(
        organisations[0].ods_code if organisations else "RNU", ideas[0].code if ideas else "RP-01", day
    )
    if fmt == "csv":
        body = import_template.csv_template(example)
    else:
        allowed = import_template.Allowed(
            stages=[(s.value, STAGE_MEANINGS[s]) for s in Stage],
            reasons=[(r.value, r.label) for r in DiscontinuedReason],
            organisations=[tuple(o) for o in organisations],
            ideas=[tuple(i) for i in ideas],
        )
        body = import_template.xlsx_template(example, allowed)
    return download(body, MIMETYPES[fmt], f"adoption-import-template.{fmt}")
