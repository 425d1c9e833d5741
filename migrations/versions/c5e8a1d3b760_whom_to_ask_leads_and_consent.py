"""whom to ask: leads of adoption records and organisations, Life QI links, consent to be named

Revision ID: c5e8a1d3b760
Revises: f1a7c3d95e28
Create Date: 2026-11-27 23:45:00.000000

Issue 14, "Whom to ask". Three new tables, none touching the adoption ledger: a record's lead and Life
QI project (adoption_leads, one row per organisation × change idea), an organisation's QI lead
(organisation_leads) and each person's consent to be shown as a contact (contact_consents). They are
edited in place, versioned and audited; the ledger stays append-only (tracker.models.contacts says why).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5e8a1d3b760"
down_revision: str | None = "f1a7c3d95e28"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_consents",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_contact_consents_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["given_by_id"], ["users.id"], name=op.f("fk_contact_consents_given_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_contact_consents")),
    )
    op.create_table(
        "adoption_leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("change_idea_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("lifeqi_url", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_adoption_leads_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["change_idea_id"],
            ["change_ideas.id"],
            name=op.f("fk_adoption_leads_change_idea_id_change_ideas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["users.id"], name=op.f("fk_adoption_leads_lead_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adoption_leads")),
        sa.UniqueConstraint(
            "organisation_id", "change_idea_id", name=op.f("uq_adoption_leads_organisation_id_change_idea_id")
        ),
    )
    op.create_index(op.f("ix_adoption_leads_change_idea_id"), "adoption_leads", ["change_idea_id"])
    op.create_index(op.f("ix_adoption_leads_lead_id"), "adoption_leads", ["lead_id"])
    op.create_table(
        "organisation_leads",
        sa.Column("organisation_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_leads_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["users.id"], name=op.f("fk_organisation_leads_lead_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_organisation_leads")),
    )
    op.create_index(op.f("ix_organisation_leads_lead_id"), "organisation_leads", ["lead_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_organisation_leads_lead_id"), table_name="organisation_leads")
    op.drop_table("organisation_leads")
    op.drop_index(op.f("ix_adoption_leads_lead_id"), table_name="adoption_leads")
    op.drop_index(op.f("ix_adoption_leads_change_idea_id"), table_name="adoption_leads")
    op.drop_table("adoption_leads")
    op.drop_table("contact_consents")
