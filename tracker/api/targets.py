"""An ambition's dated targets over the JSON API: add one, change one (managers and administrators).

Reading them is GET /api/v1/ambitions (each ambition's "targets"). Writing goes through the same service
as the pages, so the same rules, audit trail and optimistic versions:

POST /api/v1/ambitions/<code>/targets adds a target. Body: {"label", "text", "target_date" (YYYY-MM-DD),
"measure" ("reach" or "ward_coverage"), "value" (a percentage, 0 to 100)} required; "network" (a network
code, or null for the whole programme) and "source_url" optional. Answers 201 with the target and its "id"
and "row_version".

PUT /api/v1/targets/<id> changes one: the same body, every field sent again, plus "row_version" (the one
read). 409 with the target as it now is when someone changed it since; 422 for a published programme
target, which stays as published.

422 {"error": {…, "fields": {field: message}}} for anything wrong, nothing written; 404 for an ambition or
target that is not there. CSRF, scopes and Idempotency-Key as for the API's other writes (tracker.api.guard).
"""

from __future__ import annotations

import math
from typing import Any

from flask import abort
from sqlalchemy import select

from ..access import editors_only
from ..catalogue import target_queries as queries
from ..catalogue.services import targets as rules
from ..db import get_session
from ..editing import EditConflict, InvalidInput, version_number
from ..errors import error_json
from ..extensions import csrf
from ..models import AmbitionTarget, Network
from .guard import writes
from .serialize import target as target_json
from .writes import BodyShape, day_field, invalid_body, json_body

REQUIRED = ("label", "text", "target_date", "measure")
OPTIONAL_TEXT = ("network", "source_url")
BODY = BodyShape(fields=(*REQUIRED, "value", *OPTIONAL_TEXT), required=REQUIRED, optional_text=OPTIONAL_TEXT)
EDIT_BODY = BodyShape(
    fields=(*REQUIRED, "value", *OPTIONAL_TEXT, "row_version"), required=REQUIRED, optional_text=OPTIONAL_TEXT
)
CONFLICT = (
    'This target changed since you read it: nothing was saved. The target as it now is is in "current"; '
    "send your change again with its row_version."
)


def _with_id(target: AmbitionTarget) -> dict[str, Any]:
    return {"id": target.id, "row_version": target.row_version, **target_json(target)}


def parse_target(session, body: Any, shape: BodyShape = BODY) -> rules.TargetDetails:
    """The body as the service's details, checked for shape and types (the service checks the rules)."""
    text, errors = shape.read(body)
    value = body.get("value")
    if value is None:
        errors["value"] = rules.ENTER_VALUE
    elif isinstance(value, bool) or not isinstance(value, int | float):
        errors["value"] = "value must be a number: the percentage the target aims at, from 0 to 100"
    elif not -1000 <= value <= 1000 or not math.isfinite(value):  # an int too big for a float is refused here
        errors["value"] = "value must be a percentage the target aims at, from 0 to 100"
    day = day_field("target_date", text["target_date"], errors)
    network_id = None
    if (text["network"] or "").strip():
        network_id = session.scalar(select(Network.id).where(Network.code == text["network"].strip().upper()))
        if network_id is None:
            errors["network"] = f"No network has the code {text['network'].strip()[:20]}"
    if errors:
        raise InvalidInput(errors)
    return rules.TargetDetails(
        label=text["label"] or "",
        text=text["text"] or "",
        target_date=day,
        measure=(text["measure"] or "").strip(),
        value=float(value),
        network_id=network_id,
        source_url=(text["source_url"] or "").strip(),
    )


def _field_names(error: InvalidInput) -> dict[str, str]:
    """The service names the form's fields: the API's are the body's."""
    renamed = {"network_id": "network", "form": "body"}
    return {renamed.get(name, name): message for name, message in error.errors.items()}


@editors_only
@csrf.exempt
@writes
def create_target(code: str):
    """Add a dated target to an ambition (see the module docstring)."""
    session = get_session()
    ambition = queries.ambition_for_targets(session, code)
    if ambition is None:
        abort(404, f"No ambition has the code {code}")
    try:
        added = rules.create_target(session, ambition, parse_target(session, json_body()))
    except InvalidInput as error:
        session.rollback()
        return invalid_body(_field_names(error))
    return _with_id(added), 201


@editors_only
@csrf.exempt
@writes
def update_target(target_id: int):
    """Change a target the programme team set (see the module docstring)."""
    session = get_session()
    target = queries.target_detail(session, target_id)
    if target is None:
        abort(404, f"No target has the id {target_id}")
    body = json_body()
    try:
        details = parse_target(session, body, EDIT_BODY)
        version = version_number(body.get("row_version"))
        changed = rules.update_target(session, target, details, version)
    except InvalidInput as error:
        session.rollback()
        return invalid_body(_field_names(error))
    except EditConflict as conflict:
        current = _with_id(conflict.current) if conflict.current is not None else None
        session.rollback()
        return error_json(409, CONFLICT, current=current)
    return _with_id(changed), 200
