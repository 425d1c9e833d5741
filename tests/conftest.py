"""Fixtures: an app on a fresh, migrated database for every test.

SQLite (default): the schema is migrated once into a template file, which each test copies.
PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg://…): the suite migrates a schema of its own once,
and every test starts from empty tables (TRUNCATE … RESTART IDENTITY).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tracker import audit, create_app, migrate
from tracker import db as tracker_db
from tracker.models import Base
from tracker.seed import DEMO_PASSWORD, load_demo, load_reference

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
HASH_ITERATIONS = 1_000  # production uses 600,000 (tested in test_auth); tests need speed

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-1234567890",
    "PASSWORD_HASH_ITERATIONS": HASH_ITERATIONS,
    # Tests see every figure computed afresh; test_coverage_cache turns the cache on.
    "COVERAGE_CACHE_SIZE": 0,
}


def _with_search_path(url: str, schema: str) -> str:
    return str(
        make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> Iterator[str]:
    """A migrated, empty database: a file path (SQLite) or a URL with its own schema (PostgreSQL)."""
    if ON_POSTGRES:
        schema = f"test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(TEST_DATABASE_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = _with_search_path(TEST_DATABASE_URL, schema)
        app = create_app({**BASE_CONFIG, "DATABASE_URL": url})
        migrate.upgrade(app)
        tracker_db.get_engine(app).dispose()
        yield url
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
        migrate.upgrade(app)
        tracker_db.get_engine(app).dispose()
        yield str(path)


def _truncate_all(engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(database_template, tmp_path) -> str:
    if ON_POSTGRES:
        return database_template
    path = tmp_path / "tracker.sqlite3"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database, with extra config."""
    apps = []

    def factory(**config):
        app = create_app({**BASE_CONFIG, "DATABASE_URL": database_url, **config})
        app.instance_path = str(tmp_path / "instance")
        apps.append(app)
        return app

    yield factory
    for app in apps:
        engine = tracker_db.get_engine(app)
        if ON_POSTGRES:
            _truncate_all(engine)
        engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def session(app):
    """A session outside any request, for arranging rows and checking what was written.

    Its transactions begin DEFERRED, so its reads never hold SQLite's write lock while the test's
    HTTP requests write; a test that reads, lets a request write, then writes itself should commit
    (or roll back) in between, as two real processes would.
    """
    with Session(bind=tracker_db.get_engine(app)) as s:
        audit.set_actor(s, audit.Actor(email="test", role="test"))
        yield s


@pytest.fixture
def seeded(app, session):
    """The reference data and the demo accounts."""
    load_reference(session)
    load_demo(session, HASH_ITERATIONS, history=False)
    session.expire_all()
    return session


@pytest.fixture
def demo_history(seeded):
    """The demo adoption history as `seed --demo` makes it, dated up to 30 June 2025."""
    from tracker.seed.demo_history import load_demo_history

    load_demo_history(seeded, date(2025, 6, 30))
    seeded.expire_all()
    return seeded


class FormClient:
    """The Flask test client, plus sign-in and CSRF-carrying form posts as a browser would send them."""

    CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    def csrf_token(self, page: str = "/sign-in") -> str:
        html = self.client.get(page).get_data(as_text=True)
        match = self.CSRF.search(html)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, page: str | None = None, **kwargs):
        """POST a form with the CSRF token taken from `page` (default: the form's own URL)."""
        data = dict(data or {})
        data["csrf_token"] = self.csrf_token(page or url)
        return self.client.post(url, data=data, **kwargs)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD):
        return self.submit("/sign-in", {"email": email, "password": password})

    def sign_in_as(self, role: str):
        response = self.sign_in(f"{role}@demo.invalid")
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def client(app) -> FormClient:
    return FormClient(app.test_client())


ROLES = ("trust", "faculty", "manager", "admin")


@pytest.fixture
def signed_in(seeded, client):
    """Sign the client in as a demo account of the given role."""

    def as_role(role: str) -> FormClient:
        client.sign_in_as(role)
        return client

    return as_role


@contextmanager
def count_statements(app) -> Iterator[list[str]]:
    """Collect the SQL statements the app's engine runs inside the block."""
    statements: list[str] = []
    engine = tracker_db.get_engine(app)

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def statement_counter(app):
    return lambda: count_statements(app)


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + make_url(TEST_DATABASE_URL).render_as_string() if ON_POSTGRES else 'SQLite (file per test)'}"
