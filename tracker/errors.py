"""Error pages in NHS style, and JSON errors under /api/. Never a stack trace."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import audit_trail, denials, request_id
from .access import is_api_request
from .addresses import subnet_of
from .audit_trail import request_actor
from .db import write_session
from .extensions import login_manager
from .models import utcnow

TITLES = {
    400: ("Bad request", "The request could not be understood. Check what you entered and try again."),
    401: ("Sign in required", "You need to sign in to use this."),
    403: (
        "You do not have access to this page",
        "Your account does not allow this. If you think it should, ask an administrator.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted it, check you copied the whole address.",
    ),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    409: ("Changed by someone else", "Someone else changed this since you opened it."),
    413: ("The file or form is too large", "What you sent is larger than this service accepts. Send a smaller file."),
    422: ("Check what you entered", "Some of what you sent is not valid."),
    500: ("Sorry, there is a problem with the service", "Try again later. What you were doing has not been saved."),
    503: (
        "Sorry, the service is unavailable",
        "Its database is not answering. Try again in a few minutes. What you were doing has not been saved.",
    ),
}

# A sign-in form posted over plain http while session cookies are only sent over https.
PLAIN_HTTP_TITLE = "Use the secure (https) address of this service"


def error_json(status: int, message: str | None = None, **extra):
    title, default = TITLES.get(status, ("Error", ""))
    body = {"status": status, "title": title, "message": message or default, **extra}
    return jsonify(error=body), status


def _record_denial(status: int) -> None:
    """A signed-in user's refused request goes in the audit trail; anyone else's is counted (tracker.denials).

    In a transaction of its own: the request's may hold SQLite's write lock, and nothing of it is wanted now.
    """
    actor = request_actor()  # before the rollback below expires the signed-in user
    request_session = g.get("db_session")
    if request_session is not None:
        request_session.rollback()
    try:
        with write_session() as session:
            if actor.id is None:
                denials.count(
                    session,
                    route=denials.route_of(request.method, request.url_rule.rule if request.url_rule else None),
                    subnet=subnet_of(request.remote_addr),
                    status=status,
                    at=utcnow(),
                    per_hour=current_app.config["ANONYMOUS_DENIALS_PER_HOUR"],
                    full=current_app.extensions.setdefault("tracker.denials_full", set()),
                )
            else:
                audit_trail.record(session, "denied", detail=f"Answered {status}", actor=actor)
            session.commit()
    except SQLAlchemyError:
        current_app.logger.exception("Could not record a denied request")


def _handle_http(error: HTTPException):
    status = error.code or 500
    if status in (401, 403):
        _record_denial(status)
    if isinstance(error, CSRFError) and cookie_refused():
        return _plain_http_page(error)
    if isinstance(error, CSRFError):
        message = "Your form expired or was sent from elsewhere. Go back, reload the page and try again."
    elif (
        error.description
        and error.description != type(error).description
        and (status in (400, 409, 422) or is_api_request())
    ):
        # A message the code chose (e.g. "No ambition has the code XX"), not Werkzeug's default.
        message = error.description
    else:
        message = None
    if is_api_request():
        # tracker.api.params.BadParameter names the malformed query parameter.
        parameter = getattr(error, "parameter", None)
        extra = {"parameter": parameter} if parameter is not None else {}
        response, status = error_json(status, message, **extra)
        if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response, status
    title, default = TITLES.get(status, ("Error", ""))
    template = render_template("errors/error.html", status=status, title=title, message=message or default)
    if status == 405:
        return template, status, {"Allow": ", ".join(getattr(error, "valid_methods", None) or [])}
    return template, status


# The last resort, when even the plain error page cannot be drawn: no template, no database.
BARE_PAGE = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{0}</title></head>'
    "<body><h1>{0}</h1><p>{1}</p><p>Quote this reference: {2}</p></body></html>"
)


def bare_page(status: int):
    return BARE_PAGE.format(*TITLES[status], request_id.current()), status, {"Content-Type": "text/html; charset=utf-8"}


def cookie_refused() -> bool:
    """Whether the browser did not send the session cookie back because it came over plain http.

    With SESSION_COOKIE_SECURE the cookie is marked Secure, and browsers keep it only for https: a
    form posted over http then arrives without it, which Flask-WTF reports as a missing CSRF token.
    """
    return (
        current_app.config["SESSION_COOKIE_SECURE"]
        and not request.is_secure
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
    )


def _plain_http_page(_error: CSRFError):
    if is_api_request():
        return error_json(400, "Send requests over https: this service's cookies are only sent over https.")
    secure_url = "https://" + request.host + request.full_path.rstrip("?")
    return render_template("errors/plain_http.html", title=PLAIN_HTTP_TITLE, secure_url=secure_url), 400


def detach_from_database() -> None:
    """Let an error page be drawn without the database: the request's session may be what failed.

    The session is rolled back first (a failed PostgreSQL transaction refuses every statement
    until then) and closed, and the page is drawn as for someone signed out, so no user is loaded
    for it (Flask-Login's user loader would ask the database again).
    """
    request_session = g.pop("db_session", None)
    if request_session is not None:
        try:
            request_session.rollback()
        except Exception:  # noqa: BLE001 - a dead connection: closing below is all that is left
            current_app.logger.exception("Could not roll back the failed request's session")
        finally:
            try:
                request_session.close()
            except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
                current_app.logger.exception("Could not close the failed request's session")
    # Flask-Login keeps the request's user in g._login_user: a signed-out user there means the page
    # (and Flask-Login's template context) never loads one, nor reads an expired one's attributes.
    g._login_user = login_manager.anonymous_user()


def _handle_500(_error: InternalServerError):
    """The 500 page, drawn without the database (see detach_from_database)."""
    # Flask logged the traceback just before; this line ties it to the reference the page shows.
    current_app.logger.error("Answered 500 (request %s)", request_id.current())
    detach_from_database()
    try:
        if is_api_request():
            return error_json(500)
        title, message = TITLES[500]
        return render_template("errors/error.html", status=500, title=title, message=message), 500
    except Exception:  # noqa: BLE001 - whatever broke, the answer is still a page with our headers
        current_app.logger.exception("Could not draw the 500 page")
        return bare_page(500)


def register_errors(app: Flask) -> None:
    # Unhandled exceptions reach the 500 handler as InternalServerError after Flask has logged them.
    app.register_error_handler(InternalServerError, _handle_500)
    app.register_error_handler(HTTPException, _handle_http)
