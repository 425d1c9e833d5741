"""A reference for every request: X-Request-ID on each response, in the access log and on error pages.

An incoming X-Request-ID (from a proxy or load balancer that already logged it) is kept when it is
well formed, so one reference follows the request through every log; anything else is replaced by
a fresh one, so a client cannot write arbitrary text into the logs.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def choose(incoming: str | None) -> str:
    """The incoming reference if well formed (letters, digits, . _ : -, at most 128), else a new one."""
    if incoming and WELL_FORMED.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current() -> str | None:
    """This request's reference (made on first use, so error paths that run early still have one)."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        g.request_id = choose(request.headers.get(HEADER))
    return g.request_id


def _choose_now() -> None:
    current()  # a before-request hook must return None, or its value would be the response


def _set_header(response: Response) -> Response:
    response.headers[HEADER] = current()
    return response


def init_request_id(app: Flask) -> None:
    app.before_request(_choose_now)
    app.after_request(_set_header)
    app.jinja_env.globals["request_id"] = current
