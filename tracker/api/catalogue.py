"""The catalogue over the JSON API: ambitions, and change ideas (public URLs say interventions).

Every view is for signed-in users of any role (anonymous callers get 401 JSON from tracker.access).
Draft packages and their ideas exist only for editors (managers and administrators): for everyone
else they are 404, exactly like rows that do not exist.
"""

from __future__ import annotations

from flask import abort

from .. import lookups
from ..access import sees_drafts, signed_in
from ..adoption import queries as ledger
from ..catalogue.queries import CATALOGUE_ORDER
from ..db import get_session
from ..leads import queries as lead_queries
from ..models import ChangeIdea, PackageStatus
from . import paging, queries, serialize
from .params import code_parameter, or_404

# 150 ideas at ten times national: small, but growing with the catalogue, so paged like every list.
IDEAS = paging.Keyset("interventions", CATALOGUE_ORDER, **paging.SIZES)


@signed_in
def ambitions():
    """Every ambition with its targets and the packages that serve it."""
    rows = queries.ambitions(get_session(), include_drafts=sees_drafts())
    return {"ambitions": [serialize.ambition_summary(a) for a in rows]}


@signed_in
def ambition(code: str):
    """One ambition with its packages, each with its driver diagram and ideas."""
    return serialize.ambition_detail(or_404(queries.ambition(get_session(), code, include_drafts=sees_drafts())))


# The endpoints keep the public word (api.interventions, api.intervention), as the URLs do.


@signed_in
def interventions():
    """Every change idea (?ambition=CODE: of that ambition only), with where it sits, a page at a time."""
    wanted = paging.asked(IDEAS)
    session = get_session()
    ambition_id = None
    ambition_code = code_parameter("ambition")
    if ambition_code is not None:
        ambition_id = or_404(queries.ambition_id(session, ambition_code))
    stmt = queries.ideas(include_drafts=sees_drafts(), ambition_id=ambition_id)
    page = paging.read(session, stmt, IDEAS, wanted)
    total = session.scalar(paging.counted(stmt.with_only_columns(ChangeIdea.id)))
    return paging.answer("interventions", [serialize.idea(i) for (i,) in page.rows], IDEAS, page, total)


@signed_in
def intervention(code: str):
    """One change idea."""
    return serialize.idea(or_404(queries.idea(get_session(), code, include_drafts=sees_drafts())))


@signed_in
def intervention_leads(code: str):
    """Whom to ask about one change idea: each organisation with a record of it, its stage, and its lead
    (name and email) only where the lead has agreed to be named; its Life QI project link. Anonymous
    callers never get here (401), so names go only to signed-in people and token holders."""
    session = get_session()
    idea = or_404(lookups.idea_detail(session, code.upper()))
    if idea.package.status is not PackageStatus.PUBLISHED and not sees_drafts():
        abort(404)
    contacts = lead_queries.idea_contacts(session, idea)
    return {
        "intervention": idea.code,
        "organisations": [
            serialize.whom_to_ask(a, contacts.get(a.organisation_id)) for a in ledger.adopters(session, idea)
        ],
    }
