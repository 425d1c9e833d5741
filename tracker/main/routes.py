"""The home page (the coverage dashboard, built by main.dashboard) and the pages about the service."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .. import page_cache
from ..access import public, signed_in
from ..cache import coverage_cache
from ..calendar import today
from ..core import charts, trend
from ..db import get_session
from ..seed.reference import about_the_programme
from .dashboard import dashboard

bp = Blueprint("main", __name__)


@bp.get("/")
@signed_in
def home():
    """The dashboard: each ambition's coverage today, its change since last quarter, trend and targets."""

    def build():
        goal = current_app.config.get("COVERAGE_GOAL", trend.DEFAULT_GOAL)
        board = dashboard(get_session(), today(), goal, cache=coverage_cache())
        return {"dashboard": board, "period_label": charts.period_label}

    return page_cache.page("main/home.html", "main/_home_content.html", build)


@bp.get("/about")
@signed_in
def about():
    """The programme, the collaborative, and where the reference data comes from."""
    about, compiled = about_the_programme()
    return render_template("main/about.html", about=about, compiled=compiled)


@bp.get("/accessibility")
@public
def accessibility():
    """The accessibility statement."""
    return render_template("main/accessibility.html")
