"""Checking a CSV file or Excel workbook of adoption events against the database, and importing it in one transaction.

Both the upload page and `flask adoption import` call these. check_file() only reads; import_file()
checks again inside its own transaction and writes every new row or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..adoption import rules
from ..adoption.services import NewEvent, append_events
from ..calendar import today
from ..models import AdoptionEvent, ChangeIdea, Organisation, User
from . import importing
from .csvfile import FileRefused, PlanChanged, size_label
from .importing import MAX_ROWS, Problem
from .plans import digest, plan_to_carry_out

__all__ = ["FileRefused", "PlanChanged", "check_file", "import_file", "imported_message", "size_label"]

# SQLite allows 32,766 bound parameters in a statement; stay far below on every backend.
_CHUNK = 500
IMPORT_CHANNEL = "import"


@dataclass(frozen=True)
class PlannedRow:
    """A good row of the file and what the import will do with it."""

    line: int
    organisation: Organisation
    idea: ChangeIdea
    data: rules.EventInput
    fingerprint: str
    # None: it will be written; 0: the same event is already recorded; n: it repeats line n.
    duplicate_of: int | None = None

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of is not None


@dataclass(frozen=True)
class ImportPlan:
    rows: tuple[PlannedRow, ...] = ()
    problems: tuple[Problem, ...] = ()
    note: str = ""  # which sheet of a workbook was read

    @property
    def new_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if not r.is_duplicate]

    @property
    def duplicate_count(self) -> int:
        return sum(1 for r in self.rows if r.is_duplicate)

    def digest(self) -> str:
        """Identifies exactly what would be written and skipped: the confirmation must match it."""
        return digest((r.line, f"{r.fingerprint}:{r.duplicate_of}") for r in self.rows)


def imported_message(plan: ImportPlan) -> str:
    written, skipped = len(plan.new_rows), plan.duplicate_count
    return (
        f"Imported {written:,} event{'' if written == 1 else 's'} "
        f"({skipped:,} duplicate{'' if skipped == 1 else 's'} skipped)"
    )


def _recorded(session: Session, fingerprints: Iterable[str]) -> set[str]:
    """Which of these fingerprints belong to events already in the ledger."""
    wanted = sorted(set(fingerprints))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(session.scalars(select(AdoptionEvent.fingerprint).where(AdoptionEvent.fingerprint.in_(chunk))))
    return found


def check_file(session: Session, raw: bytes, *, on_day: date | None = None, max_rows: int = MAX_ROWS) -> ImportPlan:
    """Every problem of the file, or (when it has none) what importing it would write and skip."""
    parsed = importing.parse(raw, max_rows)
    if not parsed.rows:
        return ImportPlan(problems=tuple(parsed.problems), note=parsed.note)
    # The reference tables are small (tens of rows): load them whole, once.
    organisations = {o.ods_code.upper(): o for o in session.scalars(select(Organisation))}
    ideas = {i.code.upper(): i for i in session.scalars(select(ChangeIdea))}
    problems = importing.check(
        parsed,
        {code: rules.OrganisationDates(o.opened_on, o.closed_on) for code, o in organisations.items()},
        ideas.keys(),
        on_day or today(),
    )
    if problems:
        return ImportPlan(problems=tuple(problems), note=parsed.note)
    good = [(row, organisations[row.ods_code], ideas[row.intervention_code]) for row in parsed.rows]
    fingerprints = [rules.fingerprint(o.ods_code, i.code, row.data) for row, o, i in good]
    recorded = _recorded(session, fingerprints)
    first_line: dict[str, int] = {}
    planned = []
    for (row, organisation, idea), fingerprint in zip(good, fingerprints, strict=True):
        if fingerprint in recorded:
            duplicate_of = 0
        elif fingerprint in first_line:
            duplicate_of = first_line[fingerprint]
        else:
            first_line[fingerprint] = row.line
            duplicate_of = None
        planned.append(PlannedRow(row.line, organisation, idea, row.data, fingerprint, duplicate_of))
    return ImportPlan(rows=tuple(planned), note=parsed.note)


def import_file(
    session: Session,
    raw: bytes,
    user: User | None,
    *,
    expected_digest: str | None = None,
    on_day: date | None = None,
    max_rows: int = MAX_ROWS,
) -> ImportPlan:
    """Check the file and append each new event; one unit of work: commits, or writes nothing.

    Raises FileRefused or PlanChanged as plans.plan_to_carry_out says. Returns the plan carried out.
    """
    plan = plan_to_carry_out(
        session, "adoption-import", lambda: check_file(session, raw, on_day=on_day, max_rows=max_rows), expected_digest
    )
    append_events(
        session, user, [NewEvent(r.organisation, r.idea, r.data) for r in plan.new_rows], channel=IMPORT_CHANNEL
    )
    session.commit()
    return plan
