"""The migration history builds the models' schema on an empty database, and takes it down again.

Each test gets a brand-new database: a new SQLite file, or (TEST_DATABASE_URL=postgresql…) a new
PostgreSQL schema of its own, dropped afterwards.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.helpers import BASE_CONFIG, ON_POSTGRES, TEST_DATABASE_URL, with_search_path
from tracker import create_app, migrate
from tracker.db import get_engine
from tracker.models import Base

MODEL_TABLES = {table.name for table in Base.metadata.sorted_tables}


@pytest.fixture
def empty_app(tmp_path):
    """An app on a database that has never been migrated."""
    admin = None
    if ON_POSTGRES:
        schema = f"migrations_{uuid.uuid4().hex[:10]}"
        admin = create_engine(TEST_DATABASE_URL)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = with_search_path(TEST_DATABASE_URL, schema)
    else:
        url = f"sqlite:///{tmp_path / 'brand-new.sqlite3'}"
    app = create_app({**BASE_CONFIG, "DATABASE_URL": url})
    app.instance_path = str(tmp_path / "instance")
    yield app
    get_engine(app).dispose()
    if admin is not None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def tables(app) -> set[str]:
    return set(inspect(get_engine(app)).get_table_names())


def current_revision(app) -> str | None:
    with get_engine(app).connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def test_the_database_starts_empty(empty_app):
    assert tables(empty_app) == set()


def test_upgrade_reaches_head_and_matches_the_models(empty_app):
    migrate.upgrade(empty_app)
    assert tables(empty_app) == MODEL_TABLES | {"alembic_version"}
    assert current_revision(empty_app) == head_revision()
    assert migrate.check(empty_app) is None


def test_downgrade_to_base_and_upgrade_again(empty_app):
    runner = empty_app.test_cli_runner()
    migrate.upgrade(empty_app)

    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert "Database downgraded to base." in result.output
    assert tables(empty_app) <= {"alembic_version"}
    assert current_revision(empty_app) is None

    migrate.upgrade(empty_app)
    assert tables(empty_app) == MODEL_TABLES | {"alembic_version"}
    assert migrate.check(empty_app) is None


def test_the_flask_db_commands(empty_app):
    runner = empty_app.test_cli_runner()

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Database upgraded to head." in result.output
    assert current_revision(empty_app) == head_revision()

    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert "The models match the migrations." in result.output

    # Upgrading an up-to-date database changes nothing.
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert current_revision(empty_app) == head_revision()


def test_check_notices_a_database_behind_the_models(empty_app):
    """`db check` fails on a database that is not at head (here: an empty one)."""
    result = empty_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code != 0


def test_the_seed_loads_into_a_freshly_migrated_database(empty_app):
    migrate.upgrade(empty_app)
    result = empty_app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert "ambitions: 3 created" in result.output


def test_what_is_derived_from_the_events_is_backfilled_the_same_way(empty_app):
    """Taking the spells and the adoptions' ward counts and first days away and back recomputes them
    from the ledger, to what the trigger and the service keep as events arrive (the demo history).
    """
    from sqlalchemy import select

    from tracker.db import write_session
    from tracker.models import Adoption, AdoptionSpell

    def spells():
        with write_session(empty_app) as session:
            return [tuple(row) for row in session.execute(select(AdoptionSpell.__table__).order_by("event_id"))]

    def derived():
        with write_session(empty_app) as session:
            rows = session.execute(
                select(
                    Adoption.id,
                    Adoption.wards_using,
                    Adoption.wards_in_scope,
                    Adoption.first_considered_on,
                    Adoption.first_implemented_on,
                    Adoption.stage_since,
                ).order_by(Adoption.id)
            ).all()
            return [tuple(row) for row in rows]

    migrate.upgrade(empty_app)
    result = empty_app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    kept, kept_spells = derived(), spells()
    for column in range(1, 6):  # each column holds values, not only NULLs
        assert any(row[column] is not None for row in kept)
    assert len(kept_spells) > 100
    result = empty_app.test_cli_runner().invoke(args=["db", "downgrade", "315884731135"])
    assert result.exit_code == 0, result.output
    migrate.upgrade(empty_app)
    assert derived() == kept
    assert spells() == kept_spells


def test_the_upgrade_recomputes_spells_and_records_under_the_rule_for_corrections(empty_app):
    """What revision cdd80aab7e3c derived (every event counting) is recomputed by the next upgrade
    to what the service keeps under the rule: corrections, corrections of corrections, same-day events."""
    from datetime import timedelta

    from sqlalchemy import select

    from tracker.adoption import services
    from tracker.adoption.rules import EventInput
    from tracker.db import write_session
    from tracker.models import Adoption, AdoptionSpell

    def derived():
        with write_session(empty_app) as session:
            # The columns both revisions have.
            spell = AdoptionSpell.__table__.c
            columns = (
                spell.event_id,
                spell.organisation_id,
                spell.change_idea_id,
                spell.stage,
                spell.starts,
                spell.ends,
            )
            spells = [tuple(row) for row in session.execute(select(*columns).order_by(spell.event_id))]
            records = [
                tuple(row)
                for row in session.execute(
                    select(
                        Adoption.id,
                        Adoption.current_event_id,
                        Adoption.stage,
                        Adoption.effective_date,
                        Adoption.wards_using,
                        Adoption.first_considered_on,
                        Adoption.first_implemented_on,
                    ).order_by(Adoption.id)
                )
            ]
            return spells, records

    migrate.upgrade(empty_app)
    result = empty_app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    with write_session(empty_app) as session:
        records = session.scalars(select(Adoption).order_by(Adoption.id).limit(6)).all()
        for number, record in enumerate(records):
            current = record.current_event
            organisation, idea = record.organisation, record.change_idea
            # A backdated correction of the current event, then (every other record) a correction of it.
            fix = services.append_event(
                session,
                None,
                organisation,
                idea,
                EventInput("considering", current.effective_date - timedelta(days=40)),
                corrects_event_id=current.id,
            ).event
            if number % 2:
                services.append_event(
                    session,
                    None,
                    organisation,
                    idea,
                    EventInput("sustained", fix.effective_date, wards_using=2, wards_in_scope=4),
                    corrects_event_id=fix.id,
                )
            else:  # the same day, no correction: logged later, it replaces the correction on that day
                services.append_event(session, None, organisation, idea, EventInput("testing", fix.effective_date))
        session.commit()

    def wards():
        with write_session(empty_app) as session:
            spell = AdoptionSpell.__table__.c
            return session.execute(select(spell.event_id, spell.wards_using, spell.wards_in_scope)).all()

    kept, kept_wards = derived(), wards()
    assert any(using is not None for _id, using, _scope in kept_wards)
    result = empty_app.test_cli_runner().invoke(args=["db", "downgrade", "cdd80aab7e3c"])
    assert result.exit_code == 0, result.output
    assert derived() != kept  # the earlier revision lets the corrected events count again
    migrate.upgrade(empty_app)
    assert derived() == kept
    assert sorted(wards()) == sorted(kept_wards)


def test_the_upgrade_stores_since_as_the_service_does(empty_app):
    """Revision c2048327db3b works out each spell's since and each record's stage_since from the spells
    to what the service stores: a run of one stage split by a backdated event of another, made whole
    again by its correction, and left whole by an entry replaced on its own date."""
    from datetime import timedelta

    from sqlalchemy import select

    from tracker.adoption import services
    from tracker.adoption.rules import EventInput
    from tracker.db import write_session
    from tracker.models import Adoption, AdoptionSpell

    migrate.upgrade(empty_app)
    result = empty_app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    with write_session(empty_app) as session:
        records = session.scalars(select(Adoption).order_by(Adoption.id).limit(3)).all()
        for number, record in enumerate(records):
            current, pair = record.current_event, (record.organisation, record.change_idea)
            stage, day = current.stage.value, current.effective_date
            other = "testing" if stage != "testing" else "implementing"

            def add(stage, days, corrects=None, pair=pair, day=day):
                data = EventInput(stage, day + timedelta(days=days), note=f"{stage} after {days} days")
                return services.append_event(session, None, *pair, data, corrects_event_id=corrects).event

            add(stage, 10)  # the same stage again: the run goes on
            if number == 0:
                add(other, 5)  # backdated into the run: it splits it
            elif number == 1:
                add(stage, 5, corrects=add(other, 5).id)  # corrected: the run is whole again
            else:
                add(other, 20)
                add(stage, 20)  # logged later the same day: the other stage held no day, so splits no run
        session.commit()

    def stored():
        with write_session(empty_app) as session:
            spells = session.execute(
                select(AdoptionSpell.event_id, AdoptionSpell.starts, AdoptionSpell.since).order_by(
                    AdoptionSpell.event_id
                )
            ).all()
            records = session.execute(select(Adoption.id, Adoption.stage_since).order_by(Adoption.id)).all()
            return [tuple(row) for row in spells], [tuple(row) for row in records]

    kept = stored()
    assert any(since != starts for _id, starts, since in kept[0])  # some runs hold more than one event
    result = empty_app.test_cli_runner().invoke(args=["db", "downgrade", "a7ec705d3787"])
    assert result.exit_code == 0, result.output
    migrate.upgrade(empty_app)
    assert stored() == kept


def test_tokens_made_before_scopes_keep_writing_and_now_expire(empty_app):
    """9c4e2a7b1f06: a token from before scopes and expiries may still write, and expires a year after the upgrade."""
    from datetime import UTC, datetime, timedelta

    migrate.upgrade(empty_app, "5b1e0c7d9a42")
    with get_engine(empty_app).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, role, active, is_demo, session_token, created_at, "
                "password_changed_at, row_version) VALUES (1, 'a@nhs.net', '', 'x', 'admin', true, false, 's', "
                ":now, :now, 1)"
            ),
            {"now": datetime.now(UTC)},
        )
        connection.execute(
            text("INSERT INTO api_tokens (user_id, token_hash, prefix, created_at) VALUES (1, :h, 'st_old', :now)"),
            {"h": "a" * 64, "now": datetime.now(UTC) - timedelta(days=800)},
        )
    migrate.upgrade(empty_app)
    with get_engine(empty_app).connect() as connection:
        name, scope, expires = connection.execute(text("SELECT name, scope, expires_at FROM api_tokens")).one()
    if isinstance(expires, str):  # SQLite hands back text
        expires = datetime.fromisoformat(expires)
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    assert (name, scope) == ("", "write")
    assert abs(expires - (datetime.now(UTC) + timedelta(days=365))) < timedelta(minutes=5)


def test_the_targets_stored_before_f1a7c3d95e28_become_the_published_ones_still_watched(empty_app):
    """Targets from before managers could add them came from the reference data: the upgrade marks them
    published (read-only), counting reach, at version 1; a change to one still draws a new data version
    (SQLite rebuilds the table, so the upgrade puts its triggers back)."""
    migrate.upgrade(empty_app, "a7d2c4e81b93")
    engine = get_engine(empty_app)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO ambitions (id, code, title, summary, baseline_note, source_url, position) "
                "VALUES (1, 'RP', 'Reduce restrictive practice', '', '', '', 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO ambition_targets (ambition_id, label, text, target_date, source_url, position) "
                "VALUES (1, 'Original', 'Reduce by 50%', '2024-03-31', '', 0)"
            )
        )
    migrate.upgrade(empty_app)
    with engine.begin() as connection:
        row = connection.execute(
            text("SELECT is_reference, measure, value, network_id, row_version FROM ambition_targets")
        ).one()
        assert (bool(row[0]), row[1], row[2], row[3], row[4]) == (True, "reach", None, None, 1)
        before = connection.execute(text("SELECT version FROM data_version")).scalar()
        connection.execute(text("UPDATE ambition_targets SET text = 'Reduce by half'"))
        assert connection.execute(text("SELECT version FROM data_version")).scalar() != before
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["db", "downgrade", "a7d2c4e81b93"]).exit_code == 0
    with engine.begin() as connection:
        assert connection.execute(text("SELECT text FROM ambition_targets")).scalar() == "Reduce by half"
        before = connection.execute(text("SELECT version FROM data_version")).scalar()
        connection.execute(text("UPDATE ambition_targets SET text = 'Reduce by 50%'"))
        assert connection.execute(text("SELECT version FROM data_version")).scalar() != before
