"""The home page (the coverage dashboard, built by main.dashboard, after "My work" for trust staff and
faculty, built by main.my_work) and the pages about the service."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from .. import page_cache
from ..access import public, sees_drafts, signed_in
from ..cache import coverage_cache
from ..calendar import today
from ..core import charts, trend
from ..db import get_session
from ..seed.reference import about_the_programme
from . import my_work
from .dashboard import dashboard

bp = Blueprint("main", __name__)


@bp.get("/")
@signed_in
def home():
    """Trust staff and faculty: their own work first (main.my_work), then the dashboard. Managers and
    administrators: the dashboard, each ambition's coverage today, its change since last quarter, trend and
    targets. All of it depends on the kind of viewer, not the person, so it is kept (page_cache)."""
    role = current_user.role
    # Read here, outside build(): the page is kept per organisation and networks (access.viewer_key).
    organisation_id, network_ids = current_user.organisation_id, sorted(current_user.network_ids)
    include_drafts = sees_drafts()

    def build():
        session, day = get_session(), today()
        goal = current_app.config.get("COVERAGE_GOAL", trend.DEFAULT_GOAL)
        return {
            "dashboard": dashboard(session, day, goal, cache=coverage_cache()),
            "period_label": charts.period_label,
            **my_work.for_viewer(
                session, role, organisation_id, network_ids, day, include_drafts, current_app.config["STALE_AFTER_DAYS"]
            ),
        }

    content = "main/_home_mine.html" if my_work.has_my_work(role) else "main/_home_content.html"
    return page_cache.page("main/home.html", content, build)


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
