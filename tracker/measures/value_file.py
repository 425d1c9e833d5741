"""Checking a CSV file of monthly values against the database, and importing it in one transaction.

The upload page and `flask measures import` call these. The file is read by the shared CSV reader
(tracker.spreadsheets.csvfile); each row is checked by the same rules as the form
(tracker.measures.values), plus: the user may record for the row's organisation, the ward is named
as the organisation lists it, and a month is in the file once per organisation or ward. All or
nothing: check_file() only reads; import_file() checks again inside its own transaction and writes
every row, or nothing if any row has a problem or the plan is no longer the one confirmed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..access import may_record_values
from ..calendar import today
from ..editing import commit_edit
from ..models import Measure, MeasureValue, Organisation, User, Ward
from ..spreadsheets import csvfile
from ..spreadsheets.csvfile import MAX_ROWS, FileRefused, PlanChanged, Problem
from ..spreadsheets.plans import digest, plan_to_carry_out
from .value_rules import Checked, ValueInput
from .values import Key, already_recorded, problems, where

COLUMNS = ("measure", "organisation", "ward", "month", "numerator", "denominator", "note")
REQUIRED = ("measure", "organisation", "month", "numerator")
_CHUNK = 500  # ids per IN (…): far below every database's limit on bound parameters

__all__ = ["FileRefused", "PlanChanged", "check_file", "import_file", "imported_message"]


@dataclass(frozen=True)
class PlannedValue:
    """A good row of the file: the value it will record, and where."""

    line: int
    measure: Measure
    organisation: Organisation
    ward: Ward | None
    value: Checked

    @property
    def where(self) -> str:
        return where(self.organisation, self.ward)

    def fingerprint(self) -> str:
        v = self.value
        ward = self.ward.id if self.ward is not None else ""
        return f"{self.measure.id}|{self.organisation.id}|{ward}|{v.month}|{v.numerator!r}|{v.denominator!r}|{v.note}"


@dataclass(frozen=True)
class ValuesPlan:
    rows: tuple[PlannedValue, ...] = ()
    problems: tuple[Problem, ...] = ()

    def digest(self) -> str:
        """Identifies exactly what would be written: the confirmation must match it."""
        return digest((r.line, r.fingerprint()) for r in self.rows)


def imported_message(plan: ValuesPlan) -> str:
    count = len(plan.rows)
    return f"Imported {count:,} monthly value{'' if count == 1 else 's'}"


def _recorded(session: Session, measure_ids: set[int], organisation_ids: set[int]) -> set[Key]:
    """Where and when the file's measures already have values at the file's organisations."""
    found: set[Key] = set()
    wanted = sorted(organisation_ids)
    for start in range(0, len(wanted), _CHUNK):
        rows = session.execute(
            select(MeasureValue.measure_id, MeasureValue.organisation_id, MeasureValue.ward_id, MeasureValue.month)
            .where(MeasureValue.organisation_id.in_(wanted[start : start + _CHUNK]))
            .where(MeasureValue.measure_id.in_(sorted(measure_ids)))
        )
        found.update(Key(*row) for row in rows)
    return found


def _line_problems(
    cells: dict[str, str],
    user: User | None,
    measures: dict[str, Measure],
    organisations: dict[str, Organisation],
    wards: dict[tuple[int, str], Ward],
    on_day: date,
) -> tuple[PlannedValue | None, dict[str, str]]:
    """One row: its planned value, or the problems by column (at most one each)."""
    errors: dict[str, str] = {}
    code, ods, ward_name = cells["measure"].upper(), cells["organisation"].upper(), cells["ward"]
    measure = measures.get(code)
    if not code:
        errors["measure"] = "Enter the measure's code"
    elif measure is None:
        errors["measure"] = f"No measure has the code {code[:40]}"
    organisation = organisations.get(ods)
    if not ods:
        errors["organisation"] = "Enter the organisation's ODS code"
    elif organisation is None:
        errors["organisation"] = f"No organisation has the ODS code {ods[:40]}"
    elif user is not None and not may_record_values(user, organisation):
        errors["organisation"] = f"Your account may not record values for {organisation.name} ({ods})"
        organisation = None
    ward = None
    if ward_name and organisation is not None:
        ward = wards.get((organisation.id, ward_name.casefold()))
        if ward is None:
            errors["ward"] = f"{organisation.name} has no ward named {ward_name[:120]}"
    if measure is None or organisation is None or "ward" in errors:
        return None, errors
    data = ValueInput(cells["month"], cells["numerator"], cells["denominator"], cells["note"])
    checked, found = problems(measure, organisation, ward, data, on_day)
    errors.update(found)
    if checked is None:
        return None, errors
    return PlannedValue(0, measure, organisation, ward, checked), errors


def check_file(
    session: Session, raw: bytes, user: User | None, *, on_day: date | None = None, max_rows: int = MAX_ROWS
) -> ValuesPlan:
    """Every problem of the file, or (when it has none) the values importing it would record."""
    table = csvfile.read(raw, COLUMNS, REQUIRED, max_rows)
    if not table.lines:
        return ValuesPlan(problems=tuple(table.problems))
    # The reference tables are small (hundreds of rows at most): load them whole, once.
    measures = {m.code.upper(): m for m in session.scalars(select(Measure))}
    organisations = {o.ods_code.upper(): o for o in session.scalars(select(Organisation))}
    wards = {(w.organisation_id, w.name.casefold()): w for w in session.scalars(select(Ward))}
    day = on_day or today()
    found = list(table.problems)
    planned: list[PlannedValue] = []
    for line in table.lines:
        row, errors = _line_problems(line.cells, user, measures, organisations, wards, day)
        found.extend(Problem(line.number, column, message) for column, message in errors.items())
        if row is not None:
            planned.append(PlannedValue(line.number, row.measure, row.organisation, row.ward, row.value))
    recorded = _recorded(session, {r.measure.id for r in planned}, {r.organisation.id for r in planned})
    first_line: dict[Key, int] = {}
    for row in planned:
        at = Key(row.measure.id, row.organisation.id, row.ward.id if row.ward else None, row.value.month)
        if at in recorded:
            found.append(Problem(row.line, "month", already_recorded(row.value.month, row.organisation, row.ward)))
        elif at in first_line:
            found.append(Problem(row.line, "month", f"Line {first_line[at]} already gives this month for {row.where}"))
        else:
            first_line[at] = row.line
    if found:
        return ValuesPlan(problems=tuple(csvfile.sorted_problems(found, COLUMNS)))
    return ValuesPlan(rows=tuple(planned))


def new_rows(plan: ValuesPlan, user: User | None) -> Iterable[MeasureValue]:
    recorded_by = user.id if user is not None else None
    for row in plan.rows:
        v = row.value
        yield MeasureValue(
            measure=row.measure,
            organisation=row.organisation,
            ward=row.ward,
            month=v.month,
            numerator=v.numerator,
            denominator=v.denominator,
            note=v.note,
            recorded_by_id=recorded_by,
        )


def import_file(
    session: Session,
    raw: bytes,
    user: User | None,
    *,
    expected_digest: str | None = None,
    on_day: date | None = None,
    max_rows: int = MAX_ROWS,
) -> ValuesPlan:
    """Check the file and record every value; one unit of work: commits, or writes nothing.

    Raises FileRefused or PlanChanged as plans.plan_to_carry_out says. Returns the plan carried out.
    """
    plan = plan_to_carry_out(
        session,
        "values-import",
        lambda: check_file(session, raw, user, on_day=on_day, max_rows=max_rows),
        expected_digest,
    )
    session.add_all(new_rows(plan, user))
    # A month another writer recorded between the check and the commit: the file is refused as it now stands.
    commit_edit(session, on_integrity=lambda: FileRefused(check_file(session, raw, user, on_day=on_day)))
    return plan
