"""data version counter, adoption spells, ward counts and first-stage dates on adoptions, covering history index

Revision ID: cdd80aab7e3c
Revises: 315884731135
Create Date: 2026-11-26 04:23:21.404062

- data_version: one counter bumped by triggers on every write that computed reports read
  (WATCHED below), so caches key by one primary-key read instead of counting
  the ledger.
- adoption_spells: each event's spell, from its effective date to its pair's next event, kept by
  a trigger on every new event and backfilled here; the monthly series reads it instead of
  running a window function over the ledger. Two writers to one pair cannot both commit (the
  pair's current record is optimistically locked, and new pairs are unique), so the trigger
  sees every earlier spell of its pair.
- adoptions.first_considered_on / first_implemented_on, backfilled from the events, so the median
  time from considering to implementing needs no scan of the events.
- adoptions.wards_using / wards_in_scope, copied from each current event, so coverage as of today
  reads no event at all.
- ix_adoption_events_idea_history replaces ix_adoption_events_idea_date: it covers the window
  functions still run over the ledger (the spread map's adoption states) in their partition order,
  and the lookups of a pair's latest event before a day.

Plain operations, not batch ones: recreating adoption_events on SQLite would drop its
append-only triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cdd80aab7e3c"
down_revision: str | None = "315884731135"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = {
    "adoption_events": ("INSERT",),
    "organisations": ("INSERT", "UPDATE", "DELETE"),
    "networks": ("INSERT", "UPDATE", "DELETE"),
    "change_packages": ("INSERT", "UPDATE", "DELETE"),
    "change_ideas": ("INSERT", "UPDATE", "DELETE"),
}
BUMP = (
    "INSERT INTO data_version (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = data_version.version + 1"
)
STAGES_FROM_IMPLEMENTING = "('implementing', 'spreading', 'sustained')"
SAME_PAIR = "change_idea_id = NEW.change_idea_id AND organisation_id = NEW.organisation_id"
# The new event ends the spell it lands in (the pair's latest by start on or before its day, so
# the latest-logged among same-day ones) and runs until the next spell starts, if any.
FOLLOW_NEW_EVENT = (
    "UPDATE adoption_spells SET ends = NEW.effective_date WHERE event_id = ("
    f"SELECT event_id FROM adoption_spells WHERE {SAME_PAIR} AND starts <= NEW.effective_date "
    "ORDER BY starts DESC, event_id DESC LIMIT 1); "
    "INSERT INTO adoption_spells (event_id, organisation_id, change_idea_id, stage, starts, ends) "
    "VALUES (NEW.id, NEW.organisation_id, NEW.change_idea_id, NEW.stage, NEW.effective_date, "
    f"(SELECT min(starts) FROM adoption_spells WHERE {SAME_PAIR} AND starts > NEW.effective_date))"
)


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION adoption_spells_follow() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {FOLLOW_NEW_EVENT}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER adoption_events_make_spells AFTER INSERT ON adoption_events "
            "FOR EACH ROW EXECUTE FUNCTION adoption_spells_follow()"
        )
        op.execute(
            f"CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table, verbs in WATCHED.items():
            # Once per statement: a bulk insert of thousands of events bumps the counter once.
            op.execute(
                f"CREATE TRIGGER {table}_bump_data_version AFTER {' OR '.join(verbs)} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()"
            )
    else:
        op.execute(
            f"CREATE TRIGGER adoption_events_make_spells AFTER INSERT ON adoption_events BEGIN {FOLLOW_NEW_EVENT}; END"
        )
        for table, verbs in WATCHED.items():
            for verb in verbs:
                op.execute(
                    f"CREATE TRIGGER {table}_{verb.lower()}_bumps_data_version AFTER {verb} ON {table} "
                    f"BEGIN {BUMP}; END"
                )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_data_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_data_version()")
        op.execute("DROP TRIGGER IF EXISTS adoption_events_make_spells ON adoption_events")
        op.execute("DROP FUNCTION IF EXISTS adoption_spells_follow()")
    else:
        op.execute("DROP TRIGGER IF EXISTS adoption_events_make_spells")
        for table, verbs in WATCHED.items():
            for verb in verbs:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{verb.lower()}_bumps_data_version")


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.execute("INSERT INTO data_version (id, version) VALUES (1, 0)")

    op.create_table(
        "adoption_spells",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("change_idea_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "considering",
                "testing",
                "implementing",
                "spreading",
                "sustained",
                "discontinued",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_idea_id"],
            ["change_ideas.id"],
            name=op.f("fk_adoption_spells_change_idea_id_change_ideas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["adoption_events.id"],
            name=op.f("fk_adoption_spells_event_id_adoption_events"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_adoption_spells_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_adoption_spells")),
    )
    op.execute(
        "INSERT INTO adoption_spells (event_id, organisation_id, change_idea_id, stage, starts, ends) "
        "SELECT id, organisation_id, change_idea_id, stage, effective_date, lead(effective_date) OVER "
        "(PARTITION BY change_idea_id, organisation_id ORDER BY effective_date, id) FROM adoption_events"
    )
    op.create_index(
        "ix_adoption_spells_series",
        "adoption_spells",
        ["change_idea_id", "stage", "organisation_id", "starts", "ends"],
    )
    op.create_index(
        "ix_adoption_spells_pair", "adoption_spells", ["organisation_id", "change_idea_id", "starts", "event_id"]
    )
    _create_triggers()

    op.drop_index("ix_adoption_events_idea_date", table_name="adoption_events")
    op.create_index(
        "ix_adoption_events_idea_history",
        "adoption_events",
        ["change_idea_id", "organisation_id", "effective_date", "id", "stage"],
    )

    op.add_column("adoptions", sa.Column("wards_using", sa.Integer(), nullable=True))
    op.add_column("adoptions", sa.Column("wards_in_scope", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE adoptions SET "
        "wards_using = (SELECT e.wards_using FROM adoption_events e WHERE e.id = adoptions.current_event_id), "
        "wards_in_scope = (SELECT e.wards_in_scope FROM adoption_events e WHERE e.id = adoptions.current_event_id)"
    )
    op.add_column("adoptions", sa.Column("first_considered_on", sa.Date(), nullable=True))
    op.add_column("adoptions", sa.Column("first_implemented_on", sa.Date(), nullable=True))
    same_pair = "e.organisation_id = adoptions.organisation_id AND e.change_idea_id = adoptions.change_idea_id"
    op.execute(
        "UPDATE adoptions SET "
        f"first_considered_on = (SELECT min(e.effective_date) FROM adoption_events e WHERE {same_pair} "
        "AND e.stage = 'considering'), "
        f"first_implemented_on = (SELECT min(e.effective_date) FROM adoption_events e WHERE {same_pair} "
        f"AND e.stage IN {STAGES_FROM_IMPLEMENTING})"
    )


def downgrade() -> None:
    op.drop_column("adoptions", "first_implemented_on")
    op.drop_column("adoptions", "first_considered_on")
    op.drop_column("adoptions", "wards_in_scope")
    op.drop_column("adoptions", "wards_using")
    op.drop_index("ix_adoption_events_idea_history", table_name="adoption_events")
    op.create_index("ix_adoption_events_idea_date", "adoption_events", ["change_idea_id", "effective_date"])
    _drop_triggers()
    op.drop_index("ix_adoption_spells_pair", table_name="adoption_spells")
    op.drop_index("ix_adoption_spells_series", table_name="adoption_spells")
    op.drop_table("adoption_spells")
    op.drop_table("data_version")
