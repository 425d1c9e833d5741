"""What if these organisations adopted: spread simulated over the current learning graph (issue 12).

An independent cascade (a strongest link passes adoption on with probability p, weaker ones
p·strength/5) or a weighted linear threshold process (tracker.core.cascades) from a chosen set of
adopters, on the ambition's panel as of a day: the organisations open during the programme and the
learning links active that day. Pure apart from `graph_for`, which reads the panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from ..core import cascades
from ..core.panel import Panel
from ..core.stages import DEFAULT_THRESHOLD
from ..reports.service import AmbitionInfo, scope
from .queries import panel_for

PROCESSES = ("independent_cascade", "linear_threshold")
P = 0.1  # the cascade's chance on a strongest link, unless given
# What one simulation may be asked for, wherever it is asked (the API, the what-if page).
MAX_RUNS = 5_000
MAX_CELLS = 2_000_000  # runs × organisations: bounds the memory and time of one request
MAX_ADOPTERS = 1_000
MAX_SEED = 2**32 - 1
P_RULE = "over 0, up to 1"


def valid_p(value) -> bool:
    """Whether p is a number over 0 and up to 1 (compared before any conversion: a huge whole number is
    out of range, never an OverflowError; NaN is not in range)."""
    return not isinstance(value, bool) and isinstance(value, int | float) and 0 < value <= 1


def unknown_adopters(panel: Panel, adopters) -> list[str]:
    """The adopters that are not organisations of the panel's graph, sorted."""
    return sorted(set(adopters) - set(panel.organisations))


def most_runs(panel: Panel) -> int:
    """The most runs one simulation may take on this graph (MAX_CELLS), at most MAX_RUNS."""
    return min(MAX_RUNS, MAX_CELLS // max(len(panel.organisations), 1))


def named(codes, limit: int = 10) -> str:
    """Codes for a message: the first `limit`, each cut to 20 characters, then "and more"."""
    codes = list(codes)
    return ", ".join(code[:20] for code in codes[:limit]) + (" and more" if len(codes) > limit else "")


@dataclass(frozen=True)
class Spread:
    process: str
    runs: int
    seed: int
    p: float | None  # independent cascade only
    adopters: tuple[str, ...]
    organisations: int  # in the graph
    expected: float  # mean organisations active at the end, adopters included
    low: float  # 10th and 90th percentiles of that count over runs
    high: float
    reached: tuple[tuple[str, float], ...]  # each organisation's share of runs in which it ends active, highest first


def graph_for(session: Session, ambition: AmbitionInfo, as_of: date) -> Panel:
    """The ambition's panel in all networks: its organisations and today's learning links."""
    return panel_for(session, scope(session, ambition, None), DEFAULT_THRESHOLD, as_of)


def simulate(panel: Panel, process: str, adopters, *, runs: int, seed: int, p: float = P) -> Spread:
    """Spread from `adopters` (codes in the panel) by the process, over `runs` runs from `seed`."""
    net = cascades.panel_network(panel)
    adopters = tuple(sorted(set(adopters)))
    if process == "independent_cascade":
        result = cascades.independent_cascade(net, adopters, p=p, runs=runs, seed=seed)
    elif process == "linear_threshold":
        result, p = cascades.linear_threshold(net, adopters, runs=runs, seed=seed), None
    else:
        raise ValueError(f"process must be one of {', '.join(PROCESSES)}")
    low, high = np.percentile(result.spread, [10.0, 90.0])
    order = sorted(zip(result.nodes, result.reached.tolist(), strict=True), key=lambda pair: (-pair[1], pair[0]))
    return Spread(
        process,
        runs,
        seed,
        p,
        adopters,
        len(result.nodes),
        result.expected_spread,
        float(low),
        float(high),
        tuple(order),
    )
