"""The database: one engine per app, one session per request.

SQLite (the embedded default) gets WAL, foreign keys and a busy timeout on every connection.
Transactions that write begin with BEGIN IMMEDIATE: a deferred transaction that reads first and
writes later fails at once ("database is locked") when another writer got in between, whatever
the busy timeout. Requests with an unsafe method and write_session() use IMMEDIATE; reads stay
DEFERRED so they never queue behind each other.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ENGINE_KEY = "tracker.engine"
_HOOKS_KEY = "tracker.session_hooks"
_OWNER_KEY = "tracker.owner_engine"
SessionHook = Callable[[Session, bool], None]


def database_url(app: Flask) -> str:
    url = app.config.get("DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + os.path.join(app.instance_path, "tracker.sqlite3")


def make_engine(url: str, echo: bool = False) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Reads through the OS page cache without a read() call per page: reports touch many pages.
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def init_app(app: Flask) -> None:
    app.extensions[_ENGINE_KEY] = make_engine(database_url(app), echo=app.config["SQL_ECHO"])
    app.extensions[_HOOKS_KEY] = []
    app.teardown_appcontext(_close_session)


def on_new_session(app: Flask, hook: SessionHook) -> None:
    """Call hook(session, in_request) on every session this app makes (the audit trail names its actor)."""
    app.extensions[_HOOKS_KEY].append(hook)


def _opened(session: Session, app: Flask, in_request: bool) -> Session:
    for hook in app.extensions.get(_HOOKS_KEY, ()):
        hook(session, in_request)
    return session


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions[_ENGINE_KEY]


def get_owner_engine(app: Flask | None = None) -> Engine:
    """The engine of the role that owns the tables (DATABASE_OWNER_URL), else the app's own engine."""
    app = app or current_app
    url = app.config.get("DATABASE_OWNER_URL")
    if not url:
        return get_engine(app)
    if _OWNER_KEY not in app.extensions:
        app.extensions[_OWNER_KEY] = make_engine(url, echo=app.config["SQL_ECHO"])
    return app.extensions[_OWNER_KEY]


@contextmanager
def as_owner(app: Flask | None = None) -> Iterator[None]:
    """Run a maintenance command (prune, backup, restore) as the owning role: for its duration the app's
    engine is the owner's, so its sessions, checks and audit entries all go through that one role."""
    app = app or current_app
    kept = app.extensions[_ENGINE_KEY]
    app.extensions[_ENGINE_KEY] = get_owner_engine(app)
    try:
        yield
    finally:
        app.extensions[_ENGINE_KEY] = kept


def app_role(app: Flask) -> str | None:
    """The app's own role, when it is not the owner's: the one `flask db grant` serves by default."""
    owner = app.config.get("DATABASE_OWNER_URL")
    if not owner:
        return None
    role = make_url(database_url(app)).username
    return role if role and role != make_url(owner).username else None


def _writing_engine(engine: Engine) -> Engine:
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def get_session() -> Session:
    """The session of the current request (or app context), made on first use."""
    if "db_session" not in g:
        engine = get_engine()
        if has_request_context() and request.method not in SAFE_METHODS:
            engine = _writing_engine(engine)
        g.db_session = _opened(Session(bind=engine), current_app, has_request_context())
    return g.db_session


@contextmanager
def write_session(app: Flask | None = None) -> Iterator[Session]:
    """A session whose transactions write (for the CLI and other work outside requests)."""
    app = app or current_app
    with Session(bind=_writing_engine(get_engine(app))) as session:
        yield _opened(session, app, False)


def lock_for_writing(session: Session, name: str) -> None:
    """Serialise one kind of write for the rest of the transaction.

    SQLite's BEGIN IMMEDIATE already lets one writer in at a time; PostgreSQL takes an advisory lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
