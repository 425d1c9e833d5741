"""SQLite: back up and restore through SQLite's online backup API (sqlite3.Connection.backup).

The API copies the database page by page while other connections keep reading and writing, and the
copy is consistent (it restarts if a writer changes a page it has copied). A restore is the same
copy the other way, into the live file: readers wait for it, then see the restored data.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from .files import BackupRefused


def database_path(url) -> Path:
    """The file of a sqlite:/// URL (a SQLAlchemy URL object)."""
    if not url.database or url.database == ":memory:":
        raise BackupRefused("This SQLite database is in memory: there is no file to back up or restore into")
    return Path(url.database)


def back_up(source: Path, target: Path) -> None:
    """Copy the live database to target, through a temporary file beside it renamed at the end."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    try:
        with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(temporary)) as copy:
            live.backup(copy)
            # A single file: the copy's own journal is folded in and it no longer needs its -wal file.
            copy.execute("PRAGMA journal_mode=DELETE")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def check_sound(path: Path) -> None:
    """Refuse a file SQLite finds damaged (cut short, overwritten): restoring it would lose data."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            verdict = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as error:
        verdict = [str(error)]
    if verdict != ["ok"]:
        raise BackupRefused(f"{path} is damaged: SQLite's check says {'; '.join(verdict[:3])}")


def revision(path: Path) -> str | None:
    """The migration revision a backup file holds, or None when it has none."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def restore(source: Path, target: Path) -> None:
    """Replace the live database's content with the backup's, in one step other connections wait for."""
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup,
        closing(sqlite3.connect(target, timeout=30)) as live,
    ):
        live.execute("PRAGMA busy_timeout=30000")
        backup.backup(live)
        live.execute("PRAGMA journal_mode=WAL")  # as the app's connections expect it
