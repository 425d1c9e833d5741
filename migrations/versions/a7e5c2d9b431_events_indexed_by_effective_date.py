"""adoption events indexed in the order the ledger lists them, for paging

Revision ID: a7e5c2d9b431
Revises: c4e9a2d7b615
Create Date: 2026-11-28 02:05:00.000000

GET /api/v1/adoptions/history and the events feed are paged by (effective_date, id): with this index
a page reads its rows in order from where the cursor points, instead of sorting every event first
(a million at ten times national). Only an index is added, so the append-only triggers are untouched.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a7e5c2d9b431"
down_revision: str | None = "c4e9a2d7b615"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_adoption_events_effective", "adoption_events", ["effective_date", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_adoption_events_effective", table_name="adoption_events")
