"""An ambition's forecast and whom to engage next, as plain data: what the API and the pages show.

`outlook(...)` reads the monthly panel (tracker.forecast.queries.panel_for), fits the network hazard
model (tracker.core.diffusion_fit), forecasts reach month by month with the chance of each dated target
(tracker.core.forecast; a target's reach from its text, tracker.forecast.targets) and backtests the model
against the straight line and a Bass curve (tracker.core.backtest). `engage(...)` chooses whom to engage
(tracker.core.engage) to raise the forecast's reach at the target date. No Flask here: the caller passes
the session and, if it has one, the cache.

Caching. Both are kept by the coverage cache under the data version (tracker.models.versions.cached),
so a write makes a new key and nothing served is stale: its triggers watch the ledger, the organisations,
the catalogue and the learning links. They do not watch the ambitions' targets, so the key also holds the
ambition with its targets, which the caller has read: a cached answer costs one statement (the data
version) whatever the size of the history. After a write the panel is read again (three statements), and
the model's fit, forecast and choice of whom to engage are kept by the panel's content as well: a write
that leaves the panel as it was (most do: a note, a stage below the threshold, another idea of an
organisation that has adopted) costs the panel's reading, not a fit.

With too little data the fit says why (Fit.message) and nothing is forecast or recommended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import numpy as np
from sqlalchemy.orm import Session

from ..cache import MetricsCache
from ..core import cascades
from ..core import engage as search
from ..core.backtest import Backtest, backtest
from ..core.coverage import month_label
from ..core.diffusion import STRENGTH_SCALE, link_weight
from ..core.diffusion_fit import Fit, fit
from ..core.forecast import RUNS, Forecast, forecast, observed_reach, prepare
from ..core.panel import Panel
from ..core.stages import Stage
from ..models.versions import cached
from ..reports.service import AmbitionInfo, NetworkInfo, scope
from .queries import FIRST_MONTH, kept_panel, month_of, network_names
from .targets import goal_reach

T = TypeVar("T")

SEED = 0
BEYOND = 24  # months forecast past the latest dated target
MAX_HORIZON = 120  # ten years: the band is meaningless long before
K = 5
MAX_K = 20
SHORTLIST = 10  # candidates the forecast scores, after the cheap ranking: twice the default k
# Runs the engagement search scores candidates on. Gains are paired differences on common random
# numbers, far steadier than a band from as many runs; 200 keep choosing 5 within issue 12's targets
# (bench/forecast_service.py, with SHORTLIST: about 0.1 s at 250 organisations, 1.5 s at 2,500, fit included).
ENGAGE_RUNS = 200


def engage_runs(forecast_runs: int) -> int:
    """The runs the engagement search scores on where forecasts run `forecast_runs` (FORECAST_RUNS): ENGAGE_RUNS,
    or fewer where forecasts run fewer. Every caller uses this, so the API and the pages share one cached answer."""
    return min(forecast_runs, ENGAGE_RUNS)


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM
    observed: float | None  # reach at the month's end (the current month: so far); None ahead
    median: float | None  # the forecast's median and 80% band; None for observed months
    low: float | None
    high: float | None


@dataclass(frozen=True)
class TargetOutlook:
    label: str
    day: date
    reach: float  # the share of organisations it asks for (tracker.forecast.targets)
    probability: float | None  # of reach ≥ that share by its month; None if not forecast (passed, or no fit)
    median_month: str | None  # YYYY-MM: the first forecast month whose median reaches it; None within the horizon


@dataclass(frozen=True)
class Outlook:
    ambition: str
    network: str | None
    threshold: Stage
    as_of: date
    horizon: int  # forecast months after as_of's month
    runs: int
    seed: int
    fit: Fit
    months: tuple[MonthFigures, ...]
    targets: tuple[TargetOutlook, ...]
    backtest: Backtest

    @property
    def enough_data(self) -> bool:
        return self.fit.enough_data


def default_horizon(ambition: AmbitionInfo, first: int) -> int:
    """Months from `first` (a panel month) to the latest dated target's and BEYOND more, within 1..MAX_HORIZON."""
    latest = max((month_of(t.target_date) for t in ambition.reach_only().dated_targets), default=first - 1)
    return int(min(max(latest - first + 1, 0) + BEYOND, MAX_HORIZON))


def _label(month: int) -> str:
    return month_label(FIRST_MONTH + month)


def _targets(ambition: AmbitionInfo, result: Forecast | None) -> tuple[TargetOutlook, ...]:
    """Each dated target with its chance; result.targets are in the same order (see _outlook)."""
    dated = ambition.dated_targets
    chances = result.targets if result else (None,) * len(dated)
    out = []
    for target, chance in zip(dated, chances, strict=True):
        reach = goal_reach(target)
        crossing = result.first_median_month(reach) if result else None
        out.append(
            TargetOutlook(
                target.label,
                target.target_date,
                reach,
                chance.probability if chance else None,
                _label(crossing) if crossing is not None else None,
            )
        )
    return tuple(out)


def _months(observed: list[float], result: Forecast | None) -> tuple[MonthFigures, ...]:
    rows = [MonthFigures(_label(m), value, None, None, None) for m, value in enumerate(observed)]
    for band in result.months if result else ():
        rows.append(MonthFigures(_label(band.month), None, band.median, band.low, band.high))
    return tuple(rows)


def outlook(
    session: Session,
    ambition: AmbitionInfo,
    network: NetworkInfo | None,
    threshold: Stage,
    as_of: date,
    horizon: int | None = None,
    *,
    runs: int = RUNS,
    seed: int = SEED,
    cache: MetricsCache | None = None,
) -> Outlook:
    """The forecast of the ambition's reach from as_of's month for `horizon` months (default_horizon if None):
    its reach targets, the programme's and the network's own."""
    ambition = ambition.within(network).reach_only()

    key = ("forecast", ambition, network.id if network else None, threshold.value, as_of, horizon, runs, seed)

    def compute() -> Outlook:
        panel = kept_panel(session, scope(session, ambition, network), threshold, as_of, cache)
        return _by_panel(
            cache, key, panel, lambda: outlook_of(panel, ambition, network, threshold, as_of, horizon, runs, seed)
        )

    if cache is None or not cache.size:
        return compute()
    return cached(session, cache, key, compute)


def _by_panel(cache: MetricsCache | None, key: tuple, panel: Panel, compute: Callable[[], T]) -> T:
    """compute() kept by the panel's content: a write that leaves the panel as it was (a note, a stage
    below the threshold, an idea already adopted by the organisation) does not fit the model again."""
    if cache is None or not cache.size:
        return compute()
    return cache.get_or_compute((*key, "panel", panel.content_key), compute)


def outlook_of(panel: Panel, ambition, network, threshold, as_of, horizon, runs, seed) -> Outlook:
    """The outlook from a panel already read: pure."""
    horizon = default_horizon(ambition, panel.months) if horizon is None else horizon
    model = fit(panel)
    result = None
    if model.enough_data:
        goals = [(month_of(t.target_date), goal_reach(t)) for t in ambition.dated_targets]
        result = forecast(panel, model, horizon, targets=goals, runs=runs, seed=seed)
    return Outlook(
        ambition=ambition.code,
        network=network.code if network else None,
        threshold=threshold,
        as_of=as_of,
        horizon=horizon,
        runs=runs,
        seed=seed,
        fit=model,
        months=_months(observed_reach(panel), result),
        targets=_targets(ambition, result),
        backtest=backtest(panel, runs=runs, seed=seed),
    )


# Whom to engage next ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    ods: str
    gain: float  # expected gain in reach (a share, 0 to 1) at the target month
    low: float  # its 95% interval
    high: float
    reasons: tuple[str, ...]
    instead_of: str | None = None  # for an alternative: the pick it is near-equivalent to


@dataclass(frozen=True)
class Engagement:
    ambition: str
    network: str | None
    threshold: Stage
    as_of: date
    k: int
    message: str  # why nothing is recommended, else ""
    month: str | None  # YYYY-MM: the month whose reach is raised
    target: str | None  # the dated target's label, None when no target lies ahead
    candidates: int  # open organisations yet to adopt
    shortlisted: int  # of which the forecast scored (the cheap ranking's best SHORTLIST, at least 2k)
    organisations: tuple[Suggestion, ...] = ()
    alternatives: tuple[Suggestion, ...] = ()


def cascade_probability(t: float, months: int) -> float:
    """The chance a strongest link passes adoption on within `months` months at monthly transmission t."""
    return float(1.0 - (1.0 - min(t * link_weight(STRENGTH_SCALE), 1.0)) ** max(months, 1))


def shortlist(panel: Panel, pool: list[str], p: float, size: int, runs: int, seed: int) -> list[str]:
    """The cheap first ranking: the `size` candidates with the largest expected independent-cascade
    spread from them and the adopters (strongest link p), on kept draws; ties to the smaller code."""
    if len(pool) <= size:
        return sorted(pool)
    draws = cascades.Draws(
        cascades.panel_network(panel), panel.adopters_before(panel.months), p=p, runs=runs, seed=seed
    )
    gain = dict(zip(pool, draws.single_gains(pool).tolist(), strict=True))
    return sorted(sorted(pool, key=lambda ods: (-gain[ods], ods))[:size])


def engage(
    session: Session,
    ambition: AmbitionInfo,
    network: NetworkInfo | None,
    threshold: Stage,
    as_of: date,
    k: int = K,
    *,
    runs: int = ENGAGE_RUNS,
    seed: int = SEED,
    cache: MetricsCache | None = None,
) -> Engagement:
    """The k organisations whose engagement this month raises the forecast's reach at the target date most.

    The target date is the first dated target after as_of's month, else BEYOND months ahead. Candidates
    (open, yet to adopt) are first ranked cheaply by independent-cascade spread (a strongest link passing
    on with the fitted model's chance over the months to the target, cascade_probability); only the best
    SHORTLIST (at least 2k) are scored with the forecast itself, on `runs` runs: reach at the target
    month, run for run on common random numbers (tracker.core.forecast.Simulation.run), chosen greedily
    with CELF (tracker.core.engage). Alternatives come from the same shortlist.
    """
    ambition = ambition.within(network).reach_only()

    def compute() -> Engagement:
        panel = kept_panel(session, scope(session, ambition, network), threshold, as_of, cache)
        return _engage(session, panel, ambition, network, threshold, as_of, k, runs, seed, cache)

    if cache is None or not cache.size:
        return compute()
    key = ("engage", ambition, network.id if network else None, threshold.value, as_of, k, runs, seed)
    return cached(session, cache, key, compute)


def _engage(session, panel: Panel, ambition, network, threshold, as_of, k, runs, seed, cache) -> Engagement:
    first = panel.months
    ahead = [t for t in ambition.dated_targets if month_of(t.target_date) >= first]
    month = month_of(ahead[0].target_date) if ahead else first + BEYOND - 1
    pool = search.candidates(panel)
    base = {
        "ambition": ambition.code,
        "network": network.code if network else None,
        "threshold": threshold,
        "as_of": as_of,
        "k": k,
        "month": _label(month),
        "target": ahead[0].label if ahead else None,
        "candidates": len(pool),
    }
    key = ("engage choice", month, k, runs, seed)
    model = _by_panel(cache, ("fit",), panel, lambda: fit(panel))
    if not model.enough_data:
        return Engagement(**base, message=model.message, shortlisted=0)
    if not pool:
        return Engagement(
            **base, message="Every open organisation has adopted: there is nobody to engage.", shortlisted=0
        )
    short, chosen = _by_panel(
        cache,
        key,
        panel,
        lambda: choose_for(panel, model, month, pool, k, runs=runs, seed=seed, size=max(SHORTLIST, 2 * k)),
    )
    named = sorted({pick.ods for pick in chosen.picks} | {g.ods for pick in chosen.picks for g in pick.alternatives})
    why = search.reasons(panel, named, network_names(session, named), known=graph_measures(panel, cache))
    picks = tuple(Suggestion(p.ods, p.gain, p.low, p.high, explain(why[p.ods])) for p in chosen.picks)
    alternatives = tuple(
        Suggestion(g.ods, g.gain, g.low, g.high, explain(why[g.ods]), instead_of=pick.ods)
        for pick in chosen.picks
        for g in pick.alternatives
    )
    return Engagement(**base, message="", shortlisted=len(short), organisations=picks, alternatives=alternatives)


def choose_for(
    panel: Panel, model: Fit, month: int, pool: list[str], k: int, *, runs: int, seed: int, size: int = SHORTLIST
) -> tuple[list[str], search.Engagement]:
    """The shortlist of `pool` and the greedy (CELF) choice among it of k to engage in the panel's next
    month, scored by the forecast reach in `month` (a panel month after the last observed). Pure."""
    horizon = month - panel.months + 1
    short = shortlist(panel, pool, cascade_probability(model.transmission.estimate, horizon), size, runs, seed)
    simulation = prepare(panel, model, horizon, runs, seed)

    def objective(engaged: frozenset[str]) -> np.ndarray:
        return simulation.run(sorted(engaged))[:, -1]

    return short, search.choose(objective, short, k)


def graph_measures(panel: Panel, cache: MetricsCache | None) -> search.GraphMeasures:
    """The learning graph's betweenness and communities, kept by the graph's content: a write that leaves
    the graph as it was (an adoption logged) does not pay for them again."""
    if cache is None or not cache.size:
        return search.graph_measures(panel)
    return cache.get_or_compute(
        ("learning graph measures", search.graph_key(panel)), lambda: search.graph_measures(panel)
    )


def explain(reasons: search.Reasons) -> tuple[str, ...]:
    """The reasons in plain words: exposure, bridges, betweenness, its network."""
    if not reasons.linked:
        lines = ["No learning links: engaging it reaches only itself"]
    else:
        lines = [
            f"{reasons.linked_adopting} of its {reasons.linked} linked organisations already adopt "
            f"(exposure {reasons.exposure:.0%})"
        ]
    if reasons.bridges_to:
        count = len(reasons.bridges_to)
        lines.append(f"Bridges to {count} other {'community' if count == 1 else 'communities'} of the learning graph")
    if reasons.betweenness > 0:
        estimated = " (estimated from a sample of organisations)" if reasons.betweenness_estimated else ""
        lines.append(f"Betweenness {reasons.betweenness:.2f}{estimated}: it lies on paths between other organisations")
    if reasons.network:
        lines.append(f"In the network {reasons.network}")
    return tuple(lines)
