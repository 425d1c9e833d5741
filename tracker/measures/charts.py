"""The SPC chart page of a measure for an organisation, a ward, a network or the whole collaborative,
its downloads, and the rebase buttons of managers.

The scope is in the query string (organisation=ODS, ward=ID or network=CODE; none: the collaborative),
and so is the screening choice (screen=off: moving ranges not screened, as NHS England's Excel tool).
"""

from __future__ import annotations

import re

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import editors_only, signed_in
from ..core import spc_icons
from ..core.spc_drawing import LEGEND, number, spc_chart
from ..db import get_session
from ..editing import Submission, press
from ..models import Rebase
from ..tabular import FORMATS, table_download
from . import chart_table, rebases, series


def _screen() -> bool:
    return request.args.get("screen", "").strip().lower() != "off"


def _chart(code: str) -> series.ChartSeries:
    """The chart the address names; 404 for an unknown measure or scope, 400 for a muddled one."""
    session = get_session()
    measure = series.measure_named(session, code)
    if measure is None:
        abort(404)
    try:
        scope = series.scope_from(session, request.args)
    except series.ScopeProblem as problem:
        if problem.status != 404:
            abort(problem.status, problem.message)
        # The error pages show only their own words for a 404; say which organisation, ward or network.
        page = render_template("errors/error.html", status=404, title="Page not found", message=problem.message)
        abort(make_response(page, 404))
    return series.chart_series(
        session, measure, scope, screen_outliers=_screen(), network_events=request.args.get("events") == "show"
    )


def chart_params(chart: series.ChartSeries, **changes) -> dict[str, str]:
    """The chart's query string (scope, screening, events), with changes (a value None drops it)."""
    params = dict(chart.scope.params)
    if not chart.screen_outliers:
        params["screen"] = "off"
    if request.args.get("events") == "show" and chart.scope.network is not None:
        params["events"] = "show"
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


def _links(chart: series.ChartSeries) -> list[tuple[str, str]]:
    """Links to the pages of the measure and the scope."""
    scope, links = chart.scope, []
    links.append((f"About the measure: {chart.measure.name}", url_for(".measure", code=chart.measure.code)))
    code, organisation = chart.measure.code, scope.events_organisation
    if organisation is not None:
        links.append((organisation.name, url_for("organisations.organisation", ods=organisation.ods_code)))
        if scope.ward is not None:
            links.append((f"Wards of {organisation.name}", url_for(".wards", ods=organisation.ods_code)))
            links.append(
                (
                    f"This chart for {organisation.name} as a whole",
                    url_for(".chart", code=code, organisation=organisation.ods_code),
                )
            )
    if scope.network is not None:
        links.append((scope.network.name, url_for("organisations.network", code=scope.network.code)))
    if scope.kind != "collaborative":
        links.append(("This chart for the whole collaborative", url_for(".chart", code=code)))
    return links


def _render(chart: series.ChartSeries, form: rebases.RebaseForm | None = None, status: int = 200):
    months = chart.months
    drawing = spc_chart(
        months,
        chart.result,
        target=chart.measure.target,
        rebases=[(chart.rebase_index[r.id], r.reason) for r in chart.rebases if r.id in chart.rebase_index],
        events=[(e.index, e.text) for e in chart.events],
    )
    return (
        render_template(
            "measures/chart.html",
            chart=chart,
            icons=spc_icons,
            drawing=drawing,
            rows=chart_table.rows(chart),
            form=form or rebases.RebaseForm.for_chart(chart),
            legend=LEGEND,
            number=number,
            links=_links(chart),
            params=chart_params(chart),
            other_screen=chart_params(chart, screen=None if not chart.screen_outliers else "off"),
            breadcrumbs=[
                ("Home", url_for("main.home")),
                ("Measures", url_for(".measures")),
                (chart.measure.name, url_for(".measure", code=chart.measure.code)),
            ],
        ),
        status,
    )


@signed_in
def chart(code: str):
    """A measure's SPC chart for one scope, with its table, icons, rebases and adoption events."""
    return _render(_chart(code))


@signed_in
def chart_download(code: str):
    """The chart's table as CSV or XLSX (format=csv|xlsx), for the same scope and screening."""
    fmt = request.args.get("format", "").strip().lower()
    if fmt not in FORMATS:
        abort(400, "Choose the format csv or xlsx")
    found = _chart(code)
    parts = [found.measure.code, *found.scope.params.values()]
    name = re.sub(r"[^A-Za-z0-9-]", "", "-".join(parts)) or "chart"
    return table_download(fmt, chart_table.COLUMNS, chart_table.file_rows(found), "SPC chart", f"spc-{name}")


@editors_only
def add_rebase(code: str):
    """Mark a month of the chart from which its limits are worked out afresh (month and reason)."""
    found = _chart(code)
    form = rebases.RebaseForm.for_chart(found)
    added = Submission(
        form,
        lambda: rebases.add_rebase(
            get_session(), found, form.month.data, form.reason.data, getattr(current_user, "id", None)
        ),
    )
    if not added.saved:
        return _render(found, form, 400)
    flash(f"The chart now starts new limits from {added.result.month:%B %Y}.", "success")
    return redirect(url_for("measures.chart", code=code, **chart_params(found)) + "#rebases")


@editors_only
def remove_rebase(code: str, rebase_id: int):
    """Remove a rebase (the button carries the version the manager saw)."""
    found = _chart(code)
    rebase = next((r for r in found.rebases if r.id == rebase_id), None)
    if rebase is None:
        rebase = get_session().get(Rebase, rebase_id)
        if rebase is not None:
            abort(400, "That rebase belongs to another chart")
        flash("That rebase had already been removed.")
    else:
        month = rebase.month
        form = rebases.RebaseVersionForm()
        flash(
            *press(
                lambda: rebases.remove_rebase(get_session(), rebase, form.expected_version()),
                done=lambda: f"The rebase from {month:%B %Y} has been removed.",
                conflict="Nothing was changed: someone else changed or removed this rebase since you opened the "
                "chart. Check it and try again.",
            )
        )
    return redirect(url_for("measures.chart", code=code, **chart_params(found)) + "#rebases")
