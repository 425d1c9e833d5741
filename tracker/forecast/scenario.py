"""What if these organisations were engaged now: the forecast beside the baseline (issue 12).

One panel read, one fit, one simulation made ready (tracker.core.forecast.prepare), run twice: with
nobody engaged (the baseline) and with the chosen organisations treated as adopting this month. The two
runs share the parameter draws and the thresholds (common random numbers), so every difference between
the columns is the engagement's and none is noise; engaging nobody gives identical columns.

`check(panel, codes, known)` says which codes cannot be engaged and why (no such organisation, not in the
scope, closed, already adopting): the page then forecasts nothing. `scenario(...)` is kept by the coverage
cache under the data version (as tracker.forecast.service does), keyed by the engaged set.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from ..cache import MetricsCache
from ..calendar import PROGRAMME_START
from ..core import charts
from ..core.coverage import month_label
from ..core.diffusion_fit import Estimate, Fit, fit
from ..core.engage import candidates
from ..core.fan_drawing import month_of as month_of_first
from ..core.forecast import RUNS, Forecast, observed_reach, prepare, summarise
from ..core.panel import Panel
from ..core.stages import Stage
from ..models.versions import cached
from ..reports.service import AmbitionInfo, NetworkInfo
from .queries import FIRST_MONTH as FIRST_INDEX
from .queries import month_of
from .targets import goal_reach

FIRST_MONTH = date(PROGRAMME_START.year, PROGRAMME_START.month, 1)  # the panel's month 0, as the charts date it
MAX_ENGAGED = 100  # organisations engaged at once: far more than a few months of faculty time could reach

UNKNOWN = "unknown"
OUTSIDE = "outside"
CLOSED = "closed"
ADOPTING = "adopting"


@dataclass(frozen=True)
class Refusal:
    """Codes that cannot be engaged, for one reason (UNKNOWN, OUTSIDE, CLOSED or ADOPTING)."""

    reason: str
    codes: tuple[str, ...]


def check(panel: Panel, codes: Collection[str], known: Collection[str]) -> tuple[Refusal, ...]:
    """Why some of `codes` cannot be engaged: `known` holds every organisation's code, the panel the scope's.

    Only the open organisations not yet adopting (tracker.core.engage.candidates) may be engaged.
    """
    last = panel.months - 1
    members = set(panel.organisations)
    found: dict[str, list[str]] = {UNKNOWN: [], OUTSIDE: [], CLOSED: [], ADOPTING: []}
    for ods in sorted(set(codes)):
        if ods not in members:
            found[OUTSIDE if ods in known else UNKNOWN].append(ods)
        elif not panel.is_open(ods, last):
            found[CLOSED].append(ods)
        elif panel.adopted.get(ods, last + 1) <= last:
            found[ADOPTING].append(ods)
    return tuple(Refusal(reason, tuple(found[reason])) for reason in found if found[reason])


def _label(month: int) -> str:
    return month_label(FIRST_INDEX + month)


def month_label_of(month: int) -> str:
    """A panel month as the charts name it: "Apr 2028"."""
    return charts.month_label(month_of_first(FIRST_MONTH, month))


def eligible(panel: Panel) -> list[str]:
    """The organisations one may engage: open in the last observed month and not adopting by then."""
    return candidates(panel)


@dataclass(frozen=True)
class MonthPair:
    """A forecast month under the baseline and the scenario: median and 80% band of reach (shares)."""

    month: str  # YYYY-MM
    label: str  # as people read it: "Apr 2028"
    baseline_median: float
    baseline_low: float
    baseline_high: float
    scenario_median: float
    scenario_low: float
    scenario_high: float


@dataclass(frozen=True)
class TargetPair:
    label: str
    day: date
    reach: float  # the share of organisations it asks for
    baseline: float | None  # the chance of meeting it; None when its month is not forecast (passed)
    scenario: float | None

    @property
    def difference(self) -> float | None:
        return None if self.baseline is None or self.scenario is None else self.scenario - self.baseline


@dataclass(frozen=True)
class Scenario:
    engaged: tuple[str, ...]
    horizon: int
    runs: int
    seed: int
    fit: Fit
    observed: tuple[float, ...]  # reach in each observed month, from month 0
    baseline: Forecast | None  # None without enough data (fit.message says why)
    scenario: Forecast | None
    months: tuple[MonthPair, ...]
    targets: tuple[TargetPair, ...]
    gain: Estimate | None  # the expected gain in reach in the last forecast month, with its 95% interval

    @property
    def enough_data(self) -> bool:
        return self.fit.enough_data


def scenario_of(
    panel: Panel, ambition: AmbitionInfo, engaged: Collection[str], horizon: int, runs: int, seed: int
) -> Scenario:
    """The baseline and the scenario engaging `engaged` (codes check() let through) for `horizon` months after
    the panel's last, from a panel read: pure."""
    engaged = tuple(sorted(set(engaged)))
    ambition = ambition.reach_only()
    model = fit(panel)
    observed = tuple(observed_reach(panel))
    if not model.enough_data:
        dated = ambition.dated_targets
        targets = tuple(TargetPair(t.label, t.target_date, goal_reach(t), None, None) for t in dated)
        return Scenario(engaged, horizon, runs, seed, model, observed, None, None, (), targets, None)
    goals = [(month_of(t.target_date), goal_reach(t)) for t in ambition.dated_targets]
    simulation = prepare(panel, model, horizon, runs, seed)
    before, after = simulation.run(), simulation.run(engaged)
    baseline = summarise(simulation, before, goals)
    result = summarise(simulation, after, goals, engaged)
    months = tuple(
        MonthPair(_label(b.month), month_label_of(b.month), b.median, b.low, b.high, s.median, s.low, s.high)
        for b, s in zip(baseline.months, result.months, strict=True)
    )
    targets = tuple(
        TargetPair(t.label, t.target_date, goal_reach(t), b.probability, s.probability)
        for t, b, s in zip(ambition.dated_targets, baseline.targets, result.targets, strict=True)
    )
    return Scenario(
        engaged, horizon, runs, seed, model, observed, baseline, result, months, targets, _gain(before, after)
    )


def _gain(before: np.ndarray, after: np.ndarray) -> Estimate:
    """The paired mean difference in the last month's reach, run for run, with its 95% interval."""
    difference = after[:, -1] - before[:, -1]
    mean = float(difference.mean())
    half = 1.96 * float(difference.std(ddof=1)) / np.sqrt(len(difference)) if len(difference) > 1 else 0.0
    return Estimate(mean, mean - half, mean + half)


def scenario(
    session: Session,
    ambition: AmbitionInfo,
    network: NetworkInfo | None,
    threshold: Stage,
    as_of: date,
    engaged: Collection[str],
    read_panel: Callable[[], Panel],
    *,
    horizon: int,
    runs: int = RUNS,
    seed: int = 0,
    cache: MetricsCache | None = None,
) -> Scenario:
    """The scenario, cached under the data version: `read_panel` reads the scope's panel (once, when needed).
    The caller gives
    the horizon (tracker.forecast.service.default_horizon, as the forecast page's) and the seed."""
    engaged = tuple(sorted(set(engaged)))

    ambition = ambition.within(network)

    def compute() -> Scenario:
        return scenario_of(read_panel(), ambition, engaged, horizon, runs, seed)

    if cache is None or not cache.size:
        return compute()
    key = (
        "what-if",
        ambition,
        network.id if network else None,
        threshold.value,
        as_of,
        engaged,
        horizon,
        runs,
        seed,
    )
    return cached(session, cache, key, compute)


def linked_adopting(panel: Panel) -> Mapping[str, int]:
    """For each organisation, how many organisations it has learning links with already adopt."""
    adopters = panel.adopters_before(panel.months)
    count: dict[str, set[str]] = {}
    for a, b, _strength in panel.links:
        if b in adopters:
            count.setdefault(a, set()).add(b)
        if a in adopters:
            count.setdefault(b, set()).add(a)
    return {ods: len(linked) for ods, linked in count.items()}
