"""The coverage dashboard (the home page) as plain data: each ambition's coverage as of a day, its
change since the end of the previous quarter, its recent months and whether it is on course for
its dated targets.

Each card is the ambition's coverage report (reports.service) in all networks from the default
threshold stage, so the dashboard and the report always agree. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ..cache import MetricsCache
from ..catalogue.queries import ambitions_overview
from ..core import charts, trend
from ..core import coverage as cov
from ..core.stages import DEFAULT_THRESHOLD, Stage
from ..reports import outlooks
from ..reports import service as reports

SPARKLINE_MONTHS = 24


def previous_quarter_end(day: date) -> date:
    """The last day of the calendar quarter before the day's own (30 September for any day in Q4)."""
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class AmbitionCard:
    ambition: reports.AmbitionInfo
    packages: int
    ideas: int
    figures: cov.Coverage
    earlier: cov.SeriesPoint | None  # as of the end of the previous quarter
    recent: list[cov.SeriesPoint]  # the sparkline's months, oldest first
    sparkline: charts.Sparkline | None
    targets: list[outlooks.TargetStatus]


@dataclass(frozen=True)
class Dashboard:
    day: date
    quarter_end: date
    threshold: Stage
    goal: float  # the share a target aims at when it sets none of its own (COVERAGE_GOAL)
    window: int  # the months the trend is fitted to
    cards: list[AmbitionCard]


def dashboard(
    session: Session, day: date, goal: float = trend.DEFAULT_GOAL, cache: MetricsCache | None = None
) -> Dashboard:
    """The dashboard as of the day.

    Per ambition: its counted ideas, its organisations' adoption, the open organisations and the
    monthly series (two), once per state of the data with a cache; one more pair per dated target
    that has passed and does not fall on a month end (the series answers month ends), and a pair per
    month of the trend's window when a ward-coverage target is there (reports.outlooks). Plus the
    catalogue's ambitions with their targets and published packages.
    """
    quarter_end = previous_quarter_end(day)
    cards = []
    for ambition in ambitions_overview(session):
        info = reports.AmbitionInfo.of(ambition).within(None)  # the programme's targets, not a network's
        report = reports.build_report(session, info, None, day, DEFAULT_THRESHOLD, with_medians=False, cache=cache)
        recent = report.series[-SPARKLINE_MONTHS:]
        cards.append(
            AmbitionCard(
                ambition=info,
                packages=len(ambition.packages),
                ideas=report.ideas_total,
                figures=report.figures,
                earlier=next((p for p in report.series if p.month_end == quarter_end), None),
                recent=recent,
                sparkline=charts.sparkline([p.reach for p in recent]),
                targets=outlooks.statuses(session, report, goal, cache),
            )
        )
    return Dashboard(day, quarter_end, DEFAULT_THRESHOLD, goal, trend.WINDOW, cards)
