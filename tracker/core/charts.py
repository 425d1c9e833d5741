"""Chart geometry for server-rendered SVG: plain data in, coordinates and labels out.

No Flask and no markup here: templates/reports/_macros.html draws these shapes, so the text is
escaped by Jinja and the styles live in app.css (the CSP forbids inline styles). Shares are drawn
on a fixed 0–100% scale, so two charts can be compared by eye and small changes are not magnified.
Dates are placed by day, so a last point part-way through a month sits where it belongs.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from ..calendar import people_date, people_month

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LABEL_CHAR_WIDTH = 6.6  # rough width of a character of the 12px chart labels, to keep them apart
LABEL_ROW_HEIGHT = 16
END_LABEL_GAP = 16


def _path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y) in enumerate(points))


def month_label(month: date) -> str:
    """A month as the charts' axes write it: "Apr 2021"."""
    return f"{MONTHS[month.month - 1]} {month.year}"


@dataclass(frozen=True)
class Frame:
    """A chart's size and its plot area (where the axes run), shared by every chart drawn here."""

    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float

    @property
    def middle_x(self) -> float:
        return (self.left + self.right) / 2

    @property
    def middle_y(self) -> float:
        return (self.top + self.bottom) / 2


MAX_MONTH_TICKS = 8  # month labels on a Frame's axis at most


@dataclass(frozen=True)
class AxisTick:
    """A labelled tick of a Frame's axes (templates/_macros/chart_frame.html)."""

    position: float  # x for a month tick, y for a value tick
    label: str


def month_ticks(months: Sequence[date]) -> list[int]:
    """The indices of the months labelled on an axis: every month, or every 2nd, quarter, half year, year
    or two years, so that at most MAX_MONTH_TICKS show; from every 3rd on, on calendar boundaries."""
    for every in (1, 2, 3, 6, 12, 24):
        if len(months) <= every * MAX_MONTH_TICKS:
            break
    if every <= 2:
        return list(range(0, len(months), every))
    return [i for i, month in enumerate(months) if (month.month - 1) % every == 0]


def period_label(day: date) -> str:
    """The month (June 2025) for its last day; the day itself (15 June 2025) part-way through a month."""
    if day.day == monthrange(day.year, day.month)[1]:
        return people_month(day)
    return people_date(day)


# The sparkline ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    path: str
    last_x: float
    last_y: float
    baseline_y: float


def sparkline(values: Sequence[float], width: int = 200, height: int = 48, pad: float = 4.0) -> Sparkline | None:
    """A line through the values (shares, 0–1) from left to right; None with fewer than two."""
    if len(values) < 2:
        return None
    step = (width - 2 * pad) / (len(values) - 1)
    span = height - 2 * pad
    points = [(pad + i * step, pad + (1 - _unit(v)) * span) for i, v in enumerate(values)]
    return Sparkline(width, height, _path(points), points[-1][0], points[-1][1], height - pad)


def _unit(value: float) -> float:
    return max(0.0, min(1.0, value))


# The monthly chart --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    day: date
    reach: float
    depth: float


@dataclass(frozen=True)
class Gridline:
    y: float
    label: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    path: str
    last_x: float  # the latest point, marked with a dot
    last_y: float
    label_x: float  # the label at the line's end, right of the plot
    label_y: float
    end_label: str


@dataclass(frozen=True)
class TargetMark:
    x: float
    label: str
    label_y: float
    anchor: str  # "start" (text right of the line) or "end" (left of it, near the right edge)


@dataclass(frozen=True)
class Chart(Frame):
    gridlines: list[Gridline]
    ticks: list[Tick]
    series: list[Series]
    targets: list[TargetMark]
    targets_outside: list[tuple[str, date]]


def _ticks(start: date, end: date) -> list[tuple[date, str]]:
    """(day, label): 1 January of each year, or the first of each quarter when the span is two years or less."""
    months = (end.year - start.year) * 12 + end.month - start.month
    yearly = months > 24
    step = 12 if yearly else 3
    day = date(start.year, 1 if yearly else ((start.month - 1) // 3) * 3 + 1, 1)
    ticks = []
    while day <= end:
        if day >= start:
            ticks.append((day, str(day.year) if yearly else month_label(day)))
        month = day.month - 1 + step
        day = date(day.year + month // 12, month % 12 + 1, 1)
    return ticks


def _label_rows(xs: list[float], widths: list[float], right: float) -> list[tuple[int, str]]:
    """A row and an anchor for each target label, so that no two labels on one row overlap."""
    rows_end: list[float] = []  # the rightmost x used on each row
    placed = []
    for x, width in zip(xs, widths, strict=True):
        anchor = "end" if x + 4 + width > right else "start"
        left_edge, right_edge = (x - 4 - width, x) if anchor == "end" else (x, x + 4 + width)
        row = next((r for r, used in enumerate(rows_end) if left_edge > used + 8), None)
        if row is None:
            row = len(rows_end)
            rows_end.append(right_edge)
        else:
            rows_end[row] = right_edge
        placed.append((row, anchor))
    return placed


def monthly_chart(
    points: Sequence[ChartPoint],
    targets: Sequence[tuple[str, date]],
    start: date,
    end: date,
    width: int = 720,
    height: int = 380,
) -> Chart:
    """Reach and depth over time with gridlines every 20%, year (or quarter) ticks and target lines.

    targets: (label, date); those outside start–end are returned in targets_outside instead.
    """
    left, right, bottom = 56.0, width - 100.0, height - 56.0
    span_days = max((end - start).days, 1)

    def x_of(day: date) -> float:
        return left + (day - start).days / span_days * (right - left)

    inside = sorted(((label, day) for label, day in targets if start <= day <= end), key=lambda t: t[1])
    outside = [(label, day) for label, day in targets if not start <= day <= end]
    labels = [f"{label}: {people_date(day)}" for label, day in inside]
    xs = [x_of(day) for _, day in inside]
    rows = _label_rows(xs, [len(text) * LABEL_CHAR_WIDTH for text in labels], right)
    top = 16.0 + LABEL_ROW_HEIGHT * (max((row for row, _ in rows), default=-1) + 1)

    def y_of(share: float) -> float:
        return bottom - _unit(share) * (bottom - top)

    gridlines = [Gridline(y_of(step / 100), f"{step}%") for step in range(0, 101, 20)]
    ticks = [Tick(x_of(day), label) for day, label in _ticks(start, end)]
    series = []
    for key, label in (("reach", "Reach"), ("depth", "Depth")):
        coordinates = [(x_of(p.day), y_of(getattr(p, key))) for p in points]
        if not coordinates:
            continue
        value = getattr(points[-1], key)
        series.append(
            Series(
                key,
                label,
                _path(coordinates),
                *coordinates[-1],
                right + 8,
                coordinates[-1][1],
                f"{label} {value * 100:.1f}%",
            )
        )
    if len(series) == 2 and series[1].label_y - series[0].label_y < END_LABEL_GAP:
        # Keep the two end labels apart. Reach is never below depth, so its label goes above.
        reach_y = max(top, series[1].label_y - END_LABEL_GAP)
        series[0] = replace(series[0], label_y=reach_y)
        series[1] = replace(series[1], label_y=reach_y + END_LABEL_GAP)
    marks = [
        TargetMark(x, text, 12.0 + LABEL_ROW_HEIGHT * row, anchor)
        for x, text, (row, anchor) in zip(xs, labels, rows, strict=True)
    ]
    return Chart(width, height, left, top, right, bottom, gridlines, ticks, series, marks, outside)
