"""Flat feeds for Power BI, Excel, R and Python: GET /api/v1/feeds/<name>.csv or .json (no extension: JSON).

For every signed-in role and every API token (a read-scoped one is enough). Each feed's columns, their
types and meanings are in tracker.feeds.dictionary (and on the data-dictionary page); they never change
within API v1. Filters are query parameters; unknown ones are ignored, a malformed one is 400 naming
it, a code that names nothing 404 naming it: all before the first byte is sent.

Each feed is a fixed number of statements whatever the amount of data: the rows come from one Core
select (tracker.feeds.queries) read in batches and written as they come (tracker.feeds.encode), so
100,000 events stream without being held in memory; monthly coverage is the coverage series.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response, abort

from ..access import sees_drafts, signed_in
from ..db import get_engine, get_session
from ..feeds import encode, queries
from ..feeds.dictionary import FEEDS
from ..lookups import organisation_by_ods
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


LEDGER_CODES = ("organisation", "intervention", "ambition", "network")


def _selected(stmt) -> Iterable[Sequence[Any]]:
    # Read on a connection of its own as the body is sent: the request's session is closed by then.
    return queries.streamed(get_engine(), stmt)


def _events():
    return _selected(queries.events(_filters(*LEDGER_CODES, days=("since", "until", "logged_since"))))


def _records():
    return _selected(queries.records(_filters(*LEDGER_CODES)))


def _organisations():
    return _selected(queries.organisations(_filters("network", days=("open_on",))))


def _interventions():
    return _selected(queries.interventions(_filters("ambition")))


def _coverage_monthly():
    series = series_asked()
    network = series.network.code if series.network is not None else None
    return [
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


ROWS = {
    "events": _events,
    "records": _records,
    "coverage-monthly": _coverage_monthly,
    "organisations": _organisations,
    "interventions": _interventions,
}


@signed_in
def feed(name: str, fmt: str = "json"):
    """One feed, every row, as CSV or JSON, streamed."""
    spec = FEEDS[name]
    rows = ROWS[name]()  # every parameter is checked before the first byte is sent
    response = Response(encode.chunks(fmt, spec, rows), content_type=encode.MIMETYPES[fmt])
    if fmt == "csv":
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
