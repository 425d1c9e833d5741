"""The coverage report: an ambition's reach and depth as of a day, its tables, chart and downloads.

Everyone signed in may see coverage. The page and every download read the same query string
(ambition, as_of, min_stage, network) and are built from one Report, so a downloaded table
always holds the numbers the page shows. The figures come from queries.coverage and
queries.series in a fixed number of statements, whatever the size of the data.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..access import signed_in
from ..cache import coverage_cache
from ..core import charts
from ..core import coverage as cov
from ..db import get_session
from ..models import Ambition, Network, Stage
from ..tabular import DATE_FORMAT, MIMETYPES, neutralise
from . import queries
from .forms import CoverageForm

bp = Blueprint("reports", __name__)

PERCENT_FORMAT = "0.0%"  # XLSX: ratios stay numbers, shown as percentages


# Building the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """Everything the page and the downloads show, for one ambition, day, threshold and network."""

    ambition: Ambition
    network: Network | None
    day: date
    threshold: Stage
    figures: cov.Coverage
    series: list[cov.SeriesPoint]
    network_names: dict[str, str]

    @property
    def params(self) -> dict[str, str]:
        """The query string that makes this report (for links and downloads)."""
        params = {"ambition": self.ambition.code, "as_of": self.day.isoformat(), "min_stage": self.threshold.value}
        if self.network is not None:
            params["network"] = self.network.code
        return params

    @property
    def ideas_total(self) -> int:
        return len(self.figures.by_idea)

    def network_name(self, code: str | None) -> str:
        return self.network_names.get(code, code) if code else "No network"

    def chart(self) -> charts.Chart:
        targets = [(t.label, t.target_date) for t in self.ambition.targets if t.target_date]
        points = [charts.ChartPoint(p.month_end, p.reach, p.depth) for p in self.series]
        return charts.monthly_chart(points, targets, cov.PROGRAMME_START, self.day)


def build_report(
    session: Session,
    ambition: Ambition,
    network: Network | None,
    day: date,
    threshold: Stage,
    network_names: dict[str, str],
    with_medians: bool = True,
    with_series: bool = True,
) -> Report:
    """The figures as of the day and, unless a download needs neither, the medians and the monthly series."""
    scope = queries.scope(session, ambition, network)
    cache = coverage_cache()
    figures = queries.coverage(session, scope, day, threshold.rank, with_medians=with_medians, cache=cache)
    series = (
        queries.series(session, scope, cov.PROGRAMME_START, day, threshold.rank, cache=cache, end_figures=figures)
        if with_series
        else []
    )
    return Report(ambition, network, day, threshold, figures, series, network_names)


def _ambitions(session: Session) -> list[Ambition]:
    return list(
        session.scalars(
            select(Ambition).options(selectinload(Ambition.targets)).order_by(Ambition.position, Ambition.code)
        )
    )


def _networks(session: Session) -> list[Network]:
    return list(session.scalars(select(Network).order_by(Network.name)))


def _read_form() -> tuple[CoverageForm, Ambition, Network | None, list[Network]]:
    """The filters from the query string; an unknown ambition or network is a wrong address (404)."""
    session = get_session()
    ambitions, networks = _ambitions(session), _networks(session)
    form = CoverageForm(
        request.args,
        ambitions=[(a.code, f"{a.title} ({a.code})") for a in ambitions],
        networks=[(n.code, f"{n.name} ({n.code})") for n in networks],
    )
    ambition = next((a for a in ambitions if a.code == form.ambition.data), None)
    if ambition is None:
        abort(404)
    network = next((n for n in networks if n.code == form.network.data), None) if form.network.data else None
    if form.network.data and network is None:
        abort(404)
    return form, ambition, network, networks


# The page ---------------------------------------------------------------------------------------------


@bp.get("/coverage")
@signed_in
def coverage():
    """An ambition's coverage as of a day: headline figures, definitions, tables, chart and lists."""
    form, ambition, network, networks = _read_form()
    crumbs = [("Home", url_for("main.home"))]
    if not form.validate():
        return render_template(
            "reports/coverage.html", form=form, ambition=ambition, report=None, breadcrumbs=crumbs
        ), 400
    report = build_report(
        get_session(), ambition, network, form.day, form.threshold, {n.code: n.name for n in networks}
    )
    return render_template(
        "reports/coverage.html",
        form=form,
        ambition=ambition,
        report=report,
        chart=report.chart(),
        tables=TABLES,
        download_url=download_url,
        period_label=charts.period_label,
        breadcrumbs=crumbs,
    )


# Downloads ---------------------------------------------------------------------------------------------

TEXT, WHOLE, RATIO, DAY, NUMBER = "text", "whole", "ratio", "date", "number"


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str
    width: int = 14


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: Callable[[Report], list[list[Any]]]


def _days(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _summary_rows(r: Report) -> list[list[Any]]:
    f = r.figures
    return [
        [
            r.ambition.code,
            r.ambition.title,
            r.network.code if r.network else "",
            r.network.name if r.network else "All networks",
            r.day,
            r.threshold.value,
            r.ideas_total,
            f.organisations_total,
            f.organisations_reached,
            f.reach,
            f.depth,
            f.ward_coverage,
        ]
    ]


TABLES: dict[str, Table] = {
    "summary": Table(
        "Summary",
        (
            Column("ambition_code", TEXT),
            Column("ambition_title", TEXT, 40),
            Column("network_code", TEXT),
            Column("network_name", TEXT, 40),
            Column("as_of", DAY),
            Column("counts_from_stage", TEXT, 18),
            Column("change_ideas", WHOLE),
            Column("organisations_open", WHOLE, 18),
            Column("organisations_reached", WHOLE, 20),
            Column("reach", RATIO),
            Column("depth", RATIO),
            Column("ward_coverage", RATIO),
        ),
        _summary_rows,
    ),
    "networks": Table(
        "Networks",
        (
            Column("network_code", TEXT),
            Column("network_name", TEXT, 45),
            Column("organisations_open", WHOLE, 18),
            Column("organisations_reached", WHOLE, 20),
            Column("reach", RATIO),
            Column("depth", RATIO),
        ),
        lambda r: [
            [
                n.network or "",
                r.network_name(n.network),
                n.organisations_total,
                n.organisations_reached,
                n.reach,
                n.depth,
            ]
            for n in r.figures.by_network
        ],
    ),
    "interventions": Table(
        "Change ideas",
        (
            Column("intervention_code", TEXT, 17),
            Column("intervention_title", TEXT, 50),
            Column("organisations_adopting", WHOLE, 20),
            Column("share_adopting", RATIO, 15),
            Column("median_days_considering_to_implementing", NUMBER, 22),
        ),
        lambda r: [
            [i.idea.code, i.idea.title, i.adopters, i.share, _days(i.median_days_to_implementing)]
            for i in r.figures.by_idea
        ],
    ),
    "series": Table(
        "Monthly",
        (
            Column("month", TEXT, 10),
            Column("as_of", DAY),
            Column("organisations_open", WHOLE, 18),
            Column("organisations_reached", WHOLE, 20),
            Column("reach", RATIO),
            Column("depth", RATIO),
        ),
        lambda r: [
            [p.month, p.month_end, p.organisations_total, p.organisations_reached, p.reach, p.depth] for p in r.series
        ],
    ),
    "not-reached": Table(
        "Not yet reached",
        (
            Column("organisation_name", TEXT, 45),
            Column("ods_code", TEXT, 10),
            Column("network_code", TEXT, 13),
            Column("network_name", TEXT, 40),
        ),
        lambda r: [
            [o.name, o.ods, o.network or "", r.network_name(o.network) if o.network else ""]
            for o in r.figures.not_reached
        ],
    ),
}


def _csv_value(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == RATIO:
        return f"{value:.4f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def to_csv(table: Table, rows: list[list[Any]]) -> bytes:
    """UTF-8 with a byte order mark (Excel reads accents right); ratios as decimals to 4 places."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.heading for c in table.columns])
    for row in rows:
        writer.writerow([_csv_value(c.kind, v) for c, v in zip(table.columns, row, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(sheet, kind: str, value: Any) -> Any:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    if kind == RATIO:
        cell.number_format = PERCENT_FORMAT
    elif kind == DAY:
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        # Control characters other than tab and line breaks are not allowed in XLSX text.
        cell = WriteOnlyCell(sheet, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
        cell.data_type = "s"  # never a formula or an error value
    return cell


def to_xlsx(table: Table, rows: list[list[Any]]) -> bytes:
    """One sheet: a bold, frozen header row, set column widths, real numbers, percentages and dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title)
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, c.kind, v) for c, v in zip(table.columns, row, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(report: Report, table: str, fmt: str) -> str:
    """coverage-<ambition>[-<network>]-<as of>-<table>.<fmt>, codes cut down to letters, digits and dashes."""
    codes = [report.ambition.code] + ([report.network.code] if report.network else [])
    safe = "-".join(re.sub(r"[^A-Za-z0-9-]", "", code) for code in codes)
    return f"coverage-{safe}-{report.day.isoformat()}-{table}.{fmt}"


@bp.get("/coverage/<any(summary, networks, interventions, series, 'not-reached'):table>.<any(csv, xlsx):fmt>")
@signed_in
def download(table: str, fmt: str):
    """One of the report's tables as CSV or XLSX, for the same ambition, date, stage and network."""
    form, ambition, network, networks = _read_form()
    if not form.validate():
        message = next(iter(e for errors in form.errors.values() for e in errors))
        abort(400, message)
    report = build_report(
        get_session(),
        ambition,
        network,
        form.day,
        form.threshold,
        {n.code: n.name for n in networks},
        with_medians=table == "interventions",  # the other tables need neither: save their queries
        with_series=table == "series",
    )
    spec = TABLES[table]
    rows = spec.rows(report)
    if fmt == "csv":
        body, mimetype = to_csv(spec, rows), MIMETYPES["csv"]
    else:
        body, mimetype = to_xlsx(spec, rows), MIMETYPES["xlsx"]
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(report, table, fmt)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def download_url(report: Report, table: str, fmt: str) -> str:
    return url_for("reports.download", table=table, fmt=fmt, **report.params)
