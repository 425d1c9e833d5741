"""Fixtures: an app on a fresh, migrated database for every test.

SQLite (default): the schema is migrated once into a template file, which each test copies.
PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg://…): the suite migrates a schema of its own once,
and every test starts from empty tables (TRUNCATE … RESTART IDENTITY).
A test asking for `seeded` or `demo_history` starts from a template seeded once per session (a copied
file; on PostgreSQL the seeded rows copied back from a snapshot schema), not from seeding afresh.
Under pytest-xdist each worker is a session of its own: its own template files in its own temporary
folder, or its own schemas in the one PostgreSQL database.
Shared helpers that are not fixtures live in tests/helpers.py, row factories in tests/factories.py.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import Dialect, Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from tests.helpers import (
    BASE_CONFIG,
    HASH_ITERATIONS,
    ON_POSTGRES,
    TEST_DATABASE_URL,
    FormClient,
    count_statements,
    truncate_all,
    with_search_path,
)
from tests.oidc_provider import CALLBACK, CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.smtp_server import SmtpServer
from tracker import audit_trail as audit
from tracker import create_app, migrate
from tracker import db as tracker_db
from tracker.auth import tokens
from tracker.models import Base, User
from tracker.seed import load_demo, load_reference


def _share_url_builders() -> None:
    """Keep Werkzeug's URL builders for the session: every test's app compiles the same ones again.

    Werkzeug compiles two Python functions per URL rule from the rule's parts (most of create_app's
    time). A builder reads everything else from the rule it is bound to at call time, so the one made
    for a rule serves every app's identical rule.
    """
    compile_builder = Rule._compile_builder
    built: dict[tuple, object] = {}

    def shared(self, append_unknown: bool = True):
        key = (
            self.rule,
            tuple(self._trace),
            tuple(sorted((name, repr(value)) for name, value in (self.defaults or {}).items())),
            tuple(sorted((name, type(converter)) for name, converter in self._converters.items())),
            append_unknown,
        )
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    Rule._compile_builder = shared


_share_url_builders()


# What a test's database holds when it starts: each level is the one before plus more. A test gets the
# highest level its fixtures ask for, from a template seeded once per session (SqliteTemplates, PostgresTemplates).
EMPTY, SEEDED, HISTORY = "empty", "seeded", "demo history"
LEVELS = (EMPTY, SEEDED, HISTORY)
HISTORY_TODAY = date(2025, 6, 30)
LEVEL = pytest.StashKey[str]()


def _seed(session: Session, level: str) -> None:
    """Raise a database one level, as the `seeded` and `demo_history` fixtures promise."""
    if level == SEEDED:
        load_reference(session)
        load_demo(session, HASH_ITERATIONS, history=False)
    elif level == HISTORY:
        from tracker.seed.demo_history import load_demo_history
        from tracker.seed.demo_values import load_demo_values

        load_demo_history(session, HISTORY_TODAY)
        load_demo_values(session, HISTORY_TODAY)


def _seed_to(url: str, level: str, start: str = EMPTY) -> None:
    """Seed the database at url from level `start` up to `level`, as a test's session would."""
    app = create_app({**BASE_CONFIG, "DATABASE_URL": url})
    engine = tracker_db.get_engine(app)
    with Session(bind=engine) as session:
        audit.set_actor(session, audit.Actor(email="test", role="test"))
        for step in LEVELS[LEVELS.index(start) + 1 : LEVELS.index(level) + 1]:
            _seed(session, step)
    engine.dispose()


class SqliteTemplates:
    """A migrated database file, and copies of it seeded to each level, each made when first asked for."""

    def __init__(self, directory):
        self.directory = directory
        self.paths: dict[str, str] = {}
        path = directory / "template.sqlite3"
        app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
        migrate.upgrade(app)
        tracker_db.get_engine(app).dispose()
        self.paths[EMPTY] = str(path)

    def path(self, level: str) -> str:
        if level not in self.paths:
            below = LEVELS[LEVELS.index(level) - 1]
            path = self.directory / f"template-{level.replace(' ', '-')}.sqlite3"
            shutil.copyfile(self.path(below), path)
            _seed_to(f"sqlite:///{path}", level, start=below)
            self.paths[level] = str(path)
        return self.paths[level]

    def database_url(self, level: str, tmp_path) -> str:
        path = tmp_path / "tracker.sqlite3"
        shutil.copyfile(self.path(level), path)
        return f"sqlite:///{path}"


class PostgresTemplates:
    """A schema of the suite's own, migrated once; each test's tables are set to a level before it starts.

    A level above empty is seeded once into the schema and its rows copied into a snapshot schema;
    a test then starts from TRUNCATE … RESTART IDENTITY and an INSERT … SELECT of every table from the
    snapshot (in foreign-key order, the tables' own triggers off so the ledger's spells and the data
    version are copied rather than made again), and every sequence is set back to where seeding left it.
    """

    def __init__(self):
        self.schema = f"test_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(TEST_DATABASE_URL)
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        self.url = with_search_path(TEST_DATABASE_URL, self.schema)
        app = create_app({**BASE_CONFIG, "DATABASE_URL": self.url})
        migrate.upgrade(app)
        tracker_db.get_engine(app).dispose()
        self.engine = create_engine(self.url)
        self.tables = list(Base.metadata.sorted_tables)
        with self.engine.connect() as conn:
            self.sequences = list(
                conn.scalars(
                    text("SELECT sequencename FROM pg_sequences WHERE schemaname = :s ORDER BY 1"), {"s": self.schema}
                )
            )
            self.with_triggers = list(
                conn.scalars(
                    text(
                        "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = :s AND NOT t.tgisinternal ORDER BY 1"
                    ),
                    {"s": self.schema},
                )
            )
        self.snapshots: dict[str, tuple[str, dict[str, tuple[int, bool]]]] = {}

    def _truncate(self, conn) -> None:
        truncate_all(conn, [t.name for t in self.tables])

    def _snapshot(self, level: str) -> tuple[str, dict[str, tuple[int, bool]]]:
        if level not in self.snapshots:
            below = LEVELS[LEVELS.index(level) - 1]
            self.restore(below)
            _seed_to(self.url, level, start=below)
            snapshot = f"{self.schema}_{level.replace(' ', '_')}"
            with self.engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{snapshot}"'))
                for table in self.tables:
                    conn.execute(text(f'CREATE TABLE "{snapshot}"."{table.name}" AS TABLE "{table.name}"'))
                sequences = {
                    name: tuple(conn.execute(text(f'SELECT last_value, is_called FROM "{name}"')).one())
                    for name in self.sequences
                }
            self.snapshots[level] = (snapshot, sequences)
        return self.snapshots[level]

    def restore(self, level: str) -> None:
        """Make the template's tables hold exactly what a fresh database seeded to `level` holds."""
        if level == EMPTY:
            with self.engine.begin() as conn:
                self._truncate(conn)  # the data version's truncate triggers make its row afresh
            return
        snapshot, sequences = self._snapshot(level)
        with self.engine.begin() as conn:
            for name in self.with_triggers:
                conn.execute(text(f'ALTER TABLE "{name}" DISABLE TRIGGER USER'))
            self._truncate(conn)
            for table in self.tables:
                columns = ", ".join(f'"{c.name}"' for c in table.columns if c.computed is None)
                conn.execute(
                    text(
                        f'INSERT INTO "{table.name}" ({columns}) OVERRIDING SYSTEM VALUE '
                        f'SELECT {columns} FROM "{snapshot}"."{table.name}"'
                    )
                )
            for name, (last_value, is_called) in sequences.items():
                conn.execute(
                    text("SELECT setval(:seq, :value, :called)"),
                    {"seq": name, "value": last_value, "called": is_called},
                )
            for name in self.with_triggers:
                conn.execute(text(f'ALTER TABLE "{name}" ENABLE TRIGGER USER'))

    def database_url(self, level: str, tmp_path) -> str:
        self.restore(level)
        return self.url

    def close(self) -> None:
        self.engine.dispose()
        with self.admin.begin() as conn:
            for schema in [self.schema, *(snapshot for snapshot, _ in self.snapshots.values())]:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory) -> Iterator[SqliteTemplates | PostgresTemplates]:
    """The suite's migrated database and its seeded levels: files (SQLite) or a schema and snapshots (PostgreSQL)."""
    if ON_POSTGRES:
        templates = PostgresTemplates()
        yield templates
        templates.close()
    else:
        yield SqliteTemplates(tmp_path_factory.mktemp("template"))


def _level_asked_for(request) -> str:
    """The highest level the test's fixtures ask for: known before the app is made on the database."""
    if "demo_history" in request.fixturenames:
        return HISTORY
    if "seeded" in request.fixturenames:
        return SEEDED
    return EMPTY


@pytest.fixture
def database_url(request, database_templates, tmp_path) -> str:
    """This test's database, already holding what its `seeded` or `demo_history` fixture promises."""
    level = _level_asked_for(request)
    request.node.stash[LEVEL] = level
    return database_templates.database_url(level, tmp_path)


class SessionBytecodeCache(BytecodeCache):
    """Compiled templates kept for the whole session: each test's app would compile every page it renders again.

    Jinja keys the code by template name and checks it against a checksum of the source.
    """

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if (code := self.code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SessionBytecodeCache()

_COMPILED_SQL: dict[str, tuple[Dialect, object]] = {}


def _share_compiled_sql(engine: Engine) -> None:
    """Let every test's engine reuse the SQL the session's engines compiled before it.

    SQLAlchemy keeps each statement's compiled SQL in a cache per engine, keyed by the engine's
    dialect, so each test's new engine compiled every statement it ran again (about a fifth of a
    test's time). The engines of one database kind share the first one's dialect (the same
    SQLite library, or the same PostgreSQL server) and its cache; the SQL sent is the same.
    """
    if engine.dialect.name not in _COMPILED_SQL:
        # A dialect learns its server's version on its engine's first connection; the engines that
        # borrow it never run that for it, so the first one connects before it is shared.
        with engine.connect():
            pass
    dialect, cache = _COMPILED_SQL.setdefault(engine.dialect.name, (engine.dialect, engine._compiled_cache))
    engine.dialect = engine.pool._dialect = dialect
    engine._compiled_cache = cache


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database, with extra config."""
    apps = []

    def factory(**config):
        app = create_app({**BASE_CONFIG, "DATABASE_URL": database_url, **config})
        app.jinja_env.bytecode_cache = TEMPLATE_CODE
        app.instance_path = str(tmp_path / "instance")
        _share_compiled_sql(tracker_db.get_engine(app))
        apps.append(app)
        return app

    yield factory
    for app in apps:
        tracker_db.get_engine(app).dispose()


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


def _raise_to(request, session: Session, level: str) -> Session:
    """The test's database at `level`: it started there (see database_url), or is seeded up to it now
    (a fixture asked for by getfixturevalue, after the database was made)."""
    have = request.node.stash.get(LEVEL, EMPTY)
    for step in LEVELS[LEVELS.index(have) + 1 : LEVELS.index(level) + 1]:
        _seed(session, step)
        request.node.stash[LEVEL] = step
    session.expire_all()
    return session


@pytest.fixture
def seeded(request, app, session):
    """The reference data and the demo accounts."""
    return _raise_to(request, session, SEEDED)


@pytest.fixture
def demo_history(request, seeded):
    """The demo adoption history and measure values as `seed --demo` makes them, dated up to 30 June 2025."""
    return _raise_to(request, seeded, HISTORY)


@pytest.fixture
def client(app) -> FormClient:
    return FormClient(app.test_client())


ROLES = ("trust", "faculty", "manager", "admin")


@pytest.fixture
def token(seeded) -> dict[str, str]:
    """role → a bearer token of that demo account (the test's transaction ended)."""
    issued = {
        role: tokens.issue_token(seeded, seeded.scalar(select(User).filter_by(email=f"{role}@demo.invalid")))
        for role in ROLES
    }
    seeded.commit()
    return issued


@pytest.fixture
def signed_in(seeded, client):
    """Sign the client in as a demo account of the given role."""

    def as_role(role: str) -> FormClient:
        client.sign_in_as(role)
        return client

    return as_role


@pytest.fixture(scope="session")
def oidc_provider_server() -> Iterator[OidcProvider]:
    """The suite's OpenID Connect provider (tests/oidc_provider.py), served on loopback for the session."""
    provider = OidcProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_provider(oidc_provider_server) -> Iterator[OidcProvider]:
    """The provider with no clients, codes or misbehaviour but this test's: the test client's callback is registered."""
    oidc_provider_server.reset()
    oidc_provider_server.register(CLIENT_ID, CLIENT_SECRET, f"http://localhost{CALLBACK}")
    yield oidc_provider_server
    oidc_provider_server.reset()


@pytest.fixture
def statement_counter(app):
    return lambda: count_statements(app)


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + make_url(TEST_DATABASE_URL).render_as_string() if ON_POSTGRES else 'SQLite (file per test)'}"


@pytest.fixture(scope="session")
def smtp_server_running() -> Iterator[SmtpServer]:
    """The suite's SMTP server (tests/smtp_server.py), served on loopback for the session."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(smtp_server_running) -> Iterator[SmtpServer]:
    """The SMTP server with no messages yet."""
    smtp_server_running.reset()
    yield smtp_server_running
    smtp_server_running.reset()
