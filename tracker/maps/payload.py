"""The network as the JSON API answers it (GET /api/v1/network): the one place a NetworkView
becomes JSON. The field names are the API's (intervention, min_stage), which users' reports use.

Kept under 2 MB at 2,500 organisations and 12,000 links (README, "API"): membership edges are left
out of "edges" (each node's network says them: the collaborative holds every network, a network its
organisations, and the collaborative those with none; the GraphML and CSV files still list them),
and a learning link's status is written only when it is proposed (no status: confirmed).
"""

from __future__ import annotations

from . import assemble


def as_json(view: assemble.NetworkView) -> dict:
    return {
        "ambition": view.scope.ambition,
        "intervention": view.scope.idea,
        "as_of": view.as_of.isoformat(),
        "min_stage": view.threshold.value,
        "betweenness_method": method_json(view.insights.betweenness_method),
        "nodes": [node_json(n) for n in view.nodes],
        "edges": [edge_json(e) for e in view.learning_links],
        "insights": insights_json(view.insights),
    }


def method_json(method: assemble.BetweennessMethod) -> dict:
    """exact, or pivots and seed of the estimate with its error: the largest standard error of any node's."""
    return {"exact": method.exact, "pivots": method.pivots, "seed": method.seed, "error": method.error}


def node_json(node: assemble.Node) -> dict:
    # Node's fields are the API's names; only the day needs writing as text. vars() is asdict()
    # without its deep copy, which at 2,500 organisations took most of the answer's time.
    return {**vars(node), "adopted_on": node.adopted_on.isoformat() if node.adopted_on else None}


def edge_json(edge: assemble.Edge) -> dict:
    found = {"source": edge.source, "target": edge.target, "kind": edge.kind, "weight": edge.weight}
    if edge.status != assemble.CONFIRMED:
        found["status"] = edge.status
    return found


def insights_json(insights: assemble.Insights) -> dict:
    return {
        "frontier": [{"ods": r.ods, "name": r.name, "exposure": r.value} for r in insights.frontier],
        "brokers": [
            {"ods": r.ods, "name": r.name, "betweenness": r.value, "standard_error": r.error} for r in insights.brokers
        ],
        "communities": [
            {
                "community": c.number,
                "organisations": list(c.organisations),
                "reached": c.reached,
                "total": c.total,
                "coverage": c.coverage,
            }
            for c in insights.communities
        ],
        "isolated": list(insights.isolated),
        "attributable": [
            {"ods": a.ods, "adopted_on": a.adopted_on.isoformat(), "after": list(a.after)}
            for a in insights.attributable
        ],
        "adopter_categories": {category: list(ods) for category, ods in insights.adopter_categories.items()},
    }
