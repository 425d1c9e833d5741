"""Whether coverage is on course for a target: a straight line through the latest monthly points.

Plain data in and out (dates and shares of organisations), no Flask and no session. The line is
an ordinary least-squares fit of reach against the date, over the last twelve monthly points; it
is projected to a future target date and clamped to 0–100%, since no share can leave that range.
A target date already passed is judged by the figure on that date, not by a projection.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import linear_regression

WINDOW = 12  # monthly points the trend is fitted to
DEFAULT_GOAL = 1.0  # the regional coverage target: every open organisation reached


@dataclass(frozen=True)
class Line:
    """value = intercept + slope × (days since origin)."""

    origin: date
    intercept: float
    slope_per_day: float

    def at(self, day: date) -> float:
        return self.intercept + self.slope_per_day * (day - self.origin).days


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def fit(points: Sequence[tuple[date, float]]) -> Line | None:
    """The least-squares line through (date, value) points; None without two different dates."""
    if len({day for day, _ in points}) < 2:
        return None
    origin = points[0][0]
    slope, intercept = linear_regression([(day - origin).days for day, _ in points], [value for _, value in points])
    return Line(origin, intercept, slope)


def project(points: Sequence[tuple[date, float]], day: date, window: int = WINDOW) -> float | None:
    """The value the trend of the last `window` points reaches on the day, within [0, 1]; None if too few."""
    line = fit(list(points)[-window:])
    return None if line is None else clamp(line.at(day))


class Status(enum.StrEnum):
    ON_COURSE = "on_course"
    NOT_ON_COURSE = "not_on_course"
    NOT_ENOUGH_DATA = "not_enough_data"
    PASSED = "passed"


@dataclass(frozen=True)
class Outlook:
    """A target's status: `value` is the projected reach (future dates) or the reach on the date (passed)."""

    target_date: date
    status: Status
    value: float | None
    goal: float


def outlook(
    points: Sequence[tuple[date, float]],
    target_date: date,
    today: date,
    reach_on_date: float | None = None,
    goal: float = DEFAULT_GOAL,
    window: int = WINDOW,
) -> Outlook:
    """On course or not for a future target date; for a date already reached, the reach on it."""
    if target_date <= today:
        return Outlook(target_date, Status.PASSED, reach_on_date, goal)
    projected = project(points, target_date, window)
    if projected is None:
        return Outlook(target_date, Status.NOT_ENOUGH_DATA, None, goal)
    # A hair of tolerance: a line that reaches exactly 100% must not miss it by rounding.
    status = Status.ON_COURSE if projected >= goal - 1e-9 else Status.NOT_ON_COURSE
    return Outlook(target_date, status, projected, goal)
