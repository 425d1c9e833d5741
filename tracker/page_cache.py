"""Heavy pages and API answers kept rendered, per address, day, kind of viewer and state of the data.

The dashboard, the spread map, the coverage report, the forecast and the network and coverage APIs
read the whole ledger and the network, yet say the same to everyone who may see the same
(tracker.access.viewer_key) on the same day for the same data. Their content is rendered once per
data version (tracker.models.versions: any write that a figure reads makes a new version, so a kept
page is never stale, in this process or any other) and served from page_cache() until then. What
differs per person (the header with their name, the sign-out form and its CSRF token, messages) is
in base.html, rendered every time around the kept content.

A view hands over the page's template, its content's template and a function building the content's
context, called only on a miss. Error pages (a form that does not validate) are never kept: the view
renders those itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping

from flask import Response, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from .access import viewer_key
from .cache import page_cache
from .calendar import today
from .db import get_session
from .models.versions import cached
from .tabular import download

# Where the kept content goes in the page around it: a marker no template or data can hold.
_SLOT = f"<!--content-{secrets.token_hex(16)}-->"


def _key(kind: str, name: str) -> tuple:
    """What a kept answer depends on besides the data: the address with its query, the viewer, the day."""
    address = (request.script_root, request.path, tuple(sorted(request.args.items(multi=True))))
    return (kind, name, address, viewer_key(current_user), today())


def page(template: str, content_template: str, build: Callable[[], Mapping[str, object]], **context) -> Response:
    """The page: template (which puts `content` in its content block) around content_template rendered
    with build()'s context, that content kept as UTF-8 for this address, viewer, day and data.

    Only the page around the content is rendered and encoded each time: the kept bytes (most of a
    spread map's megabyte) are handed to the server as they are.
    """

    def encode() -> bytes:
        return render_template(content_template, **build()).encode()

    body = cached(get_session(), page_cache(), _key("page", content_template), encode)
    head, tail = render_template(template, content=Markup(_SLOT), **context).split(_SLOT)
    parts = [head.encode(), body, tail.encode()]
    response = current_app.response_class(parts, mimetype="text/html")
    response.content_length = sum(map(len, parts))
    return response


def json_answer(build: Callable[[], object]) -> Response:
    """build()'s value as a JSON response (as a view returning it would be), its bytes kept likewise."""

    def encode() -> bytes:
        return current_app.json.response(build()).get_data()

    body = cached(get_session(), page_cache(), _key("json", request.endpoint or ""), encode)
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


def download_answer(build: Callable[[], tuple[bytes, str]], mimetype: str) -> Response:
    """build()'s file, (its bytes, its name), as a download (tracker.tabular.download), kept likewise: the
    name is kept in front of the bytes, so that a kept file needs nothing computed to be named."""

    def encode() -> bytes:
        body, name = build()
        return name.encode() + b"\0" + body

    kept = cached(get_session(), page_cache(), _key("download", request.endpoint or ""), encode)
    name, _separator, body = kept.partition(b"\0")
    return download(body, mimetype, name.decode())


def bytes_answer(build: Callable[[], bytes], mimetype: str) -> Response:
    """build()'s bytes (an SVG image, say) as a response of that type, kept likewise."""
    body = cached(get_session(), page_cache(), _key("bytes", request.endpoint or ""), build)
    return current_app.response_class(body, mimetype=mimetype)
