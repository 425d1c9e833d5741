"""Synthetic spread: a learning graph and an adoption history drawn from the hazard model with known b and t.

The graph is a random geometric graph on the unit torus: n organisations at uniform random points, linked
when closer than r, with r chosen so that the expected number of links per organisation is k
(π·r²·(n − 1) = k; on a torus there is no edge effect). Like real learning networks it is clustered and
local, with a few organisations left unlinked (about e^−k of them). Strengths are uniform on 1–5.
Organisations are named S00001, S00002, ... Both are deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.spatial import cKDTree

from tracker.core.diffusion import compile_graph
from tracker.core.forecast import NOT_ADOPTED, simulate_months
from tracker.core.panel import Panel


def generate_graph(n: int, k: float, seed: int = 0) -> tuple[tuple[str, ...], tuple[tuple[str, str, float], ...]]:
    """(organisations, links (a, b, strength)) of a random geometric graph with about k links each."""
    if n < 2 or not 0 < k < n - 1:
        raise ValueError("a generated graph needs at least two organisations and 0 < k < n − 1 links each")
    rng = np.random.default_rng(seed)
    points = rng.random((n, 2))
    radius = np.sqrt(k / (np.pi * (n - 1)))
    pairs = cKDTree(points, boxsize=1.0).query_pairs(radius, output_type="ndarray")
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    strengths = rng.integers(1, 6, size=len(pairs))
    names = tuple(f"S{i + 1:05d}" for i in range(n))
    return names, tuple((names[a], names[b], float(s)) for (a, b), s in zip(pairs, strengths, strict=True))


def simulate_history(
    organisations: Sequence[str],
    links: Sequence[tuple[str, str, float]],
    b: float,
    t: float,
    months: int,
    seed: int = 0,
    open_from: Mapping[str, int] | None = None,
    closed_from: Mapping[str, int] | None = None,
) -> Panel:
    """A panel of `months` months in which organisations adopted as the model says, with these b and t."""
    if not 0 < b < 1 or not 0 <= t <= 1:
        raise ValueError("b must be in (0, 1) and t in [0, 1]")
    organisations = tuple(sorted(organisations))
    open_from, closed_from = dict(open_from or {}), dict(closed_from or {})
    graph = compile_graph(organisations, links)
    opened = np.array([open_from.get(o, 0) for o in organisations])
    closed = np.array([closed_from.get(o, np.iinfo(np.int32).max) for o in organisations])
    month = np.arange(months)[:, None]
    open_by_month = (opened[None, :] <= month) & (month < closed[None, :])
    adopted_in, _ = simulate_months(
        graph,
        np.zeros(len(organisations), dtype=bool),
        open_by_month,
        np.array([b]),
        np.array([t], dtype=float),
        np.random.default_rng(seed),
        record=True,
    )
    adopted = {organisations[i]: int(m) for i, m in enumerate(adopted_in[0]) if m != NOT_ADOPTED}
    return Panel(months, organisations, adopted, open_from, closed_from, tuple(links))
