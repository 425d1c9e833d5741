"""Network measures for the spread of change ideas. No Flask, no database: records in, records out.

Every result is deterministic for the same input: nodes are added in a sorted order, ties are
broken by ODS code, and community detection runs with a fixed seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from heapq import heappop, heappush
from statistics import fmean, pstdev

import networkx as nx

COMMUNITY_SEED = 2021
# Exact betweenness searches from every organisation: O(VE), about 0.2 s at 250 organisations but over
# 40 s at 2,500. Above EXACT_BETWEENNESS_UP_TO it is estimated from PIVOTS organisations' shortest
# paths (Brandes and Pich 2007), drawn with PIVOT_SEED, at about PIVOTS/V of the cost, and each
# estimate's standard error is worked out from the same paths.
EXACT_BETWEENNESS_UP_TO = 1_000
PIVOTS = 50
PIVOT_SEED = 2021


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


def frontier(graph: nx.Graph, adopted: set[str], shares: Mapping[str, float] | None = None) -> list[tuple[str, float]]:
    """Non-adopters linked to at least one adopter, most exposed first (ties by ODS code).
    shares: exposure(graph, adopted), when the caller has it."""
    shares = exposure(graph, adopted) if shares is None else shares
    exposed = [(node, share) for node, share in shares.items() if node not in adopted and share > 0]
    return sorted(exposed, key=lambda item: (-item[1], item[0]))


def betweenness(graph: nx.Graph, sources: int | None = None, seed: int = 0) -> dict[str, float]:
    """Normalised betweenness: brokers sit on many shortest paths. Stronger links are shorter.

    A link's length is 1/weight scaled to a whole number (the weights' least common multiple over
    its weight), so that paths of equal length compare equal: in floating point 1/4 + 1/5 + 1/3
    need not equal 1/4 + 1/3 + 1/5, and a tie would then be credited to one path only. Lengths
    are worked out as paths are searched: the caller's graph is left as it was.

    Exact (every organisation's shortest paths) by Brandes's algorithm on whole-number lengths
    (_dependencies: networkx's own betweenness_centrality gives the same figures, three to four
    times slower, as it calls a length function for every link it follows).

    `sources`: estimate it from the shortest paths of that many organisations drawn with `seed`
    (Brandes and Pich 2007: estimated_betweenness), when there are more.
    """
    if sources is not None and sources < graph.number_of_nodes():
        return estimated_betweenness(graph, sources, seed)[0]
    nodes = sorted(graph.nodes)
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    total, _squares = _dependency_sums(_lengths(graph, nodes), range(n))
    return {node: total[v] / ((n - 1) * (n - 2)) for v, node in enumerate(nodes)}


@dataclass(frozen=True)
class Brokerage:
    """Betweenness per organisation, and how it was found.

    pivots is None when exact; else the estimate is from that many organisations' shortest paths
    (drawn with seed) and standard_error holds each organisation's standard error (same units).
    """

    values: Mapping[str, float]
    pivots: int | None = None
    seed: int | None = None
    standard_error: Mapping[str, float] | None = None

    @property
    def exact(self) -> bool:
        return self.pivots is None

    @property
    def largest_error(self) -> float:
        """The largest standard error of any organisation (0 when exact)."""
        return max(self.standard_error.values(), default=0.0) if self.standard_error else 0.0


def brokerage(
    graph: nx.Graph, exact_up_to: int | None = None, pivots: int | None = None, seed: int = PIVOT_SEED
) -> Brokerage:
    """Exact betweenness up to exact_up_to organisations (EXACT_BETWEENNESS_UP_TO), else the
    estimate from `pivots` of them (PIVOTS)."""
    exact_up_to = EXACT_BETWEENNESS_UP_TO if exact_up_to is None else exact_up_to
    pivots = PIVOTS if pivots is None else pivots
    if graph.number_of_nodes() <= exact_up_to or pivots >= graph.number_of_nodes():
        return Brokerage(betweenness(graph))
    values, errors = estimated_betweenness(graph, pivots, seed)
    return Brokerage(values, pivots, seed, errors)


def estimated_betweenness(graph: nx.Graph, pivots: int, seed: int) -> tuple[dict[str, float], dict[str, float]]:
    """Normalised betweenness estimated from the shortest paths of `pivots` organisations drawn
    without replacement (seeded), with each estimate's standard error.

    Brandes's dependency of pivot s on v, δ_s(v), summed over every s and divided by (n − 1)(n − 2),
    is v's normalised betweenness (betweenness() above). The estimate is n × the pivots' mean δ_s(v)
    over the same divisor; its standard error n·√((1 − k/n)·s²/k) over it, s² the pivots' sample
    variance of δ_s(v) (k pivots of n, sampling without replacement). Lengths are betweenness()'s,
    whole numbers, so that equal paths tie exactly.
    """
    nodes = sorted(graph.nodes)
    n = len(nodes)
    chosen = sorted(random.Random(seed).sample(range(n), pivots))
    total, squares = _dependency_sums(_lengths(graph, nodes), chosen)
    divisor = (n - 1) * (n - 2)
    k = len(chosen)
    values, errors = {}, {}
    for v, node in enumerate(nodes):
        mean = total[v] / k
        variance = max(squares[v] - k * mean * mean, 0.0) / (k - 1) if k > 1 else 0.0
        values[node] = n * mean / divisor
        errors[node] = n * math.sqrt((1 - k / n) * variance / k) / divisor
    return values, errors


def _dependency_sums(adjacency: list[list[tuple[int, int]]], sources: Iterable[int]) -> tuple[list[float], list[float]]:
    """Σ δ_s(v) and Σ δ_s(v)² over the sources s, for every node v (by index)."""
    total = [0.0] * len(adjacency)
    squares = [0.0] * len(adjacency)
    for source in sources:
        for v, d in enumerate(_dependencies(adjacency, source)):
            if d:
                total[v] += d
                squares[v] += d * d
    return total, squares


def _lengths(graph: nx.Graph, nodes: list[str]) -> list[list[tuple[int, int]]]:
    """Each node's neighbours (by index) with the link's length: betweenness()'s lcm/weight."""
    scale = math.lcm(*(data["weight"] for _u, _v, data in graph.edges(data=True)))
    index = {node: i for i, node in enumerate(nodes)}
    return [sorted((index[m], scale // data["weight"]) for m, data in graph[node].items()) for node in nodes]


def _dependencies(adjacency: list[list[tuple[int, int]]], source: int) -> list[float]:
    """Brandes (2001): Dijkstra from source counting shortest paths (σ), then each node's dependency
    δ(v) = Σ σ(v)/σ(w)·(1 + δ(w)) over the w whose shortest paths pass v, accumulated farthest first."""
    n = len(adjacency)
    distance: list[int | None] = [None] * n  # tentative, final once popped
    done = [False] * n
    sigma = [0] * n
    parents: list[list[int]] = [[] for _ in range(n)]
    order = []
    distance[source], sigma[source] = 0, 1
    heap = [(0, source)]
    while heap:
        d, v = heappop(heap)
        if done[v]:
            continue
        done[v] = True
        order.append(v)
        for w, length in adjacency[v]:
            if done[w]:
                continue
            reach = d + length
            known = distance[w]
            if known is None or reach < known:
                distance[w], sigma[w], parents[w] = reach, sigma[v], [v]
                heappush(heap, (reach, w))
            elif reach == known:
                sigma[w] += sigma[v]
                parents[w].append(v)
    delta = [0.0] * n
    for w in reversed(order):
        share = (1 + delta[w]) / sigma[w]
        for v in parents[w]:
            delta[v] += sigma[v] * share
    delta[source] = 0.0
    return delta


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
