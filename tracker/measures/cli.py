"""`flask --app tracker measures import FILE.csv [--dry-run] [--as EMAIL]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .. import audit_trail
from ..access import may_record_values
from ..calendar import people_month
from ..db import write_session
from ..models import User
from ..spreadsheets import csvfile
from . import value_file


def _recorder(session, email: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account has the email address {email}")
    if not user.active:
        raise click.ClickException(f"The account {user.email} is disabled")
    if not may_record_values(user):
        raise click.ClickException(f"{user.email} may not record measure values for any organisation")
    return user


def _describe(row: value_file.PlannedValue) -> str:
    v = row.value
    denominator = "" if v.denominator is None else f" / {v.denominator:g}"
    return f"Line {row.line}: {row.measure.code} {row.where} {people_month(v.month)}: {v.numerator:g}{denominator}"


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
        limit = current_app.config.get("IMPORT_MAX_BYTES", csvfile.MAX_BYTES)
        max_rows = current_app.config.get("IMPORT_MAX_ROWS", csvfile.MAX_ROWS)
        size = path.stat().st_size
        if size > limit:
            raise click.ClickException(
                f"{path.name} is {csvfile.size_label(size)}: a file may be {csvfile.size_label(limit)} at most. "
                "Split it into smaller files."
            )
        raw = path.read_bytes()
        with write_session() as session:
            user = _recorder(session, as_email) if as_email else None
            if user is not None:
                actor = audit_trail.Actor(
                    id=user.id, email=user.email, role="cli", path=f"measures import {path.name}"[:500]
                )
                audit_trail.set_actor(session, actor)
            try:
                if dry_run:
                    plan = value_file.check_file(session, raw, user, max_rows=max_rows)
                else:
                    plan = value_file.import_file(session, raw, user, max_rows=max_rows)
            except value_file.FileRefused as refused:
                plan = refused.plan
            if plan.problems:
                for problem in plan.problems:
                    click.echo(str(problem), err=True)
                count = len(plan.problems)
                raise click.ClickException(
                    f"{path.name} has {count:,} problem{'' if count == 1 else 's'}: nothing was imported."
                )
            count = len(plan.rows)
            if dry_run:
                for row in plan.rows:
                    click.echo(_describe(row))
                click.echo(f"Dry run: would record {count:,} value{'' if count == 1 else 's'}. Nothing was written.")
            else:
                click.echo(f"Imported {count:,} monthly value{'' if count == 1 else 's'}.")
