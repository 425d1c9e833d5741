"""Reading a CSV file or Excel workbook of adoption events: plain functions over bytes and plain values.

No Flask and no database here. parse() turns the file into rows (read by tracker.spreadsheets.csvfile,
which every import shares, or for a workbook by tracker.spreadsheets.workbook, into the same lines)
and finds every problem it can see alone (encoding, header, cell formats); check() adds the problems that need the reference data
(unknown codes) and the adoption rules (tracker.adoption.rules.event_problems). Lines are numbered
as a spreadsheet numbers its rows: the header row is line 1, and a cell holding a line break does
not move the rows after it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from ..adoption.rules import EventInput, OrganisationDates, event_problems
from ..models import DiscontinuedReason, Stage
from . import csvfile, workbook
from .csvfile import MAX_BYTES, MAX_ROWS, Problem, sniff_delimiter

__all__ = ["MAX_BYTES", "MAX_ROWS", "Problem", "check", "parse", "parse_date", "sniff_delimiter"]

REQUIRED_COLUMNS = ("ods_code", "intervention_code", "stage", "effective_date")
OPTIONAL_COLUMNS = ("wards_using", "wards_in_scope", "note", "evidence_url", "discontinued_reason")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

STAGES = tuple(s.value for s in Stage)
REASONS = tuple(r.value for r in DiscontinuedReason)

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_WHOLE_NUMBER = re.compile(r"\d{1,9}")
_DAY_NUMBER = re.compile(r"\d{5}(\.\d+)?")  # how Excel stores a date, shown when the cell is not formatted as one
_LABELS = {"wards_using": "wards using", "wards_in_scope": "wards in scope"}


@dataclass
class Row:
    """One line of data, read as far as it could be; problems maps a column to what is wrong with it."""

    line: int
    ods_code: str
    intervention_code: str
    data: EventInput
    problems: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedFile:
    rows: list[Row]
    problems: list[Problem]  # the file's own problems (encoding, header, size); rows carry theirs
    note: str = ""  # which sheet of a workbook was read


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    return csvfile.sorted_problems(problems, COLUMNS)


def parse_date(value: str) -> tuple[date | None, str | None]:
    """An ISO (2024-03-31) or UK (31/03/2024) date, or why the value is not one."""
    if not value:
        return None, None
    if m := _ISO_DATE.fullmatch(value):
        year, month, day = (int(g) for g in m.groups())
    elif m := _UK_DATE.fullmatch(value):
        day, month, year = (int(g) for g in m.groups())
    elif _DAY_NUMBER.fullmatch(value):
        return None, (
            f"'{value}' is not a date but the number Excel keeps for one: format the cell as a date, "
            "or write it as YYYY-MM-DD or DD/MM/YYYY"
        )
    else:
        return (
            None,
            f"'{value}' is not a date: write it as YYYY-MM-DD or DD/MM/YYYY, for example 2024-03-31 or 31/03/2024",
        )
    try:
        return date(year, month, day), None
    except ValueError:
        return None, f"'{value}' is not a real date"


def parse_count(value: str, column: str) -> tuple[int | None, str | None]:
    if not value:
        return None, None
    if _WHOLE_NUMBER.fullmatch(value):
        return int(value), None
    return None, f"'{value}' is not a whole number: enter the number of {_LABELS[column]}, for example 4"


def _reason(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def _read_row(line: int, cells: Mapping[str, str], bad_cells: Mapping[str, str]) -> Row:
    problems: dict[str, str] = {}
    ods = cells.get("ods_code", "").upper()
    if not ods:
        problems["ods_code"] = "Enter the organisation's ODS code"
    code = cells.get("intervention_code", "").upper()
    if not code:
        problems["intervention_code"] = "Enter the change idea's code"
    stage_text = cells.get("stage", "")
    stage = stage_text.lower()
    if not stage:
        problems["stage"] = "Enter the stage: " + ", ".join(STAGES)
    elif stage not in STAGES:
        problems["stage"] = f"'{stage_text}' is not a stage: use one of " + ", ".join(STAGES)
    day, error = parse_date(cells.get("effective_date", ""))
    if error:
        problems["effective_date"] = error
    counts: dict[str, int | None] = {}
    for column in ("wards_using", "wards_in_scope"):
        counts[column], error = parse_count(cells.get(column, ""), column)
        if error:
            problems[column] = error
    reason_text = cells.get("discontinued_reason", "")
    reason = _reason(reason_text) or None
    if reason and reason not in REASONS:
        problems["discontinued_reason"] = f"'{reason_text}' is not a reason: use one of " + ", ".join(REASONS)
    data = EventInput(
        stage=stage,
        effective_date=day,
        wards_using=counts["wards_using"],
        wards_in_scope=counts["wards_in_scope"],
        note=cells.get("note", ""),
        evidence_url=cells.get("evidence_url", ""),
        discontinued_reason=reason,
    )
    # A workbook's unusable cell (an error value such as #N/A) says more than "not a date" would.
    return Row(line, ods, code, data, problems | dict(bad_cells))


def parse(raw: bytes, max_rows: int = MAX_ROWS) -> ParsedFile:
    """Read the file into rows, finding every problem that needs no database."""
    read = workbook.read if workbook.is_workbook(raw) else csvfile.read
    table = read(raw, COLUMNS, REQUIRED_COLUMNS, max_rows)
    return ParsedFile(
        [_read_row(line.number, line.cells, line.problems) for line in table.lines], table.problems, table.note
    )


def check(
    parsed: ParsedFile,
    organisations: Mapping[str, OrganisationDates],
    ideas: Collection[str],
    today: date,
) -> list[Problem]:
    """Every problem of the file, in line order.

    organisations maps each known ODS code to its open period; ideas holds the known change idea
    codes (both in capitals). Each row gets its parse problems, unknown codes, then the adoption
    rules, at most one problem per column.
    """
    problems = list(parsed.problems)
    for row in parsed.rows:
        found = dict(row.problems)
        if row.ods_code and row.ods_code not in organisations:
            found.setdefault("ods_code", f"No organisation has the ODS code {row.ods_code}")
        if row.intervention_code and row.intervention_code not in ideas:
            found.setdefault("intervention_code", f"No change idea has the code {row.intervention_code}")
        dates = organisations.get(row.ods_code, OrganisationDates(None, None))
        for column, message in event_problems(row.data, dates, today).items():
            found.setdefault(column, message)
        problems.extend(Problem(row.line, column, message) for column, message in found.items())
    return sorted_problems(problems)
