"""ambition targets: edited in the app (measure, value, network, published, version)

Revision ID: f1a7c3d95e28
Revises: a7d2c4e81b93
Create Date: 2026-11-27 23:30:00.000000

Managers add and edit an ambition's dated targets in the app (issue 14): each says what it counts
(reach or ward coverage), may set the share it aims at (a percentage), may be one network's own, and
carries a row version for optimistic edits. The targets already stored came from the reference data,
the published programme targets: they are marked is_reference and stay read-only in the app.

SQLite cannot add a foreign key or a CHECK in place, so there the table is rebuilt (a batch copy);
the rebuild drops the table's triggers, so the data version triggers of a7d2c4e81b93 are put back.
Nothing points at ambition_targets, so the copy breaks no foreign key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1a7c3d95e28"
down_revision: str | None = "a7d2c4e81b93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "ambition_targets"
DEFAULTS = ("measure", "is_reference", "row_version")
# a7d2c4e81b93's SQLite triggers on this table, as it made them.
BUMP = (
    "INSERT INTO data_version (id, version) VALUES (1, random()) "
    "ON CONFLICT (id) DO UPDATE SET version = excluded.version"
)
VERBS = ("INSERT", "UPDATE", "DELETE")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _restore_sqlite_triggers() -> None:
    for verb in VERBS:
        name = f"{TABLE}_{verb.lower()}_bumps_data_version"
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} AFTER {verb} ON {TABLE} BEGIN {BUMP}; END")


def upgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "measure",
                sa.Enum(
                    "reach",
                    "ward_coverage",
                    name="target_measure",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                nullable=False,
                server_default="reach",
            )
        )
        batch_op.add_column(sa.Column("value", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("network_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("is_reference", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("row_version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.create_foreign_key(
            batch_op.f("fk_ambition_targets_network_id_networks"),
            "networks",
            ["network_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_ambition_targets_network_id"), ["network_id"], unique=False)
        batch_op.create_check_constraint(
            op.f("ck_ambition_targets_value_percentage"), "value IS NULL OR (value >= 0 AND value <= 100)"
        )
    # Every target stored so far came from the reference data: the published targets.
    op.execute(sa.text(f"UPDATE {TABLE} SET is_reference = :yes").bindparams(yes=True))
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in DEFAULTS:
            batch_op.alter_column(column, server_default=None)
    if _sqlite():
        _restore_sqlite_triggers()


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for check in ("ck_ambition_targets_value_percentage", "ck_ambition_targets_target_measure"):
            batch_op.drop_constraint(op.f(check), type_="check")
        batch_op.drop_index(batch_op.f("ix_ambition_targets_network_id"))
        batch_op.drop_constraint(batch_op.f("fk_ambition_targets_network_id_networks"), type_="foreignkey")
        for column in ("row_version", "is_reference", "network_id", "value", "measure"):
            batch_op.drop_column(column)
    if _sqlite():
        _restore_sqlite_triggers()
