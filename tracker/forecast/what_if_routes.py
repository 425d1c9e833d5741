"""The what-if page (/forecast/what-if): the forecast with chosen organisations engaged now, beside the
baseline, and spread simulated from chosen adopters over the learning graph (issue 12).

Everyone signed in may run both: the page changes nothing (a GET form). "Use the recommendation" fills the
picks with tracker.forecast.service.engage's choice, and is offered only to those who may see
recommendations (faculty, managers, administrators); asked for by anyone else, it is refused (403).
The shaping and the computing are in tracker.forecast.what_if_page; this view reads and answers.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_login import current_user

from ..access import may_see_recommendations, signed_in
from ..cache import coverage_cache
from ..calendar import today
from ..core.fan_drawing import percent
from ..db import get_session
from ..reports.filters import read_scope
from . import what_if_page
from .what_if_forms import MAX_RUNS, WhatIfForm

bp = Blueprint("what_if", __name__)


@bp.get("/forecast/what-if")
@signed_in
def what_if():
    """The scenario forecast and the cascade simulation, from the query string (see the module docstring)."""
    session = get_session()
    form, _choices, ambition, network = read_scope(WhatIfForm, session)
    recommender = may_see_recommendations(current_user)
    if form.wants_recommendation and not recommender:
        abort(403)
    page = {"form": form, "ambition": ambition, "network": network, "recommender": recommender}
    page |= {"breadcrumbs": [("Home", url_for("main.home"))], "percent": percent, "max_runs": MAX_RUNS}
    if not form.validate():
        return render_template("forecast/what_if.html", view=None, **page), 400
    view = what_if_page.build(
        session,
        _asked(form),
        ambition,
        network,
        today(),
        runs=current_app.config["FORECAST_RUNS"],
        cache=coverage_cache(),
    )
    for name, messages in view.problems.items():
        form[name].errors = [*form[name].errors, *messages]
    params = {"ambition": ambition.code, "min_stage": form.threshold.value}
    if network:
        params["network"] = network.code
    return render_template(
        "forecast/what_if.html", view=view, forecast_link=url_for("forecast.forecast", **params), **page
    ), view.status


def _asked(form: WhatIfForm) -> what_if_page.Asked:
    starting = form.starting
    return what_if_page.Asked(
        threshold=form.threshold,
        scenario=form.shows_scenario,
        recommendation=form.wants_recommendation,
        picks=tuple(form.picks),
        cascade=form.runs_cascade,
        model=form.model.data,
        adopters=tuple(starting) if starting is not None else None,
        p=form.chance,
        runs=form.run_count,
        seed=form.seed_value,
    )
