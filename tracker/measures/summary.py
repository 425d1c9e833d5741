"""The summary matrix as plain data: every organisation open on a day × every measure, and the
"Making Data Count" icons of each one's chart.

For an optional network and an optional ambition: the organisations open that day (of the network),
the measures (of the ambition), and for each pair the variation and assurance icons of the
organisation's monthly series (tracker.core.measures: its whole-organisation value, else the sum of its
wards'; tracker.core.spc with the measure's direction and target, screening on as NHSRplotthedots
does by default, limits worked out afresh from each rebase marked on that organisation's chart), with
how many months hold a value and the last of them. A pair with no values is a cell that says so.

Four statements, however many organisations and months: the organisations, the measures, every value
wanted (of one page of organisations, for the page) (narrow columns, plain tuples: no ORM object, not even a Row, per value) and the rebases. The rest
is pure assembly (`assemble`). bench/measures_summary.py times it: 250 organisations × 6 measures × 60
months within 250 ms.
No Flask here: the caller passes the session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import spc as core
from ..core.measures import organisation_months, series
from ..models import Ambition, Measure, MeasureValue, Network, Organisation, Rebase


@dataclass(frozen=True)
class OrganisationRow:
    id: int
    ods_code: str
    name: str
    network_code: str | None


@dataclass(frozen=True)
class MeasureColumn:
    id: int
    code: str
    name: str
    unit: str
    ambition_code: str
    direction: str
    target: float | None
    scale: int
    is_rate: bool
    is_demo: bool


@dataclass(frozen=True)
class Cell:
    """One organisation's chart of one measure, in brief. months == 0: no values recorded."""

    variation: str | None = None
    assurance: str | None = None
    months: int = 0
    last_month: date | None = None

    @property
    def empty(self) -> bool:
        return self.months == 0


NO_VALUES = Cell()


@dataclass(frozen=True)
class Summary:
    organisations: list[OrganisationRow]
    measures: list[MeasureColumn]
    cells: dict[tuple[int, int], Cell]  # (organisation id, measure id) → its cell, for every pair
    has_demo: bool  # some value or measure shown is demo data

    def cell(self, organisation: OrganisationRow, measure: MeasureColumn) -> Cell:
        return self.cells[organisation.id, measure.id]

    def rows(self) -> list[tuple[OrganisationRow, list[tuple[MeasureColumn, Cell]]]]:
        """Each organisation with its cells in the measures' order: what the page's table draws."""
        return [(o, [(m, self.cells[o.id, m.id]) for m in self.measures]) for o in self.organisations]


@dataclass(frozen=True)
class Value:
    """A stored value as the matrix reads it: Recorded's fields, with its measure and demo flag. read()
    gives each as a plain tuple of these fields in this order, as the database driver returns it."""

    measure_id: int
    organisation_id: int
    ward_id: int | None
    month: date
    numerator: float
    denominator: float | None
    is_demo: bool


@dataclass(frozen=True)
class Choice:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Options:
    """What the matrix can be narrowed to: every network (by name) and ambition (programme order)."""

    networks: list[Choice]
    ambitions: list[Choice]

    def network(self, code: str) -> Choice | None:
        return next((n for n in self.networks if n.code == code), None)

    def ambition(self, code: str) -> Choice | None:
        return next((a for a in self.ambitions if a.code == code), None)


def options(session: Session) -> Options:
    networks = session.execute(select(Network.id, Network.code, Network.name).order_by(Network.name))
    ambitions = session.execute(
        select(Ambition.id, Ambition.code, Ambition.title).order_by(Ambition.position, Ambition.code)
    )
    return Options([Choice(*row) for row in networks], [Choice(*row) for row in ambitions])


def summary(
    session: Session,
    day: date,
    network_id: int | None = None,
    ambition_id: int | None = None,
    organisations: list[OrganisationRow] | None = None,
) -> Summary:
    """The matrix for the organisations open on day (of the network) and the measures (of the ambition);
    given `organisations` (a page of open_organisations), only theirs: a page computes only its charts."""
    return assemble(*read(session, day, network_id, ambition_id, organisations))


def _open(day: date, network_id: int | None) -> list:
    organisation_filter = [Organisation.is_open_on(day)]
    if network_id is not None:
        organisation_filter.append(Organisation.network_id == network_id)
    return organisation_filter


def open_organisations(session: Session, day: date, network_id: int | None = None) -> list[OrganisationRow]:
    """The organisations open on day (of the network), by name: the matrix's rows, in one statement."""
    return [
        OrganisationRow(*row)
        for row in session.execute(
            select(Organisation.id, Organisation.ods_code, Organisation.name, Network.code)
            .outerjoin(Network, Network.id == Organisation.network_id)
            .where(*_open(day, network_id))
            .order_by(Organisation.name, Organisation.ods_code)
        )
    ]


def read(
    session: Session,
    day: date,
    network_id: int | None = None,
    ambition_id: int | None = None,
    organisations: list[OrganisationRow] | None = None,
) -> tuple:
    """What the matrix is made of, in four statements (three when the organisations are given): assemble's
    arguments."""
    organisation_filter = _open(day, network_id)
    if organisations is None:
        organisations = open_organisations(session, day, network_id)
    else:
        organisation_filter.append(Organisation.id.in_([o.id for o in organisations]))
    measure_filter = [] if ambition_id is None else [Measure.ambition_id == ambition_id]
    measures = [
        MeasureColumn(
            row.id,
            row.code,
            row.name,
            row.unit,
            row.ambition_code,
            str(row.direction),
            row.target,
            row.scale,
            bool(row.denominator),
            row.is_demo,
        )
        for row in session.execute(
            select(
                Measure.id,
                Measure.code,
                Measure.name,
                Measure.unit,
                Ambition.code.label("ambition_code"),
                Measure.direction,
                Measure.target,
                Measure.scale,
                Measure.denominator,
                Measure.is_demo,
            )
            .join(Ambition, Ambition.id == Measure.ambition_id)
            .where(*measure_filter)
            .order_by(Ambition.position, Ambition.code, Measure.position, Measure.code)
        )
    ]
    # Core, not ORM, execution: the rows come back as plain tuples, with no ORM work per row.
    connection = session.connection()
    rebases = connection.execute(
        select(Rebase.measure_id, Rebase.organisation_id, Rebase.month)
        .join(Organisation, Organisation.id == Rebase.organisation_id)
        .join(Measure, Measure.id == Rebase.measure_id)
        .where(*organisation_filter, *measure_filter)
    ).all()
    result = connection.execute(
        select(
            MeasureValue.measure_id,
            MeasureValue.organisation_id,
            MeasureValue.ward_id,
            MeasureValue.month,
            MeasureValue.numerator,
            MeasureValue.denominator,
            MeasureValue.is_demo,
        )
        .join(Organisation, Organisation.id == MeasureValue.organisation_id)
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .where(*organisation_filter, *measure_filter)
    )
    # A SQLAlchemy Row for each of tens of thousands of values costs more than all the rest of the read:
    # the rows come as the database driver gives them (so from SQLite a month is ISO text, a flag 0 or 1).
    values = result.cursor.fetchall()
    result.close()
    values.sort(key=itemgetter(0))  # by measure: faster here than an ORDER BY through an index in SQLite
    return organisations, measures, values, rebases


def assemble(
    organisations: list[OrganisationRow],
    measures: list[MeasureColumn],
    values: Iterable[Value],
    rebases: Iterable[tuple[int, int, date]] = (),
) -> Summary:
    """The matrix from plain rows: values (Value's fields; the month a date or its ISO text) in measure id
    order, and rebases as (measure id, organisation id, month)."""
    rebase_months: dict[tuple[int, int], set[date]] = defaultdict(set)
    for measure_id, organisation_id, month in rebases:
        rebase_months[organisation_id, measure_id].add(month)
    columns = {m.id: m for m in measures}
    cells = dict.fromkeys(((o.id, m.id) for o in organisations for m in measures), NO_VALUES)
    has_demo = any(m.is_demo for m in measures)
    # One measure's values at a time, each measure's dropped once its cells are made.
    done: set[int] = set()
    days: dict[date | str, date] = {}  # each month as read (a date, or SQLite's ISO text) → its date
    for measure_id, rows in groupby(values, key=itemgetter(0)):
        if measure_id in done:
            raise ValueError("the values must come in measure id order")
        done.add(measure_id)
        recorded = []
        for _, organisation_id, ward_id, month, numerator, denominator, is_demo in rows:
            day = days.get(month)
            if day is None:
                day = days[month] = month if isinstance(month, date) else date.fromisoformat(month)
            recorded.append((organisation_id, ward_id, day, numerator, denominator))  # a Recorded's fields
            has_demo = has_demo or is_demo
        measure = columns[measure_id]
        for organisation_id, months in organisation_months(recorded).items():
            key = (organisation_id, measure_id)
            if key in cells:
                cells[key] = _cell(measure, months, rebase_months.get(key, ()))
    return Summary(organisations, measures, cells, bool(has_demo))


def _cell(measure: MeasureColumn, months, rebases: Iterable[date]) -> Cell:
    dates, values = series(months, measure.scale, measure.is_rate)
    counted = len(values) - values.count(None)
    if not counted:
        return NO_VALUES  # e.g. a rate's months without a denominator: nothing to draw
    last = next(month for month, value in zip(reversed(dates), reversed(values), strict=True) if value is not None)
    # A rebase on a month outside the series changes nothing, as the reference ignores a date not in its data.
    starts = {i for i, month in enumerate(dates) if month in rebases} if rebases else ()
    result = core.spc(values, improvement=measure.direction, target=measure.target, rebase_at=starts)
    return Cell(result.variation_icon, result.assurance_icon, counted, last)
