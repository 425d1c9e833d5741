"""data version: a new random value on every write instead of a counter

Revision ID: 7586db402436
Revises: cdd80aab7e3c
Create Date: 2026-11-27 12:40:00.000000

The caches key computed figures by the data version. A counter could repeat: a downgrade and
upgrade made it again at 0, and restoring a backup brought back an old value, after which the next
writes reached values the caches already held for other data. Now every watched write (and the
row's creation here) draws a new random 64-bit value, so a value names one state of one database:
the state the write that drew it left. Restoring a backup brings its value back together with
exactly the data that value was drawn for, so figures cached under it are right for that data; any
write after the restore, a recreated table or another database draws a value of its own. Two states
share a value with a chance of about n² / 2⁶⁵ for n states, nil in practice.

On PostgreSQL a TRUNCATE of a watched table now draws a value too (it fires no DELETE trigger).
The adoption_spells trigger is left as it is.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7586db402436"
down_revision: str | None = "cdd80aab7e3c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = {
    "adoption_events": ("INSERT",),
    "organisations": ("INSERT", "UPDATE", "DELETE"),
    "networks": ("INSERT", "UPDATE", "DELETE"),
    "change_packages": ("INSERT", "UPDATE", "DELETE"),
    "change_ideas": ("INSERT", "UPDATE", "DELETE"),
}
# 64 random bits: SQLite's random() gives them; on PostgreSQL random() has only 52, so take them
# from a version 4 UUID (122 random bits) through md5.
RANDOM = {
    "sqlite": "random()",
    "postgresql": "('x' || substr(md5(gen_random_uuid()::text), 1, 16))::bit(64)::bigint",
}


def _bump(first: str, then: str) -> str:
    """Make the row with `first` if it is missing, else set it to `then`."""
    return f"INSERT INTO data_version (id, version) VALUES (1, {first}) ON CONFLICT (id) DO UPDATE SET version = {then}"


def _define_bumps(random_value: bool) -> None:
    """Triggers that draw a random value (upgrade), or count as the last revision did (downgrade)."""
    dialect = op.get_bind().dialect.name
    bump = _bump(RANDOM[dialect], "excluded.version") if random_value else _bump("1", "data_version.version + 1")
    if dialect == "postgresql":
        # The statement triggers on each table call this function: replacing it is enough.
        op.execute(
            "CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {bump}; RETURN NULL; END $$"
        )
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_truncate_bumps_data_version ON {table}")
            if random_value:
                op.execute(
                    f"CREATE TRIGGER {table}_truncate_bumps_data_version AFTER TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()"
                )
    else:
        for table, verbs in WATCHED.items():
            for verb in verbs:
                name = f"{table}_{verb.lower()}_bumps_data_version"
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
                op.execute(f"CREATE TRIGGER {name} AFTER {verb} ON {table} BEGIN {bump}; END")


def upgrade() -> None:
    _define_bumps(random_value=True)
    # The row made by the last revision holds 0, as in every database made then: draw its own.
    op.execute(_bump(RANDOM[op.get_bind().dialect.name], "excluded.version"))


def downgrade() -> None:
    # The counter goes on from the random value, so it still differs from every value held before.
    _define_bumps(random_value=False)
