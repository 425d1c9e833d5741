"""The collaborative's network over the JSON API, and as GraphML and CSV files.

GET /api/v1/network?ambition=CODE|intervention=CODE[&as_of=YYYY-MM-DD][&min_stage=STAGE]
GET /api/v1/network.graphml, /api/v1/network/nodes.csv, /api/v1/network/edges.csv (the same filters)

For every signed-in role. ambition or intervention is required: an intervention narrows adoption
to one change idea and implies its ambition; an ambition counts its published ideas. as_of defaults
to today in England; min_stage is the threshold stage (default implementing), one of the ladder's
stages. A missing or malformed parameter is 400 naming it; a code that names nothing (or a draft
idea, for those who may not see drafts) is 404. tracker.maps.assemble says what is counted;
tracker.maps.service is the service the map page uses too.

Each request runs a fixed number of statements whatever the amount of data. Betweenness and
communities (the costly measures) and the adoption figures are cached per process, keyed by what
they depend on, so a new link or adoption event is seen at once.
"""

from __future__ import annotations

import re

from flask import abort, request

from .. import page_cache
from ..access import sees_drafts, signed_in
from ..cache import metrics_cache
from ..calendar import today
from ..db import get_session
from ..maps import export, payload, service
from ..maps.assemble import NetworkView, NotFound
from ..tabular import MIMETYPES, to_csv
from .params import BadParameter, code_parameter, parse_day, threshold_parameter

UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9-]")  # codes are letters, digits and hyphens anyway


def _view() -> NetworkView:
    # Every parameter is checked for form before any code is looked up: 400 comes before 404.
    ambition = code_parameter("ambition")
    idea = code_parameter("intervention")
    if ambition is None and idea is None:
        raise BadParameter(
            "ambition",
            "ambition or intervention is required: give an ambition's code (e.g. ambition=RP) or a change idea's",
        )
    as_of = request.args.get("as_of")
    day = today() if as_of is None else parse_day("as_of", as_of.strip())
    filters = service.Filters(ambition, idea, day, threshold_parameter())
    try:
        return service.network(get_session(), filters, metrics_cache(), include_drafts=sees_drafts())
    except NotFound as e:
        abort(404, e.message)


def _file_name(view: NetworkView, suffix: str = "") -> str:
    code = UNSAFE_IN_FILE_NAME.sub("_", view.scope.idea or view.scope.ambition)
    return f"network-{code}-{view.as_of:%Y-%m-%d}{suffix}"


@signed_in
def network():
    """The network's nodes and edges as of a day, each organisation with its adoption and measures."""
    return page_cache.json_answer(lambda: payload.as_json(_view()))


@signed_in
def network_graphml():
    """The network as GraphML: every node and edge with its attributes (the file kept per state of the data)."""

    def build() -> tuple[bytes, str]:
        view = _view()
        return export.to_graphml(view), _file_name(view, ".graphml")

    return page_cache.download_answer(build, export.GRAPHML_MIMETYPE)


@signed_in
def network_nodes_csv():
    """The network's nodes as CSV, one row each (kept likewise)."""

    def build() -> tuple[bytes, str]:
        view = _view()
        return to_csv(export.NODE_COLUMNS, export.node_rows(view)), _file_name(view, "-nodes.csv")

    return page_cache.download_answer(build, MIMETYPES["csv"])


@signed_in
def network_edges_csv():
    """The network's edges as CSV, one row each (kept likewise)."""

    def build() -> tuple[bytes, str]:
        view = _view()
        return to_csv(export.EDGE_COLUMNS, export.edge_rows(view)), _file_name(view, "-edges.csv")

    return page_cache.download_answer(build, MIMETYPES["csv"])
