"""Forecast reach by Monte Carlo: the fitted hazard model run forward on the learning graph, pure numpy.

Each run draws (b, t) from the fit's sampling distribution (Fit.draws), so the band carries the
parameters' uncertainty as well as chance. Runs are simulated together as runs × organisations arrays.
Per run and organisation the model keeps the monthly hazard H = −log(1 − b) − Σ log(1 − t·w) over adopting
neighbours, so that it adopts in a month with probability 1 − e^−H; equivalently (a time change), it adopts
in the first month the running sum of its H reaches an Exp(1) threshold drawn once. A new adopter only adds
to its neighbours' H, so a month costs two passes over the arrays plus work in proportion to new adoptions
× links.

Reach in a month is adopters among the organisations open that month over those open: the open set as of
the panel's last month, unless the panel records later openings or closures (open_from / closed_from).

Deterministic for a seed. The draws of (b, t) and the thresholds come from separate streams of it, and
the thresholds are the same whoever is engaged, so `Simulation.run(engaged)` for different
engaged sets uses common random numbers: differences between them are the engagement's, not noise's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from tracker.core.diffusion import Graph, compile_graph, month_arrays
from tracker.core.diffusion_fit import Estimate, Fit
from tracker.core.panel import Panel

RUNS = 1000
BAND = (10.0, 90.0)  # the 80% band
NOT_ADOPTED = np.iinfo(np.int32).max


def simulate_months(
    graph: Graph,
    adopted: np.ndarray,
    open_by_month: np.ndarray,
    b: np.ndarray,
    t: np.ndarray,
    rng: np.random.Generator,
    engaged: np.ndarray | None = None,
    record: bool = False,
) -> tuple[np.ndarray | None, np.ndarray]:
    """Adoption month by month for len(b) runs over len(open_by_month) months.

    `adopted`: bool per organisation, adopters before the first month; `open_by_month`: bool months ×
    organisations; `engaged`: indices treated as adopting in the first month if open and not adopted.
    Returns (with `record`, the month each run's organisation adopted, −1 before the first, NOT_ADOPTED
    if never: int32 runs × organisations, else None; adopters among the open per run and month).
    """
    runs, size, months = len(b), graph.size, len(open_by_month)
    adopted = np.asarray(adopted, dtype=bool)
    adopted_in = np.where(adopted, -1, NOT_ADOPTED).astype(np.int32)[None, :].repeat(runs, 0) if record else None
    # Time change: adopting in month m with probability 1 − e^−H_m given no adoption before is adopting in
    # the first month the running sum of H reaches an Exp(1) threshold drawn once per run and organisation.
    # `remaining` is that threshold less the hazard so far; an adopter's is set to infinity, once and for all.
    remaining = rng.standard_exponential((runs, size), dtype=np.float32)
    remaining[:, adopted] = np.inf
    background = -np.log1p(-np.asarray(b, dtype=float))
    hazard = _Exposure(graph, np.asarray(t, dtype=float), background)  # H per run and organisation
    hazard.start(adopted)
    forced = _forced(engaged, adopted, open_by_month[0], runs, size)
    always_open = bool(open_by_month.all())
    state = None if always_open else np.broadcast_to(adopted, (runs, size)).copy()
    counts = np.zeros((runs, months), dtype=np.int64)
    previous = np.full(runs, np.count_nonzero(adopted), dtype=np.int64)
    for month in range(months):
        if always_open:
            remaining -= hazard.rate
        else:  # hazard accrues only while open
            np.subtract(remaining, hazard.rate, out=remaining, where=open_by_month[month])
        flat = np.flatnonzero(remaining <= 0)
        if month == 0 and len(forced):
            flat = np.union1d(flat, forced)
        remaining.reshape(-1)[flat] = np.inf
        if record:
            adopted_in.reshape(-1)[flat] = month
        hazard.add(flat)
        if always_open:
            previous = counts[:, month] = previous + np.bincount(flat // size, minlength=runs)
        else:
            state.reshape(-1)[flat] = True
            counts[:, month] = np.count_nonzero(state & open_by_month[month], axis=1)
    return adopted_in, counts


def _forced(engaged, adopted: np.ndarray, is_open: np.ndarray, runs: int, size: int) -> np.ndarray:
    """Flat indices (run × size + organisation) of the engaged that are open and not adopted, in every run."""
    if engaged is None or not len(engaged):
        return np.zeros(0, dtype=np.int64)
    engaged = np.asarray(engaged, dtype=np.int64)
    engaged = engaged[~adopted[engaged] & is_open[engaged]]
    return (np.arange(runs)[:, None] * size + engaged[None, :]).ravel()


class _Exposure:
    """Per run and organisation, the monthly hazard −log(1 − b) − Σ log(1 − t·w) over its adopting neighbours.

    Link weights are grouped into their distinct values (five, for strengths 1–5), so an increment is a
    lookup in a runs × values table rather than a logarithm per link and run.
    """

    def __init__(self, graph: Graph, t: np.ndarray, background: np.ndarray):
        self.graph, self.runs = graph, len(t)
        self.degree = np.diff(graph.indptr)
        self.values, self.kind = np.unique(graph.weights, return_inverse=True)
        t = np.minimum(t, 1.0 - 1e-12)  # t·w = 1 would make the hazard infinite
        self.table = (-np.log1p(-t[:, None] * self.values[None, :])).astype(np.float32)
        # the monthly hazard, starting from the background's −log(1 − b)
        self.rate = np.repeat(background.astype(np.float32)[:, None], graph.size, axis=1)

    def start(self, adopted: np.ndarray) -> None:
        """The exposure from the adopters before the first month: the same links in every run."""
        size, kinds = self.graph.size, len(self.values)
        source = np.repeat(np.arange(size), self.degree)
        chosen = adopted[self.graph.indices]  # links from an organisation to an adopter
        if kinds <= 64:
            count = np.zeros((kinds, size), dtype=np.float32)
            np.add.at(count, (self.kind[chosen], source[chosen]), 1.0)
            self.rate += self.table @ count
        else:  # many distinct weights: link by link
            self.add(np.flatnonzero(np.broadcast_to(adopted, (self.runs, size))))

    def add(self, flat: np.ndarray) -> None:
        """Expose the neighbours of new adopters, given as flat indices run × size + organisation."""
        if not len(flat):
            return
        size = self.graph.size
        run, source = np.divmod(flat, size)
        degree = self.degree[source]
        total = int(degree.sum())
        if total == 0:
            return
        # Positions of every new adopter's links in the compressed rows, without a Python loop.
        position = np.repeat(self.graph.indptr[source] - np.cumsum(degree) + degree, degree) + np.arange(total)
        run = np.repeat(run, degree)
        target = self.graph.indices[position]
        np.add.at(self.rate.reshape(-1), run * size + target, self.table[run, self.kind[position]])


@dataclass(frozen=True)
class MonthBand:
    month: int  # month index in the panel's count (the first forecast month is panel.months)
    median: float
    low: float  # 10th percentile of reach
    high: float  # 90th percentile
    mean: float


@dataclass(frozen=True)
class TargetChance:
    month: int  # the target's month index
    reach: float  # the reach fraction it asks for
    probability: float | None  # of reach ≥ target in that month; None if outside the forecast
    median_month: int | None  # the first forecast month the median reaches it; None within the horizon


@dataclass(frozen=True)
class Forecast:
    start: int
    runs: int
    seed: int
    engaged: tuple[str, ...]
    months: tuple[MonthBand, ...]
    targets: tuple[TargetChance, ...]

    def first_median_month(self, reach: float) -> int | None:
        return next((band.month for band in self.months if band.median >= reach - 1e-9), None)


@dataclass(frozen=True, eq=False)  # arrays inside: compare by identity
class Simulation:
    """A forecast made ready once: graph, open sets and parameter draws. `run` is the cheap part."""

    graph: Graph
    start: int  # the first forecast month: panel.months
    adopted: np.ndarray  # bool per organisation: adopted by the panel's last month
    open_by_month: np.ndarray  # bool horizon × organisations
    b: np.ndarray
    t: np.ndarray
    seed: int

    @cached_property
    def index(self) -> dict[str, int]:
        return {ods: i for i, ods in enumerate(self.graph.organisations)}

    def run(self, engaged: Iterable[str] = ()) -> np.ndarray:
        """Reach per run and forecast month (runs × horizon), engaging these organisations in the first month."""
        index, engaged = self.index, tuple(engaged)
        unknown = [ods for ods in engaged if ods not in index]
        if unknown:
            raise ValueError(f"unknown organisations to engage: {', '.join(sorted(unknown))}")
        chosen = np.array(sorted({index[ods] for ods in engaged}), dtype=np.int64)
        rng = np.random.default_rng([self.seed, 1])
        _, counts = simulate_months(self.graph, self.adopted, self.open_by_month, self.b, self.t, rng, chosen)
        open_count = self.open_by_month.sum(axis=1)
        return counts / np.maximum(open_count, 1)[None, :]

    def gain(self, engaged: Iterable[str], month: int, baseline: np.ndarray | None = None) -> Estimate:
        """The expected gain in reach in a month (panel count) from engaging these, with its 95% interval.

        Run for run against the baseline (`run()`, passed in to save repeating it): the same thresholds and
        parameter draws, so the interval is that of a paired mean and narrow.
        """
        h = month - self.start
        if not 0 <= h < self.open_by_month.shape[0]:
            raise ValueError(
                f"month {month} is outside the forecast ({self.start} to {self.start + self.open_by_month.shape[0] - 1})"
            )
        baseline = self.run() if baseline is None else baseline
        difference = self.run(engaged)[:, h] - baseline[:, h]
        mean = float(difference.mean())
        half = 1.96 * float(difference.std(ddof=1)) / np.sqrt(len(difference)) if len(difference) > 1 else 0.0
        return Estimate(mean, mean - half, mean + half)


def prepare(panel: Panel, fit: Fit, horizon: int, runs: int = RUNS, seed: int = 0) -> Simulation:
    """The simulation of `horizon` months after the panel's last, with `runs` draws of (b, t)."""
    if horizon < 1:
        raise ValueError("the forecast horizon must be at least one month")
    if runs < 1:
        raise ValueError("a forecast needs at least one run")
    adopted_month, opened, closed = month_arrays(panel)
    future = panel.months + np.arange(horizon)[:, None]
    open_by_month = (opened[None, :] <= future) & (future < closed[None, :])
    b, t = fit.draws(runs, np.random.default_rng([seed, 0]))
    graph = compile_graph(panel.organisations, panel.links)
    return Simulation(graph, panel.months, adopted_month < panel.months, open_by_month, b, t, seed)


def summarise(
    simulation: Simulation, reach: np.ndarray, targets: Sequence[tuple[int, float]] = (), engaged=()
) -> Forecast:
    """Median, 80% band and mean per month, and each dated target's chance, from runs × months of reach."""
    low, median, high = np.percentile(reach, [BAND[0], 50.0, BAND[1]], axis=0)
    mean = reach.mean(axis=0)
    months = tuple(
        MonthBand(simulation.start + h, float(median[h]), float(low[h]), float(high[h]), float(mean[h]))
        for h in range(reach.shape[1])
    )
    chances = []
    for month, goal in targets:
        h = month - simulation.start
        probability = float(np.mean(reach[:, h] >= goal - 1e-9)) if 0 <= h < reach.shape[1] else None
        crossing = next((band.month for band in months if band.median >= goal - 1e-9), None)
        chances.append(TargetChance(month, goal, probability, crossing))
    return Forecast(simulation.start, len(simulation.b), simulation.seed, tuple(engaged), months, tuple(chances))


def forecast(
    panel: Panel,
    fit: Fit,
    horizon: int,
    *,
    targets: Sequence[tuple[int, float]] = (),
    engaged: Iterable[str] = (),
    runs: int = RUNS,
    seed: int = 0,
) -> Forecast:
    """Reach by month from the panel's end for `horizon` months; targets are (month index, reach fraction).

    Raises ValueError when the fit has too little data (its message says why) or for unknown engaged codes.
    """
    engaged = tuple(sorted(set(engaged)))
    simulation = prepare(panel, fit, horizon, runs, seed)
    return summarise(simulation, simulation.run(engaged), targets, engaged)


def observed_reach(panel: Panel) -> list[float]:
    """Reach in each observed month: adopters (by then) among the organisations open that month, over those open."""
    adopted, opened, closed = month_arrays(panel)
    series = []
    for month in range(panel.months):
        is_open = (opened <= month) & (month < closed)
        count = int(is_open.sum())
        series.append(float((is_open & (adopted <= month)).sum() / count) if count else 0.0)
    return series
