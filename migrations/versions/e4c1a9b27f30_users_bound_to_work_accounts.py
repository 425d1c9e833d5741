"""users: bound to a work account (OpenID Connect tenant id and object id)

Revision ID: e4c1a9b27f30
Revises: 5b1e0c7d9a42
Create Date: 2026-11-27 21:05:00.000000

Sign-in with an NHS work account (issue 13) keys an account on the identity provider's tenant id and
the person's object id in it (the `tid` and `oid` claims), bound at the invited person's first sign-in.
Both are empty until then; one pair belongs to one account at most.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4c1a9b27f30"
down_revision: str | None = "5b1e0c7d9a42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE UNIQUE INDEX: SQLite does both in place, without rebuilding the
    # table that the accounts' networks and API tokens point at.
    op.add_column("users", sa.Column("oidc_tenant_id", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("oidc_object_id", sa.String(length=64), nullable=True))
    op.create_index("ix_users_oidc_identity", "users", ["oidc_tenant_id", "oidc_object_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_users_oidc_identity", table_name="users")
    op.drop_column("users", "oidc_object_id")  # SQLite 3.35+ drops a column in place too
    op.drop_column("users", "oidc_tenant_id")
