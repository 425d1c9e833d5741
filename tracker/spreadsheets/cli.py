"""`flask --app tracker adoption import FILE.csv|FILE.xlsx [--dry-run] [--as EMAIL]`."""

from __future__ import annotations

import click
from flask import Flask

from ..access import may_import_records
from ..calendar import people_date
from ..models import User
from . import services
from .cli_import import account, add_import_command
from .services import imported_message


def _editor(session, email: str) -> User:
    user = account(session, email)
    if not may_import_records(user):
        raise click.ClickException(
            f"{user.email} is {user.role.label.lower()}: only project managers and administrators import"
        )
    return user


def _describe(row: services.PlannedRow) -> str:
    what = "new"
    if row.duplicate_of == 0:
        what = "skip: already recorded"
    elif row.duplicate_of:
        what = f"skip: repeats line {row.duplicate_of}"
    return f"Line {row.line}: {row.organisation.ods_code} {row.idea.code} {row.data.stage} {people_date(row.data.effective_date)} ({what})"


def _would(plan: services.ImportPlan) -> str:
    new, skipped = len(plan.new_rows), plan.duplicate_count
    return (
        f"would import {new:,} event{'' if new == 1 else 's'} "
        f"({skipped:,} duplicate{'' if skipped == 1 else 's'} skipped)"
    )


def register(app: Flask) -> None:
    """Add `flask adoption import` (to the `adoption` command group, made here unless another module made it)."""
    add_import_command(
        app,
        "adoption",
        "Adoption records.",
        doc=(
            "Import adoption events from a CSV file or an Excel workbook (.xlsx, its first sheet): "
            "all of it, or nothing if any row is bad."
        ),
        dry_run_help="Check the file and say what would be imported; write nothing.",
        as_help="The project manager or administrator the events are logged by.",
        find_user=_editor,
        check=lambda session, raw, user, max_rows: services.check_file(session, raw, max_rows=max_rows),
        run=lambda session, raw, user, max_rows: services.import_file(session, raw, user, max_rows=max_rows),
        describe=_describe,
        would=_would,
        imported=imported_message,
    )
