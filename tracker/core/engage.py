"""Whom to engage next: the k organisations whose engagement raises an objective the most.

The objective is a callable `objective(engaged: frozenset[str]) -> numpy array`, one value per
Monte Carlo run, evaluated on common random numbers: run r uses the same random draws whatever set
is engaged (tracker.core.cascades.Draws does this for expected spread under independent cascade; the
hazard-model forecast of reach at the target date can do the same). A candidate's marginal gain is
then the mean over runs of the paired difference objective(S ∪ {v}) − objective(S), free of the noise
of drawing afresh, and choices are stable for a seed.

The search is greedy with lazy evaluation (CELF, Leskovec et al. 2007): a candidate's gain from an
earlier round is an upper bound on its gain now when the objective is submodular (expected spread
under independent cascade is, run by run), so only the candidates that could still beat the best
fresh gain are evaluated again. Ties go to the smaller ODS code. `lazy=False` evaluates every
candidate every round (plain greedy), for checking and for objectives that are not submodular.

Each pick carries a 95% interval for its gain, mean ± 1.96 standard errors of the paired differences
across runs, and the near-equivalent alternatives at that round: candidates whose interval overlaps
the pick's (evaluated fresh; with CELF, only those whose last interval reached the pick's low end).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np

from tracker.core import cascades
from tracker.core import graph as measures

Z95 = 1.959963984540054
Objective = Callable[[frozenset[str]], np.ndarray]


@dataclass(frozen=True)
class Gain:
    ods: str
    gain: float  # mean paired difference of the objective across runs
    low: float  # 95% interval of that mean
    high: float


@dataclass(frozen=True)
class Pick:
    ods: str
    gain: float
    low: float
    high: float
    alternatives: tuple[Gain, ...]  # near-equivalent at this round: intervals overlap, best first


@dataclass(frozen=True)
class Engagement:
    picks: tuple[Pick, ...]  # in the order chosen
    baseline: float  # mean objective with nobody engaged
    total: float  # mean objective with every pick engaged
    evaluations: int  # objective calls the search made (CELF makes far fewer than plain greedy)

    @property
    def chosen(self) -> tuple[str, ...]:
        return tuple(pick.ods for pick in self.picks)


def _gain(ods: str, values: np.ndarray, before: np.ndarray) -> Gain:
    diff = np.asarray(values, dtype=float) - before
    mean = float(diff.mean())
    half = Z95 * float(diff.std(ddof=1)) / math.sqrt(diff.size) if diff.size > 1 else 0.0
    return Gain(ods, mean, mean - half, mean + half)


def _key(gain: Gain) -> tuple[float, str]:
    return (-gain.gain, gain.ods)


def choose(
    objective: Objective,
    candidates: Iterable[str],
    k: int = 5,
    *,
    lazy: bool = True,
    alternatives: int = 3,
) -> Engagement:
    """Greedily choose up to k of `candidates` (fewer when there are fewer) to engage."""
    if k < 1:
        raise ValueError(f"Choose at least one organisation, not {k}")
    pool = sorted(set(candidates))
    chosen: list[str] = []
    current = np.asarray(objective(frozenset()), dtype=float)
    baseline, calls = float(current.mean()), 1
    latest: dict[str, tuple[Gain, int]] = {}  # each open candidate's last gain and the round it is from
    picks: list[Pick] = []

    def evaluate(ods: str, round_: int) -> Gain:
        nonlocal calls
        calls += 1
        gain = _gain(ods, objective(frozenset(chosen) | {ods}), current)
        latest[ods] = (gain, round_)
        return gain

    for round_ in range(min(k, len(pool))):
        if not lazy or round_ == 0:
            best = min((evaluate(ods, round_) for ods in pool if ods not in chosen), key=_key)
        else:
            # CELF's queue: the largest last-known gain first, ties to the smaller code.
            queue = [(-gain.gain, ods, seen) for ods, (gain, seen) in latest.items()]
            heapq.heapify(queue)
            while True:
                _neg, ods, seen = heapq.heappop(queue)
                if seen == round_:
                    best = latest[ods][0]
                    break
                heapq.heappush(queue, (-evaluate(ods, round_).gain, ods, round_))
        del latest[best.ods]
        # Near-equivalents: every other candidate whose interval may still reach the pick's low end, fresh.
        for ods, (gain, seen) in list(latest.items()):
            if seen != round_ and gain.high >= best.low:
                evaluate(ods, round_)
        near = sorted(
            (g for g, seen in latest.values() if seen == round_ and g.high >= best.low and g.low <= best.high),
            key=_key,
        )
        picks.append(Pick(best.ods, best.gain, best.low, best.high, tuple(near[:alternatives])))
        chosen.append(best.ods)
        current = np.asarray(objective(frozenset(chosen)), dtype=float)
        calls += 1
    return Engagement(tuple(picks), baseline, float(current.mean()), calls)


def candidates(panel, month: int | None = None) -> list[str]:
    """Organisations open in `month` (default the last observed) that have not adopted by then."""
    month = panel.months - 1 if month is None else month
    return [
        ods for ods in panel.organisations if panel.is_open(ods, month) and panel.adopted.get(ods, month + 1) > month
    ]


@dataclass(frozen=True)
class Reasons:
    """Why an organisation is worth engaging, from the graph measures, as plain data."""

    ods: str
    linked: int  # organisations it has learning links with
    linked_adopting: int  # of which already adopting
    exposure: float  # weighted share of its linked organisations already adopting
    community: int  # its community on the learning graph (1 = the largest)
    bridges_to: tuple[int, ...]  # other communities it links to: a bridge when not empty
    betweenness: float  # normalised: how often it sits on the shortest paths between others
    network: str | None  # its network (e.g. the ICS), when known
    betweenness_estimated: bool = False  # from a sample of organisations' shortest paths (GraphMeasures)


# Exact betweenness searches from every organisation: about 0.15 s at 250 organisations in networkx but
# over 20 s at 2,500. Above this many it is estimated from BETWEENNESS_SOURCES organisations' paths,
# which ranks the brokers a reason names well enough.
EXACT_BETWEENNESS_UP_TO = 1_000
BETWEENNESS_SOURCES = 50


@dataclass(frozen=True)
class GraphMeasures:
    """The learning graph's costly measures, which depend only on the graph (graph_key), not on who adopts."""

    betweenness: Mapping[str, float]
    community: Mapping[str, int]
    betweenness_estimated: bool


def graph_key(panel) -> tuple:
    """Everything graph_measures depends on: the organisations and the links with their strengths."""
    return (panel.organisations, tuple(sorted(panel.links)))


def graph_measures(panel) -> GraphMeasures:
    graph = _learning_graph(panel)
    estimated = graph.number_of_nodes() > EXACT_BETWEENNESS_UP_TO
    between = _betweenness(graph, BETWEENNESS_SOURCES if estimated else None)
    return GraphMeasures(between, measures.communities(graph), estimated)


def reasons(
    panel,
    organisations: Iterable[str],
    networks: Mapping[str, str | None] | None = None,
    month: int | None = None,
    known: GraphMeasures | None = None,
) -> dict[str, Reasons]:
    """The reasons for each of `organisations`, on the panel's learning graph and its adopters by `month`
    (default the last observed). `known`: graph_measures(panel), when the caller keeps them."""
    networks = networks or {}
    graph = _learning_graph(panel)
    adopters = panel.adopters_before((panel.months - 1 if month is None else month) + 1)
    share = measures.exposure(graph, adopters)
    known = known or graph_measures(panel)
    community = known.community
    result = {}
    for ods in organisations:
        linked = set(graph[ods])
        result[ods] = Reasons(
            ods=ods,
            linked=len(linked),
            linked_adopting=len(linked & adopters),
            exposure=share[ods],
            community=community[ods],
            bridges_to=tuple(sorted({community[n] for n in linked} - {community[ods]})),
            betweenness=known.betweenness[ods],
            network=networks.get(ods),
            betweenness_estimated=known.betweenness_estimated,
        )
    return result


@dataclass(frozen=True)
class Recommendation:
    engagement: Engagement
    reasons: Mapping[str, Reasons]  # for every pick and every alternative


def recommend(
    panel,
    k: int = 5,
    *,
    objective: Objective | None = None,
    p: float = 0.1,
    runs: int = 1000,
    seed: int = 0,
    month: int | None = None,
    networks: Mapping[str, str | None] | None = None,
) -> Recommendation:
    """Whom to engage next among the panel's candidates, with the reasons for each.

    The objective defaults to expected spread under independent cascade (transmission p on a
    strongest link) from the adopters by `month` on `runs` kept runs; pass another, e.g. expected
    reach at the target date from the fitted hazard model, evaluated on common random numbers.
    """
    if objective is None:
        month_ = panel.months - 1 if month is None else month
        net = cascades.panel_network(panel)
        objective = cascades.Draws(net, panel.adopters_before(month_ + 1), p=p, runs=runs, seed=seed)
    result = choose(objective, candidates(panel, month), k)
    named = {pick.ods for pick in result.picks} | {g.ods for pick in result.picks for g in pick.alternatives}
    return Recommendation(result, reasons(panel, sorted(named), networks, month))


def _learning_graph(panel) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(panel.organisations)
    for a, b, strength in sorted(panel.links):
        if a != b:
            weight = graph[a][b]["weight"] + strength if graph.has_edge(a, b) else strength
            graph.add_edge(a, b, weight=weight)
    return graph


def _betweenness(graph: nx.Graph, sources: int | None = None) -> dict[str, float]:
    """The graph module's betweenness (exact ties) for whole-number strengths, else lengths 1/strength."""
    weights = [data["weight"] for _a, _b, data in graph.edges(data=True)]
    if not weights:
        return dict.fromkeys(graph.nodes, 0.0)
    if all(float(w).is_integer() for w in weights):
        whole = nx.Graph(graph)
        for _a, _b, data in whole.edges(data=True):
            data["weight"] = int(data["weight"])
        return measures.betweenness(whole, sources)
    sample = sources if sources is not None and sources < graph.number_of_nodes() else None
    return nx.betweenness_centrality(
        graph, k=sample, seed=0, weight=lambda _a, _b, data: 1 / data["weight"], normalized=True
    )


def signed_points(share: float) -> str:
    """A gain in reach as signed percentage points to one decimal: 0.042 → '+4.2'; never '-0.0'.
    The forecast page and the spread map's highlight both write gains with it."""
    value = round(share * 100, 1)
    return f"{value + 0.0:+.1f}"
