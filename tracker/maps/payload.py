"""The network as the API, the map page and its script see it: plain JSON-ready dictionaries."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..cache import MetricsCache
from ..models import Stage
from . import assemble


def network_payload(
    session: Session,
    ambition: str | None,
    intervention: str | None,
    as_of: date,
    min_stage: Stage,
    cache: MetricsCache | None = None,
    include_drafts: bool = False,
) -> dict:
    """The API's answer for these filters; raises assemble.NotFound for an unknown code."""
    scope = assemble.find_scope(session, ambition, intervention, include_drafts=include_drafts)
    return as_json(assemble.build(session, scope, as_of, min_stage, cache))


def as_json(view: assemble.NetworkView) -> dict:
    return {
        "ambition": view.scope.ambition,
        "intervention": view.scope.intervention,
        "as_of": view.as_of.isoformat(),
        "min_stage": view.min_stage.value,
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
