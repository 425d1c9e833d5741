"""The network as the JSON API answers it (GET /api/v1/network): the one place a NetworkView
becomes JSON. The field names are the API's (intervention, min_stage), which users' reports use."""

from __future__ import annotations

from . import assemble


def as_json(view: assemble.NetworkView) -> dict:
    return {
        "ambition": view.scope.ambition,
        "intervention": view.scope.idea,
        "as_of": view.as_of.isoformat(),
        "min_stage": view.threshold.value,
        "nodes": [node_json(n) for n in view.nodes],
        "edges": [edge_json(e) for e in view.edges],
        "insights": insights_json(view.insights),
    }


def node_json(node: assemble.Node) -> dict:
    return {
        "id": node.id,
        "kind": node.kind,
        "name": node.name,
        "ods": node.ods,
        "network": node.network,
        "lat": node.lat,
        "lon": node.lon,
        "stage": node.stage,
        "adopted": node.adopted,
        "adopted_on": node.adopted_on.isoformat() if node.adopted_on else None,
        "exposure": node.exposure,
        "frontier": node.frontier,
        "betweenness": node.betweenness,
        "community": node.community,
        "adopter_category": node.adopter_category,
    }


def edge_json(edge: assemble.Edge) -> dict:
    return {
        "source": edge.source,
        "target": edge.target,
        "kind": edge.kind,
        "weight": edge.weight,
        "status": edge.status,
    }


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
