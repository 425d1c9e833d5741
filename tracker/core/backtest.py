"""The forecast's track record: fit on the history up to 12 months ago, forecast those 12 months, compare.

Three forecasts of the held-out months' reach, each made only from the months before the cut:
- the model: the hazard model fitted on the cut panel, its Monte Carlo median (and its 80% band);
- the straight line: least squares of reach on the month over the last 12 months before the cut,
  projected and clamped to 0–100%, as tracker.core.trend does (by month here rather than by day);
- a Bass curve: F(m) = (1 − e^−(p+q)m) / (1 + (q/p)·e^−(p+q)m), the share reached after m months with
  every organisation as the potential (so only p, innovation, and q, imitation, are fitted), by scipy
  least squares on the whole reach series before the cut. F counts months from the programme's start,
  so the reach observed at the end of month i is F(i + 1).
Each is scored by the mean absolute error in reach against what happened; the lowest wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import linear_regression

import numpy as np
from scipy import optimize

from tracker.core.diffusion_fit import fit
from tracker.core.forecast import RUNS, forecast, observed_reach
from tracker.core.panel import Panel
from tracker.core.trend import WINDOW, clamp

HOLDOUT = 12


@dataclass(frozen=True)
class Bass:
    p: float  # innovation: the pull of the programme
    q: float  # imitation: the pull of those already adopting

    def at(self, months: np.ndarray | float) -> np.ndarray:
        """The share reached after this many months."""
        decay = np.exp(-(self.p + self.q) * np.asarray(months, dtype=float))
        return (1.0 - decay) / (1.0 + (self.q / self.p) * decay)


def fit_bass(series: Sequence[float]) -> Bass | None:
    """The Bass curve closest in least squares to a monthly reach series (month i ends after i + 1 months)."""
    if len(series) < 3:
        return None
    months = np.arange(1, len(series) + 1, dtype=float)
    values = np.asarray(series, dtype=float)

    def residuals(x):
        return Bass(*np.exp(x)).at(months) - values

    best = None
    for start in ((0.01, 0.3), (0.001, 0.5), (0.05, 0.05)):  # the surface has shallow valleys: a few starts
        result = optimize.least_squares(residuals, np.log(start), method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
        if best is None or result.cost < best.cost:
            best = result
    return Bass(*(float(v) for v in np.exp(best.x)))


def straight_line(series: Sequence[float], ahead: int, window: int = WINDOW) -> list[float] | None:
    """The least-squares line through the last `window` points, projected `ahead` months and clamped."""
    points = list(series)[-window:]
    if len(points) < 2:
        return None
    start = len(series) - len(points)
    slope, intercept = linear_regression(range(start, len(series)), points)
    return [clamp(intercept + slope * month) for month in range(len(series), len(series) + ahead)]


@dataclass(frozen=True)
class Backtest:
    cut: int  # the first held-out month
    observed: tuple[float, ...]  # reach in the held-out months
    message: str
    model: tuple[float, ...] | None = None  # the model's median per held-out month
    model_low: tuple[float, ...] | None = None
    model_high: tuple[float, ...] | None = None
    straight_line: tuple[float, ...] | None = None
    bass: tuple[float, ...] | None = None
    bass_curve: Bass | None = None
    model_mae: float | None = None
    straight_line_mae: float | None = None
    bass_mae: float | None = None
    coverage_of_band: float | None = None  # the share of held-out months whose truth was inside the 80% band

    @property
    def best(self) -> str | None:
        """Which forecast erred least: "model", "straight_line" or "bass" (None if none could be made)."""
        scores = {"model": self.model_mae, "straight_line": self.straight_line_mae, "bass": self.bass_mae}
        scores = {name: mae for name, mae in scores.items() if mae is not None}
        return min(scores, key=scores.get) if scores else None


def _mae(forecast_values, observed) -> float:
    return float(np.mean(np.abs(np.asarray(forecast_values) - np.asarray(observed))))


def cut_panel(panel: Panel, months: int) -> Panel:
    """The panel as it stood after `months` months: later adoptions unknown (openings and closures kept)."""
    adopted = {ods: month for ods, month in panel.adopted.items() if month < months}
    return Panel(months, panel.organisations, adopted, panel.open_from, panel.closed_from, panel.links)


def backtest(panel: Panel, holdout: int = HOLDOUT, *, runs: int = RUNS, seed: int = 0) -> Backtest:
    """Fit on all but the last `holdout` months, forecast them three ways, and score each against the truth."""
    if holdout < 1:
        raise ValueError("a backtest holds back at least one month")
    cut = panel.months - holdout
    series = observed_reach(panel)
    if cut < 2:
        return Backtest(cut, tuple(series[max(cut, 0) :]), f"Too little history to hold {holdout} months back.")
    before, truth = series[:cut], tuple(series[cut:])
    line = straight_line(before, holdout)
    curve = fit_bass(before)
    bass = tuple(float(v) for v in curve.at(np.arange(cut + 1, panel.months + 1))) if curve else None
    fields = {
        "straight_line": tuple(line) if line else None,
        "straight_line_mae": _mae(line, truth) if line else None,
        "bass": bass,
        "bass_curve": curve,
        "bass_mae": _mae(bass, truth) if bass else None,
    }
    model_fit = fit(cut_panel(panel, cut))
    if not model_fit.enough_data:
        return Backtest(cut, truth, model_fit.message, **fields)
    result = forecast(cut_panel(panel, cut), model_fit, holdout, runs=runs, seed=seed)
    median = tuple(band.median for band in result.months)
    low = tuple(band.low for band in result.months)
    high = tuple(band.high for band in result.months)
    inside = [lo - 1e-12 <= value <= hi + 1e-12 for lo, value, hi in zip(low, truth, high, strict=True)]
    outcome = Backtest(
        cut,
        truth,
        "",
        model=median,
        model_low=low,
        model_high=high,
        model_mae=_mae(median, truth),
        coverage_of_band=sum(inside) / len(inside),
        **fields,
    )
    return _with_verdict(outcome)


NAMES = {"model": "the network model", "straight_line": "the straight line", "bass": "the Bass curve"}


def _with_verdict(outcome: Backtest) -> Backtest:
    best, months = outcome.best, len(outcome.observed)
    if best == "model":
        message = f"Over the last {months} months the network model forecast reach better than both baselines."
    else:
        message = (
            f"Over the last {months} months {NAMES[best]} forecast reach better than the network model: "
            "treat the model's forecast with caution."
        )
    return Backtest(**{**outcome.__dict__, "message": message})
