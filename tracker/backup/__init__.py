"""`flask --app tracker backup FILE` and `restore FILE`: the whole database to one file and back.

SQLite through its online backup API, PostgreSQL through pg_dump and pg_restore in the custom format
(tracker.backup.sqlite, tracker.backup.postgres). Refused, with the reason, before anything is
written: overwriting an existing FILE (without --force), restoring into a database that holds data
(without --force), a file that is not a backup of this kind of database, and a backup made by newer
code (a migration this code does not know). A backup from older code is upgraded after the restore.

A running app never serves figures from the data the restore replaced: its caches are keyed by the
data version (tracker.models.versions), which the restore brings back with exactly the data it was
drawn for, and which no later write can draw again.
"""

from __future__ import annotations

from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import func, inspect, select

from .. import audit_trail, migrate
from ..db import app_role, as_owner, get_engine, write_session
from ..models import Base, DataVersion
from ..privileges import OWNER_HINT, refused_for_lack_of_ownership
from . import postgres, sqlite
from .files import POSTGRESQL, SQLITE, BackupRefused, check_kind, check_revision, check_target

# Rows that a freshly migrated, never used database may already hold.
NOT_DATA = {DataVersion.__tablename__}


def _kind(app: Flask) -> str:
    return SQLITE if get_engine(app).dialect.name == "sqlite" else POSTGRESQL


def _url(app: Flask):
    return get_engine(app).url


def tables_with_rows(app: Flask) -> list[str]:
    """The app's tables that hold rows (the data version's own row aside)."""
    engine = get_engine(app)
    with engine.connect() as connection:
        existing = set(inspect(connection).get_table_names())
        return [
            table.name
            for table in Base.metadata.sorted_tables
            if table.name in existing
            and table.name not in NOT_DATA
            and connection.scalar(select(func.count()).select_from(select(1).select_from(table).limit(1).subquery()))
        ]


def _code_revisions() -> tuple[list[str], str]:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [rev.revision for rev in script.walk_revisions()], script.get_current_head()


def back_up(app: Flask, target: Path, force: bool) -> str:
    """Write the backup; what was done, in words."""
    check_target(target, force)
    if _kind(app) == SQLITE:
        sqlite.back_up(sqlite.database_path(_url(app)), target)
        made = sqlite.revision(target)
    else:
        folder = app.config.get("PG_BIN_DIR")
        postgres.back_up(_url(app), target, folder)
        made = postgres.revision(target, folder)
    kind = "SQLite database" if _kind(app) == SQLITE else "PostgreSQL database (pg_dump custom format)"
    return f"Backed up the {kind} at migration {made} to {target} ({target.stat().st_size:,} bytes)."


def restore(app: Flask, source: Path, force: bool) -> str:
    """Check the backup and the database, restore, upgrade if the backup is older, and audit it."""
    kind = _kind(app)
    check_kind(source, kind)
    folder = app.config.get("PG_BIN_DIR")
    if kind == SQLITE:
        sqlite.check_sound(source)
    revision = sqlite.revision(source) if kind == SQLITE else postgres.revision(source, folder)
    known, head = _code_revisions()
    check_revision(revision, known, head, source)
    holding = tables_with_rows(app)
    if holding and not force:
        raise BackupRefused(
            f"This database already holds data ({', '.join(holding[:5])}{'…' if len(holding) > 5 else ''}): "
            "a restore replaces all of it. Back it up first, then add --force to restore over it"
        )
    if kind == SQLITE:
        sqlite.restore(source, sqlite.database_path(_url(app)))
    else:
        with get_engine(app).connect() as connection:
            clearing = postgres.clearing_statements(connection, {*Base.metadata.tables, "alembic_version"})
        postgres.restore(_url(app), source, clearing, folder)
    get_engine(app).dispose()  # no pooled connection carries anything from before
    upgraded = ""
    if revision != head:
        migrate.upgrade(app)  # grants the app's role too
        upgraded = f" and upgraded from migration {revision} to {head}"
    elif kind == POSTGRESQL and app_role(app):
        with get_engine(app).begin() as connection:  # the tables are new: the app's role has no grants on them yet
            migrate.grant(connection, app_role(app))
    with write_session(app) as session:
        audit_trail.record(session, "restored", detail=f"from {source.name}, made at migration {revision}")
        session.commit()
    return f"Restored the database from {source}{upgraded}."


def _explained(refusal: BackupRefused) -> str:
    said = str(refusal)
    return f"{said}\n{OWNER_HINT}" if refused_for_lack_of_ownership(said) else said


def register(app: Flask) -> None:
    """Add the `backup` and `restore` commands."""

    @app.cli.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace FILE if it exists.")
    def backup_command(file: Path, force: bool) -> None:
        """Back up the whole database to FILE (SQLite: a database file; PostgreSQL: pg_dump's custom format)."""
        try:
            with migrate.explained_refusals(), as_owner():
                click.echo(back_up(current_app, file, force))
        except BackupRefused as refusal:
            raise click.ClickException(_explained(refusal)) from None

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Restore even though the database holds data (it is all replaced).")
    def restore_command(file: Path, force: bool) -> None:
        """Replace the database's content with the backup in FILE."""
        try:
            with migrate.explained_refusals(), as_owner():
                click.echo(restore(current_app, file, force))
        except BackupRefused as refusal:
            raise click.ClickException(_explained(refusal)) from None
