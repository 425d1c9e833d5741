"""The JSON API, version 1: its blueprint and URL table.

The views live in topical modules (catalogue, organisations, adoptions, links, coverage, graph, spc,
measures, forecast, simulate, feeds), which know nothing of this one; each URL is registered here, its endpoint
named after its view (api.<function name>). Unknown query parameters are ignored; a known one that is empty or malformed
is 400, naming the parameter (tracker.api.params).
"""

from __future__ import annotations

from flask import Blueprint

from ..feeds.dictionary import FEEDS, FORMATS
from . import (
    adoptions,
    catalogue,
    coverage,
    feeds,
    forecast,
    graph,
    links,
    measures,
    organisations,
    simulate,
    spc,
    targets,
    versions,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

FEED_NAME = "<any({}):name>".format(", ".join(f'"{name}"' for name in FEEDS))

URLS = (
    ("/ambitions", "GET", catalogue.ambitions),
    ("/ambitions/<code>", "GET", catalogue.ambition),
    ("/ambitions/<code>/targets", "POST", targets.create_target),
    ("/targets/<int:target_id>", "PUT", targets.update_target),
    ("/interventions", "GET", catalogue.interventions),
    ("/interventions/<code>", "GET", catalogue.intervention),
    ("/interventions/<code>/leads", "GET", catalogue.intervention_leads),
    ("/packages/<code>/versions", "GET", versions.package_versions_list),
    ("/packages/<code>/versions/<int:number>", "GET", versions.package_version),
    ("/networks", "GET", organisations.networks),
    ("/organisations", "GET", organisations.organisations),
    ("/organisations/<ods>", "GET", organisations.organisation),
    ("/adoptions", "GET", adoptions.adoptions),
    ("/adoptions", "POST", adoptions.log_adoption),
    ("/adoptions/history", "GET", adoptions.adoption_history),
    ("/links", "GET", links.links),
    ("/links", "POST", links.create_link),
    ("/links/<int:link_id>", "DELETE", links.delete_link),
    ("/coverage", "GET", coverage.coverage),
    ("/coverage/series", "GET", coverage.coverage_series),
    ("/network", "GET", graph.network),
    ("/network.graphml", "GET", graph.network_graphml),
    ("/network/nodes.csv", "GET", graph.network_nodes_csv),
    ("/network/edges.csv", "GET", graph.network_edges_csv),
    ("/spc", "POST", spc.spc),
    ("/measures", "GET", measures.measures),
    ("/measures/<code>/values", "GET", measures.measure_values),
    ("/measures/<code>/values", "POST", measures.record_measure_value),
    ("/forecast", "GET", forecast.forecast),
    ("/engage", "GET", forecast.engage),
    ("/simulate", "POST", simulate.simulate),
    # The flat feeds for Power BI and Excel (tracker.feeds.dictionary): CSV or JSON by extension, JSON without.
    (f"/feeds/{FEED_NAME}.<any({', '.join(FORMATS)}):fmt>", "GET", feeds.feed),
    (f"/feeds/{FEED_NAME}", "GET", feeds.feed),
)

for rule, method, view in URLS:
    bp.add_url_rule(rule, view_func=view, methods=[method])
