"""What a backup file is, and what the code can restore: pure checks, no Flask, no database.

Two kinds of file: a SQLite database file (what SQLite's online backup API writes), and a PostgreSQL
archive in pg_dump's custom format. Each starts with its own magic bytes, so a file is known by its
first bytes, never by its name.
"""

from __future__ import annotations

from pathlib import Path

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
KIND_NAMES = {SQLITE: "a SQLite database file", POSTGRESQL: "a PostgreSQL archive (pg_dump custom format)"}
MAGIC = {SQLITE: b"SQLite format 3\x00", POSTGRESQL: b"PGDMP"}


class BackupRefused(Exception):
    """A backup or restore that must not go ahead, with the reason in words for the operator."""


def kind_of(path: Path) -> str | None:
    """SQLITE or POSTGRESQL by the file's first bytes; None for anything else."""
    with path.open("rb") as handle:
        start = handle.read(16)
    for kind, magic in MAGIC.items():
        if start.startswith(magic):
            return kind
    return None


def check_kind(path: Path, wanted: str) -> None:
    """Refuse a file that is not a backup of the database's kind."""
    if not path.is_file():
        raise BackupRefused(f"{path} does not exist or is not a file")
    found = kind_of(path)
    if found == wanted:
        return
    if found is None:
        raise BackupRefused(f"{path} is not a Spread Tracker backup: it is neither {' nor '.join(KIND_NAMES.values())}")
    raise BackupRefused(
        f"{path} is {KIND_NAMES[found]}, but this database is {wanted.replace('postgresql', 'PostgreSQL')}: "
        f"restore it into a {found.replace('postgresql', 'PostgreSQL').replace('sqlite', 'SQLite')} database"
    )


def check_revision(revision: str | None, known: list[str], head: str, path: Path) -> None:
    """Refuse a backup with no migration revision, or one this code does not know (a newer head).

    `known` lists the code's revisions; an older one is fine (the restore upgrades it to `head`).
    """
    if revision is None:
        raise BackupRefused(f"{path} holds no migration revision (alembic_version): it is not a Spread Tracker backup")
    if revision not in known:
        raise BackupRefused(
            f"{path} was made by a newer Spread Tracker (migration {revision}; this code's newest is {head}): "
            "restore it with that version or a later one"
        )


def check_target(path: Path, force: bool) -> None:
    """Refuse to overwrite an existing file unless forced, or to write into a missing folder."""
    if path.exists() and not force:
        raise BackupRefused(f"{path} already exists: choose another name, or add --force to replace it")
    if path.exists() and not path.is_file():
        raise BackupRefused(f"{path} is not a file")
    if not path.parent.is_dir():
        raise BackupRefused(f"The folder {path.parent} does not exist")
