"""Importing monthly values from a CSV file: upload and check, see what would be recorded, confirm.

The same two steps as the adoption import (tracker.spreadsheets.two_step), with its own store, check,
import and pages: the preview's "Confirm import" writes only if the plan is still the one shown. One
URL serves both posts: a post carrying a ticket is the confirmation. Anyone who may record values for
some organisation may import; a row for an organisation they may not record for is a row error.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import may_record_values, signed_in
from ..calendar import today
from ..db import get_session
from ..models import Measure, Organisation
from ..spreadsheets import two_step
from ..spreadsheets.csvfile import size_label
from ..spreadsheets.forms import UploadForm
from ..spreadsheets.staging import MAX_AGE_SECONDS, Ticket, UploadStore
from ..spreadsheets.two_step import max_bytes, max_rows
from ..tabular import Column, table_download
from . import value_file
from .value_file import COLUMNS, REQUIRED, ValuesPlan

PREVIEW_ROWS = 1_000
PROBLEMS_SHOWN = 1_000


def _importer_or_403() -> None:
    if not may_record_values(current_user):
        abort(403, "Your account may not record measure values")


def _store() -> UploadStore:
    return UploadStore(
        get_session(),
        current_app.config["SECRET_KEY"],
        current_app.config.get("IMPORT_CONFIRM_SECONDS", MAX_AGE_SECONDS),
        salt="values-import",
    )


def _crumbs():
    return [("Home", url_for("main.home"))]


def _upload_page(form: UploadForm, problems=(), status: int = 200, note: str = ""):
    return (
        render_template(
            "measures/import_values.html",
            form=form,
            problems=list(problems)[:PROBLEMS_SHOWN],
            problem_count=len(problems),
            note=note,
            columns=COLUMNS,
            required=REQUIRED,
            max_size=size_label(max_bytes()),
            max_rows=max_rows(),
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


def _steps() -> two_step.Steps:
    session = get_session()
    user = current_user._get_current_object()
    return two_step.Steps(
        store=_store(),
        upload_url=url_for(".import_values"),
        upload_page=_upload_page,
        preview_page=_preview_page,
        check=lambda raw: value_file.check_file(session, raw, user, max_rows=max_rows()),
        run=lambda raw, digest: value_file.import_file(session, raw, user, expected_digest=digest, max_rows=max_rows()),
        imported=lambda plan: value_file.imported_message(plan) + ".",
        default_filename="values.csv",
    )


@signed_in
def import_values():
    """Upload a CSV file of values and see what it would record; or (with a ticket) confirm it."""
    _importer_or_403()
    if request.method == "POST" and "ticket" in request.form:
        return two_step.confirm(_steps())
    return two_step.check_upload(_steps())


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
