"""Spread simulated over the learning graph: independent cascade and weighted linear threshold.

Plain data in (organisations and undirected links (a, b, strength) as in tracker.core.panel.Panel),
numpy arrays out; many runs at once, deterministic for a seed (numpy.random.default_rng(seed)).

Independent cascade. Each newly active organisation gets one chance to activate each inactive linked
organisation, succeeding with the link's probability: p·strength/5 (a strongest link, strength 5,
transmits with p; parallel links add their strengths first; capped at 1), or a probability given per
link. `independent_cascade` simulates exactly that, step by step, for all runs at once: the newly
active (run, organisation) cells form one flat frontier, and the successes among its attempts are drawn
at geometric gaps, so the cost follows the successes rather than the links.

Because the graph is undirected and a link's probability is the same both ways, only the first endpoint
to become active ever tries the link, so one coin per link and run decides it: those reached from the
seeds are exactly those joined to a seed by links whose coin came up ("live-edge" equivalence, Kempe,
Kleinberg and Tardos 2003). `Draws` keeps such coins for many runs as the connected components of each
run's live links (scipy's C code), and then answers "how far does it spread from this set" for any set
on the same draws (common random numbers), which the engagement search relies on.

Weighted linear threshold. Each organisation v has a threshold θ drawn uniformly in (0, 1] per run
(or given) and becomes active when the sum of its active neighbours' weights reaches it. The weight of
u on v is the link's strength over v's weighted degree, so the weights into v sum to exactly 1
(an organisation whose every neighbour is active always activates; an isolated one never does unless
it is a seed).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

STRONGEST = 5.0  # the strongest recorded link: it transmits with the full p
MAX_CELLS = 8_000_000  # runs × organisations simulated at once: bounds the memory of a batch of runs
MAX_KEPT = 10_000_000  # runs × organisations whose components `Draws` keeps (4 bytes each)
WORK = 2**17  # cells active in a batch of cascade runs, after the first: large cascades stay in cache
MIN_BATCH = 64
ACTIVE = np.uint16(0xFFFF)  # in the scratch array of a batch of cascade runs; 0 is inactive, others stamps
STAMPS = 0xFFFE
TOLERANCE = 1e-12  # a threshold met within rounding (1/3 + 1/3 + 1/3 against 1) counts as met


@dataclass(frozen=True, eq=False)  # arrays: compare the fields themselves
class Network:
    """The learning graph as arrays: node i is `nodes[i]`; link j joins `a[j]` and `b[j]` (a < b)."""

    nodes: tuple[str, ...]
    a: np.ndarray  # int, one entry per undirected link
    b: np.ndarray
    strength: np.ndarray  # float > 0; parallel links already added together
    indptr: np.ndarray  # CSR of both directions: the neighbours of i are indices[indptr[i]:indptr[i + 1]]
    indices: np.ndarray
    link: np.ndarray  # the undirected link of each CSR entry

    @cached_property
    def index(self) -> dict[str, int]:
        return {ods: i for i, ods in enumerate(self.nodes)}

    def positions(self, organisations: Iterable[str]) -> np.ndarray:
        index = self.index
        unknown = sorted(set(organisations) - index.keys())
        if unknown:
            raise ValueError(f"Unknown organisations: {', '.join(unknown)}")
        return np.array(sorted(index[ods] for ods in set(organisations)), dtype=np.int64)

    def probabilities(self, p: float) -> np.ndarray:
        """Each link's transmission probability: p·strength/5, at most 1."""
        if not 0 <= p <= 1:
            raise ValueError(f"The transmission probability must be between 0 and 1, not {p}")
        return np.minimum(1.0, p * self.strength / STRONGEST)


def network(organisations: Iterable[str], links: Iterable[tuple[str, str, float]]) -> Network:
    """The arrays for these organisations (sorted) and links; parallel links add their strengths."""
    nodes = tuple(sorted(set(organisations)))
    index = {ods: i for i, ods in enumerate(nodes)}
    total: dict[tuple[int, int], float] = {}
    for source, target, strength in links:
        if source not in index or target not in index:
            raise ValueError(f"A link names an unknown organisation: {source}–{target}")
        if not strength > 0:
            raise ValueError(f"A link's strength must be positive: {source}–{target} has {strength}")
        if source == target:
            continue
        key = tuple(sorted((index[source], index[target])))
        total[key] = total.get(key, 0.0) + float(strength)
    keys = sorted(total)
    a = np.array([k[0] for k in keys], dtype=np.int64)
    b = np.array([k[1] for k in keys], dtype=np.int64)
    source, target = np.concatenate([a, b]), np.concatenate([b, a])
    order = np.lexsort((target, source))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(source, minlength=len(nodes)))]).astype(np.int64)
    link = np.concatenate([np.arange(a.size), np.arange(a.size)])[order]
    return Network(nodes, a, b, np.array([total[k] for k in keys], dtype=float), indptr, target[order], link)


def panel_network(panel) -> Network:
    """The learning graph of a tracker.core.panel.Panel."""
    return network(panel.organisations, panel.links)


@dataclass(frozen=True, eq=False)
class CascadeResult:
    nodes: tuple[str, ...]
    spread: np.ndarray  # per run: how many organisations are active at the end, seeds included
    reached: np.ndarray  # per organisation (in `nodes` order): the share of runs in which it is active

    def probability(self, ods: str) -> float:
        return float(self.reached[self.nodes.index(ods)])

    @property
    def expected_spread(self) -> float:
        return float(self.spread.mean())


def _edge_probabilities(net: Network, p: float | np.ndarray) -> np.ndarray:
    if np.isscalar(p):
        return net.probabilities(float(p))
    prob = np.asarray(p, dtype=float)
    if prob.shape != net.a.shape or np.any((prob < 0) | (prob > 1)):
        raise ValueError("Give one probability between 0 and 1 per link")
    return prob


def _live_links(prob: np.ndarray, runs: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(run, link) of every link whose coin came up, each link with its own probability.

    Candidates come at geometric gaps with the largest probability q; each is then kept with
    probability p/q (thinning), so the cost follows the number of live links, not of all links.
    """
    links = prob.size
    q = float(prob.max()) if links else 0.0
    if q <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    positions = _geometric_positions(q, runs * links, rng)
    link = positions % links
    if np.any(prob < q):
        keep = rng.random(link.size) * q < prob[link]
        positions, link = positions[keep], link[keep]
    return positions // links, link


def _cascade(net: Network, directed: np.ndarray, start: np.ndarray, runs: int, rng, mark) -> np.ndarray:
    """The cells (run · nodes + organisation) active at the end of each of `runs` runs, all at once.

    The frontier is a flat list of cells newly active in the last step. Of the attempts its members
    make along their links (one per link, in CSR order), the successes are drawn at geometric gaps
    with the largest probability q and thinned to each link's own (`directed`, per CSR entry): the
    cost follows the successes, not the attempts (at p = 0.1 a tenth of them). `mark` is a scratch
    buffer of at least runs · nodes zeros (uint16; ACTIVE marks the active), left all zero on return.
    """
    n = len(net.nodes)
    degree = np.diff(net.indptr)
    q = float(directed.max()) if directed.size else 0.0
    thin = bool(np.any(directed < q))
    frontier = (np.arange(runs)[:, None] * n + start[None, :]).ravel()
    mark[frontier] = ACTIVE
    reached = [frontier]
    while frontier.size and q > 0:
        node = frontier % n
        ends = np.cumsum(degree[node])
        attempts = int(ends[-1])
        if attempts == 0:
            break
        hits = _geometric_positions(q, attempts, rng)
        # the frontier member each hit belongs to: how many members' attempts end at or before it
        # (counting along all attempts when hits are dense among them, else a binary search per hit)
        if hits.size * 16 > attempts:
            owner = np.cumsum(np.bincount(ends[:-1], minlength=attempts))[hits]
        else:
            owner = np.searchsorted(ends, hits, side="right")
        source = node[owner]
        edge = net.indptr[source + 1] - ends[owner] + hits
        if thin:
            keep = rng.random(edge.size) * q < directed[edge]
            owner, source, edge = owner[keep], source[keep], edge[keep]
        target = frontier[owner] - source + net.indices[edge]
        # Keep one of the cells reached twice in the step: each writes its place in the list (a
        # stamp) and the one whose stamp stays survives. Stamps fit 16 bits: long lists go in parts.
        parts = []
        for part in range(0, target.size, STAMPS):
            chunk = target[part : part + STAMPS]
            chunk = chunk[mark[chunk] == 0]
            stamp = np.arange(1, chunk.size + 1, dtype=np.uint16)
            mark[chunk] = stamp
            parts.append(chunk[mark[chunk] == stamp])
            mark[parts[-1]] = ACTIVE
        frontier = parts[0] if len(parts) == 1 else np.concatenate([target[:0], *parts])
        reached.append(frontier)
    cells = np.concatenate(reached)
    mark[cells] = 0
    return cells


def _geometric_positions(q: float, total: int, rng: np.random.Generator) -> np.ndarray:
    """The positions in 0 .. total - 1 of successes of `total` coins each with probability q.

    The gaps between successes are geometric: ⌊E/λ⌋ + 1 with E standard exponential and
    λ = −log(1 − q), since P(⌊E/λ⌋ ≥ j) = e^(−jλ) = (1 − q)^j (faster than numpy's geometric).
    """
    if q >= 1:
        return np.arange(total)
    scale = -1.0 / math.log1p(-q)
    expected = total * q
    chunks, last = [], -1
    while last < total - 1:  # enough gaps for 6 standard deviations more than expected: one round, nearly always
        gaps = (rng.standard_exponential(int(expected + 6 * math.sqrt(expected) + 16)) * scale).astype(np.int64)
        gaps += 1
        positions = np.cumsum(gaps, out=gaps)
        positions += last
        chunks.append(positions)
        last = int(positions[-1])
        expected = (total - 1 - last) * q
    positions = chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
    return positions[: np.searchsorted(positions, total)]


def _labels(net: Network, prob: np.ndarray, runs: int, rng: np.random.Generator) -> np.ndarray:
    """Component labels (runs × nodes) of each run's live links, unique across runs."""
    n = len(net.nodes)
    run, link = _live_links(prob, runs, rng)
    # (run, link) come in order and links are sorted by their first end: the rows are sorted, so
    # the CSR arrays are built directly; weak components of a→b are the undirected ones.
    rows = run * n + net.a[link]
    indptr = np.zeros(runs * n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=runs * n), out=indptr[1:])
    graph = sparse.csr_array(
        (np.ones(rows.size, dtype=np.int8), run * n + net.b[link], indptr), shape=(runs * n, runs * n)
    )
    _count, labels = csgraph.connected_components(graph, directed=True, connection="weak")
    return labels.reshape(runs, n)


def _check_runs(runs: int) -> None:
    if runs < 1:
        raise ValueError(f"The number of runs must be at least 1, not {runs}")


def independent_cascade(
    net: Network, seeds: Iterable[str], *, p: float | np.ndarray = 0.1, runs: int = 1000, seed: int = 0
) -> CascadeResult:
    """Independent cascade from `seeds`: spread per run and how often each organisation is reached.

    `p` is either the probability of a strongest link (others p·strength/5) or one probability per
    link, in the order of `net.a`/`net.b`.
    """
    _check_runs(runs)
    prob = _edge_probabilities(net, p)
    start = net.positions(seeds)
    rng = np.random.default_rng(seed)
    n = len(net.nodes)
    most = max(1, MAX_CELLS // max(n, 1))
    mark = np.zeros(min(runs, most) * n, dtype=np.uint16)
    directed = prob[net.link]
    # A first, narrow batch shows how far cascades go: wide batches then spread the cost of each
    # step over many runs when they are small; narrower ones keep large cascades' scattered reads
    # in cache. The rest is split evenly.
    spread, counts, done, size = [], np.zeros(n, dtype=np.int64), 0, max(MIN_BATCH, most // 8)
    while done < runs:
        batch = min(size, runs - done)
        cells = _cascade(net, directed, start, batch, rng, mark)
        spread.append(np.bincount(cells // n, minlength=batch))
        counts += np.bincount(cells % n, minlength=n)
        done += batch
        if done < runs and len(spread) == 1:
            size = int(np.clip(WORK * batch // max(cells.size, 1), MIN_BATCH, most))
            left = runs - done
            size = math.ceil(left / math.ceil(left / size))
    return CascadeResult(net.nodes, np.concatenate(spread).astype(float), counts / runs)


class Draws:
    """One set of independent-cascade draws (the live links of every run), kept to be asked again.

    `spread(organisations)` is the per-run spread from those organisations plus `adopters`, on the
    same draws each time: differences between two sets are then free of simulation noise from
    drawing afresh. It is the engagement search's default objective.
    """

    def __init__(
        self,
        net: Network,
        adopters: Iterable[str] = (),
        *,
        p: float | np.ndarray = 0.1,
        runs: int = 1000,
        seed: int = 0,
    ):
        _check_runs(runs)
        n = len(net.nodes)
        if runs * n > MAX_KEPT:
            raise ValueError(f"{runs} runs over {n} organisations is too many to keep: use fewer runs")
        self.net, self.runs = net, runs
        self._labels = _labels(net, _edge_probabilities(net, p), runs, np.random.default_rng(seed))
        self._sizes = np.bincount(self._labels.ravel())
        self._covered = np.zeros(self._sizes.size, dtype=bool)
        self._covered[self._labels[:, net.positions(adopters)].ravel()] = True
        self.baseline = self._covered[self._labels].sum(axis=1).astype(float)  # the adopters' own spread

    def spread(self, engaged: Iterable[str]) -> np.ndarray:
        idx = self.net.positions(engaged)
        if not idx.size:
            return self.baseline.copy()
        labels = np.sort(self._labels[:, idx], axis=1)
        first = np.ones(labels.shape, dtype=bool)
        first[:, 1:] = labels[:, 1:] != labels[:, :-1]
        added = np.where(first & ~self._covered[labels], self._sizes[labels], 0).sum(axis=1)
        return self.baseline + added

    __call__ = spread

    def single_gains(self, organisations: Iterable[str]) -> np.ndarray:
        """For each of `organisations` (in their order) alone, its mean gain over the adopters' spread:
        its component's size in each run where that is no adopter's, else 0, averaged over runs. The
        same as mean(spread([v]) − baseline) for each v, in one pass."""
        organisations = list(organisations)
        self.net.positions(organisations)  # unknown codes raise ValueError
        labels = self._labels[:, np.array([self.net.index[ods] for ods in organisations], dtype=np.int64)]
        return np.where(self._covered[labels], 0, self._sizes[labels]).mean(axis=0)


def _threshold_weights(net: Network) -> sparse.csr_array:
    """W[u, v]: the weight of u on v, v's links normalised by its weighted degree (columns sum to 1)."""
    n = len(net.nodes)
    rows = np.concatenate([net.a, net.b])
    cols = np.concatenate([net.b, net.a])
    strength = np.concatenate([net.strength, net.strength])
    degree = np.bincount(cols, weights=strength, minlength=n)
    return sparse.csr_array((strength / degree[cols], (rows, cols)), shape=(n, n))


def linear_threshold(
    net: Network,
    seeds: Iterable[str],
    *,
    runs: int = 1000,
    seed: int = 0,
    thresholds: np.ndarray | None = None,
) -> CascadeResult:
    """Weighted linear threshold from `seeds`; thresholds uniform in (0, 1] per run unless given.

    `thresholds` may be one per organisation (every run the same) or runs × organisations.
    """
    _check_runs(runs)
    n = len(net.nodes)
    if thresholds is None:
        theta = 1.0 - np.random.default_rng(seed).random((runs, n))  # in (0, 1]: no activation from nothing
    else:
        theta = np.asarray(thresholds, dtype=float)
        if theta.shape not in ((n,), (runs, n)):
            raise ValueError(f"Give one threshold per organisation ({n}), or one per run and organisation")
        theta = np.broadcast_to(theta, (runs, n))
    weights = _threshold_weights(net)
    active = np.zeros((runs, n), dtype=bool)
    active[:, net.positions(seeds)] = True
    new = active.copy()
    pressure = np.zeros((runs, n))
    while new.any():
        pressure += new.astype(float) @ weights
        new = ~active & (pressure >= theta - TOLERANCE)
        active |= new
    return CascadeResult(net.nodes, active.sum(axis=1).astype(float), active.mean(axis=0))
