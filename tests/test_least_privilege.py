"""Least privilege on PostgreSQL: an owner role migrates, an app role that owns nothing serves.

The roles and the database are made by the README's own SQL (Production, "Two database roles"), with
random names per run, by a superuser: TEST_DATABASE_ADMIN_URL, else TEST_DATABASE_URL's server as
`postgres` (.ci/run's cluster and the dev server trust it on loopback). Dropped afterwards.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from tests.factories import record_version
from tests.helpers import BASE_CONFIG, HASH_ITERATIONS, ON_POSTGRES, TEST_DATABASE_URL, FormClient
from tracker import audit_trail as audit
from tracker import create_app
from tracker import db as tracker_db
from tracker.adoption import services
from tracker.adoption.rules import EventInput
from tracker.models import AdoptionEvent, AuditEvent, Base, ChangeIdea, Organisation, User
from tracker.privileges import TABLE_PRIVILEGES, grant_statements, unlisted
from tracker.seed import load_demo, load_reference

README = Path(__file__).resolve().parent.parent / "README.md"
LEDGERS = ("adoption_events", "audit_events", "package_versions")


def test_every_table_has_its_grants_listed():
    """A model's table missing from tracker/privileges.py would be unreachable to the app's role."""
    assert set(TABLE_PRIVILEGES) == {*Base.metadata.tables, "alembic_version"}
    for table in LEDGERS:
        assert TABLE_PRIVILEGES[table] == ("SELECT", "INSERT")


def test_the_grants_revoke_first_and_give_an_unlisted_table_nothing():
    said = grant_statements("app", "public", ["audit_events", "someone_elses"], lambda name: f'"{name}"')
    assert said[0] == 'REVOKE ALL ON ALL TABLES IN SCHEMA "public" FROM "app"'
    assert 'GRANT SELECT, INSERT ON "public"."audit_events" TO "app"' in said
    assert not [statement for statement in said if "someone_elses" in statement]
    assert unlisted(["audit_events", "someone_elses"]) == ["someone_elses"]


def test_grant_says_what_it_needs(app):
    """Without a second role there is nothing to grant to: the command says what to give it (both databases)."""
    runner = app.test_cli_runner()
    said = runner.invoke(args=["db", "grant"])
    assert said.exit_code != 0
    assert ("SQLite has no roles" if not ON_POSTGRES else "Name the role") in said.output, said.output
    if ON_POSTGRES:
        said = runner.invoke(args=["db", "grant", "nobody_at_all"])
        assert said.exit_code != 0 and "There is no role 'nobody_at_all'" in said.output, said.output


def readme_sql() -> str:
    section = README.read_text().split("### Two database roles", 1)[1]
    return re.search(r"```sql\n(.*?)```", section, re.S).group(1)


def _admin_url() -> str:
    import os

    given = os.environ.get("TEST_DATABASE_ADMIN_URL")
    if given:
        return given
    return (
        make_url(TEST_DATABASE_URL)
        .set(username="postgres", password=None, database="postgres")
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="module")
def roles():
    """(owner URL, app URL, app role) of a fresh database set up as the README says, migrated by the owner."""
    if not ON_POSTGRES:
        pytest.skip("roles, grants and TRUNCATE are PostgreSQL's (SQLite has none): set TEST_DATABASE_URL")
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
                pytest.skip("TEST_DATABASE_ADMIN_URL must name a superuser, to create roles and a database")
    except OperationalError as error:
        pytest.skip(f"no superuser connection to create roles (set TEST_DATABASE_ADMIN_URL): {error.orig}")
    suffix = secrets.token_hex(4)
    names = {
        "tracker_owner": f"lp_owner_{suffix}",
        "tracker_app": f"lp_app_{suffix}",
        "spread_tracker": f"lp_db_{suffix}",
        "owner-password-here": secrets.token_hex(16),
        "app-password-here": secrets.token_hex(16),
    }
    sql = readme_sql()
    for placeholder, value in names.items():
        sql = re.sub(rf"\b{re.escape(placeholder)}\b", value, sql)
    database = names["spread_tracker"]
    engine = admin
    try:
        for statement in filter(None, (part.strip() for part in sql.split(";"))):
            if statement.startswith("\\c "):  # psql's connect: the rest runs in the new database
                engine = create_engine(make_url(_admin_url()).set(database=database), isolation_level="AUTOCOMMIT")
                statement = statement.split("\n", 1)[1] if "\n" in statement else ""
            if statement:
                with engine.connect() as conn:
                    conn.exec_driver_sql(statement)
        server = make_url(TEST_DATABASE_URL).set(database=database)
        owner_url = server.set(username=names["tracker_owner"], password=names["owner-password-here"])
        app_url = server.set(username=names["tracker_app"], password=names["app-password-here"])
        urls = (owner_url.render_as_string(hide_password=False), app_url.render_as_string(hide_password=False))
        app = create_app({**BASE_CONFIG, "DATABASE_OWNER_URL": urls[0], "DATABASE_URL": urls[1]})
        said = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert said.exit_code == 0, said.output
        _seed(app)
        _dispose(app)
        yield urls[0], urls[1], names["tracker_app"]
    finally:
        if engine is not admin:
            engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{names["tracker_app"]}"')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{names["tracker_owner"]}"')
        admin.dispose()


def _seed(app) -> None:
    """The demo data and one stage move through the service layer, written through the app's own role."""
    with Session(bind=tracker_db.get_engine(app)) as session:
        audit.set_actor(session, audit.Actor(email="test", role="test"))
        load_reference(session)
        load_demo(session, HASH_ITERATIONS, history=False)
        session.commit()
        manager = session.scalar(select(User).filter_by(email="manager@demo.invalid"))
        organisation = session.scalar(select(Organisation).filter_by(ods_code="RXY"))
        idea = session.scalar(select(ChangeIdea).filter_by(code="RP-01"))
        services.log_adoption(
            session,
            manager,
            organisation,
            idea,
            EventInput(stage="testing", effective_date=date(2025, 1, 1)),
            expected_version=record_version(session, organisation, idea),
            on_day=date(2026, 1, 1),
        )
        session.commit()


def _dispose(app) -> None:
    tracker_db.get_engine(app).dispose()
    tracker_db.get_owner_engine(app).dispose()


def refusal(url: str, statement: str) -> str:
    """The database's error for the statement (which must fail), run in a transaction rolled back."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn, pytest.raises(DBAPIError) as raised:
            conn.exec_driver_sql(statement)
        assert raised.value.orig.sqlstate == "42501"  # insufficient_privilege
        return str(raised.value.orig)
    finally:
        engine.dispose()


def test_the_app_role_owns_nothing_and_may_not_create(roles):
    _, app_url, role = roles
    engine = create_engine(app_url)
    with engine.connect() as conn:
        owned = conn.scalar(
            text("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = :r)"),
            {"r": role},
        )
        assert owned == 0
    engine.dispose()
    assert "permission denied for schema public" in refusal(app_url, "CREATE TABLE mine (id int)")


@pytest.mark.parametrize("table", LEDGERS)
@pytest.mark.parametrize(
    "statement, said",
    [
        ("UPDATE {t} SET id = id", "permission denied"),
        ("DELETE FROM {t}", "permission denied"),
        ("TRUNCATE {t}", "permission denied"),
        ("ALTER TABLE {t} DISABLE TRIGGER USER", "must be owner"),
        ("DROP TABLE {t}", "must be owner"),
    ],
)
def test_the_app_role_may_not_change_or_empty_the_ledger_or_the_audit_trail(roles, table, statement, said):
    _, app_url, _ = roles
    message = refusal(app_url, statement.format(t=table))
    assert said in message and "append-only" not in message  # refused for lack of privilege, not by a trigger


@pytest.mark.parametrize("table", LEDGERS)
def test_the_app_role_reads_and_appends_to_them_and_no_more(roles, table):
    _, app_url, role = roles
    engine = create_engine(app_url)
    with engine.connect() as conn:
        assert conn.scalar(text(f"SELECT count(*) FROM {table}")) > 0  # the seeding, through this role, appended
        # An INSERT of no rows still needs the privilege (checked before any row): and it has it.
        conn.execute(text(f"INSERT INTO {table} SELECT * FROM {table} WHERE false"))
        held = {
            privilege
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
            if conn.scalar(text("SELECT has_table_privilege(:r, :t, :p)"), {"r": role, "t": table, "p": privilege})
        }
        conn.rollback()
    engine.dispose()
    assert held == {"SELECT", "INSERT"}


@pytest.mark.parametrize("table", LEDGERS)
def test_the_owner_may_not_truncate_them_either(roles, table):
    owner_url, _, _ = roles
    assert f"{table} rows are append-only: TRUNCATE is refused" in refusal(owner_url, f"TRUNCATE {table} CASCADE")


def test_the_app_works_through_its_role(roles):
    """Sign in, log a stage move by the form, read it back in the coverage page and API: the grants suffice."""
    _, app_url, _ = roles
    app = create_app({**BASE_CONFIG, "DATABASE_URL": app_url})
    client = FormClient(app.test_client())
    client.sign_in_as("manager")
    before = _events(app)
    assert "RNU" in _coverage(client)["not_reached"]
    page = "/organisations/RNU/adoption/RP-01/log"
    hidden = _hidden_fields(client.get(page).get_data(as_text=True))  # the record's version, as a browser sends it
    response = client.submit(page, {**hidden, "stage": "testing", "effective_date": date(2025, 3, 3).isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _events(app) == before + 1
    assert "RNU" not in _coverage(client)["not_reached"]
    assert client.get("/coverage?ambition=RP&min_stage=testing").status_code == 200
    _dispose(app)


def _hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if attributes.get("type") == "hidden" and attributes.get("name") not in (None, "csrf_token"):
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


def _coverage(client) -> dict:
    response = client.get("/api/v1/coverage?ambition=RP&min_stage=testing")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _events(app) -> int:
    with Session(bind=tracker_db.get_engine(app)) as session:
        return session.scalar(select(func.count()).select_from(AdoptionEvent))


def test_maintenance_as_the_app_role_says_to_set_the_owner_url(roles, tmp_path):
    owner_url, app_url, _ = roles
    as_app = create_app({**BASE_CONFIG, "DATABASE_URL": app_url})
    said = as_app.test_cli_runner().invoke(args=["prune", "--days", "1"])
    assert said.exit_code != 0 and "DATABASE_OWNER_URL" in said.output, said.output
    both = create_app({**BASE_CONFIG, "DATABASE_URL": app_url, "DATABASE_OWNER_URL": owner_url})
    backup = tmp_path / "tracker.backup"
    said = both.test_cli_runner().invoke(args=["backup", str(backup)])
    assert said.exit_code == 0, said.output
    said = as_app.test_cli_runner().invoke(args=["restore", "--force", str(backup)])
    assert said.exit_code != 0 and "DATABASE_OWNER_URL" in said.output, said.output
    _dispose(as_app)
    _dispose(both)


def test_prune_and_restore_as_the_owner_leave_the_app_role_its_grants(roles, tmp_path):
    owner_url, app_url, _ = roles
    both = create_app({**BASE_CONFIG, "DATABASE_URL": app_url, "DATABASE_OWNER_URL": owner_url})
    runner = both.test_cli_runner()
    said = runner.invoke(args=["prune", "--days", "1"])
    assert said.exit_code == 0, said.output
    backup = tmp_path / "tracker.backup"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    said = runner.invoke(args=["restore", "--force", str(backup)])
    assert said.exit_code == 0, said.output
    _dispose(both)
    engine = create_engine(app_url)  # the restore made the tables afresh: the grants were applied again
    with Session(bind=engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) > 0
        assert session.scalar(select(func.count()).select_from(AdoptionEvent)) >= 0
    engine.dispose()
    assert "permission denied" in refusal(app_url, "DELETE FROM audit_events")
    said = runner.invoke(args=["db", "grant"])  # rerun by hand: the same grants, no error
    assert said.exit_code == 0 and "Granted" in said.output, said.output
    _dispose(both)
