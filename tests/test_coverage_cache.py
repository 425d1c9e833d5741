"""Coverage figures are computed once per state of the data, and never served stale."""

import sqlite3
import uuid
from contextlib import closing
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from tests.helpers import ON_POSTGRES, FormClient
from tracker import db as tracker_db
from tracker.adoption.rules import EventInput
from tracker.adoption.services import append_event
from tracker.models import Base, ChangeIdea, Organisation

URL = "/api/v1/coverage?ambition=RP&as_of=2025-06-30&min_stage=testing"


def test_a_repeat_request_is_served_from_the_cache_and_a_new_event_refreshes_it(make_app, seeded, statement_counter):
    app = make_app(COVERAGE_CACHE_SIZE=16)
    client = FormClient(app.test_client())
    client.sign_in_as("manager")
    first = client.get(URL).json
    assert first["organisations_reached"] == 0
    from tests.helpers import count_statements

    with count_statements(app) as cold:
        client.get("/api/v1/coverage?ambition=RP&as_of=2025-06-29&min_stage=testing")
    with count_statements(app) as warm:
        again = client.get(URL).json
    assert again == first
    assert len(warm) < len(cold)

    organisation = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    idea = seeded.scalar(select(ChangeIdea).filter_by(code="RP-01"))
    append_event(seeded, None, organisation, idea, EventInput("testing", date(2024, 1, 1)))
    seeded.commit()
    assert client.get(URL).json["organisations_reached"] == 1  # the new event is seen at once


def test_an_organisation_edit_refreshes_the_figures(make_app, seeded):
    app = make_app(COVERAGE_CACHE_SIZE=16)
    client = FormClient(app.test_client())
    client.sign_in_as("manager")
    before = client.get(URL).json["organisations_total"]
    organisation = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    organisation.closed_on = date(2025, 1, 1)
    seeded.commit()
    assert client.get(URL).json["organisations_total"] == before - 1


# A value of the data version that comes back must not bring back figures ----------------------

NETWORK_URL = "/api/v1/network?ambition=RP&as_of=2025-06-30&min_stage=testing"
IMPORT_HEADER = "ods_code,intervention_code,stage,effective_date"


def figures(client) -> tuple[int, int]:
    """Organisations reached, from the coverage API and from the network API (both cached)."""
    network = client.get(NETWORK_URL).json
    adopted = sum(1 for node in network["nodes"] if node["kind"] == "organisation" and node["adopted"])
    return client.get(URL).json["organisations_reached"], adopted


def test_a_migration_round_trip_then_an_import_gives_fresh_figures(make_app, seeded, tmp_path):
    """A downgrade and upgrade used to make the counter again at 0, so the next import reached a
    value the caches already held for other data."""
    app = make_app(COVERAGE_CACHE_SIZE=16)
    runner = app.test_cli_runner()
    client = FormClient(app.test_client())
    # Faculty: a manager's MFA enrolment is among what the round trip drops, which would sign them out.
    client.sign_in_as("faculty")
    seeded.close()

    def round_trip_then_import(row: str) -> None:
        for args in (["db", "downgrade", "315884731135"], ["db", "upgrade"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        path = tmp_path / "events.csv"
        path.write_text(f"{IMPORT_HEADER}\n{row}\n")
        result = runner.invoke(args=["adoption", "import", str(path)])
        assert result.exit_code == 0, result.output

    round_trip_then_import("RNU,RP-01,testing,2024-01-01")
    assert figures(client) == (1, 1)
    round_trip_then_import("RWX,RP-01,testing,2024-01-01")
    assert figures(client) == (2, 2)


@pytest.fixture
def backups(app, tmp_path):
    """take(name) backs up the live database and restore(name) puts that backup back under the
    running app, as an operator would: SQLite through its backup API into the live file; PostgreSQL
    by copying the tables' rows out and back (user triggers off, as pg_restore --disable-triggers)."""
    if ON_POSTGRES:
        engine = tracker_db.get_engine(app)
        prefix = f"backup_{uuid.uuid4().hex[:10]}"
        tables = [table.name for table in Base.metadata.sorted_tables]
        taken = []

        def take(name: str) -> None:
            taken.append(f"{prefix}_{name}")
            with engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{prefix}_{name}"'))
                for table in tables:
                    conn.execute(text(f'CREATE TABLE "{prefix}_{name}"."{table}" AS SELECT * FROM "{table}"'))

        def restore(name: str) -> None:
            with engine.begin() as conn:
                for table in tables:
                    conn.execute(text(f'ALTER TABLE "{table}" DISABLE TRIGGER USER'))
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)))
                for table in tables:
                    conn.execute(text(f'INSERT INTO "{table}" SELECT * FROM "{prefix}_{name}"."{table}"'))
                    conn.execute(text(f'ALTER TABLE "{table}" ENABLE TRIGGER USER'))

        yield take, restore
        with engine.begin() as conn:
            for schema in taken:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    else:
        live = make_url(app.config["DATABASE_URL"]).database

        def copy(source: str, target: str) -> None:
            with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
                src.backup(dst)

        yield (
            lambda name: copy(live, str(tmp_path / f"{name}.sqlite3")),
            lambda name: copy(str(tmp_path / f"{name}.sqlite3"), live),
        )


@pytest.fixture
def log(seeded):
    """Log a stage for RNU × RP-01 on 1 January 2024, through the ledger's service; commits."""

    def log_stage(stage: str) -> None:
        organisation = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
        idea = seeded.scalar(select(ChangeIdea).filter_by(code="RP-01"))
        append_event(seeded, None, organisation, idea, EventInput(stage, date(2024, 1, 1)))
        seeded.commit()
        seeded.close()  # what a restore replaces must not linger in the session

    return log_stage


@pytest.fixture
def cached_client(make_app, seeded):
    app = make_app(COVERAGE_CACHE_SIZE=16)
    client = FormClient(app.test_client())
    client.sign_in_as("manager")
    seeded.commit()
    return client


def test_a_backup_restored_under_the_running_app_then_written_gives_fresh_figures(cached_client, backups, log):
    """After a restore the counter took up the backup's old value, and the next write reached a
    value the caches already held for the data the restore had replaced."""
    take, restore = backups
    take("before")
    log("testing")
    assert figures(cached_client) == (1, 1)
    restore("before")
    assert figures(cached_client) == (0, 0)  # the backup's own figures
    log("considering")
    assert figures(cached_client) == (0, 0)


def test_another_database_swapped_under_the_running_app_gives_its_own_figures(cached_client, backups, log):
    """Two databases that took the same number of writes since the same start held the same
    counter: swapping one in served the other's figures."""
    take, restore = backups
    take("start")
    log("considering")
    take("other")  # the start and a considering: RNU not reached
    restore("start")
    log("testing")  # the start and a testing, as many writes: RNU reached
    assert figures(cached_client) == (1, 1)
    restore("other")
    assert figures(cached_client) == (0, 0)
