"""Copy a benchmark's SQLite database into a PostgreSQL schema, for measuring the same data on both.

    .venv/bin/python bench/sqlite_to_postgres.py SQLITE_FILE POSTGRES_URL SCHEMA

`flask synth` at ten times national writes a million events through the ORM in one transaction: an
hour on PostgreSQL on this machine, where COPY takes minutes. The schema is migrated to the head first
(tracker.migrate), then every table is copied with COPY in dependency order, with triggers and foreign
key checks off for the copy (session_replication_role = replica: the rows come from a database that
already holds them consistent, spells and data version included), and each id sequence moved past the
largest id. Needs a PostgreSQL role that may set session_replication_role (a superuser); the URL's
search_path is set to SCHEMA. For benchmarks only: it empties the schema's tables first.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sqlalchemy import Integer, create_engine, inspect, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import create_app, migrate  # noqa: E402
from tracker.models import Base  # noqa: E402

CHUNK = 20_000


def main(sqlite_file: str, postgres: str, schema: str) -> None:
    url = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    admin = create_engine(postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    migrate.upgrade(create_app({"SECRET_KEY": "c" * 40, "DATABASE_URL": rendered}))
    source = create_engine(f"sqlite:///{sqlite_file}")
    target = create_engine(rendered)
    tables = [t for t in Base.metadata.sorted_tables if inspect(source).has_table(t.name)]
    with target.begin() as connection:
        connection.execute(text("SET session_replication_role = replica"))
        connection.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)} CASCADE"))
        raw = connection.connection.driver_connection
        for table in tables:
            start, count = time.perf_counter(), 0
            columns = [c.name for c in table.columns]
            with source.connect() as reading, raw.cursor() as cursor:
                # As stored, untyped: SQLite's text for dates, times and enums is what COPY reads.
                rows = reading.execution_options(yield_per=CHUNK).execute(
                    text(f"SELECT {', '.join(columns)} FROM {table.name}")
                )
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            print(f"{table.name}: {count:,} rows in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        for table in tables:
            if "id" in table.columns and isinstance(table.columns["id"].type, Integer):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"
                    )
                )
    with target.begin() as connection:
        connection.execute(text("ANALYZE"))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
