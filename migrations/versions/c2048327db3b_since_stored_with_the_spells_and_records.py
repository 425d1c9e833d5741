"""since stored: each spell's since and each record's stage_since, worked out by Python

Revision ID: c2048327db3b
Revises: a7ec705d3787
Create Date: 2026-11-27 13:20:00.000000

"Since" is the day a stage was reached in its run: the first of the consecutive counting events
(by effective date, then id) at that stage, so an update that keeps the stage does not move it
(tracker.core.ledger). It was worked out on every read by window functions over the whole
ledger, with a second copy of the rule for corrections; now derive() works it out once and the
service and the synthetic loader store it: adoption_spells.since for each spell (the state as of
a past day reads the spell holding it) and adoptions.stage_since for the record (the open spell's).

The backfill counts the runs over adoption_spells, which hold exactly the counting events since
revision a7ec705d3787. Runs are counted over the spells that held a day (an entry replaced on its
own date was never the state): one whose stage differs from the pair's previous such spell's (or
that has none) starts a run, and each one's since is the starts of its run's first spell. A spell
that held no day gets its own starts, as derive() gives it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2048327db3b"
down_revision: str | None = "a7ec705d3787"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAIR_ORDER = "PARTITION BY organisation_id, change_idea_id ORDER BY starts, event_id"
# Each spell's run is the number of runs started up to it; since is the first starts in the run.
RUNS = (
    "SELECT event_id, min(starts) OVER (PARTITION BY organisation_id, change_idea_id, run) AS since FROM ("
    f"SELECT event_id, organisation_id, change_idea_id, starts, sum(starts_run) OVER ({PAIR_ORDER}) AS run FROM ("
    "SELECT event_id, organisation_id, change_idea_id, starts, "
    f"CASE WHEN lag(stage) OVER ({PAIR_ORDER}) = stage THEN 0 ELSE 1 END AS starts_run "
    "FROM adoption_spells WHERE ends IS NULL OR ends > starts) AS flagged) AS numbered"
)
SAME_PAIR = "s.organisation_id = adoptions.organisation_id AND s.change_idea_id = adoptions.change_idea_id"


def upgrade() -> None:
    op.add_column("adoption_spells", sa.Column("since", sa.Date(), nullable=True))
    op.add_column("adoptions", sa.Column("stage_since", sa.Date(), nullable=True))
    op.execute(
        f"UPDATE adoption_spells SET since = runs.since FROM ({RUNS}) AS runs "
        "WHERE runs.event_id = adoption_spells.event_id"
    )
    op.execute("UPDATE adoption_spells SET since = starts WHERE since IS NULL")
    # The record's since is its open spell's: the pair's state now.
    op.execute(
        f"UPDATE adoptions SET stage_since = (SELECT s.since FROM adoption_spells s WHERE {SAME_PAIR} AND s.ends IS NULL)"
    )
    with op.batch_alter_table("adoption_spells", schema=None) as batch_op:
        batch_op.alter_column("since", existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table("adoptions", schema=None) as batch_op:
        batch_op.alter_column("stage_since", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("adoptions", schema=None) as batch_op:
        batch_op.drop_column("stage_since")
    with op.batch_alter_table("adoption_spells", schema=None) as batch_op:
        batch_op.drop_column("since")
