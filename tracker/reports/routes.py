"""The coverage report page (/coverage) and its downloads (/coverage/<table>.<csv|xlsx>).

Everyone signed in may see coverage. The page and every download read the same query string
(ambition, as_of, min_stage, network) and are built by reports.service.build_report, so a
downloaded table always holds the numbers the page shows.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for
from markupsafe import Markup

from .. import page_cache
from ..access import signed_in
from ..cache import coverage_cache
from ..core import charts, trend
from ..core.spc_drawing import LEGEND, number
from ..db import get_session
from ..paged import requested_page
from ..paging import PAGE_SIZE
from ..tabular import table_download
from . import outlooks, service
from .filters import read_scope
from .forms import CoverageForm
from .spread_spc import spread_charts

bp = Blueprint("reports", __name__)

CONTENT = "reports/_coverage_content.html"  # the page's content, kept by tracker.page_cache


def _read_form() -> tuple[CoverageForm, service.AmbitionInfo, service.NetworkInfo | None, service.Choices]:
    """The filters from the query string; an unknown ambition or network is a wrong address (404)."""
    form, choices, ambition, network = read_scope(CoverageForm, get_session())
    return form, ambition, network, choices


def _report(form: CoverageForm, choices: service.Choices, ambition, network, **options) -> service.Report:
    return service.build_report(
        get_session(),
        ambition,
        network,
        form.day,
        form.threshold,
        choices.network_names,
        cache=coverage_cache(),
        **options,
    )


@bp.get("/coverage")
@signed_in
def coverage():
    """An ambition's coverage as of a day: headline figures, definitions, tables, chart and lists."""
    form, ambition, network, choices = _read_form()
    page = {"form": form, "ambition": ambition, "breadcrumbs": [("Home", url_for("main.home"))]}
    if not form.validate():
        content = Markup(render_template(CONTENT, report=None, form=form, ambition=ambition))
        return render_template("reports/coverage.html", content=content, **page), 400

    def build():
        report = _report(form, choices, ambition, network)
        goal = current_app.config.get("COVERAGE_GOAL", trend.DEFAULT_GOAL)
        return {
            "report": report,
            "target_statuses": outlooks.statuses(get_session(), report, goal, coverage_cache()),
            "goal": goal,
            "window": trend.WINDOW,
            "chart": report.chart(),
            "spread_spc": spread_charts(report.series),
            "legend_items": LEGEND,
            "number": number,
            "download_url": download_url,
            "period_label": charts.period_label,
            "form": form,
            "ambition": ambition,
            **_organisation_lists(report),
        }

    return page_cache.page("reports/coverage.html", CONTENT, build, **page)


@bp.get("/coverage/<any(summary, networks, interventions, series, 'not-reached'):table>.<any(csv, xlsx):fmt>")
@signed_in
def download(table: str, fmt: str):
    """One of the report's tables as CSV or XLSX, for the same ambition, date, stage and network."""
    form, ambition, network, choices = _read_form()
    if not form.validate():
        abort(400, next(e for errors in form.errors.values() for e in errors))
    spec = service.TABLES[table]
    # A table that needs neither the medians nor the series saves their queries.
    report = _report(form, choices, ambition, network, with_medians=spec.needs_medians, with_series=spec.needs_series)
    return table_download(fmt, spec.columns, spec.rows(report), spec.title, service.filename(report, table))


def _organisation_lists(report: service.Report) -> dict[str, object]:
    """The reached and not-reached organisations as the page lists them.

    Every network's at once only while they are few (a small collaborative): otherwise the table by network
    leads to one network's, and the downloads hold them all. Each list comes a page at a time.
    """
    f = report.figures
    listed = report.network is not None or len(f.reached) + len(f.not_reached) <= PAGE_SIZE
    if not listed:
        return {"listed": False}
    not_reached = requested_page(len(f.not_reached), name="not_reached_page")
    reached = requested_page(len(f.reached), name="reached_page")
    return {
        "listed": True,
        "not_reached_page": not_reached,
        "not_reached_rows": not_reached.rows(f.not_reached),
        "reached_page": reached,
        "reached_rows": reached.rows(f.reached),
    }


def download_url(report: service.Report, table: str, fmt: str) -> str:
    return url_for("reports.download", table=table, fmt=fmt, **report.params)
