"""Heavy pages and API answers kept rendered, per address, day, kind of viewer and state of the data.

The dashboard, the spread map, the coverage report, the forecast and the network and coverage APIs
read the whole ledger and the network, yet say the same to everyone who may see the same
(tracker.access.viewer_key) on the same day for the same data. Their content is rendered once per
data version (tracker.models.versions: any write that a figure reads makes a new version, so a kept
page is never stale, in this process or any other) and served from page_cache() until then. What
differs per person (the header with their name, the sign-out form and its CSRF token, messages) is
in base.html, rendered every time around the kept content.

A view hands over a template and a function building that template's context; it is called only on
a miss. Error pages (a form that does not validate) are never kept: the caller renders them itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Response, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from .access import viewer_key
from .cache import page_cache
from .calendar import today
from .db import get_session
from .models.versions import cached


def _key(kind: str, name: str) -> tuple:
    """What a kept answer depends on besides the data: the address with its query, the viewer, the day."""
    address = (request.script_root, request.path, tuple(sorted(request.args.items(multi=True))))
    return (kind, name, address, viewer_key(current_user), today())


def content(template: str, build: Callable[[], Mapping[str, object]]) -> Markup:
    """The template rendered with build()'s context, kept for this address, viewer, day and data."""
    rendered = cached(get_session(), page_cache(), _key("page", template), lambda: render_template(template, **build()))
    return Markup(rendered)


def json_answer(build: Callable[[], object]) -> Response:
    """build()'s value as a JSON response (as a view returning it would be), its text kept likewise."""

    def encode() -> str:
        return current_app.json.response(build()).get_data(as_text=True)

    body = cached(get_session(), page_cache(), _key("json", request.endpoint or ""), encode)
    return current_app.response_class(body, mimetype=current_app.json.mimetype)
