"""What the API's JSON writes share: the CSRF rule, reading the body, and checking its fields."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request
from flask_wtf.csrf import CSRFError

from ..auth.session import signed_in_by_token
from ..extensions import csrf
from ..limits import LARGEST_INT

LARGEST_ID = LARGEST_INT  # ids beyond this cannot be bound on every database


def check_csrf() -> None:
    """Session-cookie callers must prove the request came from our pages; token callers need not."""
    if signed_in_by_token() or not current_app.config["WTF_CSRF_ENABLED"]:
        return
    try:
        csrf.protect()
    except CSRFError as error:
        abort(
            400,
            f"{error.description} A request signed in by session cookie must send the CSRF token "
            "in the X-CSRFToken header; programs should use an API token instead.",
        )


def json_body() -> Any:
    """The body parsed as JSON whatever its Content-Type, or None when it is not JSON."""
    try:
        return request.get_json(force=True, silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a body we could want
        return None


def text_field(body: dict, name: str, errors: dict[str, str]) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = f"{name} must be a string"
        return None
    if "\x00" in value:
        errors[name] = f"{name} must not contain the NUL character"
        return None
    return value
