"""Checked import files wait for their confirmation in the database, not under instance/

Revision ID: b8d3f2a61c47
Revises: b8d3f5a2c417
Create Date: 2026-11-27 21:40:00.000000

Any server process can then confirm a file another one checked. Files checked before the upgrade,
in instance/adoption-imports and instance/values-imports, are not carried over: their confirmation
says the check has expired and asks for the file again; those folders may be deleted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8d3f2a61c47"
down_revision: str | None = "b8d3f5a2c417"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checked_uploads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_checked_uploads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checked_uploads")),
    )
    with op.batch_alter_table("checked_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checked_uploads_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_checked_uploads_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("checked_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checked_uploads_user_id"))
        batch_op.drop_index(batch_op.f("ix_checked_uploads_created_at"))
    op.drop_table("checked_uploads")
