"""Flat feeds for Power BI, Excel, R and Python: GET /api/v1/feeds/<name>.csv or .json (no extension: JSON).

For every signed-in role and every API token (a read-scoped one is enough). Each feed's columns, their
types and meanings are in tracker.feeds.dictionary (and on the data-dictionary page); they never change
within API v1. Filters are query parameters; unknown ones are ignored, a malformed one is 400 naming
it, a code that names nothing 404 naming it: all before the first byte is sent.

Each feed is paged like every list of the API (tracker.api.paging: limit, cursor; default 500 rows,
at most 2,000), so no answer is too large for one request at any size of ledger: the next page's
address is in the Link header (rel="next") of a CSV page and in "next" of a JSON one, absent or null
on the last page. A page is a fixed number of statements: one Core select (tracker.feeds.queries),
a count where cheap, written out in chunks (tracker.feeds.encode); monthly coverage, one row a month,
is the coverage series and not paged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Response, abort

from ..access import sees_drafts, signed_in
from ..catalogue.queries import CATALOGUE_ORDER
from ..db import get_session
from ..feeds import encode, queries
from ..feeds.dictionary import FEEDS
from ..lookups import organisation_by_ods
from ..models import Adoption, AdoptionEvent, Ambition, Organisation
from . import paging
from . import queries as api_queries
from .coverage import series_asked
from .params import BadParameter, code_parameter, day_parameter


def _known(found: int | None, message: str) -> int:
    if found is None:
        abort(404, message)
    return found


def _filters(*codes: str, days: Sequence[str] = ()) -> queries.Filters:
    """The filters the feed takes: every value checked for form (400) before any code is looked up (404)."""
    dates = {name: day_parameter(name) for name in days}
    given = {name: code_parameter(name) for name in codes}
    if dates.get("since") and dates.get("until") and dates["since"] > dates["until"]:
        raise BadParameter("since", "since must be on or before until")
    session, ids, drafts = get_session(), {}, sees_drafts()
    if (code := given.get("organisation")) is not None:
        found = organisation_by_ods(session, code)
        ids["organisation_id"] = _known(found and found.id, f"No organisation has the ODS code {code}")
    if (code := given.get("intervention")) is not None:
        found = api_queries.idea_id(session, code, include_drafts=drafts)
        ids["idea_id"] = _known(found, f"No intervention has the code {code}")
    if (code := given.get("ambition")) is not None:
        ids["ambition_id"] = _known(api_queries.ambition_id(session, code), f"No ambition has the code {code}")
    if (code := given.get("network")) is not None:
        ids["network_id"] = _known(api_queries.network_id(session, code), f"No network has the code {code}")
    return queries.Filters(**ids, **dates, include_drafts=drafts)


LEDGER_CODES = (ORGANISATION, INTERVENTION, AMBITION, NETWORK) = ("organisation", "intervention", "ambition", "network")

# Each feed's page: in the order of a unique key (tracker.api.paging), sized as every list is. Events as they took effect; records by organisation
# and idea as added (the records' own index); organisations by ODS code; ideas in catalogue order.
KEYSETS = {
    "events": paging.Keyset("feeds/events", (AdoptionEvent.effective_date, AdoptionEvent.id), **paging.SIZES),
    "records": paging.Keyset("feeds/records", (Adoption.organisation_id, Adoption.change_idea_id), **paging.SIZES),
    "organisations": paging.Keyset("feeds/organisations", (Organisation.ods_code,), **paging.SIZES),
    "interventions": paging.Keyset(
        "feeds/interventions", (Ambition.position, Ambition.code, *CATALOGUE_ORDER), **paging.SIZES
    ),
}
COUNTED = ("organisations", "interventions")  # a count of every event or record is not cheap: no total


@dataclass(frozen=True)
class Rows:
    rows: list
    next: str | None = None
    total: int | None = None


def _page(name: str, stmt) -> Rows:
    """One page of the feed's select, read whole (a page is bounded) before the first byte is sent."""
    keyset = KEYSETS[name]
    wanted = paging.asked(keyset)
    session = get_session()
    page = paging.read(session, stmt, keyset, wanted)
    total = session.scalar(paging.counted(stmt)) if name in COUNTED else None
    return Rows(page.rows, paging.next_url(keyset, page), total)


def _events():
    return _page("events", queries.events(_filters(*LEDGER_CODES, days=("since", "until", "logged_since"))))


def _records():
    return _page("records", queries.records(_filters(*LEDGER_CODES)))


def _organisations():
    return _page("organisations", queries.organisations(_filters(NETWORK, days=("open_on",))))


def _interventions():
    return _page("interventions", queries.interventions(_filters(AMBITION)))


def _coverage_monthly():
    """One row a month, from start to end: bounded by the months asked for, so not paged."""
    series = series_asked()
    network = series.network.code if series.network is not None else None
    return Rows(
        [
            (
                p.month,
                p.month_end,
                series.ambition.code,
                network,
                series.threshold.value,
                p.organisations_total,
                p.organisations_reached,
                p.reach,
                p.depth,
            )
            for p in series.points
        ]
    )


ROWS = {
    "events": _events,
    "records": _records,
    "coverage-monthly": _coverage_monthly,
    "organisations": _organisations,
    "interventions": _interventions,
}


@signed_in
def feed(name: str, fmt: str = "json"):
    """One page of a feed, as CSV (the next page's address in the Link header) or JSON (in "next")."""
    spec = FEEDS[name]
    found = ROWS[name]()  # every parameter is checked, and the page read, before the first byte is sent
    body = encode.chunks(fmt, spec, found.rows, found.next, found.total)
    response = Response(body, content_type=encode.MIMETYPES[fmt], headers=paging.link_header(found.next))
    if fmt == "csv":
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
