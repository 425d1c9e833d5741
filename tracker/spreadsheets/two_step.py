"""The two steps every file import's pages share: upload and check the file, then confirm what was shown.

The upload is checked whole; if every row is good it is kept in the database (staging.UploadStore:
any server process may take the confirmation) and the preview shows what would be written. The
confirmation posts a signed ticket naming that file, its SHA-256, the account and the plan's digest;
it is verified here, and the import checks the file again in its own transaction and writes only if
the plan is still exactly the one shown. Each import (adoption records, measure values) brings its
own store, check, import, pages and messages as Steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, redirect
from flask_login import current_user

from .csvfile import MAX_BYTES, MAX_ROWS, FileRefused, PlanChanged, size_label
from .forms import ConfirmForm, UploadForm
from .staging import Ticket, TicketExpired, TicketInvalid, UploadStore, read_upload, sha256

INVALID_TICKET = "The confirmation was not valid, so nothing was imported. Upload the file again."
EXPIRED = "The check of your file has expired, so nothing was imported. Upload the file again."
GONE = "That file has already been imported or its check has expired. Upload it again to check it."


def max_bytes() -> int:
    return current_app.config.get("IMPORT_MAX_BYTES", MAX_BYTES)


def max_rows() -> int:
    return current_app.config.get("IMPORT_MAX_ROWS", MAX_ROWS)


@dataclass(frozen=True)
class Steps:
    """One import's parts. A plan has .problems and .digest(); check and run are the import's services."""

    store: UploadStore
    upload_url: str  # the upload page: where a confirmation that cannot go ahead returns
    upload_page: Callable[..., Any]  # (form, problems=(), status=200) -> response
    preview_page: Callable[..., Any]  # (plan, ticket, store, changed=False) -> response
    check: Callable[[bytes], Any]  # the file's plan; reads only
    run: Callable[[bytes, str], Any]  # (raw, expected digest) -> the plan carried out; raises FileRefused, PlanChanged
    imported: Callable[[Any], str]  # the message after an import
    default_filename: str
    form: type[UploadForm] = UploadForm  # what the file field is called and says when left empty


def refused(steps: Steps, form: UploadForm, plan, lead: str):
    """The upload page listing the file's problems, with the count as the file field's error."""
    problems = plan.problems
    count = len(problems)
    form.file.errors = [
        f"{lead} {count:,} problem{'' if count == 1 else 's'}, so nothing was imported. "
        "Correct the file and upload it again."
    ]
    return steps.upload_page(form, problems, 422, note=getattr(plan, "note", ""))


def check_upload(steps: Steps):
    """The upload form; posted with a good file, the preview of what importing it would do."""
    form = steps.form()
    if not form.validate_on_submit():
        return steps.upload_page(form, status=422 if form.errors else 200)
    storage = form.file.data
    limit = max_bytes()
    raw = read_upload(storage, limit)
    if raw is None:
        form.file.errors = [f"The file must be {size_label(limit)} or smaller: split it into smaller files"]
        return steps.upload_page(form, status=413)
    plan = steps.check(raw)
    if plan.problems:
        return refused(steps, form, plan, "The file has")
    ticket = Ticket(
        upload=steps.store.save(raw, current_user.id),
        sha256=sha256(raw),
        user_id=current_user.id,
        plan=plan.digest(),
        filename=Path(storage.filename or steps.default_filename).name[:120],
    )
    return steps.preview_page(plan, ticket, steps.store)


def confirm(steps: Steps):
    """Import the checked file, provided it would still write exactly what was shown."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, INVALID_TICKET)
    store = steps.store
    try:
        ticket = store.verify(form.ticket.data)
    except TicketExpired:
        flash(EXPIRED)
        return redirect(steps.upload_url)
    except TicketInvalid:
        abort(400, INVALID_TICKET)
    if ticket.user_id != current_user.id:
        abort(400, INVALID_TICKET)
    raw = store.load(ticket.upload, ticket.user_id)
    if raw is None:
        # Already imported (a second click), or removed after an hour.
        flash(GONE)
        return redirect(steps.upload_url)
    if sha256(raw) != ticket.sha256:
        abort(400, INVALID_TICKET)
    try:
        plan = steps.run(raw, ticket.plan)
    except FileRefused as error:
        store.session.rollback()  # nothing of the refused import is kept
        store.discard(ticket.upload)
        return refused(steps, steps.form(formdata=None), error.plan, "Since you checked it, the file has")
    except PlanChanged as changed:
        return steps.preview_page(changed.plan, replace(ticket, plan=changed.plan.digest()), store, changed=True)
    store.discard(ticket.upload)
    flash(steps.imported(plan), "success")
    return redirect(steps.upload_url)
