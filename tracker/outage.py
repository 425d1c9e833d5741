"""The database is down: 503 with Retry-After, the NHS page or a JSON error, never a bare 500.

Whatever the request was doing when the database stopped answering (Flask-Login loading the signed-in
user, a page's queries, a write), the answer is drawn without the database (errors.detach_from_database)
and still passes through the after-request hooks, so it carries the security headers and the request id.
Recovery needs no restart: the engine checks pooled connections before use (tracker.db, pool_pre_ping)
and a connection found dead is replaced on the next request.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from . import request_id
from .access import is_api_request
from .errors import TITLES, bare_page, detach_from_database, error_json

# What a database that is down, restarting, unreachable or unopenable raises (SQLite: "unable to open
# database file"; PostgreSQL: connection refused, or "terminating connection due to administrator command").
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)


def _handle_unavailable(error: Exception):
    current_app.logger.error(
        "Database unavailable, answered 503 (request %s): %s", request_id.current(), str(error).splitlines()[0]
    )
    detach_from_database()
    retry = {"Retry-After": str(current_app.config["RETRY_AFTER_SECONDS"])}
    if is_api_request():
        response, status = error_json(503)
        response.headers.update(retry)
        return response, status
    title, message = TITLES[503]
    try:
        return render_template("errors/error.html", status=503, title=title, message=message), 503, retry
    except Exception:  # noqa: BLE001 - whatever broke, the answer is still a 503 with our headers
        current_app.logger.exception("Could not draw the 503 page")
        page, status, headers = bare_page(503)
        return page, status, {**headers, **retry}


def register_outage(app: Flask) -> None:
    for kind in UNAVAILABLE:
        app.register_error_handler(kind, _handle_unavailable)
