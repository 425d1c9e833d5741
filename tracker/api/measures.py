"""Measures and their monthly values over the JSON API.

GET /api/v1/measures (every signed-in role): every measure with its fields.
GET /api/v1/measures/<code>/values?organisation=ODS&ward=ID (every signed-in role): the measure's
values, of one organisation (as a whole and its wards) or one of its wards; organisation is required
when ward is given. 400 names a malformed parameter; 404 an unknown measure, organisation or ward.
POST /api/v1/measures/<code>/values records a month through the same service as the form (so the
same rules, permission and audit trail). Body: {"organisation": ODS, "ward": id or null, "month":
"YYYY-MM", "numerator": number, "denominator": number or null, "note": text, "expected_version":
int (optional)}. Without expected_version the month must be new; with it, the value at that place
and month is replaced if it is still at that version (0: there is none yet). Answers:
  201 the value recorded; 200 the value replaced
  401 no credentials; 403 an account that may not record for the organisation
  404 an unknown measure code (the URL)
  409 expected_version is not the value's: {"error": {…, "current": value or null}}
  422 anything wrong with the body, by field: {"error": {…, "fields": {field: message}}}
Nothing is written unless the answer is 200 or 201. CSRF as for the other writes (tracker.api.writes).
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..access import may_record_values, signed_in
from ..db import get_session
from ..editing import EditConflict, InvalidInput, check_version, version_number
from ..errors import error_json
from ..extensions import csrf
from ..lookups import organisation_by_ods
from ..measures import value_queries
from ..measures import values as service
from ..measures.value_rules import ValueInput, month_of
from ..models import Measure, MeasureValue, Ward
from . import paging
from .guard import writes
from .params import BadParameter, code_parameter, or_404
from .serialize import iso
from .writes import LARGEST_ID, BodyShape, invalid_body, json_body

REQUIRED = ("organisation", "month")
OPTIONAL_TEXT = ("note",)
BODY = BodyShape(
    fields=(*REQUIRED, "ward", "numerator", "denominator", *OPTIONAL_TEXT, "expected_version"),
    required=REQUIRED,
    optional_text=OPTIONAL_TEXT,
)
# Organisations × wards × months: grows every month. The whole organisation's values (no ward) first.
VALUES = paging.Keyset(
    "measure-values",
    (MeasureValue.organisation_id, func.coalesce(MeasureValue.ward_id, 0), MeasureValue.month, MeasureValue.id),
    **paging.SIZES,
)
CONFLICT = (
    "This value changed since you read it: nothing was saved. The current value is in "
    '"current"; read it, and send again with its version as expected_version.'
)


def measure_json(m: Measure) -> dict[str, Any]:
    return {
        "code": m.code,
        "ambition": m.ambition.code,
        "name": m.name,
        "kind": m.kind.value,
        "unit": m.unit,
        "numerator": m.numerator,
        "denominator": m.denominator or None,
        "scale": m.scale,
        "is_rate": m.is_rate,
        "direction": m.direction.value,
        "target": m.target,
        "definition": m.definition,
        "source_note": m.source_note,
        "source_url": m.source_url,
        "is_demo": m.is_demo,
    }


def value_json(v: MeasureValue, measure: Measure) -> dict[str, Any]:
    return {
        "id": v.id,
        "measure": measure.code,
        "organisation": v.organisation.ods_code,
        "ward": {"id": v.ward.id, "name": v.ward.name} if v.ward is not None else None,
        "month": f"{v.month:%Y-%m}",
        "numerator": v.numerator,
        "denominator": v.denominator,
        "note": v.note,
        "is_demo": v.is_demo,
        "recorded_at": iso(v.recorded_at),
        "version": v.row_version,
    }


@signed_in
def measures():
    """Every measure, by ambition and position."""
    return {"measures": [measure_json(m) for m in value_queries.measures(get_session())]}


def _ward_parameter() -> int | None:
    value = request.args.get("ward")
    if value is None:
        return None
    value = value.strip()
    if not value.isdigit() or len(value) > 9:
        raise BadParameter("ward", "ward must be a ward's id, a whole number")
    return int(value)


@signed_in
def measure_values(code: str):
    """The measure's values (?organisation=ODS, ?ward=ID), by organisation, ward (the whole organisation
    first) and month, a page at a time."""
    ward_id = _ward_parameter()
    ods = code_parameter("organisation")
    if ward_id is not None and ods is None:
        raise BadParameter("organisation", "organisation is required when ward is given: the ward's ODS code")
    session = get_session()
    measure = value_queries.measure_by_code(session, code)
    if measure is None:
        abort(404, f"No measure has the code {code}")
    wanted = paging.asked(VALUES)
    query = (
        select(MeasureValue)
        .where(MeasureValue.measure_id == measure.id)
        .options(joinedload(MeasureValue.organisation), joinedload(MeasureValue.ward))
    )
    if ods is not None:
        organisation = organisation_by_ods(session, ods.upper())
        if organisation is None:
            abort(404, f"No organisation has the ODS code {ods}")
        query = query.where(MeasureValue.organisation_id == organisation.id)
        if ward_id is not None:
            ward = session.get(Ward, ward_id)
            if ward is None or ward.organisation_id != organisation.id:
                abort(404, f"{organisation.ods_code} has no ward with the id {ward_id}")
            query = query.where(MeasureValue.ward_id == ward_id)
    page = paging.read(session, query, VALUES, wanted)
    total = session.scalar(paging.counted(query.with_only_columns(MeasureValue.id)))
    return paging.answer("values", [value_json(v, measure) for (v,) in page.rows], VALUES, page, total)


def _read_body(body: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The body's fields, checked for shape and type (the service checks the rules)."""
    text, errors = BODY.read(body)
    wanted: dict[str, Any] = {**text}
    ward = body.get("ward")
    if ward is not None and (isinstance(ward, bool) or not isinstance(ward, int) or not 0 < ward <= LARGEST_ID):
        errors["ward"] = "ward must be a ward's id (a whole number), or null for the organisation as a whole"
    for name in ("numerator", "denominator"):
        number = body.get(name)
        if number is not None and (isinstance(number, bool) or not isinstance(number, int | float)):
            errors[name] = f"{name} must be a number" + (" or null" if name == "denominator" else "")
    wanted.update(ward=ward, numerator=body.get("numerator"), denominator=body.get("denominator"))
    wanted["expected_version"] = None
    if body.get("expected_version") is not None:
        wanted["expected_version"] = version_number(body["expected_version"])
        if wanted["expected_version"] is None:
            errors["expected_version"] = f"expected_version must be a whole number from 0 to {LARGEST_ID:,}"
    return wanted, errors


@signed_in
@csrf.exempt
@writes
def record_measure_value(code: str):
    """Record (or, with expected_version, replace) a month's value (see the module docstring)."""
    session = get_session()
    measure = or_404(value_queries.measure_by_code(session, code))
    body = json_body()
    try:
        wanted, errors = _read_body(body)
    except InvalidInput as error:
        return invalid_body(error.errors)
    if errors:
        return invalid_body(errors)
    organisation = organisation_by_ods(session, wanted["organisation"].strip().upper())
    if organisation is None:
        return invalid_body({"organisation": f"No organisation has the ODS code {wanted['organisation'].strip()}"})
    user = current_user._get_current_object()
    if not may_record_values(user, organisation):
        abort(403, f"Your account may not record values for {organisation.ods_code}")
    ward = None
    if wanted["ward"] is not None:
        ward = session.get(Ward, wanted["ward"])
        if ward is None:
            return invalid_body({"ward": f"No ward has the id {wanted['ward']}"})
    data = ValueInput(wanted["month"], wanted["numerator"], wanted["denominator"], wanted["note"] or "")
    try:
        if wanted["expected_version"] is None:
            return value_json(service.record_value(session, user, measure, organisation, ward, data), measure), 201
        month, error = month_of(wanted["month"])
        if error:
            raise InvalidInput({"month": error})
        current = service.stored(session, service.key(measure, organisation, ward, month))
        check_version(current, wanted["expected_version"])
        if current is None:
            return value_json(service.record_value(session, user, measure, organisation, ward, data), measure), 201
        changed = service.change_value(session, user, current, ward, data, wanted["expected_version"])
        return value_json(changed, measure), 200
    except InvalidInput as error:
        session.rollback()
        return invalid_body(error.errors)
    except EditConflict as conflict:
        current = value_json(conflict.current, measure) if conflict.current is not None else None
        session.rollback()
        return error_json(409, CONFLICT, current=current)
