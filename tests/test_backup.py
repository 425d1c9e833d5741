"""`flask --app tracker backup FILE` and `restore FILE`, on the test's own database (SQLite or PostgreSQL):
a round trip brings back the data, the audit trail and the data version; what may not be done is refused
with the reason and changes nothing; and a running app's warm cache never serves figures from before."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from tests.helpers import ON_POSTGRES, auth, move, truncate_all
from tracker import db as tracker_db
from tracker import migrate
from tracker.backup import postgres
from tracker.backup.files import BackupRefused
from tracker.models import AdoptionEvent, AuditEvent, Base, DataVersion, LearningLink

KIND = "PostgreSQL" if ON_POSTGRES else "SQLite"


def _tools_missing() -> str | None:
    if not ON_POSTGRES:
        return None
    try:
        for name in ("pg_dump", "pg_restore", "psql"):
            postgres.tool(name)
    except BackupRefused as missing:
        return str(missing)
    return None


pytestmark = pytest.mark.skipif(_tools_missing() is not None, reason=f"PostgreSQL client tools: {_tools_missing()}")


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(args=list(args))
        assert (result.exit_code == 0) is ok, result.output
        return result.output

    return run


def snapshot(session) -> dict:
    """What a restore must bring back: the ledger, the audit trail, the links and the data version."""
    session.rollback()
    taken = {
        "events": [
            (e.id, e.organisation_id, e.change_idea_id, e.stage.value, e.effective_date)
            for e in session.scalars(select(AdoptionEvent).order_by(AdoptionEvent.id))
        ],
        "audit": [(a.id, a.action, a.entity, a.entity_key) for a in session.scalars(select(AuditEvent).order_by("id"))],
        "links": sorted(session.scalars(select(LearningLink.id))),
        "version": session.scalar(select(DataVersion.version)),
    }
    session.rollback()
    return taken


def log(client, raw: str, **changes) -> None:
    response = client.post("/api/v1/adoptions", headers=auth(raw), json=move(**changes))
    assert response.status_code == 201, response.get_data(as_text=True)


def test_a_round_trip_brings_back_the_data_the_audit_trail_and_the_data_version(
    app, seeded, client, token, cli, tmp_path
):
    log(client, token["manager"])
    before = snapshot(seeded)
    target = tmp_path / "tracker.backup"
    said = cli("backup", str(target))
    assert f"Backed up the {KIND} database" in said and str(target) in said
    assert target.read_bytes().startswith(b"PGDMP" if ON_POSTGRES else b"SQLite format 3\x00")

    log(client, token["manager"], stage="implementing", effective_date="2022-06-01", expected_version=1)
    assert client.delete("/api/v1/links/1", headers=auth(token["manager"])).status_code == 204
    changed = snapshot(seeded)
    assert changed["events"] != before["events"] and changed["version"] != before["version"]

    said = cli("restore", "--force", str(target))
    assert f"Restored the database from {target}" in said
    after = snapshot(seeded)
    assert after["events"] == before["events"]
    assert after["links"] == before["links"]
    assert after["version"] == before["version"]
    # The audit trail as it was, and then one entry for the restore itself.
    assert after["audit"][:-1] == before["audit"]
    assert after["audit"][-1][1] == "restored"
    # The app carries on: reads and writes work on the restored data.
    log(client, token["manager"], stage="implementing", effective_date="2022-07-01", expected_version=1)


def test_a_backup_does_not_overwrite_a_file_without_force(app, seeded, cli, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "kept.backup"
    target.write_bytes(b"precious")
    said = cli("backup", str(target), ok=False)
    assert "already exists: choose another name, or add --force to replace it" in said
    assert target.read_bytes() == b"precious"
    cli("backup", "--force", str(target))
    assert target.read_bytes() != b"precious"
    assert [p.name for p in folder.iterdir()] == ["kept.backup"]  # no temporary file left behind


def test_a_backup_into_a_missing_folder_is_refused(app, seeded, cli, tmp_path):
    said = cli("backup", str(tmp_path / "nowhere" / "x.backup"), ok=False)
    assert "does not exist" in said


def test_a_restore_into_a_database_with_data_needs_force(app, seeded, client, token, cli, tmp_path):
    target = tmp_path / "tracker.backup"
    cli("backup", str(target))
    log(client, token["manager"])
    before = snapshot(seeded)
    said = cli("restore", str(target), ok=False)
    assert "already holds data" in said and "add --force to restore over it" in said
    assert snapshot(seeded) == before


def test_a_restore_into_an_empty_database_needs_no_force(app, make_app, seeded, client, token, cli, tmp_path):
    log(client, token["manager"])
    before = snapshot(seeded)
    target = tmp_path / "tracker.backup"
    cli("backup", str(target))
    empty = _empty_database(app, make_app, tmp_path)
    said = empty.test_cli_runner().invoke(args=["restore", str(target)])
    assert said.exit_code == 0, said.output
    with Session(tracker_db.get_engine(empty)) as restored:
        assert snapshot(restored)["events"] == before["events"]


def _empty_database(app, make_app, tmp_path):
    """An app on a freshly migrated database that holds no data: a new SQLite file, or (PostgreSQL, where
    a backup of the test's schema restores into that schema) the test's schema emptied."""
    if ON_POSTGRES:
        with tracker_db.get_engine(app).begin() as conn:
            truncate_all(conn, [t.name for t in Base.metadata.sorted_tables])
        return app
    empty = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    migrate.upgrade(empty)
    return empty


def test_a_file_that_is_not_a_backup_is_refused(app, seeded, cli, tmp_path):
    before = snapshot(seeded)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup")
    assert "is not a Spread Tracker backup" in cli("restore", "--force", str(notes), ok=False)
    assert "does not exist" in cli("restore", "--force", str(tmp_path / "missing"), ok=False)
    other = tmp_path / "other-kind.backup"
    if ON_POSTGRES:
        with closing(sqlite3.connect(other)) as conn:
            conn.execute("CREATE TABLE t (x)")
        expected = "is a SQLite database file, but this database is PostgreSQL"
    else:
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
        expected = "is a PostgreSQL archive (pg_dump custom format), but this database is sqlite"
    assert expected in cli("restore", "--force", str(other), ok=False)
    assert snapshot(seeded) == before


@pytest.mark.skipif(ON_POSTGRES, reason="a SQLite file of another program: SQLite only")
def test_a_sqlite_file_that_is_not_ours_is_refused(app, seeded, cli, tmp_path):
    other = tmp_path / "someone-elses.sqlite3"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    assert "holds no migration revision" in cli("restore", "--force", str(other), ok=False)


def test_a_backup_from_newer_code_is_refused(app, seeded, cli, tmp_path):
    """A backup whose migration this code does not know was made by a newer version: refused, nothing changed."""
    engine = tracker_db.get_engine(app)
    with engine.begin() as conn:
        head = conn.scalar(text("SELECT version_num FROM alembic_version"))
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfacef00d'"))
    target = tmp_path / "newer.backup"
    cli("backup", str(target))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    before = snapshot(seeded)
    said = cli("restore", "--force", str(target), ok=False)
    assert "was made by a newer Spread Tracker (migration f00dfacef00d" in said
    assert snapshot(seeded) == before


def test_a_backup_from_older_code_is_upgraded_after_the_restore(app, seeded, client, token, cli, tmp_path):
    older = "5b1e0c7d9a42"  # before API token scopes
    cli("db", "downgrade", older)
    target = tmp_path / "older.backup"
    cli("backup", str(target))
    cli("db", "upgrade")
    said = cli("restore", "--force", str(target))
    assert f"upgraded from migration {older} to " in said
    assert migrate.check(app) is None
    log(client, token["manager"])  # the upgraded database works


def test_a_restore_under_a_running_app_never_serves_the_old_figures(make_app, seeded, token, cli, tmp_path):
    """The app's coverage cache is warm with figures of the data the restore replaces: it must not serve them."""
    live = make_app(COVERAGE_CACHE_SIZE=64)
    client = live.test_client()
    url = "/api/v1/coverage?ambition=RP&as_of=2024-03-31"

    def figures():
        response = client.get(url, headers=auth(token["admin"]))
        assert response.status_code == 200
        return response.get_json()

    as_backed_up = figures()
    target = tmp_path / "tracker.backup"
    cli("backup", str(target))
    log(client, token["manager"], stage="implementing", effective_date="2022-03-01")
    changed = figures()
    assert changed != as_backed_up
    assert figures() == changed  # served from the warm cache

    cli("restore", "--force", str(target))
    assert figures() == as_backed_up


def test_restoring_is_audited_with_a_sentence(app, seeded, cli, signed_in, tmp_path):
    target = tmp_path / "tracker.backup"
    cli("backup", str(target))
    cli("restore", "--force", str(target))
    page = signed_in("admin").get("/admin/audit?action=restored").get_data(as_text=True)
    assert "restored the database from a backup (from tracker.backup, made at migration " in page


def test_the_data_version_is_the_backups_not_a_new_one(app, seeded, client, token, cli, tmp_path):
    """A restored version is one drawn for exactly the restored data: caches keyed by it are right."""
    target = tmp_path / "tracker.backup"
    cli("backup", str(target))
    before = snapshot(seeded)["version"]
    seeded.execute(update(DataVersion).values(version=DataVersion.version + 1))
    seeded.commit()
    cli("restore", "--force", str(target))
    assert snapshot(seeded)["version"] == before


def test_the_tools_are_found_or_named(tmp_path):
    if not ON_POSTGRES:
        pytest.skip("the PostgreSQL client tools: PostgreSQL only")
    assert Path(postgres.tool("pg_dump")).name == "pg_dump"
    fake = tmp_path / "pg_restore"
    fake.write_text("#!/bin/sh\n")
    assert postgres.tool("pg_restore", str(tmp_path)) == str(fake)


def test_a_damaged_backup_is_refused_and_changes_nothing(app, seeded, client, token, cli, tmp_path):
    target = tmp_path / "tracker.backup"
    cli("backup", str(target))
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 3])  # cut short, as by a full disk
    log(client, token["manager"])
    before = snapshot(seeded)
    said = cli("restore", "--force", str(target), ok=False)
    assert ("Reading the archive failed" if ON_POSTGRES else "is damaged: SQLite's check says") in said
    assert snapshot(seeded) == before
