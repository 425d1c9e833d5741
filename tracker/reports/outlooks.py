"""Whether a report is on course for each of its dated targets, in what the target counts.

A reach target is judged on the report's monthly reach; a ward-coverage target on ward coverage
(wards using the ideas over wards in scope) at the same month ends, counted only when such a target
is there. Each target aims at its own value when it sets one, else at the configured goal
(COVERAGE_GOAL). The straight-line judgement itself is tracker.core.trend's. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ..cache import MetricsCache
from ..core import trend
from . import queries
from .service import Report, TargetInfo, reach_on


@dataclass(frozen=True)
class TargetStatus:
    target: TargetInfo
    outlook: trend.Outlook

    @property
    def measure_words(self) -> str:
        """What the figures are of, as the verdict says it ("reach", "ward coverage")."""
        return self.target.measure.label.lower()


def ward_points(
    session: Session, report: Report, cache: MetricsCache | None = None, window: int = trend.WINDOW
) -> list[tuple[date, float]]:
    """Ward coverage at the month ends of the report's last `window` months (the last as of its day),
    leaving out months where no record gives wards: a pair of statements a month, once per state of the
    data with a cache."""
    points = []
    for point in report.series[-window:]:
        share = _ward_coverage_on(session, report, point.month_end, cache)
        if share is not None:
            points.append((point.month_end, share))
    return points


def _ward_coverage_on(session: Session, report: Report, day: date, cache: MetricsCache | None) -> float | None:
    if day == report.day:
        return report.figures.ward_coverage
    return queries.coverage_on(session, report.scope, day, report.threshold, cache=cache).ward_coverage


def statuses(
    session: Session, report: Report, default_goal: float = trend.DEFAULT_GOAL, cache: MetricsCache | None = None
) -> list[TargetStatus]:
    """Each dated target of the report's ambition (and network), oldest first: on course or not, or
    (passed) the figure on its date."""
    reach = [(p.month_end, p.reach) for p in report.series]
    wards: list[tuple[date, float]] | None = None
    out = []
    for target in report.ambition.dated_targets:
        day = target.target_date
        passed = day <= report.day
        if target.counts_ward_coverage:
            if wards is None:
                wards = ward_points(session, report, cache)
            points = wards
            on_date = _ward_coverage_on(session, report, day, cache) if passed else None
        else:
            points = reach
            on_date = reach_on(session, report, day, cache) if passed else None
        goal = target.goal(default_goal)
        out.append(TargetStatus(target, trend.outlook(points, day, report.day, reach_on_date=on_date, goal=goal)))
    return out
