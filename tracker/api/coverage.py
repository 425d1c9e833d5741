"""Coverage over the JSON API: the core report of DOMAIN.md, as of a day and monthly over time.

GET /api/v1/coverage?ambition=CODE[&as_of=YYYY-MM-DD][&min_stage=STAGE][&network=CODE]
GET /api/v1/coverage/series?ambition=CODE[&start=…][&end=…][&min_stage=STAGE][&network=CODE]

For every signed-in role. ambition is required; as_of and end default to today in England, start
to the programme's start (1 April 2021); min_stage is the threshold stage (default implementing),
one of the ladder's stages (discontinued never counts, so it is no threshold). A missing or
malformed parameter is 400 naming it; an ambition or network code that names nothing is 404.
A day before any data is not an error: its figures are zeros. Ratios are unrounded numbers from
0 to 1. Each view runs a fixed number of statements whatever the amount of data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from flask import abort, request

from .. import page_cache
from ..access import signed_in
from ..cache import coverage_cache
from ..calendar import PROGRAMME_START, today
from ..core import coverage as cov
from ..core.stages import Stage
from ..db import get_session
from ..reports import service as reports
from .params import BadParameter, code_parameter, parse_day, threshold_parameter

MAX_MONTHS = 600  # fifty years: more than any chart needs, few enough to answer quickly


def _day(name: str, default: date) -> date:
    value = request.args.get(name)
    return default if value is None else parse_day(name, value.strip())


def ambition_code_parameter() -> str:
    code = code_parameter("ambition")
    if code is None:
        raise BadParameter("ambition", "ambition is required: give an ambition's code, e.g. ambition=RP")
    return code


def subject(ambition_code: str, network_code: str | None) -> tuple[reports.AmbitionInfo, reports.NetworkInfo | None]:
    """The ambition and network the codes name; 404 naming the code when either does not exist."""
    session = get_session()
    ambition = reports.ambition_named(session, ambition_code)
    if ambition is None:
        abort(404, f"No ambition has the code {ambition_code}")
    network = None
    if network_code is not None:
        network = reports.network_named(session, network_code)
        if network is None:
            abort(404, f"No network has the code {network_code}")
    return ambition, network


def _idea_figures(figures: cov.IdeaFigures) -> dict:
    return {
        "intervention": figures.idea.code,
        "title": figures.idea.title,
        "adopters": figures.adopters,
        "share": figures.share,
    }


@signed_in
def coverage():
    """Reach, depth, ward coverage, per network and per idea of one ambition, as of a day."""
    return page_cache.json_answer(_coverage)


def _coverage() -> dict:
    # Every parameter is checked for form before any code is looked up: 400 comes before 404.
    ambition_code = ambition_code_parameter()
    day = _day("as_of", today())
    threshold = threshold_parameter()
    network_code = code_parameter("network")
    ambition, network = subject(ambition_code, network_code)
    report = reports.build_report(
        get_session(), ambition, network, day, threshold, with_medians=False, with_series=False, cache=coverage_cache()
    )
    figures = report.figures
    return {
        "ambition": ambition.code,
        "as_of": day.isoformat(),
        "min_stage": threshold.value,
        "network": network.code if network is not None else None,
        "organisations_total": figures.organisations_total,
        "organisations_reached": figures.organisations_reached,
        "reach": figures.reach,
        "depth": figures.depth,
        "ward_coverage": figures.ward_coverage,
        "by_network": [asdict(n) for n in figures.by_network],  # its fields are the API's names
        "by_intervention": [_idea_figures(i) for i in figures.by_idea],
        "not_reached": sorted(o.ods for o in figures.not_reached),
    }


@dataclass(frozen=True)
class Series:
    """A monthly series as asked for (ambition, network, start, end, min_stage) and its points."""

    ambition: reports.AmbitionInfo
    network: reports.NetworkInfo | None
    start: date
    end: date
    threshold: Stage
    points: list[cov.SeriesPoint]


def series_asked() -> Series:
    """The series the query's parameters ask for (the series endpoint's and the monthly coverage feed's)."""
    ambition_code = ambition_code_parameter()
    start = _day("start", PROGRAMME_START)
    end = _day("end", today())
    threshold = threshold_parameter()
    network_code = code_parameter("network")
    if start > end:
        raise BadParameter("start", "start must be on or before end")
    months = cov.month_index(end) - cov.month_index(start) + 1
    if months > MAX_MONTHS:
        # Blame the one parameter the caller chose, when only one was chosen.
        name = "end" if "end" in request.args and "start" not in request.args else "start"
        raise BadParameter(name, f"{name}: from start to end spans {months} months; the most is {MAX_MONTHS}")
    ambition, network = subject(ambition_code, network_code)
    points = reports.monthly(get_session(), ambition, network, start, end, threshold, cache=coverage_cache())
    return Series(ambition, network, start, end, threshold, points)


@signed_in
def coverage_series():
    """Reach and depth of one ambition month by month, each as of the month's last day, the last as of end."""
    series = series_asked()
    return {
        "ambition": series.ambition.code,
        "min_stage": series.threshold.value,
        "network": series.network.code if series.network is not None else None,
        "start": series.start.isoformat(),
        "end": series.end.isoformat(),
        "points": [{"month": p.month, "reach": p.reach, "depth": p.depth} for p in series.points],
    }
