"""The geometry and the words of a forecast's fan chart, for server-rendered SVG: plain data in, plain data out.

No Flask and no markup: templates/_macros/fan.html draws these shapes, Jinja escapes the text and the
colours live in app.css (the CSP forbids inline styles). Months sit at equal steps from the first
observed month to the last forecast month, counted as the panel counts them (tracker.core.panel: month 0
is `first_month`). Reach is drawn on a fixed 0–100% scale, as on the other reach charts, and values
outside it are clamped. The forecast's band and median start from the last observed point, so the fan
opens out of the observed line rather than beside it; "today" is that last observed month.
The frame (size and plot area) and the month labels are those of every chart (charts.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .charts import LABEL_CHAR_WIDTH, AxisTick, Frame, month_label, month_ticks
from .forecast import MonthBand, TargetChance

MARKER = 6.0  # half the width of a target's diamond


@dataclass(frozen=True)
class TargetMarker:
    x: float
    y: float
    path: str  # a diamond centred on (x, y)
    label: str
    label_x: float
    label_y: float
    anchor: str  # "start" (text right of the marker) or "end" (left of it, near the right edge)


Point = tuple[float, float]


def _path(points: Sequence[Point]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y) in enumerate(points))


@dataclass(frozen=True)
class FanChart(Frame):
    y_ticks: list[AxisTick]
    x_ticks: list[AxisTick]
    observed: tuple[Point, ...]  # the observed line's points, left to right
    band: tuple[Point, ...]  # the 80% band: its upper edge left to right, then its lower edge right to left
    median: tuple[Point, ...]
    today: float | None  # x of the last observed month (None without observations)
    targets: list[TargetMarker]
    targets_outside: list[str]  # the targets whose month lies beyond the chart, in words
    description: str  # the chart in words, for its accessible description

    @property
    def observed_path(self) -> str:
        return _path(self.observed)

    @property
    def band_points(self) -> str:
        """The band as an SVG polygon's points attribute."""
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.band)

    @property
    def median_path(self) -> str:
        return _path(self.median)


def month_of(first_month: date, index: int) -> date:
    """The first day of the month `index` months after first_month's."""
    year, month = divmod(first_month.year * 12 + first_month.month - 1 + index, 12)
    return date(year, month + 1, 1)


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _unit(value: float) -> float:
    return max(0.0, min(1.0, value))


def _month_ticks(first_month: date, low: int, high: int) -> list[int]:
    """The month indices from low to high labelled on the axis (tracker.core.charts.month_ticks)."""
    return [low + i for i in month_ticks([month_of(first_month, m) for m in range(low, high + 1)])]


def _diamond(x: float, y: float) -> str:
    h = MARKER
    return f"M{x:.1f} {y - h:.1f}L{x + h:.1f} {y:.1f}L{x:.1f} {y + h:.1f}L{x - h:.1f} {y:.1f}Z"


def target_words(first_month: date, target: TargetChance) -> str:
    """A target as the chart labels it: "Target 60% by Mar 2027: 72% chance"."""
    words = f"Target {percent(target.reach)} by {month_label(month_of(first_month, target.month))}"
    return words if target.probability is None else f"{words}: {percent(target.probability)} chance"


def _target_sentence(first_month: date, target: TargetChance) -> str:
    words = target_words(first_month, target)
    if target.probability is None:
        return f"{words} (no forecast for that month)."
    if target.median_month is None:
        return f"{words}; the median does not reach it within the forecast."
    return f"{words}; the median reaches it in {month_label(month_of(first_month, target.median_month))}."


def describe(first_month: date, observed: Sequence[float], bands: Sequence[MonthBand], targets) -> str:
    """The chart in words: the span, the latest observed reach, the forecast's end and each target."""
    months = [*range(len(observed)), *(band.month for band in bands)]
    if not months:
        return "No reach to show."
    sentences = [
        f"Reach by month, {month_label(month_of(first_month, min(months)))} to "
        f"{month_label(month_of(first_month, max(months)))}."
    ]
    if observed:
        latest = month_label(month_of(first_month, len(observed) - 1))
        sentences.append(f"Observed: {percent(_unit(observed[-1]))} in {latest} (today).")
    if bands:
        last = bands[-1]
        sentences.append(
            f"Forecast: median {percent(_unit(last.median))} in {month_label(month_of(first_month, last.month))}, "
            f"80% band {percent(_unit(last.low))} to {percent(_unit(last.high))}."
        )
    else:
        sentences.append("No forecast.")
    sentences += [_target_sentence(first_month, t) for t in sorted(targets, key=lambda t: (t.month, t.reach))]
    return " ".join(sentences)


def fan_chart(
    first_month: date,
    observed: Sequence[float],
    bands: Sequence[MonthBand],
    targets: Sequence[TargetChance] = (),
    *,
    width: int = 760,
    height: int = 400,
) -> FanChart:
    """The fan chart of reach: observed in months 0 … len(observed) − 1 (tracker.core.forecast.observed_reach),
    then the forecast's months (Forecast.months: median and 80% band) and the dated targets (Forecast.targets).

    Month indices count from first_month (the panel's month 0). Targets outside the chart's months are
    not drawn but listed in words (targets_outside).
    """
    left, right, top, bottom = 56.0, width - 24.0, 24.0, height - 56.0
    months = [*range(len(observed)), *(band.month for band in bands)]
    low, high = (min(months), max(months)) if months else (0, 0)
    step = (right - left) / (high - low) if high > low else 0.0

    def x_of(i: float) -> float:
        return left + (i - low) * step if high > low else (left + right) / 2

    def y_of(share: float) -> float:
        return bottom - _unit(share) * (bottom - top)

    y_ticks = [AxisTick(y_of(k / 100), f"{k}%") for k in range(0, 101, 20)]
    x_ticks = (
        [AxisTick(x_of(i), month_label(month_of(first_month, i))) for i in _month_ticks(first_month, low, high)]
        if months
        else []
    )
    observed_points = tuple((x_of(i), y_of(v)) for i, v in enumerate(observed))
    # The fan opens from the last observed point when the forecast follows straight on from it.
    anchor = observed_points[-1:] if observed and bands and bands[0].month == len(observed) else ()
    band = median = ()
    if bands:
        upper = [(x_of(b.month), y_of(b.high)) for b in bands]
        lower = [(x_of(b.month), y_of(b.low)) for b in reversed(bands)]
        band = (*anchor, *upper, *lower)
        median = (*anchor, *((x_of(b.month), y_of(b.median)) for b in bands))

    drawn, outside = [], []
    for target in sorted(targets, key=lambda t: (t.month, t.reach)):
        if not months or not low <= target.month <= high:
            outside.append(_target_sentence(first_month, target))
            continue
        x, y = x_of(target.month), y_of(target.reach)
        label = target_words(first_month, target)
        fits_right = x + MARKER + 4 + len(label) * LABEL_CHAR_WIDTH <= width
        label_x = x + MARKER + 4 if fits_right else x - MARKER - 4
        drawn.append(TargetMarker(x, y, _diamond(x, y), label, label_x, y - 10, "start" if fits_right else "end"))

    return FanChart(
        width,
        height,
        left,
        top,
        right,
        bottom,
        y_ticks,
        x_ticks,
        observed_points,
        band,
        median,
        observed_points[-1][0] if observed else None,
        drawn,
        outside,
        describe(first_month, observed, bands, targets),
    )
