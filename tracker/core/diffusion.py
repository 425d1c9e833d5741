"""The network hazard model of spread and its log-likelihood over a monthly panel: pure numpy.

Each month an organisation at risk (tracker.core.panel) adopts with probability

    1 − (1 − b) · Π_j (1 − t · w_ij)

over its linked organisations j that adopted before that month (as Panel.adopters_before: an adopter
that has since closed still passes on what it learnt). b is the background pull of the programme and
faculty, t the transmission along a learning link, and w_ij the link's weight: its recorded strength
(1–5) divided by 5, so w is in (0, 1] and t · w never exceeds 1. Two links recorded between the same
pair count as two channels.

The panel is compiled once into flat arrays (a `Design`): its at-risk organisation-months grouped by
their exposure, so that the likelihood, its gradient and its Hessian are a few numpy reductions over a
few hundred groups at any scale, cheap enough to profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracker.core.panel import Panel

STRENGTH_SCALE = 5.0  # the strongest recorded link: weight 1
NEVER = np.iinfo(np.int32).max  # the month of an adoption or closure that has not happened


def link_weight(strength: float) -> float:
    """A link's weight in the model: strength / 5, capped at 1."""
    return min(float(strength) / STRENGTH_SCALE, 1.0)


@dataclass(frozen=True, eq=False)  # arrays inside: compare by identity
class Graph:
    """The panel's learning links as compressed rows: the neighbours of i are indices[indptr[i]:indptr[i+1]]."""

    organisations: tuple[str, ...]
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray  # normalised, in (0, 1]

    @property
    def size(self) -> int:
        return len(self.organisations)

    def typical_weight(self) -> float:
        """The mean weight of a link (1.0 without links): the 'typical neighbour' of the network effect."""
        return float(self.weights.mean()) if len(self.weights) else 1.0


def compile_graph(organisations: tuple[str, ...], links) -> Graph:
    """Both directions of every link between two different known organisations; bad links raise ValueError."""
    index = {ods: i for i, ods in enumerate(organisations)}
    rows, cols, weights = [], [], []
    for a, b, strength in links:
        if a not in index or b not in index:
            raise ValueError(f"link {a}–{b} names an organisation that is not in the panel")
        if not strength > 0:
            raise ValueError(f"link {a}–{b} has strength {strength}: it must be above 0")
        if a == b:
            continue
        w = link_weight(strength)
        rows += [index[a], index[b]]
        cols += [index[b], index[a]]
        weights += [w, w]
    rows_a = np.asarray(rows, dtype=np.int64)
    order = np.argsort(rows_a, kind="stable")
    indptr = np.zeros(len(organisations) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows_a, minlength=len(organisations)), out=indptr[1:])
    return Graph(
        organisations,
        indptr,
        np.asarray(cols, dtype=np.int64)[order],
        np.asarray(weights, dtype=float)[order],
    )


def month_arrays(panel: Panel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per organisation (panel order): the month it adopted, opened and closed (NEVER if not)."""
    orgs = panel.organisations
    adopted = np.array([panel.adopted.get(o, NEVER) for o in orgs], dtype=np.int64)
    opened = np.array([panel.open_from.get(o, 0) for o in orgs], dtype=np.int64)
    closed = np.array([panel.closed_from.get(o, NEVER) for o in orgs], dtype=np.int64)
    return adopted, opened, closed


@dataclass(frozen=True, eq=False)  # arrays inside: compare by identity
class Design:
    """The panel as the likelihood sees it: at-risk organisation-months grouped by what they were exposed to.

    Rows exposed to the same adopting neighbours' weights share one adoption probability, so the likelihood
    only needs one term per group: most rows are unexposed (one group), and with strengths 1–5 the exposed
    fall into a few hundred groups at most, whatever the panel's size.
    """

    rows: np.ndarray  # per group: its at-risk organisation-months
    adopted: np.ndarray  # per group: how many of them adopted that month
    exposure_group: np.ndarray  # per exposure record: its group
    exposure_weight: np.ndarray  # per exposure record: the weight of the link to an earlier adopter
    exposure_count: np.ndarray  # per exposure record: how many such links each of the group's rows has
    months: int
    typical_weight: float

    @property
    def observations(self) -> int:
        return int(self.rows.sum())

    @property
    def adoptions(self) -> int:
        return int(self.adopted.sum())

    @property
    def exposed(self) -> bool:
        """Whether any organisation at risk had an adopting neighbour."""
        return len(self.exposure_group) > 0

    @property
    def background_without_network(self) -> float:
        """The maximum-likelihood b when t = 0: adoptions / at-risk organisation-months."""
        return self.adoptions / self.observations if self.observations else 0.0


MAX_WEIGHT_KINDS = 64  # beyond this many distinct link weights rows are not grouped (each is its own group)


def compile_design(panel: Panel) -> Design:
    graph = compile_graph(panel.organisations, panel.links)
    adopted, opened, closed = month_arrays(panel)
    source = np.repeat(np.arange(graph.size), np.diff(graph.indptr))  # the organisation at risk
    ys, rows, weights = [np.zeros(0, dtype=bool)], [np.zeros(0, dtype=np.int64)], [np.zeros(0)]
    base = 0
    row_of = np.full(graph.size, -1, dtype=np.int64)
    for month in range(panel.months):
        at_risk = (opened <= month) & (month < closed) & (adopted >= month)
        members = np.flatnonzero(at_risk)
        row_of[members] = base + np.arange(len(members))
        ys.append(adopted[members] == month)
        exposed = at_risk[source] & (adopted[graph.indices] < month)
        rows.append(row_of[source[exposed]])
        weights.append(graph.weights[exposed])
        base += len(members)
    y, row, weight = np.concatenate(ys).astype(float), np.concatenate(rows), np.concatenate(weights)
    values, kind = np.unique(weight, return_inverse=True)
    if len(values) > MAX_WEIGHT_KINDS:
        ones = np.ones(base)
        return Design(ones, y, row, weight, np.ones(len(row)), panel.months, graph.typical_weight())
    signature = np.zeros((base, len(values)), dtype=np.int64)  # per row: its adopting neighbours by weight
    np.add.at(signature, (row, kind.reshape(-1)), 1)
    unique, group = np.unique(signature, axis=0, return_inverse=True)
    group = group.reshape(-1)
    members, kinds = np.nonzero(unique)
    return Design(
        np.bincount(group, minlength=len(unique)).astype(float),
        np.bincount(group, weights=y, minlength=len(unique)),
        members,
        values[kinds],
        unique[members, kinds].astype(float),
        panel.months,
        graph.typical_weight(),
    )


def _log_no_adoption(design: Design, b: float, t: float) -> np.ndarray:
    """log(1 − p) per group: log(1 − b) + Σ log(1 − t·w) over its rows' adopting neighbours."""
    exposure = np.bincount(
        design.exposure_group,
        weights=design.exposure_count * np.log1p(-t * design.exposure_weight),
        minlength=len(design.rows),
    )
    return np.log1p(-b) + exposure


def log_likelihood(design: Design, b: float, t: float) -> float:
    """Σ over at-risk organisation-months of log p (adopted that month) or log(1 − p) (did not)."""
    log_q = _log_no_adoption(design, b, t)
    k, adopting = design.adopted, design.adopted > 0
    # b > 0 keeps every p > 0; only groups with adopters need log p
    return float((k[adopting] * np.log(-np.expm1(log_q[adopting]))).sum() + ((design.rows - k) * log_q).sum())


def derivatives(design: Design, b: float, t: float) -> tuple[float, np.ndarray, np.ndarray]:
    """The log-likelihood, its gradient and its Hessian in (b, t), exactly.

    With q = (1 − b)·exp(S(t)) per row and y its adoption, d log q/db = −1/(1 − b) and d log q/dt = S′;
    dℓ/dθ = Σ (1 − y/(1 − q))·d log q/dθ, and the second derivatives follow (summed here group by group).
    """
    groups, w, count = len(design.rows), design.exposure_weight, design.exposure_count
    one_minus_tw = 1.0 - t * w
    s1 = np.bincount(design.exposure_group, weights=-count * w / one_minus_tw, minlength=groups)
    s2 = np.bincount(design.exposure_group, weights=-count * (w / one_minus_tw) ** 2, minlength=groups)
    log_q = _log_no_adoption(design, b, t)
    q = np.exp(log_q)
    p = -np.expm1(log_q)
    k, n, adopting = design.adopted, design.rows, design.adopted > 0
    ll = float((k[adopting] * np.log(p[adopting])).sum() + ((n - k) * log_q).sum())
    g, c = n.copy(), np.zeros_like(n)
    g[adopting] -= k[adopting] / p[adopting]
    c[adopting] = k[adopting] * q[adopting] / p[adopting] ** 2
    db = -1.0 / (1.0 - b)
    grad = np.array([g.sum() * db, (g * s1).sum()])
    h_bb = -c.sum() * db**2 - g.sum() / (1.0 - b) ** 2
    h_bt = -(c * s1).sum() * db
    h_tt = -(c * s1**2).sum() + (g * s2).sum()
    return ll, grad, np.array([[h_bb, h_bt], [h_bt, h_tt]])


def hazard_ratio(b: float, t: float, weight: float) -> float:
    """Monthly chance of adopting with one adopting neighbour of this weight, over the chance with none."""
    return (1.0 - (1.0 - b) * (1.0 - t * weight)) / b
