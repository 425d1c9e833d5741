"""The summary matrix page (/measures/summary) and its download (/measures/summary.<csv|xlsx>).

Every signed-in role may see them. Both read the same query string (network, ambition: codes, each
optional) through SummaryForm; an unknown code is a form error (400) that names it, and nothing is
computed. The matrix itself is tracker.measures.summary's; the views only fetch and render it.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from wtforms import SelectField
from wtforms.validators import ValidationError

from ..access import signed_in
from ..calendar import people_month, today
from ..core import spc_icons as icons
from ..db import get_session
from ..forms import Form, choices, upper
from ..paged import requested_page
from ..tabular import DAY, TEXT, WHOLE, Column, table_download
from . import summary as service


class SummaryForm(Form):
    """Which network's organisations and which ambition's measures: a GET form that changes nothing."""

    class Meta:
        csrf = False

    network = SelectField("Network", filters=[upper], validate_choice=False)
    ambition = SelectField("Ambition", filters=[upper], validate_choice=False)

    def __init__(self, formdata, *, options: service.Options):
        super().__init__(formdata)
        self.options = options
        self.network.choices = choices([(n.code, f"{n.name} ({n.code})") for n in options.networks], "All networks")
        self.ambition.choices = choices([(a.code, f"{a.name} ({a.code})") for a in options.ambitions], "All ambitions")

    def validate_network(self, field):
        if field.data and self.options.network(field.data) is None:
            raise ValidationError(f"No network has the code {field.data}: choose a network from the list")

    def validate_ambition(self, field):
        if field.data and self.options.ambition(field.data) is None:
            raise ValidationError(f"No ambition has the code {field.data}: choose an ambition from the list")


def chart_url(measure_code: str, ods_code: str) -> str:
    """The chart a cell links to."""
    return url_for("measures.chart", code=measure_code, organisation=ods_code)


def _filters() -> tuple[SummaryForm, service.Choice | None, service.Choice | None]:
    form = SummaryForm(request.args, options=service.options(get_session()))
    valid = form.validate()
    network = form.options.network(form.network.data) if valid and form.network.data else None
    ambition = form.options.ambition(form.ambition.data) if valid and form.ambition.data else None
    return form, network, ambition


@signed_in
def summary():
    """Every open organisation × every measure, 50 organisations a page: each chart's variation and assurance
    icons, linked to it (only the page's charts are worked out)."""
    form, network, ambition = _filters()
    page = {
        "form": form,
        "icons": icons,
        "breadcrumbs": [("Home", url_for("main.home")), ("Measures", url_for(".measures"))],
    }
    if form.errors:
        return render_template("measures/summary.html", matrix=None, **page), 400
    session, day = get_session(), today()
    every = service.open_organisations(session, day, network and network.id)
    rows = requested_page(len(every))
    matrix = service.summary(session, day, network and network.id, ambition and ambition.id, rows.rows(every))
    params = {k: v for k, v in (("network", network and network.code), ("ambition", ambition and ambition.code)) if v}
    return render_template(
        "measures/summary.html",
        matrix=matrix,
        rows=rows,
        network=network,
        ambition=ambition,
        params=params,
        chart_url=chart_url,
        month=people_month,
        **page,
    )


COLUMNS = (
    Column("ods_code", TEXT, 10),
    Column("organisation", TEXT, 40),
    Column("network_code", TEXT, 12),
    Column("measure_code", TEXT, 16),
    Column("measure", TEXT, 30),
    Column("variation_icon", TEXT, 18),
    Column("assurance_icon", TEXT, 14),
    Column("months_with_values", WHOLE, 12),
    Column("last_month", DAY, 12),
)


@signed_in
def summary_download(fmt: str):
    """The matrix as a CSV or XLSX table, a row per organisation and measure, for the same filters."""
    form, network, ambition = _filters()
    if form.errors:
        abort(400, next(e for errors in form.errors.values() for e in errors))
    day = today()
    matrix = service.summary(get_session(), day, network and network.id, ambition and ambition.id)
    rows = (
        (o.ods_code, o.name, o.network_code, m.code, m.name, c.variation, c.assurance, c.months, c.last_month)
        for o, cells in matrix.rows()
        for m, c in cells
    )
    name = f"measures-summary-{network.code if network else 'all'}-{ambition.code if ambition else 'all'}-{day}"
    return table_download(fmt, COLUMNS, rows, "Measures summary", name)
