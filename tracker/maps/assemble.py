"""The collaborative's network as of a day, as plain records: the nodes, edges and insights the page,
the API, the GraphML file and the CSV files are made of. Pure: no Flask, no database.

What the measures count (DOMAIN.md, "The network"):
- nodes are the collaborative, every network, and the organisations open on the day;
- learning links count when active on the day (start_date and end_date inclusive) between two open
  organisations; proposed links are returned for drawing but left out of every measure;
- an organisation has adopted when its state on the day (tracker.core.ledger: corrected events
  void, the last logged of a date wins) for one of the scope's ideas is at or above the threshold
  (discontinued never counts); its stage is the highest of those states (discontinued only when
  nothing else is left), and its adoption date the first day a state of any of the scope's ideas
  was at or above the threshold, even if it has stopped since (Valente's categories and the
  network-attributable adoptions are about when adoption happened).

tracker.maps.queries reads the records; tracker.maps.service puts reading, caching and compose() together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

import networkx as nx

from ..core import graph as measures
from ..core.graph import AttributedAdoption, LinkRecord, OrganisationRecord
from ..core.stages import LADDER, Stage

COLLABORATIVE = "collaborative"
COLLABORATIVE_NAME = "South of England Mental Health Quality and Patient Safety Improvement Collaborative"
NETWORK_PREFIX = "network:"
MEMBERSHIP = "membership"
CONFIRMED, PROPOSED = "confirmed", "proposed"  # a learning link's status, as the API and the files write it
KIND_COLLABORATIVE, KIND_NETWORK, KIND_ORGANISATION = "collaborative", "network", "organisation"
BROKERS = 5  # how many brokers the insights name
CATEGORY_ORDER = (
    measures.EARLY_ADOPTER,
    measures.EARLY_MAJORITY,
    measures.LATE_MAJORITY,
    measures.LAGGARD,
    measures.NOT_YET,
)
# The adoption query's ranks back to stages: 0 is discontinued (off the ladder).
STAGE_OF_RANK = {rank: stage for stage, rank in LADDER.items()} | {0: Stage.DISCONTINUED}


class NotFound(LookupError):
    """A code that names nothing the caller may see; the message says which."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Scope:
    """The ideas whose adoption counts: one idea's, or an ambition's published ones."""

    ambition: str
    idea: str | None
    idea_ids: tuple[int, ...]


@dataclass(frozen=True)
class AdoptionState:
    """One organisation's standing on the scope's ideas as of the day."""

    rank: int  # the highest rank among the latest events (0: all discontinued)
    adopted_on: date | None  # the first day an idea reached the threshold

    @property
    def stage(self) -> Stage:
        return STAGE_OF_RANK[self.rank]


@dataclass(frozen=True)
class BetweennessMethod:
    """How betweenness was found: exactly, or estimated from `pivots` organisations' shortest paths
    (drawn with `seed`), each estimate within about `error` (the largest standard error) of the exact."""

    exact: bool = True
    pivots: int | None = None
    seed: int | None = None
    error: float = 0.0


EXACT = BetweennessMethod()


def betweenness_note(method: BetweennessMethod, organisations: int) -> str:
    """How the brokers' betweenness was found, in a sentence for the page."""
    kept = "It is worked out on the first request after the learning links change and kept until they change again."
    if method.exact:
        return f"Betweenness is exact: from every organisation's shortest paths to every other. {kept}"
    return (
        f"With {organisations:,} organisations, betweenness is estimated from the shortest paths of "
        f"{method.pivots} organisations drawn at random (seed {method.seed}), not from all of them: "
        f"each figure is within about ±{method.error:.3f} of the exact one (one standard error, the largest "
        f"of any organisation's), so brokers whose figures are that close may be in either order. {kept}"
    )


@dataclass(frozen=True)
class GraphMetrics:
    betweenness: Mapping[str, float]
    communities: Mapping[str, int]
    method: BetweennessMethod = EXACT
    errors: Mapping[str, float] | None = None  # each organisation's standard error, when estimated


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    name: str
    ods: str | None = None
    network: str | None = None
    lat: float | None = None
    lon: float | None = None
    stage: str | None = None
    adopted: bool | None = None
    adopted_on: date | None = None
    exposure: float | None = None
    frontier: bool | None = None
    betweenness: float | None = None
    community: int | None = None
    adopter_category: str | None = None


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str
    weight: int | None = None  # learning links only
    status: str | None = None  # learning links only: confirmed or proposed


@dataclass(frozen=True)
class Ranked:
    """An organisation in a ranked list, with the number it is ranked by."""

    ods: str
    name: str
    value: float
    error: float | None = None  # its standard error, when the value is an estimate


@dataclass(frozen=True)
class Community:
    number: int
    organisations: tuple[str, ...]
    reached: int

    @property
    def total(self) -> int:
        return len(self.organisations)

    @property
    def coverage(self) -> float:
        return self.reached / self.total if self.total else 0.0


@dataclass(frozen=True)
class Insights:
    frontier: tuple[Ranked, ...]  # by exposure, highest first
    brokers: tuple[Ranked, ...]  # by betweenness, highest first; only those above zero
    communities: tuple[Community, ...]
    isolated: tuple[str, ...]
    attributable: tuple[AttributedAdoption, ...]
    adopter_categories: Mapping[str, tuple[str, ...]]
    betweenness_method: BetweennessMethod = EXACT


@dataclass(frozen=True)
class NetworkView:
    scope: Scope
    as_of: date
    threshold: Stage
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    insights: Insights

    @property
    def organisations(self) -> tuple[Node, ...]:
        return tuple(node for node in self.nodes if node.kind == KIND_ORGANISATION)

    @property
    def learning_links(self) -> tuple[Edge, ...]:
        return tuple(edge for edge in self.edges if edge.kind != MEMBERSHIP)

    @property
    def network_names(self) -> dict[str, str]:
        """Network code → name."""
        return {node.network: node.name for node in self.nodes if node.kind == KIND_NETWORK and node.network}


# The costly measures -------------------------------------------------------------------------


def graph_metrics(graph: nx.Graph) -> GraphMetrics:
    """The costly measures, which depend only on the graph: betweenness (exact O(VE) up to
    measures.EXACT_BETWEENNESS_UP_TO organisations, estimated above) and communities."""
    found = measures.brokerage(graph)
    method = BetweennessMethod(found.exact, found.pivots, found.seed, found.largest_error)
    errors = MappingProxyType(dict(found.standard_error)) if found.standard_error else None
    return GraphMetrics(
        MappingProxyType(dict(found.values)), MappingProxyType(measures.communities(graph)), method, errors
    )


def graph_key(graph: nx.Graph) -> tuple:
    """Everything graph_metrics depends on: the organisations and the weighted confirmed links."""
    edges = sorted((min(u, v), max(u, v), data["weight"]) for u, v, data in graph.edges(data=True))
    return ("graph", tuple(sorted(graph.nodes)), tuple(edges))


# Composing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adoption:
    """What the scope's adoption states mean at the threshold, per open organisation (by ODS code)."""

    states: Mapping[str, AdoptionState]
    adopted: frozenset[str]
    adopted_on: Mapping[str, date | None]


def adoption_at(
    threshold: Stage, organisations: Sequence[OrganisationRecord], states: Mapping[str, AdoptionState]
) -> Adoption:
    adopted = frozenset(ods for ods, state in states.items() if state.rank >= threshold.rank)
    adopted_on = {o.ods: states[o.ods].adopted_on if o.ods in states else None for o in organisations}
    return Adoption(states, adopted, adopted_on)


def compose(
    scope: Scope,
    day: date,
    threshold: Stage,
    network_rows: Sequence[tuple[str, str]],
    organisations: Sequence[OrganisationRecord],
    links: Sequence[LinkRecord],
    states: Mapping[str, AdoptionState],
    graph: nx.Graph,
    metrics: GraphMetrics,
) -> NetworkView:
    """Nodes, edges and insights from plain records.

    graph is the confirmed learning graph of the organisations; states are keyed by ODS code.
    Nodes come collaborative first, then networks by code, then organisations by ODS code; edges
    membership first (by source, target), then learning links (by source, target, kind).
    """
    organisations = sorted(organisations, key=lambda o: o.ods)
    adoption = adoption_at(threshold, organisations, states)
    categories = measures.adopter_categories(adoption.adopted_on)
    shares = measures.exposure(graph, set(adoption.adopted))
    exposed = measures.frontier(graph, set(adoption.adopted), shares)
    nodes = (
        *group_nodes(network_rows),
        *organisation_nodes(organisations, adoption, shares, exposed, metrics, categories),
    )
    edges = (*membership_edges(network_rows, organisations), *learning_edges(organisations, links))
    found = insights(organisations, adoption, graph, exposed, metrics, categories)
    return NetworkView(scope, day, threshold, nodes, edges, found)


def group_nodes(network_rows: Sequence[tuple[str, str]]) -> list[Node]:
    """The collaborative, then each network by code."""
    networks = [Node(NETWORK_PREFIX + code, KIND_NETWORK, name, network=code) for code, name in sorted(network_rows)]
    return [Node(COLLABORATIVE, KIND_COLLABORATIVE, COLLABORATIVE_NAME), *networks]


def organisation_nodes(
    organisations: Sequence[OrganisationRecord],
    adoption: Adoption,
    shares: Mapping[str, float],
    exposed: Sequence[tuple[str, float]],
    metrics: GraphMetrics,
    categories: Mapping[str, str],
) -> list[Node]:
    """One node per organisation, in the order given, with its adoption and measures
    (shares: measures.exposure; exposed: measures.frontier)."""
    on_frontier = {ods for ods, _share in exposed}
    nodes = []
    for o in organisations:
        state = adoption.states.get(o.ods)
        nodes.append(
            Node(
                id=o.ods,
                kind=KIND_ORGANISATION,
                name=o.name,
                ods=o.ods,
                network=o.network,
                lat=o.lat,
                lon=o.lon,
                stage=state.stage.value if state else None,
                adopted=o.ods in adoption.adopted,
                adopted_on=adoption.adopted_on[o.ods],
                exposure=shares[o.ods],
                frontier=o.ods in on_frontier,
                betweenness=metrics.betweenness[o.ods],
                community=metrics.communities[o.ods],
                adopter_category=categories[o.ods],
            )
        )
    return nodes


def membership_edges(
    network_rows: Sequence[tuple[str, str]], organisations: Sequence[OrganisationRecord]
) -> list[Edge]:
    """The collaborative to each network, and each organisation's network (or the collaborative) to it."""
    edges = [Edge(COLLABORATIVE, NETWORK_PREFIX + code, MEMBERSHIP) for code, _name in network_rows]
    edges += [
        Edge(NETWORK_PREFIX + o.network if o.network else COLLABORATIVE, o.ods, MEMBERSHIP) for o in organisations
    ]
    return sorted(edges, key=lambda e: (e.source, e.target))


def learning_edges(organisations: Sequence[OrganisationRecord], links: Sequence[LinkRecord]) -> list[Edge]:
    """The links between two of the organisations, confirmed or proposed."""
    known = {o.ods for o in organisations}
    edges = [
        Edge(link.source, link.target, link.kind, link.weight, CONFIRMED if link.confirmed else PROPOSED)
        for link in links
        if link.source in known and link.target in known and link.source != link.target
    ]
    return sorted(edges, key=lambda e: (e.source, e.target, e.kind))


def insights(
    organisations: Sequence[OrganisationRecord],
    adoption: Adoption,
    graph: nx.Graph,
    exposed: Sequence[tuple[str, float]],
    metrics: GraphMetrics,
    categories: Mapping[str, str],
) -> Insights:
    names = {o.ods: o.name for o in organisations}
    return Insights(
        frontier=tuple(Ranked(ods, names[ods], share) for ods, share in exposed),
        brokers=brokers(names, metrics),
        communities=communities(metrics, adoption.adopted),
        isolated=tuple(measures.isolated(graph)),
        attributable=tuple(measures.network_attributable(graph, adoption.adopted_on)),
        adopter_categories=grouped_categories(categories),
        betweenness_method=metrics.method,
    )


def brokers(names: Mapping[str, str], metrics: GraphMetrics) -> tuple[Ranked, ...]:
    """The BROKERS organisations of highest betweenness above zero (ties by ODS code)."""
    errors = metrics.errors or {}
    ranked = (
        Ranked(ods, names[ods], score, errors.get(ods)) for ods, score in metrics.betweenness.items() if score > 0
    )
    return tuple(sorted(ranked, key=lambda r: (-r.value, r.ods))[:BROKERS])


def communities(metrics: GraphMetrics, adopted: frozenset[str]) -> tuple[Community, ...]:
    members: dict[int, list[str]] = {}
    for ods, number in metrics.communities.items():
        members.setdefault(number, []).append(ods)
    return tuple(
        Community(number, tuple(sorted(ods)), sum(1 for o in ods if o in adopted))
        for number, ods in sorted(members.items())
    )


def grouped_categories(categories: Mapping[str, str]) -> Mapping[str, tuple[str, ...]]:
    """ODS codes per adopter category, every category present, in CATEGORY_ORDER."""
    grouped: dict[str, list[str]] = {category: [] for category in CATEGORY_ORDER}
    for ods in sorted(categories):
        grouped[categories[ods]].append(ods)
    return MappingProxyType({category: tuple(ods) for category, ods in grouped.items()})
