"""API tokens get a name, a scope and an expiry; API writes remember their Idempotency-Key

Revision ID: 9c4e2a7b1f06
Revises: e3a9c1f07b25
Create Date: 2026-11-27 21:00:00.000000

Tokens made before this revision could write and never expired. They keep writing (scope "write")
and now expire 365 days after the upgrade, the longest expiry a new token may have by default, so no
program stops working on the day of the upgrade and none works for ever.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "9c4e2a7b1f06"
down_revision: str | None = "e3a9c1f07b25"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY_TOKEN_DAYS = 365


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=80), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column(
                "scope",
                sa.Enum("read", "write", name="token_scope", native_enum=False, create_constraint=True, length=8),
                nullable=False,
                server_default="write",
            )
        )
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    expires = datetime.now(UTC) + timedelta(days=LEGACY_TOKEN_DAYS)
    op.get_bind().execute(sa.text("UPDATE api_tokens SET expires_at = :at"), {"at": expires})
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("name", server_default=None)
        batch_op.alter_column("scope", server_default=None)
        batch_op.alter_column("expires_at", nullable=False)

    op.create_table(
        "idempotent_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_idempotent_requests_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotent_requests")),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotent_requests_user_id_key"),
    )
    with op.batch_alter_table("idempotent_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotent_requests_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idempotent_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotent_requests_created_at"))
    op.drop_table("idempotent_requests")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_constraint("token_scope", type_="check")
        batch_op.drop_column("scope")
        batch_op.drop_column("name")
