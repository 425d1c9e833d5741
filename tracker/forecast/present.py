"""The forecast page's figures shaped for people: plain data in (tracker.forecast.service), plain data out.

No Flask and no markup. Shares are written as percentages; gains and errors in reach as percentage points
("3.2 points"), as a project manager would read them out to a board. The fan chart's geometry is
tracker.core.fan_drawing's; here the outlook's months and targets are put into the indices it counts in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..calendar import PROGRAMME_START, people_month
from ..core.backtest import Backtest
from ..core.diffusion import STRENGTH_SCALE
from ..core.diffusion_fit import Estimate, Fit
from ..core.engage import signed_points
from ..core.fan_drawing import FanChart, fan_chart
from ..core.forecast import MonthBand, TargetChance
from ..tabular import RATIO, TEXT, Column
from .service import Engagement, Outlook, Suggestion, TargetOutlook

FIRST_MONTH = PROGRAMME_START.replace(day=1)  # the panel's month 0
NOT_WITHIN = "Not within the horizon"


def month_start(label: str) -> date:
    """The first day of a YYYY-MM month."""
    year, month = label.split("-")
    return date(int(year), int(month), 1)


def month_words(label: str | None) -> str | None:
    """A YYYY-MM month as people write it: "March 2027"."""
    return people_month(month_start(label)) if label else None


def _index(day: date) -> int:
    return (day.year - FIRST_MONTH.year) * 12 + day.month - FIRST_MONTH.month


def percent(share: float | None) -> str:
    """A share as a percentage, with a decimal below 10% where the rounding would hide it."""
    if share is None:
        return "–"
    value = share * 100
    return f"{value:.1f}%" if 0 < abs(value) < 10 else f"{value:.0f}%"


def points(share: float) -> str:
    """A difference in reach in percentage points: "3.2"."""
    return f"{share * 100:.1f}"


# The months: the table, the downloads and the fan chart --------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    month: str  # YYYY-MM
    label: str  # "June 2025"
    observed: float | None
    median: float | None
    low: float | None
    high: float | None


def month_rows(outlook: Outlook) -> list[MonthRow]:
    return [MonthRow(m.month, month_words(m.month), m.observed, m.median, m.low, m.high) for m in outlook.months]


COLUMNS = (
    Column("month", TEXT, 10),
    Column("observed_reach", RATIO, 15),
    Column("forecast_median", RATIO, 16),
    Column("band_80_low", RATIO, 13),
    Column("band_80_high", RATIO, 13),
)


def download_rows(outlook: Outlook) -> list[list[Any]]:
    """The table's rows as the CSV and XLSX files hold them (COLUMNS): the page's figures, unrounded."""
    return [[r.month, r.observed, r.median, r.low, r.high] for r in month_rows(outlook)]


def filename(outlook: Outlook) -> str:
    """forecast-<ambition>[-<network>]-<stage>-<today> (tabular adds the extension), codes cut down."""
    codes = [outlook.ambition] + ([outlook.network] if outlook.network else [])
    safe = "-".join(re.sub(r"[^A-Za-z0-9-]", "", code) for code in codes)
    return f"forecast-{safe}-{outlook.threshold.value}-{outlook.as_of.isoformat()}"


def fan(outlook: Outlook) -> FanChart:
    """The fan chart of the outlook: observed reach, then the median and 80% band, and the dated targets
    still ahead (those passed are in the targets' table: on the chart their labels would crowd the past)."""
    observed = [m.observed for m in outlook.months if m.observed is not None]
    bands = [
        MonthBand(_index(month_start(m.month)), m.median, m.low, m.high, m.median)
        for m in outlook.months
        if m.median is not None
    ]
    targets = [
        TargetChance(
            _index(t.day),
            t.reach,
            t.probability,
            _index(month_start(t.median_month)) if t.median_month else None,
        )
        for t in outlook.targets
        if not passed(outlook, t)
    ]
    return fan_chart(FIRST_MONTH, observed, bands, targets)


# The headline: each dated target -------------------------------------------------------------------


@dataclass(frozen=True)
class TargetLine:
    label: str
    day: date
    reach: str  # "100%"
    chance: str  # "72%", or why there is none
    crossing: str  # the month the median reaches it, or NOT_WITHIN / "No forecast"
    passed: bool


def passed(outlook: Outlook, target: TargetOutlook) -> bool:
    return target.day < outlook.as_of


def target_lines(outlook: Outlook) -> list[TargetLine]:
    observed = [m.observed for m in outlook.months if m.observed is not None]
    now = observed[-1] if observed else 0.0
    lines = []
    for t in outlook.targets:
        gone = passed(outlook, t)
        if t.probability is not None:
            chance = percent(t.probability)
        elif not outlook.enough_data:
            chance = "No forecast"
        else:
            chance = "Date passed" if gone else "Beyond the horizon"
        if not outlook.enough_data:
            crossing = "No forecast"
        elif now >= t.reach - 1e-9:
            crossing = f"Already reached ({percent(now)} now)"
        else:
            crossing = month_words(t.median_month) or NOT_WITHIN
        lines.append(TargetLine(t.label, t.day, percent(t.reach), chance, crossing, gone))
    return lines


# The model in plain words and numbers ---------------------------------------------------------------


@dataclass(frozen=True)
class ModelFigures:
    enough_data: bool
    message: str  # the fit's: the network effect in plain words, or why there is no forecast
    background: str | None  # "0.8% a month (95% CI 0.5% to 1.2%)"
    transmission: str | None
    p_value: str | None  # "p = 0.003", "p < 0.001"
    network_effect: str | None  # whether the network effect is distinguishable from zero, in words
    observations: int  # at-risk organisation-months
    adoptions: int
    months: int
    weights: str  # how link weights are normalised


def _estimate(value: Estimate) -> str:
    return f"{percent(value.estimate)} (95% CI {percent(value.low)} to {percent(value.high)})"


def p_value_words(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


WEIGHTS = (
    f"A learning link's weight is its recorded strength (1 to 5) divided by {STRENGTH_SCALE:g}, "
    "so the strongest links count fully and a strength-1 link a fifth as much."
)


def model_figures(model: Fit) -> ModelFigures:
    counts = {"observations": model.observations, "adoptions": model.adoptions, "months": model.months}
    if not model.enough_data:
        return ModelFigures(False, model.message, None, None, None, None, weights=WEIGHTS, **counts)
    p = model.network_effect_p_value
    distinguishable = p < 0.05
    effect = (
        "The network effect is distinguishable from zero: the data would rarely look like this if links did nothing."
        if distinguishable
        else "The network effect is not distinguishable from zero: the data are consistent with links doing nothing."
    )
    return ModelFigures(
        True,
        model.message,
        _estimate(model.background),
        _estimate(model.transmission),
        f"{p_value_words(p)} (likelihood-ratio test of no network effect)",
        effect,
        weights=WEIGHTS,
        **counts,
    )


# The backtest ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BacktestRow:
    key: str  # "model", "straight_line", "bass"
    name: str
    error: str  # mean absolute error in percentage points, or why there is none
    band: str  # for the model: how often the truth stayed in the 80% band; else "Not applicable"
    best: bool


NAMES = {"model": "Network model", "straight_line": "Straight line", "bass": "Bass curve"}
SHORT = {"straight_line": "the straight line", "bass": "the Bass curve"}


def backtest_rows(past: Backtest) -> list[BacktestRow]:
    best = past.best
    errors = {"model": past.model_mae, "straight_line": past.straight_line_mae, "bass": past.bass_mae}
    rows = []
    for key, mae in errors.items():
        error = f"{points(mae)} points" if mae is not None else "Could not be made"
        if key != "model":
            band = "Not applicable"
        elif past.coverage_of_band is None:
            band = "Could not be made"
        else:
            inside = round(past.coverage_of_band * len(past.observed))
            band = f"{inside} of {len(past.observed)} months ({percent(past.coverage_of_band)})"
        rows.append(BacktestRow(key, NAMES[key], error, band, key == best))
    return rows


def backtest_verdict(past: Backtest) -> str:
    """Plainly whether the model did worse than a baseline; the core's message when it could not be scored."""
    if past.model_mae is None:
        return past.message
    beaten_by = [
        SHORT[key]
        for key, mae in (("straight_line", past.straight_line_mae), ("bass", past.bass_mae))
        if mae is not None and mae < past.model_mae
    ]
    months = len(past.observed)
    if not beaten_by:
        return f"Over the last {months} months the network model forecast reach better than both baselines."
    return (
        f"The network model did worse than {' and '.join(beaten_by)} over the last {months} months: "
        "treat its forecast with caution, and weigh it against the simpler projection."
    )


# Whom to engage next --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    ods: str
    name: str
    gain: str  # percentage points of reach, "+3.2"
    interval: str  # "+1.0 to +5.4"
    reasons: tuple[str, ...]
    alternatives: tuple[Pick, ...] = ()


def _pick(s: Suggestion, names: dict[str, str], alternatives: tuple[Pick, ...] = ()) -> Pick:
    return Pick(
        s.ods,
        names.get(s.ods, s.ods),
        signed_points(s.gain),
        f"{signed_points(s.low)} to {signed_points(s.high)}",
        s.reasons,
        alternatives,
    )


def picks(engagement: Engagement, names: dict[str, str]) -> list[Pick]:
    """The picks in the order chosen, each with its near-equivalent alternatives (those not picked
    themselves: an organisation already on the list is no alternative to another on it)."""
    chosen = {s.ods for s in engagement.organisations}
    return [
        _pick(
            s,
            names,
            tuple(_pick(a, names) for a in engagement.alternatives if a.instead_of == s.ods and a.ods not in chosen),
        )
        for s in engagement.organisations
    ]


def named(engagement: Engagement) -> list[str]:
    """Every organisation the recommendation names: picks and alternatives."""
    return sorted({s.ods for s in (*engagement.organisations, *engagement.alternatives)})
