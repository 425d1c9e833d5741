"""reminders: follows, the email opt-out and the weekly digests sent

Revision ID: f3b9d2e7a614
Revises: c5e8a1d3b760
Create Date: 2026-11-27 23:45:00.000000

Issue 14, reminders: people follow change ideas and organisations (follows), may turn the weekly
digest off (users.email_reminders, on for everyone already there), and each digest sent is kept per
person per ISO week (digests_sent) so a second run in the same week sends nothing new.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3b9d2e7a614"
down_revision: str | None = "c5e8a1d3b760"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite does it in place, without rebuilding the table others' keys point at.
    op.add_column("users", sa.Column("email_reminders", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("change_idea_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(change_idea_id IS NULL) <> (organisation_id IS NULL)",
            name=op.f("ck_follows_one_idea_or_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["change_idea_id"],
            ["change_ideas.id"],
            name=op.f("fk_follows_change_idea_id_change_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_follows_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint("user_id", "change_idea_id", name=op.f("uq_follows_user_id_change_idea_id")),
        sa.UniqueConstraint("user_id", "organisation_id", name=op.f("uq_follows_user_id_organisation_id")),
    )
    op.create_index(op.f("ix_follows_change_idea_id"), "follows", ["change_idea_id"], unique=False)
    op.create_index(op.f("ix_follows_organisation_id"), "follows", ["organisation_id"], unique=False)
    op.create_table(
        "digests_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stale_records", sa.Integer(), nullable=False),
        sa.Column("recent_changes", sa.Integer(), nullable=False),
        sa.Column("followed_news", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_digests_sent_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests_sent")),
        sa.UniqueConstraint("user_id", "week", name=op.f("uq_digests_sent_user_id_week")),
    )


def downgrade() -> None:
    op.drop_table("digests_sent")
    op.drop_index(op.f("ix_follows_organisation_id"), table_name="follows")
    op.drop_index(op.f("ix_follows_change_idea_id"), table_name="follows")
    op.drop_table("follows")
    op.drop_column("users", "email_reminders")  # SQLite 3.35+ drops a column in place
