"""The embedded SQLite set-up: WAL, foreign keys, and writers that queue instead of failing."""

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.helpers import ON_POSTGRES
from tracker import db as tracker_db

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite pragmas; the PostgreSQL run checks PostgreSQL")


@sqlite_only
def test_connections_use_wal_and_enforce_foreign_keys(app):
    with tracker_db.get_engine(app).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced_by_the_database(session):
    with pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO drivers (package_id, title, description, position, row_version) VALUES (999, 'x', '', 0, 1)"
            )
        )
        session.flush()
    session.rollback()


@sqlite_only
def test_write_sessions_begin_immediate_and_read_requests_deferred(app):
    statements = []
    engine = tracker_db.get_engine(app)

    def capture(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            statements.append(statement)

    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with tracker_db.write_session(app) as s:
            s.execute(text("SELECT 1"))
        with app.test_request_context("/", method="GET"):
            tracker_db.get_session().execute(text("SELECT 1"))
        with app.test_request_context("/", method="POST"):
            tracker_db.get_session().execute(text("SELECT 1"))
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert statements == ["BEGIN IMMEDIATE", "BEGIN DEFERRED", "BEGIN IMMEDIATE"]


@sqlite_only
def test_concurrent_writers_that_read_first_all_succeed(app, seeded):
    """Each writer reads, then writes; with BEGIN IMMEDIATE they queue rather than fail.

    (On PostgreSQL the same race is caught by the version column instead: tested with the editors.)
    """
    from sqlalchemy import select

    from tracker.models import Organisation

    seeded.commit()
    errors = []

    def writer(n):
        try:
            with tracker_db.write_session(app) as s:
                organisation = s.scalar(select(Organisation).filter_by(ods_code="RNU"))
                organisation.notes = f"{organisation.notes}+{n}"
                s.commit()
        except Exception as error:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(repr(error))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    seeded.expire_all()
    notes = seeded.scalar(select(Organisation.notes).filter_by(ods_code="RNU"))
    assert sorted(notes.split("+")[1:], key=int) == [str(n) for n in range(8)]  # no lost update
