"""Cursor paging for the API's lists: GET …?limit=N&cursor=TOKEN.

Each list is ordered by a stable, unique key (its "keyset": e.g. the event's effective date then its
id). A page is the first `limit` rows whose key comes after the cursor's, so a client walking the
pages while others write never gets a row twice and never misses one that was there when it
started: a row added before the cursor is simply not in the rest of the walk, one added after it is.
Offsets would shift under inserts; keys do not.

The cursor is the last row's key, signed with the app's secret and the list's name: a tampered or
foreign one is refused. It is signed, not encrypted (its key values, such as internal ids, can be read),
and it names no row the caller could not see: it only says where to resume.
A malformed limit or cursor is BadParameter (400 naming it). The `next` link keeps every other
parameter as given, so filters carry over; it is null on the last page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import current_app, request, url_for
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.orm import Session

from .params import BadParameter

# Every list: 500 rows unless asked, at most 2,000. A page of the widest rows (the events feed as JSON,
# about 570 bytes a row with a short note) is then about 1.1 MB, under the 2 MB any answer may be.
SIZES = {"default": 500, "maximum": 2000}


@dataclass(frozen=True)
class Keyset:
    """How one list is paged: its name (which binds its cursors), its key and its page sizes."""

    name: str
    keys: tuple[ColumnElement, ...]  # ascending, unique together, never null
    default: int
    maximum: int


@dataclass(frozen=True)
class Asked:
    limit: int
    after: tuple | None  # the key of the last row the client has; None: from the start


@dataclass(frozen=True)
class Page:
    rows: list  # each row as the statement gives it, less the key columns added for paging
    after: tuple | None  # the key of the last row, when more rows follow; None on the last page


def _serializer(keyset: Keyset) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=f"api-cursor:{keyset.name}")


def cursor_text(keyset: Keyset, after: tuple) -> str:
    return _serializer(keyset).dumps([v.isoformat() if isinstance(v, date) else v for v in after])


BAD_CURSOR = "cursor is not one this list gave: follow the next link as given, or start again without cursor"


def _value(key: ColumnElement, value: Any) -> Any:
    """One key value from the cursor, of the key column's type; ValueError if it is not."""
    kind = key.type.python_type
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str):
        return value
    raise ValueError(value)


def parse_cursor(keyset: Keyset, text: str) -> tuple:
    try:
        values = _serializer(keyset).loads(text.strip())
        if not isinstance(values, list) or len(values) != len(keyset.keys):
            raise ValueError(values)
        return tuple(_value(key, value) for key, value in zip(keyset.keys, values, strict=True))
    except (BadData, ValueError, TypeError, UnicodeError):
        raise BadParameter("cursor", BAD_CURSOR) from None


def parse_limit(keyset: Keyset, text: str | None) -> int:
    if text is None:
        return keyset.default
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 6 and 1 <= int(text) <= keyset.maximum:
        return int(text)
    raise BadParameter("limit", f"limit must be a whole number from 1 to {keyset.maximum}: the rows in one page")


def asked(keyset: Keyset) -> Asked:
    """The limit and cursor of this request: both checked before anything is read."""
    limit = parse_limit(keyset, request.args.get("limit"))
    cursor = request.args.get("cursor")
    return Asked(limit, None if cursor is None else parse_cursor(keyset, cursor))


def paged(stmt: Select, keyset: Keyset, wanted: Asked) -> Select:
    """The statement narrowed to one page (one row more than asked, to know whether more follow),
    ordered by the key, with the key's values added as the last columns of each row."""
    if wanted.after is not None:
        after = (literal(value, key.type) for key, value in zip(keyset.keys, wanted.after, strict=True))
        stmt = stmt.where(tuple_(*keyset.keys) > tuple_(*after))
    return stmt.add_columns(*keyset.keys).order_by(None).order_by(*keyset.keys).limit(wanted.limit + 1)


def page_of(rows: Sequence[Sequence[Any]], keyset: Keyset, wanted: Asked) -> Page:
    """The rows of a paged() statement as a page: the extra row and the key columns dropped."""
    width = len(keyset.keys)
    more = len(rows) > wanted.limit
    kept = rows[: wanted.limit]
    return Page([tuple(row[:-width]) for row in kept], tuple(kept[-1][-width:]) if more else None)


def read(session: Session, stmt: Select, keyset: Keyset, wanted: Asked) -> Page:
    """The page of the statement's rows that the request asked for: one statement (and its eager loads)."""
    return page_of(session.execute(paged(stmt, keyset, wanted)).all(), keyset, wanted)


def counted(stmt: Select) -> Select:
    """How many rows the (unpaged) statement gives: its total, on the same filters."""
    return select(func.count()).select_from(stmt.order_by(None).subquery())


def next_url(keyset: Keyset, page: Page) -> str | None:
    """The absolute address of the next page, keeping every other parameter as given; None on the last."""
    if page.after is None:
        return None
    # The query string is built here, not by url_for: a parameter named like one of url_for's own
    # (_external, _anchor) or like a path segment (code) must stay a parameter.
    kept = [(name, value) for name, values in request.args.lists() if name != "cursor" for value in values]
    query = urlencode([*kept, ("cursor", cursor_text(keyset, page.after))])
    return f"{url_for(request.endpoint, **(request.view_args or {}), _external=True)}?{query}"


def link_header(url: str | None) -> dict[str, str]:
    """The Link header that names the next page (RFC 8288), for answers whose body is not JSON."""
    return {"Link": f'<{url}>; rel="next"'} if url else {}


def answer(field: str, items: list, keyset: Keyset, page: Page, total: int | None = None) -> dict[str, Any]:
    """A page as JSON: its items under the list's own name, the next page's address and, where the
    list counts its rows cheaply, the total on the same filters (all pages)."""
    body: dict[str, Any] = {field: items, "next": next_url(keyset, page)}
    if total is not None:
        body["total"] = total
    return body
