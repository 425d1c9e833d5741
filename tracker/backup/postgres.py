"""PostgreSQL: back up with pg_dump and restore with pg_restore (and psql), in pg_dump's custom format.

The custom format is compressed, holds the schema (tables, indexes, constraints, triggers and their
functions) and the data, and is restored selectively by pg_restore. `--no-owner` leaves out who owned
what, so a backup restores into a database run by another role. pg_dump must be at least the server's
major version (it refuses an older one); pg_restore reads archives from the same or older pg_dump.

A restore runs pg_restore's SQL through psql, after dropping what the database holds (see restore).
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
LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey")
SEARCH_PATH = re.compile(r"-c\s*search_path=([A-Za-z0-9_]+)")


def tool(name: str, folder: str | None = None) -> str:
    """The path of pg_dump, pg_restore or psql, or a refusal saying how to install it."""
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
    for option in LIBPQ_OPTIONS:  # TLS settings in the URL's query reach the tools too
        if url.query.get(option):
            env["PG" + option.upper()] = str(url.query[option])
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


def archive_schema(path: Path, folder: str | None = None) -> str | None:
    """The schema the archive's alembic_version table is in (None when it has none)."""
    listing = _run([tool("pg_restore", folder), "--list", str(path)], None, "Reading the archive")
    match = re.search(r"TABLE DATA (\S+) alembic_version ", listing)
    return match.group(1) if match else None


def clearing_statements(connection, tables: set[str]) -> list[str]:
    """DROP statements for what a restore replaces in the connection's first schema: the app's tables
    present now (whatever migration made them) and its functions (extensions' left alone).

    pg_restore --clean drops only what the archive holds: a table or function that newer code added
    would be left, and a foreign key from such a table would stop the restore.
    """
    schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
    present = connection.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
    ).scalars()
    functions = connection.exec_driver_sql(
        "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY 1"
    ).scalars()
    quoted = connection.dialect.identifier_preparer.quote
    statements = [
        f"DROP TABLE IF EXISTS {quoted(schema)}.{quoted(name)} CASCADE;" for name in present if name in tables
    ]
    statements += [f"DROP FUNCTION IF EXISTS {quoted(schema)}.{signature} CASCADE;" for signature in functions]
    return statements


def restore(url: URL, source: Path, clearing: list[str], folder: str | None = None) -> None:
    """Replace the database's (or the URL's schema's) content with the archive's, in one transaction:
    other sessions see the old data or the new, never a mixture, and a failure changes nothing.

    pg_restore writes the archive as SQL (dropping what it holds first); psql runs that after the
    clearing statements, all in one transaction that stops at the first error.
    """
    wanted, found = schema_of(url), archive_schema(source, folder)
    if wanted and found and wanted != found:
        raise BackupRefused(f"{source} is a backup of the schema {found}; this database uses the schema {wanted}")
    script = _run(
        [
            tool("pg_restore", folder),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--file=-",
            str(source),
        ],
        None,
        "Reading the archive",
    )
    command = [tool("psql", folder), "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1"]
    result = subprocess.run(
        [*command, "--file=-"],
        input="\n".join([*clearing, script]),
        env=_environment(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupRefused(f"The restore failed and changed nothing: {result.stderr.strip()}")
