"""The forecast page (/forecast) and the download of its monthly figures (/forecast/figures.<csv|xlsx>).

Everyone signed in sees the forecast, its model and its backtest; only those who may see recommendations
(tracker.access.may_see_recommendations: faculty, managers, administrators) see whom to engage next, which
names organisations to target. The page and the download read the same query string (ambition, network,
min_stage, horizon_months) and the same cached outlook (tracker.forecast.service.outlook, as the API reads
it), so a downloaded table holds the figures the page shows. The forecast starts from today's month.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from .. import page_cache
from ..access import may_see_recommendations, signed_in
from ..cache import coverage_cache
from ..calendar import today
from ..db import get_session
from ..reports import service as reports
from ..reports.filters import read_scope
from ..tabular import table_download
from . import present, service
from .forms import ForecastForm
from .queries import organisation_names

bp = Blueprint("forecast", __name__)

CONTENT = "forecast/_forecast_content.html"  # the page's content, kept by tracker.page_cache


def _read_form() -> tuple[ForecastForm, reports.AmbitionInfo, reports.NetworkInfo | None]:
    """The filters from the query string; an unknown ambition or network is a wrong address (404)."""
    form, _choices, ambition, network = read_scope(ForecastForm, get_session())
    return form, ambition, network


def _outlook(form: ForecastForm, ambition, network) -> service.Outlook:
    return service.outlook(
        get_session(),
        ambition,
        network,
        form.threshold,
        today(),
        form.horizon,
        runs=current_app.config["FORECAST_RUNS"],
        cache=coverage_cache(),
    )


def _engagement(form: ForecastForm, ambition, network) -> tuple[service.Engagement, list[present.Pick]]:
    session = get_session()
    found = service.engage(
        session,
        ambition,
        network,
        form.threshold,
        today(),
        runs=service.engage_runs(current_app.config["FORECAST_RUNS"]),
        cache=coverage_cache(),
    )
    return found, present.picks(found, organisation_names(session, present.named(found)))


def link_to(endpoint: str, **values) -> str:
    """Another page's address with these filters, leaving out those not set (all networks)."""
    return url_for(endpoint, **{k: v for k, v in values.items() if v is not None})


def params(form: ForecastForm) -> dict[str, str]:
    """The page's query string: what the download and the other pages' links carry."""
    found = {"ambition": form.ambition.data, "network": form.network.data, "min_stage": form.threshold.value}
    if form.horizon is not None:
        found["horizon_months"] = str(form.horizon)
    return {k: v for k, v in found.items() if v}


@bp.get("/forecast")
@signed_in
def forecast():
    """An ambition's forecast reach: targets' chances, the fan chart and its table, the model, the backtest,
    and for those who may see them, whom to engage next."""
    form, ambition, network = _read_form()
    page = {"form": form, "ambition": ambition, "network": network}
    crumbs = [("Home", url_for("main.home"))]
    if not form.validate():
        content = Markup(render_template(CONTENT, outlook=None, **page))
        return render_template("forecast/forecast.html", content=content, breadcrumbs=crumbs, **page), 400

    def build():
        outlook = _outlook(form, ambition, network)
        engagement, picks = (
            _engagement(form, ambition, network) if may_see_recommendations(current_user) else (None, [])
        )
        query = params(form)
        scope = {"ambition": ambition.code, "min_stage": form.threshold.value}
        return {
            "outlook": outlook,
            "chart": present.fan(outlook),
            "rows": present.month_rows(outlook),
            "targets": present.target_lines(outlook),
            "passed_targets": any(present.passed(outlook, t) for t in outlook.targets),
            "ward_targets": [t.label for t in ambition.dated_targets if t.counts_ward_coverage],
            "model": present.model_figures(outlook.fit),
            "backtest_rows": present.backtest_rows(outlook.backtest),
            "backtest_verdict": present.backtest_verdict(outlook.backtest),
            "engagement": engagement,
            "picks": picks,
            "beyond": service.BEYOND,
            "month_words": present.month_words,
            "downloads": {fmt: url_for("forecast.download", fmt=fmt, **query) for fmt in ("csv", "xlsx")},
            "coverage_url": url_for("reports.coverage", ambition=ambition.code, network=query.get("network")),
            "what_if_url": link_to("what_if.what_if", network=query.get("network"), **scope),
            "map_url": link_to("maps.spread_map", engage=service.K, **scope),
            **page,
        }

    return page_cache.page("forecast/forecast.html", CONTENT, build, breadcrumbs=crumbs, **page)


@bp.get("/forecast/figures.<any(csv, xlsx):fmt>")
@signed_in
def download(fmt: str):
    """The forecast's monthly figures (observed, median, 80% band) as CSV or XLSX, as the page shows them."""
    form, ambition, network = _read_form()
    if not form.validate():
        abort(400, next(e for errors in form.errors.values() for e in errors))
    outlook = _outlook(form, ambition, network)
    return table_download(
        fmt, present.COLUMNS, present.download_rows(outlook), "Forecast reach", present.filename(outlook)
    )
