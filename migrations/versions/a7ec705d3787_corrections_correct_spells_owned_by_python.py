"""corrections correct: spells derived in Python with ward counts, records recomputed under the rule

Revision ID: a7ec705d3787
Revises: 7586db402436
Create Date: 2026-11-27 12:40:00.000000

The rule (DOMAIN.md, "Product decision — corrections"; tracker.core.ledger): an event that
another names in corrects_event_id is void and counts for no date; among a pair's counting events
the state on a day is the latest by (effective date, id) on or before it.

- The spells trigger goes: it could not see corrections. Python (tracker.core.ledger, written
  by the service and by synth) is now the single owner of adoption_spells.
- adoption_spells gains the event's ward counts, so coverage as of a past day reads no event.
- Existing spells and current records (current event, stage, date, ward counts, first days) are
  recomputed from the ledger under the rule: void events have no spell; a counting event replaced
  on its own date by a later-logged one has a spell of no length and gives no first day.
- ix_adoption_events_corrects_event_id finds an event's corrections (the history page, the lists).

The downgrade puts back the trigger and what the earlier revision derived (every event counting).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7ec705d3787"
down_revision: str | None = "7586db402436"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES_FROM_IMPLEMENTING = "('implementing', 'spreading', 'sustained')"
COUNTING = "id NOT IN (SELECT corrects_event_id FROM adoption_events WHERE corrects_event_id IS NOT NULL)"
SAME_PAIR = "s.organisation_id = adoptions.organisation_id AND s.change_idea_id = adoptions.change_idea_id"
HELD = "(s.ends IS NULL OR s.ends > s.starts)"

# The earlier revision's trigger, as it was (for the downgrade).
OLD_SAME_PAIR = "change_idea_id = NEW.change_idea_id AND organisation_id = NEW.organisation_id"
OLD_FOLLOW_NEW_EVENT = (
    "UPDATE adoption_spells SET ends = NEW.effective_date WHERE event_id = ("
    f"SELECT event_id FROM adoption_spells WHERE {OLD_SAME_PAIR} AND starts <= NEW.effective_date "
    "ORDER BY starts DESC, event_id DESC LIMIT 1); "
    "INSERT INTO adoption_spells (event_id, organisation_id, change_idea_id, stage, starts, ends) "
    "VALUES (NEW.id, NEW.organisation_id, NEW.change_idea_id, NEW.stage, NEW.effective_date, "
    f"(SELECT min(starts) FROM adoption_spells WHERE {OLD_SAME_PAIR} AND starts > NEW.effective_date))"
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _drop_spells_trigger() -> None:
    if _postgresql():
        op.execute("DROP TRIGGER IF EXISTS adoption_events_make_spells ON adoption_events")
        op.execute("DROP FUNCTION IF EXISTS adoption_spells_follow()")
    else:
        op.execute("DROP TRIGGER IF EXISTS adoption_events_make_spells")


def _create_spells_trigger() -> None:
    if _postgresql():
        op.execute(
            "CREATE FUNCTION adoption_spells_follow() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {OLD_FOLLOW_NEW_EVENT}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER adoption_events_make_spells AFTER INSERT ON adoption_events "
            "FOR EACH ROW EXECUTE FUNCTION adoption_spells_follow()"
        )
    else:
        op.execute(
            "CREATE TRIGGER adoption_events_make_spells AFTER INSERT ON adoption_events "
            f"BEGIN {OLD_FOLLOW_NEW_EVENT}; END"
        )


def _copy_current_event() -> None:
    """The record's stage, date and ward counts from its current event."""
    columns = ("stage", "effective_date", "wards_using", "wards_in_scope")
    op.execute(
        "UPDATE adoptions SET "
        + ", ".join(
            f"{c} = (SELECT e.{c} FROM adoption_events e WHERE e.id = adoptions.current_event_id)" for c in columns
        )
    )


def upgrade() -> None:
    _drop_spells_trigger()
    op.add_column("adoption_spells", sa.Column("wards_using", sa.Integer(), nullable=True))
    op.add_column("adoption_spells", sa.Column("wards_in_scope", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_adoption_events_corrects_event_id"), "adoption_events", ["corrects_event_id"], unique=False
    )

    op.execute("DELETE FROM adoption_spells")
    # The window runs over the counting events only (WHERE comes before it).
    op.execute(
        "INSERT INTO adoption_spells "
        "(event_id, organisation_id, change_idea_id, stage, starts, ends, wards_using, wards_in_scope) "
        "SELECT id, organisation_id, change_idea_id, stage, effective_date, lead(effective_date) OVER "
        "(PARTITION BY change_idea_id, organisation_id ORDER BY effective_date, id), wards_using, wards_in_scope "
        f"FROM adoption_events WHERE {COUNTING}"
    )
    # The open spell is the pair's latest counting event: its state now.
    op.execute(
        "UPDATE adoptions SET current_event_id = "
        f"(SELECT s.event_id FROM adoption_spells s WHERE {SAME_PAIR} AND s.ends IS NULL)"
    )
    _copy_current_event()
    op.execute(
        "UPDATE adoptions SET "
        f"first_considered_on = (SELECT min(s.starts) FROM adoption_spells s WHERE {SAME_PAIR} AND {HELD} "
        "AND s.stage = 'considering'), "
        f"first_implemented_on = (SELECT min(s.starts) FROM adoption_spells s WHERE {SAME_PAIR} AND {HELD} "
        f"AND s.stage IN {STAGES_FROM_IMPLEMENTING})"
    )


def downgrade() -> None:
    op.execute("DELETE FROM adoption_spells")
    op.execute(
        "INSERT INTO adoption_spells (event_id, organisation_id, change_idea_id, stage, starts, ends) "
        "SELECT id, organisation_id, change_idea_id, stage, effective_date, lead(effective_date) OVER "
        "(PARTITION BY change_idea_id, organisation_id ORDER BY effective_date, id) FROM adoption_events"
    )
    same_pair = "e.organisation_id = adoptions.organisation_id AND e.change_idea_id = adoptions.change_idea_id"
    op.execute(
        "UPDATE adoptions SET current_event_id = (SELECT e.id FROM adoption_events e "
        f"WHERE {same_pair} ORDER BY e.effective_date DESC, e.id DESC LIMIT 1)"
    )
    _copy_current_event()
    op.execute(
        "UPDATE adoptions SET "
        f"first_considered_on = (SELECT min(e.effective_date) FROM adoption_events e WHERE {same_pair} "
        "AND e.stage = 'considering'), "
        f"first_implemented_on = (SELECT min(e.effective_date) FROM adoption_events e WHERE {same_pair} "
        f"AND e.stage IN {STAGES_FROM_IMPLEMENTING})"
    )
    op.drop_index(op.f("ix_adoption_events_corrects_event_id"), table_name="adoption_events")
    op.drop_column("adoption_spells", "wards_in_scope")
    op.drop_column("adoption_spells", "wards_using")
    _create_spells_trigger()
