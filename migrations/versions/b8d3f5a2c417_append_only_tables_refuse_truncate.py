"""the adoption ledger and the audit trail refuse TRUNCATE (PostgreSQL)

Revision ID: b8d3f5a2c417
Revises: e4b7a2c91f30
Create Date: 2026-11-27 21:40:00.000000

Their row triggers refuse UPDATE and DELETE, but a TRUNCATE fires no row trigger: it emptied either
table at a stroke for whoever could run it. Now a statement trigger refuses it, as the row triggers
refuse their verbs (same error code). The app's own role may not TRUNCATE them anyway (`flask db grant`
gives it no such privilege); this stops the owning role too, short of dropping the trigger on purpose.
SQLite has no TRUNCATE (its DELETE without WHERE already meets the row triggers): nothing to do there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b8d3f5a2c417"
down_revision: str | None = "e4b7a2c91f30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("adoption_events", "audit_events")
FUNCTION = "append_only_no_truncate"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% rows are append-only: TRUNCATE is refused', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
