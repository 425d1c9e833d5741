"""/healthz and /readyz for load balancers and orchestrators: public, no session cookie, JSON.

/healthz says the process answers and touches nothing else (not the database). /readyz says the
database answers and its schema is at the newest migration, so a server is only sent traffic it
can serve: after a deploy whose `flask db upgrade` has not run yet, it answers 503 and why.
"""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from .access import public
from .db import get_engine
from .migrate import alembic_config

bp = Blueprint("health", __name__)
_HEADS_KEY = "tracker.migration_heads"


def script_heads() -> frozenset[str]:
    """The newest revisions of migrations/ (read once per process: the scripts do not change under it)."""
    heads = current_app.extensions.get(_HEADS_KEY)
    if heads is None:
        heads = current_app.extensions[_HEADS_KEY] = frozenset(
            ScriptDirectory.from_config(alembic_config()).get_heads()
        )
    return heads


def migration_problem(current: frozenset[str], heads: frozenset[str]) -> str | None:
    """None when the database is at the newest revision, else what is wrong, in a short sentence."""
    if current == heads:
        return None
    if not current:
        return "the database has not been migrated (run flask --app tracker db upgrade)"
    return (
        f"the database is at revision {', '.join(sorted(current))}, not {', '.join(sorted(heads))} "
        "(run flask --app tracker db upgrade)"
    )


def _answer(status: int, **body):
    response = jsonify(status="ready" if status == 200 else "unavailable", **body)
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
    return response


@bp.get("/healthz")
@public
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz():
    try:
        with get_engine().connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        current_app.logger.warning("Not ready: the database does not answer (%s)", type(error).__name__)
        return _answer(503, reason="the database does not answer")
    problem = migration_problem(current, script_heads())
    if problem:
        return _answer(503, reason=problem)
    return _answer(200)
