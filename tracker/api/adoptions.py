"""The adoption ledger over the JSON API: read the records and the history, log a stage move.

GET /api/v1/adoptions and /api/v1/adoptions/history are for every signed-in role; they take the
filters organisation=ODS, intervention=CODE, ambition=CODE, network=CODE and as_of=YYYY-MM-DD.
A malformed filter is 400 naming the parameter; a code that names nothing is 404 naming it.
Ideas of draft packages exist only for editors, as in the rest of the API (left out in SQL, so a page
is full of rows the caller may see). Both lists are paged (tracker.api.paging: limit, cursor, next).

Each record carries "since": the day its stage was first reached in its current run (an update
that keeps the stage, with new ward numbers or a note, does not move it), as on the pages.

POST /api/v1/adoptions logs one stage move through the same service as the log form (so the same
rules, permissions and audit trail) with channel "api". As on the form, a ward field left out of
the body keeps the record's number; null says it is not known (clears it). Answers:
  201 {"event": …, "record": {…, "became_current"}}
  401 no credentials, or a bad bearer token
  403 a role that may not log (trust), or faculty outside their networks
  409 expected_version is not the record's version: {"error": {…, "current": record or null}}
  422 anything wrong with the body, by field: {"error": {…, "fields": {field: message}}}. A missing
      or garbled expected_version is 422 too: every edit says which version it read (0 when the
      record does not exist yet), as the forms do (tracker.editing). Unknown
      organisation or intervention codes are 422 too (they are fields of the body, not the URL).
      An entry that repeats the record (same stage, numbers and reason, no new note or evidence) is
      422 on "stage": it would only move "since".
Nothing is written unless the answer is 201.

CSRF: clients with an API token send no cookie, so cross-site forgery cannot ride on them and the
view is exempt from the app's form-CSRF check. A caller signed in by session cookie (the app's own
pages calling the API) must send the CSRF token in the X-CSRFToken header, checked here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..access import loggers_only, sees_drafts, signed_in
from ..adoption import queries as ledger
from ..adoption import services
from ..adoption.rules import WARD_FIELDS, EventInput
from ..db import get_session
from ..editing import EditConflict, InvalidInput
from ..errors import error_json
from ..extensions import csrf
from ..lookups import organisation_by_ods
from ..models import Adoption, AdoptionEvent, AdoptionSpell
from . import paging, queries, serialize
from .guard import writes
from .params import code_parameter, day_parameter
from .writes import LARGEST_ID, BodyShape, day_field, invalid_body, json_body

# The service names the corrected event corrects_event_id; the API calls it corrects.
SERVICE_FIELDS = {"corrects_event_id": "corrects"}
CONFLICT = (
    "This record changed since you read it: nothing was saved. The current record is in "
    '"current"; read it, and send again with its version as expected_version.'
)

VERSION_REQUIRED = (
    "expected_version is required: the version of the record you read (0 when it has no record yet), "
    "so that nothing someone else logged meanwhile is overwritten"
)


def _known(found: object, message: str) -> None:
    if found is None:
        abort(404, message)


def _filters() -> ledger.EventFilters:
    """The query's filters: 400 for a malformed one, then 404 for a code that names nothing."""
    day = day_parameter("as_of")
    codes = {name: code_parameter(name) for name in ("organisation", "intervention", "ambition", "network")}
    session = get_session()
    if (code := codes["organisation"]) is not None:
        _known(organisation_by_ods(session, code), f"No organisation has the ODS code {code}")
    if (code := codes["intervention"]) is not None:
        found = queries.idea_id(session, code, include_drafts=sees_drafts())
        _known(found, f"No intervention has the code {code}")
    if (code := codes["ambition"]) is not None:
        _known(queries.ambition_id(session, code), f"No ambition has the code {code}")
    if (code := codes["network"]) is not None:
        _known(queries.network_id(session, code), f"No network has the code {code}")
    codes["idea"] = codes.pop("intervention")  # the API's parameter name, the ledger's
    return ledger.EventFilters(**codes, as_of=day)


# Records by organisation and idea as added (their ids: the spells' own index gives a page in order);
# events in the order they took effect. No total: counting would read every record or event.
RECORDS = paging.Keyset("adoptions", (AdoptionSpell.organisation_id, AdoptionSpell.change_idea_id), **paging.SIZES)
EVENTS = paging.Keyset("adoptions/history", (AdoptionEvent.effective_date, AdoptionEvent.id), **paging.SIZES)


@signed_in
def adoptions():
    """Each organisation × idea's record as of a day (default: now), with its current version, a page
    at a time (tracker.api.paging)."""
    wanted = paging.asked(RECORDS)
    session = get_session()
    stmt = ledger.records_as_of_query(_filters(), include_drafts=sees_drafts())
    # The record's version (what a client sends back as expected_version) in the same statement.
    version = (
        select(Adoption.row_version)
        .where(Adoption.organisation_id == AdoptionEvent.organisation_id)
        .where(Adoption.change_idea_id == AdoptionEvent.change_idea_id)
        .scalar_subquery()
    )
    page = paging.read(session, stmt.add_columns(version), RECORDS, wanted)
    items = [serialize.adoption_record(event, row_version, since) for event, since, row_version in page.rows]
    return paging.answer("adoptions", items, RECORDS, page)


@signed_in
def adoption_history():
    """Every event (effective on or before as_of, if given), in the order they took effect, a page at a time."""
    wanted = paging.asked(EVENTS)
    session = get_session()
    stmt = ledger.events_query(_filters(), include_drafts=sees_drafts())
    page = paging.read(session, stmt, EVENTS, wanted)
    items = [serialize.adoption_event(event, corrected_by) for event, corrected_by in page.rows]
    return paging.answer("events", items, EVENTS, page)


# --- logging ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogRequest:
    organisation: str
    idea: str  # its code; the body calls it intervention
    data: EventInput
    expected_version: int | None
    corrects: int | None
    keep_wards: frozenset[str]  # the ward fields left out of the body: they keep the record's numbers


REQUIRED = ("organisation", "intervention", "stage", "effective_date")
OPTIONAL_TEXT = ("note", "evidence_url", "discontinued_reason")
INTEGERS = ("wards_using", "wards_in_scope", "expected_version", "corrects")
BODY = BodyShape(fields=REQUIRED + OPTIONAL_TEXT + INTEGERS, required=REQUIRED, optional_text=OPTIONAL_TEXT)


def _integer(body: dict, name: str, errors: dict[str, str]) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[name] = f"{name} must be a whole number"
        return None
    if name in ("expected_version", "corrects") and not 0 <= value <= LARGEST_ID:
        errors[name] = f"{name} must be a whole number from 0 to {LARGEST_ID:,}"
        return None
    if abs(value) > LARGEST_ID:  # wards: the rules give the range; this keeps the number bindable
        errors[name] = "Enter a whole number of wards from 0 to 10,000"
        return None
    return value


def parse_log_request(body: Any) -> LogRequest:
    """The body of POST /adoptions, checked for shape and types (not yet for the ledger's rules).

    Raises InvalidInput naming each field that is missing, of the wrong type or unknown. Optional
    fields may be absent or null; expected_version is an integer field that is required.
    """
    text, errors = BODY.read(body)
    numbers = {name: _integer(body, name, errors) for name in INTEGERS}
    if "expected_version" not in errors and numbers["expected_version"] is None:
        errors["expected_version"] = VERSION_REQUIRED
    day = day_field("effective_date", text["effective_date"], errors)
    if errors:
        raise InvalidInput(errors)
    return LogRequest(
        organisation=text["organisation"].strip(),
        idea=text["intervention"].strip(),
        data=EventInput(
            stage=text["stage"].strip(),
            effective_date=day,
            wards_using=numbers["wards_using"],
            wards_in_scope=numbers["wards_in_scope"],
            note=text["note"] or "",
            evidence_url=(text["evidence_url"] or "").strip(),
            discontinued_reason=(text["discontinued_reason"] or "").strip() or None,
        ),
        expected_version=numbers["expected_version"],
        corrects=numbers["corrects"],
        keep_wards=frozenset(name for name in WARD_FIELDS if name not in body),
    )


def _record(adoption: Adoption | None) -> dict[str, Any] | None:
    if adoption is None:
        return None
    return serialize.adoption_record(adoption.current_event, adoption.row_version, adoption.stage_since)


def _invalid(errors: dict[str, str]):
    return invalid_body({SERVICE_FIELDS.get(name, name): message for name, message in errors.items()})


@loggers_only
@csrf.exempt
@writes
def log_adoption():
    """Log one stage move for an organisation and change idea (see the module docstring)."""
    session = get_session()
    try:
        wanted = parse_log_request(json_body())
    except InvalidInput as error:
        return _invalid(error.errors)
    errors = {}
    organisation = organisation_by_ods(session, wanted.organisation)
    if organisation is None:
        errors["organisation"] = f"No organisation has the ODS code {wanted.organisation}"
    idea = queries.idea(session, wanted.idea, include_drafts=sees_drafts())
    if idea is None:
        errors["intervention"] = f"No intervention has the code {wanted.idea}"
    if errors:
        return _invalid(errors)
    try:
        result = services.log_adoption(
            session,
            current_user._get_current_object(),
            organisation,
            idea,
            wanted.data,
            expected_version=wanted.expected_version,
            channel="api",
            corrects_event_id=wanted.corrects,
            keep_wards=wanted.keep_wards,
        )
    except services.NotPermitted:
        abort(403, f"Your account may not log adoption for {organisation.ods_code}")
    except InvalidInput as error:
        session.rollback()
        return _invalid(error.errors)
    except EditConflict as conflict:  # also another client logging the record's first event at the same moment
        current = _record(conflict.current)
        session.rollback()
        return error_json(409, CONFLICT, current=current)
    record = {**_record(result.adoption), "became_current": result.became_current}
    return {"event": serialize.adoption_event(result.event, None), "record": record}, 201
