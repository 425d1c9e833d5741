"""The network as the JSON API answers it (GET /api/v1/network): the one place a NetworkView
becomes JSON. The field names are the API's (intervention, min_stage), which users' reports use."""

from __future__ import annotations

from dataclasses import asdict

from . import assemble


def as_json(view: assemble.NetworkView) -> dict:
    return {
        "ambition": view.scope.ambition,
        "intervention": view.scope.idea,
        "as_of": view.as_of.isoformat(),
        "min_stage": view.threshold.value,
        "nodes": [node_json(n) for n in view.nodes],
        "edges": [asdict(e) for e in view.edges],
        "insights": insights_json(view.insights),
    }


def node_json(node: assemble.Node) -> dict:
    # Node's and Edge's fields are the API's names; only the day needs writing as text.
    return {**asdict(node), "adopted_on": node.adopted_on.isoformat() if node.adopted_on else None}


def insights_json(insights: assemble.Insights) -> dict:
    return {
        "frontier": [{"ods": r.ods, "name": r.name, "exposure": r.value} for r in insights.frontier],
        "brokers": [{"ods": r.ods, "name": r.name, "betweenness": r.value} for r in insights.brokers],
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
