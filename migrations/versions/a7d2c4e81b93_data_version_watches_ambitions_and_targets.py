"""data version: ambitions and their targets are watched too

Revision ID: a7d2c4e81b93
Revises: b8d3f2a61c47
Create Date: 2026-11-27 23:10:00.000000

The dashboard, the coverage report and the forecast show each ambition's title and dated targets, and
their rendered pages are kept by the data version (tracker.page_cache). Reloading the reference data
can change a target's date or an ambition's wording: that now draws a new data version like any other
watched write, so no kept page shows the old target. The trigger function bump_data_version
(PostgreSQL) is the one 7586db402436 defined.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a7d2c4e81b93"
down_revision: str | None = "b8d3f2a61c47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("ambitions", "ambition_targets")
VERBS = ("INSERT", "UPDATE", "DELETE")
RANDOM = "random()"  # SQLite's: 64 random bits
BUMP = (
    f"INSERT INTO data_version (id, version) VALUES (1, {RANDOM}) "
    "ON CONFLICT (id) DO UPDATE SET version = excluded.version"
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgresql:
            # Once per statement, as for the other watched tables; a TRUNCATE fires no DELETE trigger.
            op.execute(
                f"CREATE TRIGGER {table}_bump_data_version AFTER {' OR '.join(VERBS)} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_truncate_bumps_data_version AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()"
            )
        else:
            for verb in VERBS:
                op.execute(
                    f"CREATE TRIGGER {table}_{verb.lower()}_bumps_data_version AFTER {verb} ON {table} "
                    f"BEGIN {BUMP}; END"
                )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_data_version ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_truncate_bumps_data_version ON {table}")
        else:
            for verb in VERBS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{verb.lower()}_bumps_data_version")
