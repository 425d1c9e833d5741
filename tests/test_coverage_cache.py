"""Coverage figures are computed once per state of the data, and never served stale."""

import sqlite3
import uuid
from contextlib import closing
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from tests.conftest import ON_POSTGRES, FormClient
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
    from tests.conftest import count_statements

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
    client.sign_in_as("manager")
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
    """Take a backup of the live database and restore it into the running app, as an operator would:
    SQLite through its backup API into the live file; PostgreSQL by copying the tables' rows out and
    back (triggers off, as pg_restore --disable-triggers does)."""
    if ON_POSTGRES:
        engine = tracker_db.get_engine(app)
        schema = f"backup_{uuid.uuid4().hex[:10]}"
        tables = [table.name for table in Base.metadata.sorted_tables]

        def take() -> None:
            with engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                for table in tables:
                    conn.execute(text(f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM "{table}"'))

        def restore() -> None:
            with engine.begin() as conn:
                for table in tables:
                    conn.execute(text(f'ALTER TABLE "{table}" DISABLE TRIGGER USER'))
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)))
                for table in tables:
                    conn.execute(text(f'INSERT INTO "{table}" SELECT * FROM "{schema}"."{table}"'))
                    conn.execute(text(f'ALTER TABLE "{table}" ENABLE TRIGGER USER'))

        yield take, restore
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    else:
        live = make_url(app.config["DATABASE_URL"]).database
        backup = str(tmp_path / "backup.sqlite3")

        def copy(source: str, target: str) -> None:
            with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
                src.backup(dst)

        yield (lambda: copy(live, backup)), (lambda: copy(backup, live))


def test_a_backup_restored_under_the_running_app_then_written_gives_fresh_figures(make_app, seeded, backups):
    """After a restore the counter took up the backup's old value, and the next write reached a
    value the caches already held for the data the restore had replaced."""
    take_backup, restore = backups
    app = make_app(COVERAGE_CACHE_SIZE=16)
    client = FormClient(app.test_client())
    client.sign_in_as("manager")
    seeded.commit()
    take_backup()

    def log(stage: str) -> None:
        organisation = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
        idea = seeded.scalar(select(ChangeIdea).filter_by(code="RP-01"))
        append_event(seeded, None, organisation, idea, EventInput(stage, date(2024, 1, 1)))
        seeded.commit()

    log("testing")
    assert figures(client) == (1, 1)
    seeded.close()
    restore()
    assert figures(client) == (0, 0)  # the backup's own figures
    log("considering")
    assert figures(client) == (0, 0)
