"""Network measures for the spread of change ideas. No Flask, no database: records in, records out.

Every result is deterministic for the same input: nodes are added in a sorted order, ties are
broken by ODS code, and community detection runs with a fixed seed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from statistics import fmean, pstdev

import networkx as nx

COMMUNITY_SEED = 2021


@dataclass(frozen=True)
class OrganisationRecord:
    ods: str
    name: str
    network: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class LinkRecord:
    source: str  # ODS code
    target: str
    kind: str
    weight: int = 1
    confirmed: bool = True


def learning_graph(
    organisations: Iterable[OrganisationRecord], links: Iterable[LinkRecord], confirmed_only: bool = True
) -> nx.Graph:
    """Organisations joined by their learning links; parallel links of different kinds add their weights."""
    graph = nx.Graph()
    for organisation in sorted(organisations, key=lambda o: o.ods):
        graph.add_node(organisation.ods, name=organisation.name, network=organisation.network)
    for link in sorted(links, key=lambda record: (record.source, record.target, record.kind)):
        if confirmed_only and not link.confirmed:
            continue
        if link.source not in graph or link.target not in graph or link.source == link.target:
            continue
        if graph.has_edge(link.source, link.target):
            graph[link.source][link.target]["weight"] += link.weight
        else:
            graph.add_edge(link.source, link.target, weight=link.weight)
    return graph


def exposure(graph: nx.Graph, adopted: set[str]) -> dict[str, float]:
    """Each organisation's weighted share of neighbours that have adopted (0 when it has none)."""
    result = {}
    for node in graph.nodes:
        total = adopting = 0.0
        for neighbour, data in graph[node].items():
            total += data["weight"]
            if neighbour in adopted:
                adopting += data["weight"]
        result[node] = adopting / total if total else 0.0
    return result


def frontier(graph: nx.Graph, adopted: set[str]) -> list[tuple[str, float]]:
    """Non-adopters linked to at least one adopter, most exposed first (ties by ODS code)."""
    shares = exposure(graph, adopted)
    exposed = [(node, share) for node, share in shares.items() if node not in adopted and share > 0]
    return sorted(exposed, key=lambda item: (-item[1], item[0]))


def betweenness(graph: nx.Graph, sources: int | None = None, seed: int = 0) -> dict[str, float]:
    """Normalised betweenness: brokers sit on many shortest paths. Stronger links are shorter.

    A link's length is 1/weight scaled to a whole number (the weights' least common multiple over
    its weight), so that paths of equal length compare equal: in floating point 1/4 + 1/5 + 1/3
    need not equal 1/4 + 1/3 + 1/5, and a tie would then be credited to one path only. Lengths
    are worked out as paths are searched: the caller's graph is left as it was.

    `sources`: estimate it from the shortest paths of that many organisations drawn with `seed`
    (Brandes and Pich 2007), when there are more: exact betweenness searches from every one.
    """
    scale = math.lcm(*(data["weight"] for _u, _v, data in graph.edges(data=True)))
    sample = sources if sources is not None and sources < graph.number_of_nodes() else None
    return nx.betweenness_centrality(
        graph, k=sample, seed=seed, weight=lambda _u, _v, data: scale // data["weight"], normalized=True
    )


def communities(graph: nx.Graph) -> dict[str, int]:
    """Community number per organisation (1 = the largest); isolated organisations get their own."""
    found = nx.community.louvain_communities(graph, weight="weight", seed=COMMUNITY_SEED)
    ordered = sorted((sorted(c) for c in found), key=lambda members: (-len(members), members[0]))
    return {node: number for number, members in enumerate(ordered, start=1) for node in members}


def isolated(graph: nx.Graph) -> list[str]:
    return sorted(node for node in graph.nodes if graph.degree(node) == 0)


EARLY_ADOPTER = "early_adopter"
EARLY_MAJORITY = "early_majority"
LATE_MAJORITY = "late_majority"
LAGGARD = "laggard"
NOT_YET = "not_yet"
CATEGORY_LABELS = {
    EARLY_ADOPTER: "Early adopter",
    EARLY_MAJORITY: "Early majority",
    LATE_MAJORITY: "Late majority",
    LAGGARD: "Laggard",
    NOT_YET: "Not yet",
}


def adopter_categories(adopted_on: Mapping[str, date | None]) -> dict[str, str]:
    """Valente's categories from adoption dates: before mean − 1 SD early adopter, up to the mean
    early majority, up to mean + 1 SD late majority, later laggard; no date: not yet."""
    days = {ods: day.toordinal() for ods, day in adopted_on.items() if day is not None}
    if not days:
        return dict.fromkeys(adopted_on, NOT_YET)
    mean = fmean(days.values())
    sd = pstdev(days.values())
    result = {}
    for ods in adopted_on:
        t = days.get(ods)
        if t is None:
            result[ods] = NOT_YET
        elif t < mean - sd:
            result[ods] = EARLY_ADOPTER
        elif t <= mean:
            result[ods] = EARLY_MAJORITY
        elif t <= mean + sd:
            result[ods] = LATE_MAJORITY
        else:
            result[ods] = LAGGARD
    return result


@dataclass(frozen=True)
class AttributedAdoption:
    ods: str
    adopted_on: date
    after: tuple[str, ...]  # linked organisations that had adopted earlier


def network_attributable(graph: nx.Graph, adopted_on: Mapping[str, date | None]) -> list[AttributedAdoption]:
    """Adoptions that followed a linked organisation's earlier adoption, in date order."""
    result = []
    for ods, day in adopted_on.items():
        if day is None or ods not in graph:
            continue
        earlier = tuple(sorted(n for n in graph[ods] if adopted_on.get(n) is not None and adopted_on[n] < day))
        if earlier:
            result.append(AttributedAdoption(ods, day, earlier))
    return sorted(result, key=lambda a: (a.adopted_on, a.ods))
