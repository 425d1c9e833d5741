"""`flask --app tracker adoption import FILE.csv [--dry-run] [--as EMAIL]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .. import audit_trail
from ..access import may_import_records
from ..calendar import people_date
from ..db import write_session
from ..models import User
from . import importing, services
from .services import imported_message, size_label


def _editor(session, email: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account has the email address {email}")
    if not user.active:
        raise click.ClickException(f"The account {user.email} is disabled")
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
        limit = current_app.config.get("IMPORT_MAX_BYTES", importing.MAX_BYTES)
        max_rows = current_app.config.get("IMPORT_MAX_ROWS", importing.MAX_ROWS)
        size = path.stat().st_size
        if size > limit:
            raise click.ClickException(
                f"{path.name} is {size_label(size)}: a file may be {size_label(limit)} at most. Split it into smaller files."
            )
        raw = path.read_bytes()
        with write_session() as session:
            user = _editor(session, as_email) if as_email else None
            if user is not None:
                audit_trail.set_actor(
                    session,
                    audit_trail.Actor(
                        id=user.id, email=user.email, role="cli", path=f"adoption import {path.name}"[:500]
                    ),
                )
            try:
                if dry_run:
                    plan = services.check_file(session, raw, max_rows=max_rows)
                else:
                    plan = services.import_file(session, raw, user, max_rows=max_rows)
            except services.FileRefused as refused:
                plan = refused.plan
            if plan.problems:
                for problem in plan.problems:
                    click.echo(str(problem), err=True)
                count = len(plan.problems)
                raise click.ClickException(
                    f"{path.name} has {count:,} problem{'' if count == 1 else 's'}: nothing was imported."
                )
            if dry_run:
                for row in plan.rows:
                    click.echo(_describe(row))
                new, skipped = len(plan.new_rows), plan.duplicate_count
                click.echo(
                    f"Dry run: would import {new:,} event{'' if new == 1 else 's'} "
                    f"({skipped:,} duplicate{'' if skipped == 1 else 's'} skipped). Nothing was written."
                )
            else:
                click.echo(imported_message(plan) + ".")
