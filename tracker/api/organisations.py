"""Networks and organisations over the JSON API.

Every view is for signed-in users of any role (anonymous callers get 401 JSON from tracker.access).
"""

from __future__ import annotations

from ..access import signed_in
from ..db import get_session
from ..leads.queries import organisation_contact
from ..lookups import organisation_by_ods
from . import queries, serialize
from .params import code_parameter, day_parameter, or_404


@signed_in
def networks():
    """Every network with how many organisations it holds (closed ones included)."""
    rows = queries.networks(get_session())
    return {"networks": [serialize.network(n, count) for n, count in rows]}


@signed_in
def organisations():
    """Organisations by ODS code (?network=CODE, ?open_on=YYYY-MM-DD narrow the list)."""
    day = day_parameter("open_on")
    network_code = code_parameter("network")
    session = get_session()
    network_id = None
    if network_code is not None:
        network_id = or_404(queries.network_id(session, network_code))
    rows = queries.organisations(session, network_id=network_id, open_on=day)
    return {"organisations": [serialize.organisation(o) for o in rows]}


@signed_in
def organisation(ods: str):
    """One organisation, with the ODS codes of the organisations it succeeded, and its QI lead (name and
    email) only if they have agreed to be named (null otherwise)."""
    session = get_session()
    found = or_404(organisation_by_ods(session, ods, related=True))
    return {**serialize.organisation_detail(found), "qi_lead": serialize.contact(organisation_contact(session, found))}
