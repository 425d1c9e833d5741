"""data version: the ledger's appends told apart from every other watched write

Revision ID: c4e9a2d7b615
Revises: f1a6c3d8e2b5
Create Date: 2026-11-28 02:00:00.000000

The coverage figures and the spread map's adoption states were thrown away by any write and computed
again from the whole ledger. Most writes append adoption events, which change only the pairs they
name, so the figures can be brought up to date from the new events alone (tracker.models.versions
.incremental) when nothing else moved. The data_version row now says which:

- version: as before, a new random value on every watched write;
- rest_version: a new random value on every watched write except appending adoption events (a
  TRUNCATE of the ledger included): while it holds, only events were appended;
- appended: how many adoption events were appended since the row was made (SQLite: one per row;
  PostgreSQL: the statement's transition table counted). Kept figures remember it, so they know
  whether the events with higher ids than theirs are all the new ones (on PostgreSQL ids can commit
  out of order).

The PostgreSQL function bump_data_version (7586db402436) is replaced to set rest_version too; the
ledger's INSERT trigger calls a new function, append_data_version.

And ix_adoptions_idea_state: every column the coverage figures read of an idea's pairs in the
current record, so computed afresh they read one index instead of a table row per pair (at ten
times national, 1.2 s to 0.26 s for an ambition's counts on SQLite).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e9a2d7b615"
down_revision: str | None = "f1a6c3d8e2b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every watched table with its verbs (the migrations before this one made these triggers).
WATCHED = {
    "organisations": ("INSERT", "UPDATE", "DELETE"),
    "networks": ("INSERT", "UPDATE", "DELETE"),
    "change_packages": ("INSERT", "UPDATE", "DELETE"),
    "change_ideas": ("INSERT", "UPDATE", "DELETE"),
    "learning_links": ("INSERT", "UPDATE", "DELETE"),
    "ambitions": ("INSERT", "UPDATE", "DELETE"),
    "ambition_targets": ("INSERT", "UPDATE", "DELETE"),
}
RANDOM = {
    "sqlite": "random()",
    "postgresql": "('x' || substr(md5(gen_random_uuid()::text), 1, 16))::bit(64)::bigint",
}


def _bump(dialect: str, rest: bool) -> str:
    """The statement a watched write runs: a new version (and rest_version, for any but the ledger)."""
    random = RANDOM[dialect]
    if rest:
        return (
            f"INSERT INTO data_version (id, version, rest_version, appended) VALUES (1, {random}, {random}, 0) "
            "ON CONFLICT (id) DO UPDATE SET version = excluded.version, rest_version = excluded.rest_version"
        )
    counted = "(SELECT count(*) FROM appended)" if dialect == "postgresql" else "1"
    # A row made here has no rest_version: nothing kept before it can be brought up to date.
    return (
        f"INSERT INTO data_version (id, version, rest_version, appended) VALUES (1, {random}, NULL, 0) "
        f"ON CONFLICT (id) DO UPDATE SET version = excluded.version, appended = data_version.appended + {counted}"
    )


def _old_bump(dialect: str) -> str:
    return (
        f"INSERT INTO data_version (id, version) VALUES (1, {RANDOM[dialect]}) "
        "ON CONFLICT (id) DO UPDATE SET version = excluded.version"
    )


def _sqlite_triggers(bump_rest: str, bump_ledger: str) -> None:
    for table, verbs in WATCHED.items():
        for verb in verbs:
            name = f"{table}_{verb.lower()}_bumps_data_version"
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} AFTER {verb} ON {table} BEGIN {bump_rest}; END")
    op.execute("DROP TRIGGER IF EXISTS adoption_events_insert_bumps_data_version")
    op.execute(
        f"CREATE TRIGGER adoption_events_insert_bumps_data_version AFTER INSERT ON adoption_events "
        f"BEGIN {bump_ledger}; END"
    )


IDEA_STATE_COLUMNS = [
    "change_idea_id",
    "effective_date",
    "organisation_id",
    "stage",
    "wards_using",
    "wards_in_scope",
    "first_considered_on",
    "first_implemented_on",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_index("ix_adoptions_idea_state", "adoptions", IDEA_STATE_COLUMNS)
    op.add_column("data_version", sa.Column("rest_version", sa.BigInteger(), nullable=True))
    op.add_column("data_version", sa.Column("appended", sa.BigInteger(), nullable=False, server_default="0"))
    if dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {_bump(dialect, rest=True)}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE FUNCTION append_data_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {_bump(dialect, rest=False)}; RETURN NULL; END $$"
        )
        op.execute("DROP TRIGGER IF EXISTS adoption_events_bump_data_version ON adoption_events")
        op.execute(
            "CREATE TRIGGER adoption_events_bump_data_version AFTER INSERT ON adoption_events "
            "REFERENCING NEW TABLE AS appended FOR EACH STATEMENT EXECUTE FUNCTION append_data_version()"
        )
        # The ledger's TRUNCATE trigger keeps calling bump_data_version: a new rest_version.
    else:
        _sqlite_triggers(_bump(dialect, rest=True), _bump(dialect, rest=False))
    op.execute(_bump(dialect, rest=True))  # a rest_version for the row there is


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS adoption_events_bump_data_version ON adoption_events")
        op.execute("DROP FUNCTION IF EXISTS append_data_version()")
        op.execute(
            "CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {_old_bump(dialect)}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER adoption_events_bump_data_version AFTER INSERT ON adoption_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()"
        )
    else:
        _sqlite_triggers(_old_bump(dialect), _old_bump(dialect))
    op.drop_index("ix_adoptions_idea_state", table_name="adoptions")
    # Plain ALTER TABLE on both (SQLite has dropped columns since 3.35): a batch copy of the table
    # would have to rename it under the triggers that write it.
    op.execute("ALTER TABLE data_version DROP COLUMN appended")
    op.execute("ALTER TABLE data_version DROP COLUMN rest_version")
