"""The geometry and the words of an XmR (SPC) chart, for server-rendered SVG: plain data in, plain data out.

No Flask and no markup: templates/_macros/spc.html draws these shapes, Jinja escapes the text and the
colours live in app.css (the CSP forbids inline styles). Months sit at equal steps from left to right;
the value scale covers every value, limit and the target, so nothing is drawn off the chart. Each group
(rebase) has its own mean and limits, drawn only across its own months, so a rebase shows as a break.
Point types are told apart by shape as well as colour (circle: common cause, square: improvement,
diamond: concern, triangle: neutral), so the chart reads without colour.
The frame (size and plot area) and the month labels are those of every chart (charts.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from . import spc_icons
from .charts import AxisTick, Frame, month_label, month_ticks
from .spc import SpcPoint, SpcResult

KINDS = {
    "common_cause": "common",
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral_high": "neutral",
    "special_cause_neutral_low": "neutral",
}
SHAPES = {"common": "circle", "improvement": "square", "concern": "diamond", "neutral": "triangle"}
POINT_TYPE_WORDS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause improvement",
    "special_cause_concern": "Special cause concern",
    "special_cause_neutral_high": "Special cause, neither improvement nor concern (high)",
    "special_cause_neutral_low": "Special cause, neither improvement nor concern (low)",
}


def rule_words(rule: str | None) -> str:
    """The reference implementation's rule label in plain words ("" for common cause)."""
    if rule is None:
        return ""
    words = {
        "Above UCL": "A point above the upper process limit",
        "Below LCL": "A point below the lower process limit",
        "7 Point Trend (Increasing)": "7 points in a row, each higher than the last",
        "7 Point Trend (Decreasing)": "7 points in a row, each lower than the last",
        "2 in 3 Above CL": "2 of 3 points above the upper two-sigma line",
        "2 in 3 Below CL": "2 of 3 points below the lower two-sigma line",
        "7 Points Above CL": "7 points in a row above the mean",
        "7 Points Below CL": "7 points in a row below the mean",
    }
    return words.get(rule, rule)


def number(value: float | None, suffix: str = "") -> str:
    """A value as the chart and its table show it: two decimal places ("" when there is none)."""
    return "" if value is None else f"{value:,.2f}{suffix}"


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class DrawnPoint:
    x: float
    y: float
    kind: str  # common, improvement, concern, neutral: the class and the legend entry
    shape: str
    path: str  # the shape as an SVG path, centred on (x, y)
    title: str  # what hovering shows: month, value, type and rule


@dataclass(frozen=True)
class Mark:
    """A vertical line across the plot with a short label at its top (a rebase or adoption events)."""

    x: float
    label: str
    text: str  # the whole story, for the mark's <title> and the list under the chart


@dataclass(frozen=True)
class SpcChart(Frame):
    y_ticks: list[AxisTick]
    x_ticks: list[AxisTick]
    line: str  # the values, broken at gaps
    means: list[Segment]
    limits: list[Segment]  # the process limits of every group
    two_sigma: list[Segment]
    target: Segment | None
    points: list[DrawnPoint]
    rebases: list[Mark]
    events: list[Mark]
    variation: spc_icons.Icon | None
    assurance: spc_icons.Icon | None


def nice_step(span: float, count: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `count` intervals over span."""
    if span <= 0:
        return 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def value_scale(numbers: Sequence[float]) -> tuple[float, float, float]:
    """(low, high, step): round bounds covering the numbers, at least one step apart."""
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    step = nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _shape(shape: str, x: float, y: float) -> str:
    if shape == "circle":
        r = 4.0
        return f"M{x - r:.1f} {y:.1f}a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0Z"
    if shape == "square":
        h = 4.5
        return f"M{x - h:.1f} {y - h:.1f}h{2 * h}v{2 * h}h{-2 * h}Z"
    if shape == "diamond":
        h = 6.0
        return f"M{x:.1f} {y - h:.1f}L{x + h:.1f} {y:.1f}L{x:.1f} {y + h:.1f}L{x - h:.1f} {y:.1f}Z"
    h = 6.0  # a triangle
    return f"M{x:.1f} {y - h:.1f}L{x + h:.1f} {y + h * 0.8:.1f}L{x - h:.1f} {y + h * 0.8:.1f}Z"


def point_title(month: date, point: SpcPoint, suffix: str = "") -> str:
    words = POINT_TYPE_WORDS[point.point_type]
    rule = rule_words(point.rule)
    return f"{month_label(month)}: {number(point.value, suffix)}, {words.lower()}" + (
        f" ({rule.lower()})" if rule else ""
    )


def _groups(points: Sequence[SpcPoint]) -> list[tuple[int, int]]:
    """(first, last) index of each group."""
    spans: list[tuple[int, int]] = []
    for i, p in enumerate(points):
        if spans and points[spans[-1][0]].group == p.group:
            spans[-1] = (spans[-1][0], i)
        else:
            spans.append((i, i))
    return spans


def spc_chart(
    months: Sequence[date],
    result: SpcResult,
    *,
    target: float | None = None,
    rebases: Sequence[tuple[int, str]] = (),
    events: Sequence[tuple[int, str]] = (),
    suffix: str = "",
    width: int = 760,
    height: int = 400,
) -> SpcChart:
    """The chart of result (one point per month) with its target, rebases (index, reason) and adoption
    events (index, what happened): events of one month share a numbered mark."""
    points = result.points
    left, right, top, bottom = 64.0, width - 24.0, 32.0, height - 64.0
    n = len(points)
    inset = 10.0  # the first and last points clear the axes
    step = (right - left - 2 * inset) / (n - 1) if n > 1 else 0.0

    def x_of(i: float) -> float:
        return left + inset + i * step if n > 1 else (left + right) / 2

    numbers = [
        v
        for p in points
        for v in (p.value, p.upl, p.lpl, p.mean, p.two_sigma_lower, p.two_sigma_upper)
        if v is not None
    ]
    if target is not None:
        numbers.append(target)
    low, high, tick_step = value_scale(numbers)

    def y_of(v: float) -> float:
        return bottom - (v - low) / (high - low) * (bottom - top)

    y_ticks = [
        AxisTick(y_of(low + k * tick_step), number(low + k * tick_step, suffix))
        for k in range(round((high - low) / tick_step) + 1)
    ]
    x_ticks = [AxisTick(x_of(i), month_label(months[i])) for i in month_ticks(months)]

    pieces, drawing = [], False
    for i, p in enumerate(points):
        if p.value is None:
            drawing = False
            continue
        pieces.append(f"{'L' if drawing else 'M'}{x_of(i):.1f} {y_of(p.value):.1f}")
        drawing = True

    means, limits, two_sigma = [], [], []
    for first, last in _groups(points):
        p = points[first]
        x1, x2 = x_of(first), x_of(last)
        if p.mean is not None:
            means.append(Segment(x1, y_of(p.mean), x2, y_of(p.mean)))
        for lower, upper, into in ((p.lpl, p.upl, limits), (p.two_sigma_lower, p.two_sigma_upper, two_sigma)):
            if lower is not None and upper is not None:
                into += [Segment(x1, y_of(upper), x2, y_of(upper)), Segment(x1, y_of(lower), x2, y_of(lower))]

    drawn = []
    for i, p in enumerate(points):
        if p.value is None:
            continue
        kind = KINDS[p.point_type]
        x, y = x_of(i), y_of(p.value)
        drawn.append(
            DrawnPoint(x, y, kind, SHAPES[kind], _shape(SHAPES[kind], x, y), point_title(months[i], p, suffix))
        )

    rebase_marks = [
        Mark(
            x_of(i - 0.5) if i > 0 else x_of(0),
            "Rebase",
            f"Limits worked out afresh from {month_label(months[i])}: {reason}",
        )
        for i, reason in sorted(rebases)
    ]
    by_month: dict[int, list[str]] = {}
    for i, text in events:
        by_month.setdefault(i, []).append(text)
    event_marks = [
        Mark(x_of(i), str(k), f"{month_label(months[i])}: {'; '.join(texts)}")
        for k, (i, texts) in enumerate(sorted(by_month.items()), start=1)
    ]

    variation = spc_icons.variation(result.variation_icon)
    assurance = spc_icons.ASSURANCE.get(result.assurance_icon) if result.assurance_icon else None

    return SpcChart(
        width,
        height,
        left,
        top,
        right,
        bottom,
        y_ticks,
        x_ticks,
        "".join(pieces),
        means,
        limits,
        two_sigma,
        Segment(left, y_of(target), right, y_of(target)) if target is not None and n else None,
        drawn,
        rebase_marks,
        event_marks,
        variation,
        assurance,
    )


# The legend: each kind of point as the chart draws it, in a 16 × 16 box.
LEGEND = [
    (kind, label, _shape(SHAPES[kind], 8, 8))
    for kind, label in (
        ("improvement", "Special cause improvement (blue square)"),
        ("concern", "Special cause concern (orange diamond)"),
        ("neutral", "Special cause, neither improvement nor concern (purple triangle)"),
        ("common", "Common cause (grey circle)"),
    )
]
