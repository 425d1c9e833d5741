"""Learning links over the JSON API: list them, record one, delete one.

GET /api/v1/links is for every signed-in role. Filters: organisation=ODS (links of that
organisation, either end) and status=proposed|confirmed. A malformed filter is 400 naming the
parameter; an ODS code that names nothing is 404. Links are listed by id; each names its
organisations by ODS code, source being the one stored first (links are undirected, stored with the
lower organisation id first, so source and target may come back swapped from how they were sent).

POST /api/v1/links (managers and administrators) records a confirmed link through the same service
as the page, so the same rules and audit trail. Body: {"source", "target", "kind"} required;
"weight" (1–5, default 3), "note", "start_date" and "end_date" (YYYY-MM-DD) optional, may be null.
Answers 201 with the link; 422 {"error": {…, "fields": {field: message}}} for anything wrong in the
body (unknown organisations included), nothing written; 401 without credentials; 403 other roles.

DELETE /api/v1/links/<id> (managers and administrators): 204, or 404 for an id that names nothing
(409 in the rare case that someone changed the link at the same moment).

CSRF, as for POST /api/v1/adoptions: a caller signed in by session cookie must send the CSRF token in
the X-CSRFToken header; a caller with an API token sends no cookie and needs none.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request

from ..access import editors_only, signed_in
from ..db import get_session
from ..editing import EditConflict, InvalidInput
from ..errors import error_json
from ..extensions import csrf
from ..links import queries, services
from ..lookups import organisation_by_ods
from ..models import LearningLink, LinkStatus
from . import paging, serialize
from .guard import writes
from .params import BadParameter, code_parameter
from .writes import BodyShape, day_field, invalid_body, json_body

REQUIRED = ("source", "target", "kind")
OPTIONAL_TEXT = ("note", "start_date", "end_date")
BODY = BodyShape(fields=(*REQUIRED, "weight", *OPTIONAL_TEXT), required=REQUIRED, optional_text=OPTIONAL_TEXT)
STATUSES = tuple(s.value for s in LinkStatus)
# About five per organisation: 12,500 at ten times national.
LINKS = paging.Keyset("links", (LearningLink.id,), **paging.SIZES)
CONFLICT = (
    "This link changed while it was being deleted: nothing was deleted. The current link is in "
    '"current"; check it and send the DELETE again.'
)


def _status_parameter() -> LinkStatus | None:
    value = request.args.get("status")
    if value is None:
        return None
    try:
        return LinkStatus(value.strip())
    except ValueError:
        raise BadParameter("status", "status must be " + " or ".join(STATUSES)) from None


@signed_in
def links():
    """Every learning link (?organisation=ODS, ?status=proposed|confirmed narrow the list), by id, a page at a time."""
    wanted = paging.asked(LINKS)
    status = _status_parameter()
    code = code_parameter("organisation")
    session = get_session()
    organisation_id = None
    if code is not None:
        organisation = organisation_by_ods(session, code.upper())
        if organisation is None:
            abort(404, f"No organisation has the ODS code {code}")
        organisation_id = organisation.id
    stmt = queries.links_query(organisation_id, status)
    page = paging.read(session, stmt, LINKS, wanted)
    total = session.scalar(paging.counted(stmt.with_only_columns(LearningLink.id)))
    return paging.answer("links", [serialize.link(link) for (link,) in page.rows], LINKS, page, total)


def parse_link_request(body: Any) -> dict[str, Any]:
    """The body of POST /links as the service's keyword arguments, checked for shape and types.

    Raises InvalidInput naming each field that is missing, of the wrong type or unknown; the
    service then checks the rules (organisations exist, kind, weight 1–5, dates in order, …).
    """
    text, errors = BODY.read(body)
    weight = body.get("weight")
    if weight is None:
        weight = services.DEFAULT_WEIGHT
    elif isinstance(weight, bool) or not isinstance(weight, int):
        errors["weight"] = "weight must be a whole number from 1 to 5"
    start_date = day_field("start_date", text["start_date"], errors)
    end_date = day_field("end_date", text["end_date"], errors)
    if errors:
        raise InvalidInput(errors)
    return {
        "source_ods": text["source"],
        "target_ods": text["target"],
        "kind": text["kind"].strip(),
        "weight": weight,
        "note": text["note"] or "",
        "start_date": start_date,
        "end_date": end_date,
    }


@editors_only
@csrf.exempt
@writes
def create_link():
    """Record a confirmed learning link (see the module docstring)."""
    session = get_session()
    try:
        link = services.create_link(session, **parse_link_request(json_body()))
    except InvalidInput as error:
        session.rollback()
        return invalid_body(error.errors)
    return serialize.link(link), 201


@editors_only
@csrf.exempt
@writes
def delete_link(link_id: int):
    """Delete a learning link."""
    session = get_session()
    link = queries.link(session, link_id)
    if link is None:
        abort(404, f"No link has the id {link_id}")
    try:
        services.delete_link(session, link, link.row_version)  # DELETE takes no version: the link as read
    except EditConflict as conflict:
        if conflict.current is None:  # deleted by someone else at the same moment
            abort(404, f"No link has the id {link_id}")
        current = serialize.link(conflict.current)
        session.rollback()
        return error_json(409, CONFLICT, current=current)
    return "", 204
