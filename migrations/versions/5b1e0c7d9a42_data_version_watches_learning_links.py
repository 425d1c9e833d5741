"""data version: learning links are watched too

Revision ID: 5b1e0c7d9a42
Revises: 2a92b871380d
Create Date: 2026-11-27 20:30:00.000000

The forecast and the recommendations of whom to engage (issue 12) are computed from the learning
graph as well as the ledger. While the triggers did not watch learning_links, their cache key had to
carry the active links themselves, read on every request. Now adding, confirming, changing or ending
a link draws a new data version like any other watched write, and the key is the data version alone.
The trigger function bump_data_version (PostgreSQL) is the one 7586db402436 defined.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b1e0c7d9a42"
down_revision: str | None = "2a92b871380d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "learning_links"
VERBS = ("INSERT", "UPDATE", "DELETE")
RANDOM = "random()"  # SQLite's: 64 random bits
BUMP = (
    f"INSERT INTO data_version (id, version) VALUES (1, {RANDOM}) "
    "ON CONFLICT (id) DO UPDATE SET version = excluded.version"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Once per statement, as for the other watched tables; a TRUNCATE fires no DELETE trigger.
        op.execute(
            f"CREATE TRIGGER {TABLE}_bump_data_version AFTER {' OR '.join(VERBS)} ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_truncate_bumps_data_version AFTER TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()"
        )
    else:
        for verb in VERBS:
            op.execute(
                f"CREATE TRIGGER {TABLE}_{verb.lower()}_bumps_data_version AFTER {verb} ON {TABLE} BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_bump_data_version ON {TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_truncate_bumps_data_version ON {TABLE}")
    else:
        for verb in VERBS:
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{verb.lower()}_bumps_data_version")
