"""The read endpoints of the JSON API: ambitions, interventions, networks and organisations.

Every view is for signed-in users of any role (anonymous callers get 401 JSON from tracker.access).
Draft packages and their ideas exist only for editors (managers and administrators): for everyone
else they are 404, exactly like rows that do not exist. Unknown query parameters are ignored; a
known one that is empty or malformed is 400, naming the parameter.
"""

from __future__ import annotations

import re
from datetime import date

from flask import abort, request

from ..access import sees_drafts, signed_in
from ..db import get_session
from ..errors import BadParameter
from ..models import Stage
from ..organisations.queries import organisation_by_ods
from . import bp, queries, serialize

ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def code_parameter(name: str) -> str | None:
    """The value of a code filter, None when absent; an empty value is a malformed request."""
    value = request.args.get(name)
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise BadParameter(name, f"{name} must not be empty: give a code, or leave {name} out")
    return value


THRESHOLDS = tuple(stage for stage in Stage if stage.rank is not None)
DEFAULT_THRESHOLD = Stage.IMPLEMENTING


def threshold_parameter() -> Stage:
    """The min_stage parameter (default implementing); discontinued is no threshold."""
    value = request.args.get("min_stage")
    if value is None:
        return DEFAULT_THRESHOLD
    try:
        stage = Stage(value.strip())
    except ValueError:
        stage = None
    if stage not in THRESHOLDS:
        names = ", ".join(s.value for s in THRESHOLDS)
        raise BadParameter("min_stage", f"min_stage must be one of {names}")
    return stage


def parse_day(name: str, value: str) -> date:
    """A day written exactly YYYY-MM-DD (the only form the API accepts), else BadParameter."""
    message = f"{name} must be a date in the form YYYY-MM-DD"
    if not ISO_DAY.fullmatch(value):
        raise BadParameter(name, message)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadParameter(name, message) from None


@bp.get("/ambitions")
@signed_in
def ambitions():
    """Every ambition with its targets and the packages that serve it."""
    rows = queries.ambitions(get_session(), include_drafts=sees_drafts())
    return {"ambitions": [serialize.ambition_summary(a) for a in rows]}


@bp.get("/ambitions/<code>")
@signed_in
def ambition(code: str):
    """One ambition with its packages, each with its driver diagram and ideas."""
    row = queries.ambition(get_session(), code, include_drafts=sees_drafts())
    if row is None:
        abort(404)
    return serialize.ambition_detail(row)


@bp.get("/interventions")
@signed_in
def interventions():
    """Every change idea (?ambition=CODE: of that ambition only), with where it sits."""
    session = get_session()
    ambition_id = None
    ambition_code = code_parameter("ambition")
    if ambition_code is not None:
        ambition_id = queries.ambition_id(session, ambition_code)
        if ambition_id is None:
            abort(404)
    rows = queries.interventions(session, include_drafts=sees_drafts(), ambition_id=ambition_id)
    return {"interventions": [serialize.intervention(i) for i in rows]}


@bp.get("/interventions/<code>")
@signed_in
def intervention(code: str):
    """One change idea."""
    row = queries.intervention(get_session(), code, include_drafts=sees_drafts())
    if row is None:
        abort(404)
    return serialize.intervention(row)


@bp.get("/networks")
@signed_in
def networks():
    """Every network with how many organisations it holds (closed ones included)."""
    rows = queries.networks(get_session())
    return {"networks": [serialize.network(n, count) for n, count in rows]}


@bp.get("/organisations")
@signed_in
def organisations():
    """Organisations by ODS code (?network=CODE, ?open_on=YYYY-MM-DD narrow the list)."""
    open_on = request.args.get("open_on")
    day = parse_day("open_on", open_on.strip()) if open_on is not None else None
    network_code = code_parameter("network")
    session = get_session()
    network_id = None
    if network_code is not None:
        network_id = queries.network_id(session, network_code)
        if network_id is None:
            abort(404)
    rows = queries.organisations(session, network_id=network_id, open_on=day)
    return {"organisations": [serialize.organisation(o) for o in rows]}


@bp.get("/organisations/<ods>")
@signed_in
def organisation(ods: str):
    """One organisation, with the ODS codes of the organisations it succeeded."""
    row = organisation_by_ods(get_session(), ods, related=True)
    if row is None:
        abort(404)
    return serialize.organisation_detail(row)
