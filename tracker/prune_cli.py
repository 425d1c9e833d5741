"""`flask --app tracker prune [--dry-run] [--days N]`: remove what the retention lets go (tracker.retention)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .db import as_owner, write_session
from .migrate import explained_refusals
from .models import utcnow
from .retention import COUNT_NAMES, prune, retention_days
from .spreadsheets.staging import MAX_AGE_SECONDS

KEPT = (
    "Kept: the adoption ledger, and every other audit entry (changes to records, sign-ins and sign-outs, "
    "password changes, prunes)."
)


@click.command("prune")
@click.option("--dry-run", is_flag=True, help="Say what would be removed, and remove nothing.")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    help="Keep this many days instead of the RETENTION_DAYS setting.",
)
@with_appcontext
def prune_command(dry_run: bool, days: int | None) -> None:
    """Remove sign-in counts, anonymous refusal counts and noisy audit entries older than the retention, and
    checked import files nobody can confirm any more."""
    if days is None:
        try:
            days = retention_days(current_app.config.get("RETENTION_DAYS"))
        except ValueError as error:
            raise click.UsageError(str(error)) from None
    upload_seconds = current_app.config.get("IMPORT_CONFIRM_SECONDS", MAX_AGE_SECONDS)
    with explained_refusals(), as_owner(), write_session() as session:  # the app's role may not DELETE audit rows
        counts = prune(session, days, utcnow(), dry_run=dry_run, upload_seconds=upload_seconds)
    verb = "Would remove" if dry_run else "Removed"
    if days is None:
        click.echo("No retention is set (RETENTION_DAYS, or --days): every record is kept.")
        click.echo(f"{verb} {counts.checked_uploads} {COUNT_NAMES['checked_uploads']}.")
    else:
        click.echo(f"{verb} what is older than {days} days:")
        for name, label in COUNT_NAMES.items():
            if name != "checked_uploads":
                click.echo(f"  {getattr(counts, name)} {label}")
        click.echo(f"{verb} {counts.checked_uploads} {COUNT_NAMES['checked_uploads']}.")
        click.echo(KEPT)
    if dry_run:
        click.echo("Nothing was changed (--dry-run).")


def register(app: Flask) -> None:
    app.cli.add_command(prune_command)
