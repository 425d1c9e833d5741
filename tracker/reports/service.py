"""The coverage report as plain data: what the page, its downloads, the API and the dashboard show.

An ambition's coverage as of a day, from a threshold stage on, in all networks or one: the
figures (tracker.core.coverage, counted by tracker.reports.queries over the ideas that
catalogue.queries.counted_ideas names) and, for the page and the dashboard, the monthly series
from the programme's start; and the report's tables, which tracker.tabular writes as files. No
Flask here: the caller passes the session and, if it has one, the coverage cache.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..cache import MetricsCache
from ..calendar import PROGRAMME_START
from ..catalogue.queries import counted_ideas
from ..core import charts
from ..core import coverage as cov
from ..core.stages import Stage
from ..models import Ambition, ChangeIdea, Network, TargetMeasure
from ..tabular import DAY, NUMBER, RATIO, TEXT, WHOLE, Column
from . import queries, steps


@dataclass(frozen=True)
class TargetInfo:
    """A dated target as the reports read it: what it counts and, if it sets one, the share it aims at."""

    label: str
    text: str
    target_date: date | None
    measure: TargetMeasure = TargetMeasure.REACH
    value: float | None = None  # a percentage, 0 to 100; None: the target sets no figure of its own
    network_id: int | None = None  # one network's own target; None: the whole programme's

    def goal(self, default: float) -> float:
        """The share (0 to 1) the target aims at: its own value, else `default`."""
        return self.value / 100 if self.value is not None else default

    @property
    def counts_ward_coverage(self) -> bool:
        return self.measure is TargetMeasure.WARD_COVERAGE


@dataclass(frozen=True)
class AmbitionInfo:
    """An ambition as the coverage pages show it, with its targets in their published order."""

    id: int
    code: str
    title: str
    summary: str
    targets: tuple[TargetInfo, ...]

    @classmethod
    def of(cls, ambition: Ambition) -> AmbitionInfo:
        targets = tuple(
            TargetInfo(t.label, t.text, t.target_date, TargetMeasure(t.measure), t.value, t.network_id)
            for t in ambition.targets
        )
        return cls(ambition.id, ambition.code, ambition.title, ambition.summary, targets)

    def within(self, network: NetworkInfo | None) -> AmbitionInfo:
        """The ambition as a report of one network (or of all, None) sees it: the programme's targets and,
        for a network, that network's own."""
        wanted = (None, network.id) if network is not None else (None,)
        targets = tuple(t for t in self.targets if t.network_id in wanted)
        return self if targets == self.targets else replace(self, targets=targets)

    def reach_only(self) -> AmbitionInfo:
        """Without its ward-coverage targets: what a forecast of reach can judge."""
        targets = tuple(t for t in self.targets if not t.counts_ward_coverage)
        return self if targets == self.targets else replace(self, targets=targets)

    @property
    def dated_targets(self) -> list[TargetInfo]:
        """The targets with a date, oldest first."""
        return sorted((t for t in self.targets if t.target_date), key=lambda t: t.target_date)


@dataclass(frozen=True)
class NetworkInfo:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Choices:
    """Every ambition (programme order) and network (by name): what a report can be of."""

    ambitions: list[AmbitionInfo]
    networks: list[NetworkInfo]

    def ambition(self, code: str | None) -> AmbitionInfo | None:
        return next((a for a in self.ambitions if a.code == code), None)

    def network(self, code: str | None) -> NetworkInfo | None:
        return next((n for n in self.networks if n.code == code), None)

    @property
    def network_names(self) -> dict[str, str]:
        return {n.code: n.name for n in self.networks}


def choices(session: Session) -> Choices:
    """Three statements: the ambitions, their targets and the networks."""
    ambitions = session.scalars(
        select(Ambition).options(selectinload(Ambition.targets)).order_by(Ambition.position, Ambition.code)
    )
    networks = session.execute(select(Network.id, Network.code, Network.name).order_by(Network.name))
    return Choices([AmbitionInfo.of(a) for a in ambitions], [NetworkInfo(*row) for row in networks])


def ambition_named(session: Session, code: str) -> AmbitionInfo | None:
    """One statement (its targets joined)."""
    found = (
        session.scalars(select(Ambition).where(Ambition.code == code).options(joinedload(Ambition.targets)))
        .unique()
        .one_or_none()
    )
    return AmbitionInfo.of(found) if found is not None else None


def network_named(session: Session, code: str) -> NetworkInfo | None:
    row = session.execute(select(Network.id, Network.code, Network.name).where(Network.code == code)).one_or_none()
    return NetworkInfo(*row) if row is not None else None


def scope(session: Session, ambition: queries.Identified, network: queries.Identified | None) -> queries.Scope:
    """What a report of the ambition (and network) counts: its counted ideas, in catalogue order."""
    columns = counted_ideas(ambition.id).with_only_columns(ChangeIdea.id, ChangeIdea.code, ChangeIdea.title)
    if isinstance(ambition, AmbitionInfo):
        ambition = ambition.within(network)
    return queries.Scope(ambition, [cov.Idea(*row) for row in session.execute(columns)], network)


@dataclass(frozen=True)
class Report:
    """An ambition's coverage as of a day, from a threshold stage on, in all networks or one."""

    scope: queries.Scope
    day: date
    threshold: Stage
    figures: cov.Coverage
    series: list[cov.SeriesPoint]  # monthly from the programme's start; empty when not asked for
    network_names: dict[str, str] = field(default_factory=dict)

    @property
    def ambition(self) -> AmbitionInfo:
        return self.scope.ambition

    @property
    def network(self) -> NetworkInfo | None:
        return self.scope.network

    @property
    def params(self) -> dict[str, str]:
        """The query string that makes this report (for links and downloads)."""
        params = {"ambition": self.ambition.code, "as_of": self.day.isoformat(), "min_stage": self.threshold.value}
        if self.network is not None:
            params["network"] = self.network.code
        return params

    @property
    def ideas_total(self) -> int:
        return len(self.scope.ideas)

    def network_name(self, code: str | None) -> str:
        return self.network_names.get(code, code) if code else "No network"

    def chart(self) -> charts.Chart:
        targets = [(t.label, t.target_date) for t in self.ambition.targets if t.target_date]
        points = [charts.ChartPoint(p.month_end, p.reach, p.depth) for p in self.series]
        return charts.monthly_chart(points, targets, PROGRAMME_START, self.day)


def build_report(
    session: Session,
    ambition: AmbitionInfo,
    network: NetworkInfo | None,
    day: date,
    threshold: Stage,
    network_names: dict[str, str] | None = None,
    *,
    with_medians: bool = True,
    with_series: bool = True,
    cache: MetricsCache | None = None,
) -> Report:
    """The figures as of the day and, unless asked not to (a download or the API needs neither), the
    medians and the monthly series: a fixed number of statements whatever the size of the data."""
    counted = scope(session, ambition, network)
    figures = queries.coverage_on(session, counted, day, threshold, with_medians=with_medians, cache=cache)
    points = (
        series(session, counted, PROGRAMME_START, day, threshold, cache=cache, end_figures=figures)
        if with_series
        else []
    )
    return Report(counted, day, threshold, figures, points, network_names or {})


def reach_on(session: Session, report: Report, day: date, cache: MetricsCache | None = None) -> float:
    """The report's reach as of another day: from its series when the day ends a month, else counted."""
    point = next((p for p in report.series if p.month_end == day), None)
    if point is not None:
        return point.reach
    return queries.coverage_on(session, report.scope, day, report.threshold, cache=cache).reach


def monthly(
    session: Session,
    ambition: AmbitionInfo,
    network: NetworkInfo | None,
    start: date,
    end: date,
    threshold: Stage,
    cache: MetricsCache | None = None,
) -> list[cov.SeriesPoint]:
    """Reach and depth month by month from start, each as of the month's last day, the last as of end."""
    return series(session, scope(session, ambition, network), start, end, threshold, cache=cache)


def series(
    session: Session,
    counted: queries.Scope,
    start: date,
    end: date,
    threshold: Stage,
    cache: MetricsCache | None = None,
    end_figures: cov.Coverage | None = None,
) -> list[cov.SeriesPoint]:
    """Reach and depth month by month (tracker.reports.steps), each as of the month's last day, the last
    as of end itself. end_figures: the coverage as of end, if the caller has it (else it is counted,
    unless end is a month's last day)."""
    points = steps.monthly(session, counted, start, end, threshold, cache)
    if end_figures is None:
        if end == cov.month_end(cov.month_index(end)):
            return list(points)
        end_figures = queries.coverage_on(session, counted, end, threshold, cache=cache)
    return cov.with_point(points, end_figures, end)


# The report's tables, as the downloads write them ---------------------------------------------


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: Callable[[Report], list[list[Any]]]
    needs_medians: bool = False
    needs_series: bool = False


def _days(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _summary(r: Report) -> list[list[Any]]:
    f = r.figures
    network = r.network
    return [
        [
            r.ambition.code,
            r.ambition.title,
            network.code if network else "",
            network.name if network else "All networks",
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


def _networks(r: Report) -> list[list[Any]]:
    return [
        [n.network or "", r.network_name(n.network), n.organisations_total, n.organisations_reached, n.reach, n.depth]
        for n in r.figures.by_network
    ]


def _ideas(r: Report) -> list[list[Any]]:
    return [
        [i.idea.code, i.idea.title, i.adopters, i.share, _days(i.median_days_to_implementing)]
        for i in r.figures.by_idea
    ]


def _series(r: Report) -> list[list[Any]]:
    return [[p.month, p.month_end, p.organisations_total, p.organisations_reached, p.reach, p.depth] for p in r.series]


def _not_reached(r: Report) -> list[list[Any]]:
    return [
        [o.name, o.ods, o.network or "", r.network_name(o.network) if o.network else ""] for o in r.figures.not_reached
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
        _summary,
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
        _networks,
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
        _ideas,
        needs_medians=True,
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
        _series,
        needs_series=True,
    ),
    "not-reached": Table(
        "Not yet reached",
        (
            Column("organisation_name", TEXT, 45),
            Column("ods_code", TEXT, 10),
            Column("network_code", TEXT, 13),
            Column("network_name", TEXT, 40),
        ),
        _not_reached,
    ),
}


def filename(report: Report, table: str) -> str:
    """coverage-<ambition>[-<network>]-<as of>-<table> (tabular adds the extension), codes cut down to
    letters, digits and dashes."""
    codes = [report.ambition.code] + ([report.network.code] if report.network else [])
    safe = "-".join(re.sub(r"[^A-Za-z0-9-]", "", code) for code in codes)
    return f"coverage-{safe}-{report.day.isoformat()}-{table}"
