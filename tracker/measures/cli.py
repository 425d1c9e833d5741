"""`flask --app tracker measures import FILE.csv [--dry-run] [--as EMAIL]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..access import may_record_values
from ..calendar import people_month
from ..models import User
from ..spreadsheets.cli_import import account, run_import
from . import value_file


def _recorder(session, email: str) -> User:
    user = account(session, email)
    if not may_record_values(user):
        raise click.ClickException(f"{user.email} may not record measure values for any organisation")
    return user


def _describe(row: value_file.PlannedValue) -> str:
    v = row.value
    denominator = "" if v.denominator is None else f" / {v.denominator:g}"
    return f"Line {row.line}: {row.measure.code} {row.where} {people_month(v.month)}: {v.numerator:g}{denominator}"


def _would(plan: value_file.ValuesPlan) -> str:
    count = len(plan.rows)
    return f"would record {count:,} value{'' if count == 1 else 's'}"


def register(app: Flask) -> None:
    """Add the `measures` command group (or this command to it, if another module made the group)."""
    group = app.cli.commands.get("measures")
    if not isinstance(group, click.Group):
        group = AppGroup("measures", help="Outcome, process and balancing measures.")
        app.cli.add_command(group)

    @group.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check the file and say what would be recorded; write nothing.")
    @click.option(
        "--as", "as_email", metavar="EMAIL", help="The account the values are recorded by (and may record for)."
    )
    def import_command(path: Path, dry_run: bool, as_email: str | None) -> None:
        """Import monthly measure values from a CSV file: all of it, or nothing if any row is bad."""
        run_import(
            path,
            dry_run=dry_run,
            as_email=as_email,
            command="measures import",
            find_user=_recorder,
            check=lambda session, raw, user, max_rows: value_file.check_file(session, raw, user, max_rows=max_rows),
            run=lambda session, raw, user, max_rows: value_file.import_file(session, raw, user, max_rows=max_rows),
            describe=_describe,
            would=_would,
            imported=value_file.imported_message,
        )
