"""`flask --app tracker measures import FILE.csv [--dry-run] [--as EMAIL]`."""

from __future__ import annotations

import click
from flask import Flask

from ..access import may_record_values
from ..calendar import people_month
from ..models import User
from ..spreadsheets.cli_import import account, add_import_command
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
    """Add `flask measures import` (to the `measures` command group, made here unless another module made it)."""
    add_import_command(
        app,
        "measures",
        "Outcome, process and balancing measures.",
        doc="Import monthly measure values from a CSV file: all of it, or nothing if any row is bad.",
        dry_run_help="Check the file and say what would be recorded; write nothing.",
        as_help="The account the values are recorded by (and may record for).",
        find_user=_recorder,
        check=lambda session, raw, user, max_rows: value_file.check_file(session, raw, user, max_rows=max_rows),
        run=lambda session, raw, user, max_rows: value_file.import_file(session, raw, user, max_rows=max_rows),
        describe=_describe,
        would=_would,
        imported=value_file.imported_message,
    )
