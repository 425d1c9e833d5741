"""`flask --app tracker adoption import FILE.csv [--dry-run] [--as EMAIL]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..access import may_import_records
from ..calendar import people_date
from ..models import User
from . import services
from .cli_import import account, run_import
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
    """Add the `adoption` command group (or this command to it, if another module made the group)."""
    group = app.cli.commands.get("adoption")
    if not isinstance(group, click.Group):
        group = AppGroup("adoption", help="Adoption records.")
        app.cli.add_command(group)

    @group.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check the file and say what would be imported; write nothing.")
    @click.option(
        "--as", "as_email", metavar="EMAIL", help="The project manager or administrator the events are logged by."
    )
    def import_command(path: Path, dry_run: bool, as_email: str | None) -> None:
        """Import adoption events from a CSV file: all of it, or nothing if any row is bad."""
        run_import(
            path,
            dry_run=dry_run,
            as_email=as_email,
            command="adoption import",
            find_user=_editor,
            check=lambda session, raw, user, max_rows: services.check_file(session, raw, max_rows=max_rows),
            run=lambda session, raw, user, max_rows: services.import_file(session, raw, user, max_rows=max_rows),
            describe=_describe,
            would=_would,
            imported=imported_message,
        )
