"""PostgreSQL: back up with pg_dump and restore with pg_restore, in pg_dump's custom format.

The custom format is compressed, holds the schema (tables, indexes, constraints, triggers and their
functions) and the data, and is restored selectively by pg_restore. `--no-owner` leaves out who owned
what, so a backup restores into a database run by another role. pg_dump must be at least the server's
major version (it refuses an older one); pg_restore reads archives from the same or older pg_dump.

The tools are found on PATH, else in /usr/lib/postgresql/<version>/bin (Debian's layout; the newest
first), or in the folder PG_BIN_DIR names. The connection details go to them in the environment
(PGHOST, PGPASSWORD…), never on the command line where other users of the machine could read them.
A URL whose options set a search path (one schema of a shared database) backs up that schema alone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import URL

from .files import BackupRefused

DEBIAN_BINARIES = Path("/usr/lib/postgresql")
SEARCH_PATH = re.compile(r"-c\s*search_path=([A-Za-z0-9_]+)")


def tool(name: str, folder: str | None = None) -> str:
    """The path of pg_dump or pg_restore, or a refusal saying how to install it."""
    if folder:
        candidate = Path(folder) / name
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(DEBIAN_BINARIES.glob(f"*/bin/{name}"), key=lambda p: _major(p.parent.parent.name), reverse=True)
    if versions:
        return str(versions[0])
    raise BackupRefused(
        f"{name} was not found on PATH or in {DEBIAN_BINARIES}/*/bin: install the PostgreSQL client "
        "(Debian: apt-get install postgresql-client), of the server's major version or newer"
    )


def _major(name: str) -> int:
    return int(name) if name.isdigit() else 0


def schema_of(url: URL) -> str | None:
    """The one schema a URL's options put first on the search path, if any."""
    match = SEARCH_PATH.search(str(url.query.get("options", "")))
    return match.group(1) if match else None


def _environment(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[name] = str(value)
    return env


def _run(command: list[str], url: URL | None, what: str) -> str:
    result = subprocess.run(
        command, env=_environment(url) if url is not None else None, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupRefused(f"{what} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def back_up(url: URL, target: Path, folder: str | None = None) -> None:
    """pg_dump the database (or the URL's schema) to target, through a temporary file renamed at the end."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    command = [tool("pg_dump", folder), "--format=custom", "--no-owner", "--no-privileges", f"--file={temporary}"]
    schema = schema_of(url)
    if schema:
        command.append(f"--schema={schema}")
    try:
        _run(command, url, "pg_dump")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def revision(path: Path, folder: str | None = None) -> str | None:
    """The migration revision the archive's alembic_version table holds (None if it has none)."""
    listing = _run([tool("pg_restore", folder), "--list", str(path)], None, "Reading the archive")
    if not re.search(r"TABLE DATA \S+ alembic_version ", listing):
        return None
    text = _run(
        [tool("pg_restore", folder), "--data-only", "--table=alembic_version", "--file=-", str(path)],
        None,
        "Reading the archive",
    )
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            value = lines[index + 1].strip()
            return None if value == "\\." else value
    return None


def restore(url: URL, source: Path, folder: str | None = None) -> None:
    """pg_restore the archive over the database, in one transaction: other sessions see the old data or
    the new, never a mixture, and a failure changes nothing. Existing objects are dropped first."""
    command = [
        tool("pg_restore", folder),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={url.database}",
        str(source),
    ]
    _run(command, url, "pg_restore")
