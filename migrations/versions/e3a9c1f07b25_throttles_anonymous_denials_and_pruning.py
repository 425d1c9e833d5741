"""sign-in throttles per address, anonymous denial counts, and pruning of the audit trail's noise

Revision ID: e3a9c1f07b25
Revises: e4c1a9b27f30
Create Date: 2026-11-27 21:00:00.000000

Sign-ins are now limited per client address, per subnet and (for addresses never seen signing in)
for the whole service, before any password is hashed: sign_in_throttles. Refused requests of people
not signed in are counted per hour, route and subnet in anonymous_denials instead of one audit row each.

The audit trail stays append-only, except that `flask prune` may delete rows of the kinds that record
noise, not acts: refused requests and failed or refused sign-ins (PRUNABLE). The database itself
still refuses every UPDATE, and the DELETE of any other kind (writes, sign-ins, prunes...).
The adoption ledger is untouched: append-only as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e3a9c1f07b25"
down_revision: str | None = "e4c1a9b27f30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As tracker.retention.PRUNABLE_AUDIT_ACTIONS says today; frozen here, as a migration must be.
PRUNABLE = ("denied", "sign_in_failed", "sign_in_refused")
IN_PRUNABLE = "(" + ", ".join(f"'{action}'" for action in PRUNABLE) + ")"
REFUSE = "audit_events rows are append-only"


def _postgres_function(allow_prunable: bool) -> str:
    allow = f"IF TG_OP = 'DELETE' AND OLD.action IN {IN_PRUNABLE} THEN RETURN OLD; END IF;" if allow_prunable else ""
    return f"""
        CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {allow}
            RAISE EXCEPTION '{REFUSE}' USING ERRCODE = 'insufficient_privilege';
        END $$
        """


def _sqlite_delete_trigger(allow_prunable: bool) -> str:
    when = f"WHEN OLD.action NOT IN {IN_PRUNABLE} " if allow_prunable else ""
    return (
        f"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events {when}"
        f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"
    )


def _audit_deletes(allow_prunable: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgres_function(allow_prunable))
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        op.execute(_sqlite_delete_trigger(allow_prunable))


def upgrade() -> None:
    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refusals", sa.Integer(), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttles")),
    )
    with op.batch_alter_table("sign_in_throttles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_throttles_last_attempt_at"), ["last_attempt_at"], unique=False)
    op.create_table(
        "anonymous_denials",
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("subnet", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "route", "subnet", "status", name=op.f("pk_anonymous_denials")),
    )
    with op.batch_alter_table("anonymous_denials", schema=None) as batch_op:
        batch_op.create_index("ix_anonymous_denials_hour", ["hour"], unique=False)
    _audit_deletes(allow_prunable=True)


def downgrade() -> None:
    _audit_deletes(allow_prunable=False)
    with op.batch_alter_table("anonymous_denials", schema=None) as batch_op:
        batch_op.drop_index("ix_anonymous_denials_hour")
    op.drop_table("anonymous_denials")
    with op.batch_alter_table("sign_in_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_throttles_last_attempt_at"))
    op.drop_table("sign_in_throttles")
