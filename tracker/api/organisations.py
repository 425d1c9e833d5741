"""Networks and organisations over the JSON API.

Every view is for signed-in users of any role (anonymous callers get 401 JSON from tracker.access).
"""

from __future__ import annotations

from sqlalchemy import select

from ..access import signed_in
from ..db import get_session
from ..leads.queries import organisation_contact
from ..lookups import organisation_by_ods
from ..models import Network, Organisation
from . import paging, queries, serialize
from .params import code_parameter, day_parameter, or_404

# Both grow with the collaborative (2,500 organisations at ten times national): paged, with their totals.
NETWORKS = paging.Keyset("networks", (Network.code,), **paging.SIZES)
ORGANISATIONS = paging.Keyset("organisations", (Organisation.ods_code,), **paging.SIZES)


@signed_in
def networks():
    """Every network with how many organisations it holds (closed ones included), by code, a page at a time."""
    wanted = paging.asked(NETWORKS)
    session = get_session()
    stmt = queries.networks()
    page = paging.read(session, stmt, NETWORKS, wanted)
    total = session.scalar(paging.counted(select(Network.id)))
    return paging.answer("networks", [serialize.network(n, count) for n, count in page.rows], NETWORKS, page, total)


@signed_in
def organisations():
    """Organisations by ODS code (?network=CODE, ?open_on=YYYY-MM-DD narrow the list), a page at a time."""
    day = day_parameter("open_on")
    network_code = code_parameter("network")
    session = get_session()
    network_id = None
    if network_code is not None:
        network_id = or_404(queries.network_id(session, network_code))
    wanted = paging.asked(ORGANISATIONS)
    stmt = queries.organisations(network_id=network_id, open_on=day)
    page = paging.read(session, stmt, ORGANISATIONS, wanted)
    total = session.scalar(paging.counted(stmt.with_only_columns(Organisation.id)))
    items = [serialize.organisation(o) for (o,) in page.rows]
    return paging.answer("organisations", items, ORGANISATIONS, page, total)


@signed_in
def organisation(ods: str):
    """One organisation, with the ODS codes of the organisations it succeeded, and its QI lead (name and
    email) only if they have agreed to be named (null otherwise)."""
    session = get_session()
    found = or_404(organisation_by_ods(session, ods, related=True))
    return {**serialize.organisation_detail(found), "qi_lead": serialize.contact(organisation_contact(session, found))}
