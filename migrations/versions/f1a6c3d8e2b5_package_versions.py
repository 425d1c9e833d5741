"""published versions of change packages, append-only; change ideas may be retired

Revision ID: f1a6c3d8e2b5
Revises: f3b9d2e7a614
Create Date: 2026-11-27 23:45:00.000000

Publishing a package now stores a numbered, dated version: a JSON snapshot of its title, aim, drivers
and ideas. Like the adoption ledger, package_versions is append-only in the database itself: row
triggers refuse UPDATE and DELETE on both databases, and a statement trigger refuses TRUNCATE on
PostgreSQL (the function append_only_no_truncate that b8d3f5a2c417 defined). A change idea can be
retired from its package (kept, with its code and adoption records, but left out of later versions).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1a6c3d8e2b5"
down_revision: str | None = "f3b9d2e7a614"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "package_versions"
REFUSE = f"{TABLE} rows are append-only"


def _forbid_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{REFUSE}' USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION append_only_no_truncate()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"
            )


def _allow_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{verb}")


def upgrade() -> None:
    # In place on both databases: recreating change_ideas (SQLite's batch way) would delete the rows the
    # adoption ledger refers to.
    with op.batch_alter_table("change_ideas", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_by_name", sa.String(length=254), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.CheckConstraint("number > 0", name=op.f("ck_package_versions_number_positive")),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["change_packages.id"],
            name=op.f("fk_package_versions_package_id_change_packages"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_package_versions_published_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_versions")),
        sa.UniqueConstraint("package_id", "number", name=op.f("uq_package_versions_package_id_number")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_package_versions_package_id"), ["package_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_package_versions_published_by_id"), ["published_by_id"], unique=False)
    _forbid_changes()


def downgrade() -> None:
    _allow_changes()
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_package_versions_published_by_id"))
        batch_op.drop_index(batch_op.f("ix_package_versions_package_id"))
    op.drop_table(TABLE)
    # In place too (SQLite 3.35+ drops a column itself).
    with op.batch_alter_table("change_ideas", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("retired")
