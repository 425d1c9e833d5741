"""The collaborative's network from the database: plain records for tracker.core.graph, and the
nodes, edges and insights the API, the GraphML file and the CSV files are made of.

No Flask here. The reading functions take a Session and return plain records; compose() is pure
and does the rest. build() reads everything in a fixed number of statements whatever the size of
the data: the scope is read first (find_scope, one statement), then the data's version,
the open organisations, the networks and the active links (four), and the adoption figures (one
more, unless cached).

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

Caching (optional, see tracker.cache): betweenness and communities depend only on the
graph, so they are keyed by its content (the open organisations and the confirmed links with their
weights) and shared by every ambition, idea and threshold; the adoption figures are keyed by the
ideas, the day, the threshold and the data's version (tracker.models.versions: database triggers
move it with every new event).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TypeVar

import networkx as nx
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..cache import MetricsCache, cached
from ..core import graph as measures
from ..core.graph import AttributedAdoption, LinkRecord, OrganisationRecord
from ..core.stages import LADDER
from ..models import (
    AdoptionSpell,
    Ambition,
    ChangeIdea,
    ChangePackage,
    LearningLink,
    LinkStatus,
    Network,
    Organisation,
    PackageStatus,
    Stage,
)
from ..reports.queries import SPELL_RANK

T = TypeVar("T")

COLLABORATIVE = "collaborative"
COLLABORATIVE_NAME = "South of England Mental Health Quality and Patient Safety Improvement Collaborative"
NETWORK_PREFIX = "network:"
MEMBERSHIP = "membership"
KIND_COLLABORATIVE, KIND_NETWORK, KIND_ORGANISATION = "collaborative", "network", "organisation"
BROKERS = 5  # how many brokers the insights name
CATEGORY_ORDER = (
    measures.EARLY_ADOPTER,
    measures.EARLY_MAJORITY,
    measures.LATE_MAJORITY,
    measures.LAGGARD,
    measures.NOT_YET,
)
# SPELL_RANK's numbers back to stages: 0 is discontinued (off the ladder).
STAGE_OF_RANK = {rank: stage for stage, rank in LADDER.items()} | {0: Stage.DISCONTINUED}


class NotFound(LookupError):
    """A code that names nothing the caller may see; the message says which."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Scope:
    """The ideas whose adoption counts: one intervention's, or an ambition's published ones."""

    ambition: str
    intervention: str | None
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
class GraphMetrics:
    betweenness: Mapping[str, float]
    communities: Mapping[str, int]


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


@dataclass(frozen=True)
class NetworkView:
    scope: Scope
    as_of: date
    min_stage: Stage
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    insights: Insights


# Reading ---------------------------------------------------------------------------------------


def find_scope(session: Session, ambition: str | None, intervention: str | None, include_drafts: bool = False) -> Scope:
    """The scope an ambition code or an intervention code names (one statement); NotFound if none.

    An intervention implies its ambition; given both, they must agree. Ideas in draft packages are
    found only with include_drafts; an ambition's scope is always its published ideas.
    """
    if intervention is not None:
        row = session.execute(
            select(ChangeIdea.id, Ambition.code, ChangePackage.status)
            .join(ChangePackage, ChangeIdea.package_id == ChangePackage.id)
            .join(Ambition, ChangePackage.ambition_id == Ambition.id)
            .where(ChangeIdea.code == intervention)
        ).first()
        if row is None or (row[2] == PackageStatus.DRAFT and not include_drafts):
            raise NotFound("intervention", f"No intervention has the code {intervention}")
        idea_id, ambition_code, _status = row
        if ambition is not None and ambition != ambition_code:
            raise NotFound("intervention", f"The intervention {intervention} is not one of the ambition {ambition}'s")
        return Scope(ambition_code, intervention, (idea_id,))
    if ambition is None:
        raise ValueError("an ambition or an intervention is needed")
    rows = session.execute(
        select(Ambition.code, ChangeIdea.id)
        .select_from(Ambition)
        .outerjoin(
            ChangePackage,
            and_(ChangePackage.ambition_id == Ambition.id, ChangePackage.status == PackageStatus.PUBLISHED),
        )
        .outerjoin(ChangeIdea, ChangeIdea.package_id == ChangePackage.id)
        .where(Ambition.code == ambition)
        .order_by(ChangeIdea.id)
    ).all()
    if not rows:
        raise NotFound("ambition", f"No ambition has the code {ambition}")
    return Scope(ambition, None, tuple(idea_id for _code, idea_id in rows if idea_id is not None))


def _open_on(organisation, day: date):
    """Open on the day: opened on or before it, not yet closed (closed_on is the first day closed)."""
    return and_(
        or_(organisation.opened_on.is_(None), organisation.opened_on <= day),
        or_(organisation.closed_on.is_(None), organisation.closed_on > day),
    )


def open_organisations(session: Session, day: date) -> list[tuple[int, OrganisationRecord]]:
    """(id, record) of every organisation open on the day, by ODS code."""
    rows = session.execute(
        select(
            Organisation.id,
            Organisation.ods_code,
            Organisation.name,
            Network.code,
            Organisation.latitude,
            Organisation.longitude,
        )
        .outerjoin(Network, Organisation.network_id == Network.id)
        .where(_open_on(Organisation, day))
        .order_by(Organisation.ods_code)
    )
    return [(id_, OrganisationRecord(ods, name, network, lat, lon)) for id_, ods, name, network, lat, lon in rows]


def networks(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every network, by code."""
    return [(code, name) for code, name in session.execute(select(Network.code, Network.name).order_by(Network.code))]


def active_links(session: Session, day: date) -> list[LinkRecord]:
    """Learning links active on the day between organisations open on it, proposed ones included.

    Each link runs from the lower ODS code to the higher; sorted by source, target and kind.
    """
    source, target = aliased(Organisation), aliased(Organisation)
    rows = session.execute(
        select(source.ods_code, target.ods_code, LearningLink.kind, LearningLink.weight, LearningLink.status)
        .join(source, LearningLink.source_id == source.id)
        .join(target, LearningLink.target_id == target.id)
        .where(
            or_(LearningLink.start_date.is_(None), LearningLink.start_date <= day),
            or_(LearningLink.end_date.is_(None), LearningLink.end_date >= day),
            _open_on(source, day),
            _open_on(target, day),
        )
    )
    links = [
        LinkRecord(min(a, b), max(a, b), kind.value, weight, status == LinkStatus.CONFIRMED)
        for a, b, kind, weight, status in rows
    ]
    return sorted(links, key=lambda link: (link.source, link.target, link.kind))


def adoption_states(session: Session, idea_ids: Sequence[int], day: date, min_rank: int) -> dict[int, AdoptionState]:
    """Per organisation id (open or not) with a spell of the ideas begun on or before the day: its standing.

    One statement over the spells (tracker.core.ledger: void events have none): each
    organisation × idea's state on the day, and the first day a state at or above the threshold
    held, gathered per organisation. A spell of no length (an event replaced on its own date by a
    later-logged one) was never the state, so it gives neither.
    """
    if not idea_ids:
        return {}
    rank = SPELL_RANK
    holds_on_the_day = or_(AdoptionSpell.ends.is_(None), AdoptionSpell.ends > day)
    held = or_(AdoptionSpell.ends.is_(None), AdoptionSpell.ends > AdoptionSpell.starts)
    rows = session.execute(
        select(
            AdoptionSpell.organisation_id,
            func.max(case((holds_on_the_day, rank))),
            func.min(case((and_(held, rank >= min_rank), AdoptionSpell.starts))),
        )
        .where(AdoptionSpell.starts <= day, AdoptionSpell.change_idea_id.in_(idea_ids))
        .group_by(AdoptionSpell.organisation_id)
    )
    return {org: AdoptionState(int(rank), _as_date(first)) for org, rank, first in rows}


def _as_date(value) -> date | None:
    # MIN() over a CASE loses the column type on SQLite, which then answers ISO strings.
    return date.fromisoformat(value) if isinstance(value, str) else value


# Computing -------------------------------------------------------------------------------------


def graph_metrics(graph: nx.Graph) -> GraphMetrics:
    """The costly measures (betweenness is O(VE)), which depend only on the graph."""
    return GraphMetrics(MappingProxyType(measures.betweenness(graph)), MappingProxyType(measures.communities(graph)))


def graph_key(graph: nx.Graph) -> tuple:
    """Everything graph_metrics depends on: the organisations and the weighted confirmed links."""
    edges = sorted((min(u, v), max(u, v), data["weight"]) for u, v, data in graph.edges(data=True))
    return ("graph", tuple(sorted(graph.nodes)), tuple(edges))


def _cached(cache: MetricsCache | None, key: Hashable, compute: Callable[[], T]) -> T:
    return compute() if cache is None else cache.get_or_compute(key, compute)


def build(
    session: Session, scope: Scope, day: date, threshold: Stage, cache: MetricsCache | None = None
) -> NetworkView:
    """The network as of the day, with every measure, for the scope and the threshold stage."""
    if threshold.rank is None:
        raise ValueError(f"{threshold.value} is not a threshold stage")
    organisations = open_organisations(session, day)
    network_rows = networks(session)
    links = active_links(session, day)

    def compute_states():
        return MappingProxyType(adoption_states(session, scope.idea_ids, day, threshold.rank))

    key = ("adoption", scope.idea_ids, day, threshold.rank)
    states = compute_states() if cache is None else cached(session, cache, key, compute_states)
    ods_of = {id_: record.ods for id_, record in organisations}
    by_ods = {ods_of[id_]: state for id_, state in states.items() if id_ in ods_of}
    records = [record for _id, record in organisations]
    graph = measures.learning_graph(records, links)
    metrics = _cached(cache, graph_key(graph), lambda: graph_metrics(graph))
    return compose(scope, day, threshold, network_rows, records, links, by_ods, graph, metrics)


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
    """Nodes, edges and insights from plain records (pure).

    graph is the confirmed learning graph of the organisations; states are keyed by ODS code.
    Nodes come collaborative first, then networks by code, then organisations by ODS code; edges
    membership first (by source, target), then learning links (by source, target, kind).
    """
    organisations = sorted(organisations, key=lambda o: o.ods)
    names = {o.ods: o.name for o in organisations}
    adopted = {ods for ods, state in states.items() if state.rank >= threshold.rank}
    shares = measures.exposure(graph, adopted)
    frontier = measures.frontier(graph, adopted)
    on_frontier = {ods for ods, _share in frontier}
    adopted_on = {o.ods: states[o.ods].adopted_on if o.ods in states else None for o in organisations}
    categories = measures.adopter_categories(adopted_on)

    nodes = [Node(COLLABORATIVE, KIND_COLLABORATIVE, COLLABORATIVE_NAME)]
    nodes += [Node(NETWORK_PREFIX + code, KIND_NETWORK, name, network=code) for code, name in sorted(network_rows)]
    for o in organisations:
        state = states.get(o.ods)
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
                adopted=o.ods in adopted,
                adopted_on=adopted_on[o.ods],
                exposure=shares[o.ods],
                frontier=o.ods in on_frontier,
                betweenness=metrics.betweenness[o.ods],
                community=metrics.communities[o.ods],
                adopter_category=categories[o.ods],
            )
        )

    membership = [Edge(COLLABORATIVE, NETWORK_PREFIX + code, MEMBERSHIP) for code, _name in network_rows]
    membership += [
        Edge(NETWORK_PREFIX + o.network if o.network else COLLABORATIVE, o.ods, MEMBERSHIP) for o in organisations
    ]
    learning = [
        Edge(
            link.source,
            link.target,
            link.kind,
            link.weight,
            LinkStatus.CONFIRMED.value if link.confirmed else LinkStatus.PROPOSED.value,
        )
        for link in links
        if link.source in names and link.target in names and link.source != link.target
    ]
    edges = sorted(membership, key=lambda e: (e.source, e.target)) + sorted(
        learning, key=lambda e: (e.source, e.target, e.kind)
    )

    members: dict[int, list[str]] = {}
    for ods, number in metrics.communities.items():
        members.setdefault(number, []).append(ods)
    brokers = sorted(
        (Ranked(ods, names[ods], score) for ods, score in metrics.betweenness.items() if score > 0),
        key=lambda r: (-r.value, r.ods),
    )[:BROKERS]
    grouped: dict[str, list[str]] = {category: [] for category in CATEGORY_ORDER}
    for ods in sorted(categories):
        grouped[categories[ods]].append(ods)
    insights = Insights(
        frontier=tuple(Ranked(ods, names[ods], share) for ods, share in frontier),
        brokers=tuple(brokers),
        communities=tuple(
            Community(number, tuple(sorted(ods)), sum(1 for o in ods if o in adopted))
            for number, ods in sorted(members.items())
        ),
        isolated=tuple(measures.isolated(graph)),
        attributable=tuple(measures.network_attributable(graph, adopted_on)),
        adopter_categories=MappingProxyType({category: tuple(ods) for category, ods in grouped.items()}),
    )
    return NetworkView(scope, day, threshold, tuple(nodes), tuple(edges), insights)
