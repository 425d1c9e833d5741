"""/healthz and /readyz, and the request id every response carries (headers, error pages)."""

from __future__ import annotations

import re
import uuid

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from tests.helpers import BASE_CONFIG, ON_POSTGRES, TEST_DATABASE_URL, page_text, with_search_path
from tracker import create_app
from tracker import db as tracker_db
from tracker.access import public
from tracker.health import migration_problem
from tracker.migrate import alembic_config

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_healthz_answers_without_the_database_or_a_cookie(signed_in, statement_counter):
    client = signed_in("admin")  # a session cookie is sent: the user is still not loaded
    with statement_counter() as statements:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert statements == []
    assert "Set-Cookie" not in response.headers


def test_readyz_says_ready_at_the_newest_migration(client, statement_counter):
    with statement_counter() as statements:
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready"}
    assert "Set-Cookie" not in response.headers
    assert len(statements) <= 2  # is there a version table, and what it holds


@pytest.fixture
def stale_url(tmp_path):
    """A database stamped at the revision before the newest, as after a deploy whose upgrade has not run."""
    if ON_POSTGRES:
        schema = f"stale_{uuid.uuid4().hex[:10]}"
        admin = create_engine(TEST_DATABASE_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield with_search_path(TEST_DATABASE_URL, schema)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'stale.sqlite3'}"


def _previous_revision() -> str:
    scripts = ScriptDirectory.from_config(alembic_config())
    return scripts.get_revision(scripts.get_current_head()).down_revision


def _stamp(app, revision: str) -> None:
    with tracker_db.get_engine(app).begin() as connection:
        command.stamp(alembic_config(connection), revision)


def test_readyz_refuses_a_database_not_at_the_newest_migration(stale_url):
    app = create_app({**BASE_CONFIG, "DATABASE_URL": stale_url})
    client = app.test_client()
    try:
        empty = client.get("/readyz")
        assert empty.status_code == 503
        assert empty.get_json()["reason"].startswith("the database has not been migrated")
        assert int(empty.headers["Retry-After"]) > 0

        _stamp(app, _previous_revision())  # behind by one: the newest revision is not applied yet
        behind = client.get("/readyz")
        assert behind.status_code == 503
        reason = behind.get_json()["reason"]
        assert reason.startswith("the database is at revision ") and "flask --app tracker db upgrade" in reason

        _stamp(app, "head")
        assert client.get("/readyz").status_code == 200
    finally:
        tracker_db.get_engine(app).dispose()


def test_migration_problem_names_both_revisions():
    assert migration_problem(frozenset({"a1"}), frozenset({"a1"})) is None
    assert "not been migrated" in migration_problem(frozenset(), frozenset({"a1"}))
    assert "at revision a0, not a1" in migration_problem(frozenset({"a0"}), frozenset({"a1"}))


# --- the request id -------------------------------------------------------------------------------


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/sign-in"), client.get("/sign-in")
    assert GENERATED.fullmatch(first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize(
    "incoming, kept",
    [
        ("lb-7f3a9c2e-0001", True),
        ("Root:1-67a.b_c", True),
        ("has space", False),
        ("<script>", False),
        ("x" * 129, False),
        ("-starts-with-dash", False),
    ],
)
def test_a_well_formed_incoming_request_id_is_kept_and_anything_else_replaced(client, incoming, kept):
    answered = client.get("/healthz", headers={"X-Request-ID": incoming}).headers["X-Request-ID"]
    if kept:
        assert answered == incoming
    else:
        assert GENERATED.fullmatch(answered)


def _reference(response) -> str:
    match = re.search(r"quote this reference: (\S+)", page_text(response.get_data(as_text=True)))
    assert match, "the error page shows no reference"
    return match.group(1)


def test_the_404_page_shows_the_request_id(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert _reference(response) == response.headers["X-Request-ID"]
    chosen = client.get("/no-such-page", headers={"X-Request-ID": "support-ticket-42"})
    assert _reference(chosen) == "support-ticket-42"


def test_the_500_page_shows_the_request_id(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @public
    def explode():
        raise RuntimeError("a bug")

    app.add_url_rule("/explode", "explode", explode)
    response = app.test_client().get("/explode", headers={"X-Request-ID": "incident-2026-11-27"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "incident-2026-11-27"
    assert _reference(response) == "incident-2026-11-27"
    assert "Sorry, there is a problem with the service" in page_text(response.get_data(as_text=True))
