"""The home page (the coverage dashboard) and the pages about the service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, current_app, render_template
from sqlalchemy.orm import Session

from ..access import public, signed_in
from ..cache import coverage_cache
from ..calendar import today
from ..catalogue import queries as catalogue_queries
from ..core import charts, trend
from ..core import coverage as cov
from ..db import get_session
from ..models import Ambition, AmbitionTarget, Stage
from ..reports import queries
from ..seed import reference_data

bp = Blueprint("main", __name__)

DASHBOARD_STAGE = Stage.IMPLEMENTING
SPARKLINE_MONTHS = 24


def previous_quarter_end(day: date) -> date:
    """The last day of the calendar quarter before the day's own (30 September for any day in Q4)."""
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class TargetStatus:
    target: AmbitionTarget
    outlook: trend.Outlook


@dataclass(frozen=True)
class AmbitionCard:
    ambition: Ambition
    packages: int
    ideas: int
    figures: cov.Coverage
    earlier: cov.SeriesPoint | None  # as of the end of the previous quarter
    recent: list[cov.SeriesPoint]  # the sparkline's months, oldest first
    sparkline: charts.Sparkline | None
    targets: list[TargetStatus]


def _scope(ambition: Ambition) -> queries.Scope:
    """The ambition's published ideas, from the packages ambitions_overview loaded (same order as queries.scope)."""
    ideas = [cov.Idea(i.id, i.code, i.title) for p in ambition.packages for i in p.ideas]
    return queries.Scope(ambition, ideas, None)


def _reach_on(session: Session, scope: queries.Scope, day: date, by_month_end: dict[date, cov.SeriesPoint]) -> float:
    """Reach as of a past day: from the series when the day ends a month, else counted for that day."""
    if day in by_month_end:
        return by_month_end[day].reach
    return queries.coverage(session, scope, day, DASHBOARD_STAGE.rank, cache=coverage_cache()).reach


def ambition_cards(session: Session, ambitions: list[Ambition], day: date, goal: float) -> list[AmbitionCard]:
    """Each ambition's coverage as of the day, its change since last quarter, trend and targets.

    Two statements per ambition for the series, one for its organisations' adoption, and one for
    the open organisations that all ambitions share; one more pair per dated target that has
    passed and does not fall on a month end (the series answers month ends).
    """
    quarter_end = previous_quarter_end(day)
    cache = coverage_cache()
    cards = []
    for ambition in ambitions:
        scope = _scope(ambition)
        figures = queries.coverage(session, scope, day, DASHBOARD_STAGE.rank, cache=cache)
        series = queries.series(
            session, scope, cov.PROGRAMME_START, day, DASHBOARD_STAGE.rank, cache=cache, end_figures=figures
        )
        by_month_end = {p.month_end: p for p in series}
        recent = series[-SPARKLINE_MONTHS:]
        points = [(p.month_end, p.reach) for p in series]
        targets = [
            TargetStatus(
                t,
                trend.outlook(
                    points,
                    t.target_date,
                    day,
                    reach_on_date=_reach_on(session, scope, t.target_date, by_month_end)
                    if t.target_date <= day
                    else None,
                    goal=goal,
                ),
            )
            for t in sorted((t for t in ambition.targets if t.target_date), key=lambda t: t.target_date)
        ]
        cards.append(
            AmbitionCard(
                ambition=ambition,
                packages=len(ambition.packages),
                ideas=len(scope.ideas),
                figures=figures,
                earlier=by_month_end.get(quarter_end),
                recent=recent,
                sparkline=charts.sparkline([p.reach for p in recent]),
                targets=targets,
            )
        )
    return cards


@bp.get("/")
@signed_in
def home():
    """The dashboard: each ambition's coverage today, its change since last quarter, trend and targets."""
    session = get_session()
    day = today()
    goal = current_app.config.get("COVERAGE_GOAL", trend.DEFAULT_GOAL)
    ambitions = catalogue_queries.ambitions_overview(session)
    return render_template(
        "main/home.html",
        cards=ambition_cards(session, ambitions, day, goal),
        today=day,
        quarter_end=previous_quarter_end(day),
        stage=DASHBOARD_STAGE,
        goal=goal,
        window=trend.WINDOW,
        period_label=charts.period_label,
    )


@bp.get("/about")
@signed_in
def about():
    """The programme, the collaborative, and where the reference data comes from."""
    data = reference_data()
    return render_template("main/about.html", about=data["about"], compiled=data["compiled"])


@bp.get("/accessibility")
@public
def accessibility():
    """The accessibility statement."""
    return render_template("main/accessibility.html")
