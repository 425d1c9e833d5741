"""The spread map's service: the network as of a day, for the page, the graph API and its files alike.

Plain data out (tracker.maps.assemble's NetworkView: the spread map's answers draw and word it,
tracker.maps.routes). No Flask here: the session and the cache are passed in. JSON is made only
where it is answered: the API (tracker.maps.payload) and the timeline static/map.js plays
(tracker.maps.timeline).

network() runs a fixed number of statements whatever the size of the data: the scope first
(one), then the data's version, the open organisations, the networks and the active links
(four), and the adoption figures (one more, and the version read again, unless cached).

Caching (optional, see tracker.cache): betweenness and communities depend only on the graph, so
they are keyed by its content (the open organisations and the confirmed links with their weights)
and shared by every ambition, idea and threshold; the adoption figures are keyed by the ideas, the
day, the threshold and the data's version (tracker.models.versions: database triggers move it with
every new event), and after new events only the organisations they name are read again. The
timeline's layout by links is kept by what it draws (tracker.maps.history).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TypeVar

from sqlalchemy.orm import Session

from ..cache import MetricsCache
from ..core import graph as measures
from ..core.stages import DEFAULT_THRESHOLD, Stage
from ..models.versions import Pairs, incremental
from . import assemble, queries
from .assemble import NetworkView, Scope

T = TypeVar("T")


@dataclass(frozen=True)
class Filters:
    """Which network: an ambition's, or one idea's (which implies its ambition), as of a day."""

    ambition: str | None
    idea: str | None
    day: date
    threshold: Stage = DEFAULT_THRESHOLD


def network(
    session: Session, filters: Filters, cache: MetricsCache | None = None, include_drafts: bool = False
) -> NetworkView:
    """The network for the filters, with every measure; assemble.NotFound for a code that names nothing."""
    scope = queries.find_scope(session, filters.ambition, filters.idea, include_drafts=include_drafts)
    return build(session, scope, filters.day, filters.threshold, cache)


def build(
    session: Session, scope: Scope, day: date, threshold: Stage, cache: MetricsCache | None = None
) -> NetworkView:
    """The network as of the day, with every measure, for the scope and the threshold stage."""
    if threshold.rank is None:
        raise ValueError(f"{threshold.value} is not a threshold stage")
    organisations = queries.open_organisations(session, day)
    network_rows = queries.networks(session)
    links = queries.active_links(session, day)
    states = _adoption_states(session, scope, day, threshold, cache)
    ods_of = {id_: record.ods for id_, record in organisations}
    by_ods = {ods_of[id_]: state for id_, state in states.items() if id_ in ods_of}
    records = [record for _id, record in organisations]
    graph = measures.learning_graph(records, links)
    metrics = _cached(cache, assemble.graph_key(graph), lambda: assemble.graph_metrics(graph))
    return assemble.compose(scope, day, threshold, network_rows, records, links, by_ods, graph, metrics)


def _adoption_states(session: Session, scope: Scope, day: date, threshold: Stage, cache: MetricsCache | None):
    """Kept per state of the data; after new events, only the organisations they name read again."""

    def compute():
        return MappingProxyType(queries.adoption_states(session, scope.idea_ids, day, threshold))

    def again(kept, pairs: Pairs):
        organisations = {o for o, i in pairs if i in scope.idea_ids}
        if not organisations:
            return kept
        states = {o: state for o, state in kept.items() if o not in organisations}
        states.update(queries.adoption_states(session, scope.idea_ids, day, threshold, organisations))
        return MappingProxyType(states)

    key = ("adoption", tuple(scope.idea_ids), day, threshold.rank)
    return compute() if cache is None else incremental(session, cache, key, compute, again)


def _cached(cache: MetricsCache | None, key: Hashable, compute: Callable[[], T]) -> T:
    return compute() if cache is None else cache.get_or_compute(key, compute)
