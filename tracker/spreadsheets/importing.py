"""Reading a CSV file of adoption events: plain functions over bytes and plain values.

No Flask and no database here. parse() turns the file into rows and finds every problem it can
see alone (encoding, header, cell formats); check() adds the problems that need the reference data
(unknown codes) and the adoption rules (tracker.adoption.rules.event_problems). Lines are numbered
as a spreadsheet numbers its rows: the header row is line 1, and a cell holding a line break does
not move the rows after it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from ..adoption.rules import EventInput, OrganisationDates, event_problems
from ..models import DiscontinuedReason, Stage

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000

REQUIRED_COLUMNS = ("ods_code", "intervention_code", "stage", "effective_date")
OPTIONAL_COLUMNS = ("wards_using", "wards_in_scope", "note", "evidence_url", "discontinued_reason")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

STAGES = tuple(s.value for s in Stage)
REASONS = tuple(r.value for r in DiscontinuedReason)

SAVE_AS_CSV = "In Excel, choose Save As and the type 'CSV UTF-8 (Comma delimited)', then upload that file."
BOM = b"\xef\xbb\xbf"
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_WHOLE_NUMBER = re.compile(r"\d{1,9}")
_LABELS = {"wards_using": "wards using", "wards_in_scope": "wards in scope"}


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file: line 0 means the file as a whole."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.line:
            return self.message
        if self.column:
            return f"Line {self.line} ({self.column}): {self.message}"
        return f"Line {self.line}: {self.message}"


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


def _sort_key(problem: Problem) -> tuple[int, int]:
    column = COLUMNS.index(problem.column) if problem.column in COLUMNS else len(COLUMNS)
    return problem.line, column


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=_sort_key)


def decode(raw: bytes) -> tuple[str, Problem | None]:
    """The file's text (UTF-8, with or without a byte order mark), or the reason it cannot be read."""
    if raw.startswith(b"PK\x03\x04"):
        return "", Problem(0, "", "This is an Excel workbook, not a CSV file. " + SAVE_AS_CSV)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", Problem(0, "", "The file is saved as UTF-16 ('Unicode text'), not UTF-8. " + SAVE_AS_CSV)
    raw = raw.removeprefix(BOM)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return "", Problem(
            0, "", f"The file is not UTF-8 text (the first character that is not is on line {line}). " + SAVE_AS_CSV
        )
    if "\x00" in text:
        return "", Problem(0, "", "The file holds binary data, not text. " + SAVE_AS_CSV)
    return text, None


def sniff_delimiter(text: str) -> str:
    """Comma or semicolon, whichever the header line uses more (Excel in some locales writes semicolons)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def heading(name: str) -> str:
    """A column name as the file may spell it ("ODS code", "ods-code") in the form we use (ods_code)."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def parse_date(value: str) -> tuple[date | None, str | None]:
    """An ISO (2024-03-31) or UK (31/03/2024) date, or why the value is not one."""
    if not value:
        return None, None
    if m := _ISO_DATE.fullmatch(value):
        year, month, day = (int(g) for g in m.groups())
    elif m := _UK_DATE.fullmatch(value):
        day, month, year = (int(g) for g in m.groups())
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


def _read_row(line: int, cells: Mapping[str, str]) -> Row:
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
    return Row(line, ods, code, data, problems)


def _header(record: list[str], line: int) -> tuple[dict[str, int], list[int], list[Problem]]:
    """Where each known column is, which columns have no heading, and what is wrong with the header."""
    positions: dict[str, int] = {}
    unnamed: list[int] = []
    problems: list[Problem] = []
    for index, cell in enumerate(record):
        name = heading(cell)
        if not name:
            unnamed.append(index)
        elif name not in COLUMNS:
            problems.append(
                Problem(line, "", f"Unknown column '{cell.strip()}': the columns are " + ", ".join(COLUMNS))
            )
        elif name in positions:
            problems.append(Problem(line, "", f"The column {name} appears more than once"))
        else:
            positions[name] = index
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            problems.append(Problem(line, "", f"The required column {name} is missing"))
    return positions, unnamed, problems


def _blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def _unreadable(line: int, error: csv.Error) -> Problem:
    """What is wrong where the strict CSV reader stopped: a quotation mark, nearly always."""
    reason = str(error)
    if reason == "unexpected end of data":
        message = (
            "A quotation mark opens a cell on this line and nothing closes it, so every line after it "
            "would be read into that one cell. Close the quotation mark, or remove it"
        )
    elif reason.endswith("expected after '\"'"):
        message = (
            "A cell on this line has text after its closing quotation mark. Put the whole cell in "
            'quotation marks and write each quotation mark inside it twice ("")'
        )
    else:
        message = f"This line could not be read as CSV ({reason})"
    return Problem(line, "", message)


def parse(raw: bytes, max_rows: int = MAX_ROWS) -> ParsedFile:
    """Read the file into rows, finding every problem that needs no database."""
    text, problem = decode(raw)
    if problem:
        return ParsedFile([], [problem])
    if not text.strip():
        return ParsedFile([], [Problem(0, "", "The file is empty")])
    # Strict: a quotation mark left open must not swallow the rows after it into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=True)
    rows: list[Row] = []
    problems: list[Problem] = []
    positions: dict[str, int] | None = None
    unnamed: list[int] = []
    width = 0
    line = 0
    try:
        for line, record in enumerate(reader, start=1):
            if _blank(record):
                continue
            if positions is None:
                positions, unnamed, header_problems = _header(record, line)
                if header_problems:
                    return ParsedFile([], header_problems)
                width = len(record)
                continue
            if len(rows) == max_rows:
                return ParsedFile(
                    [],
                    [Problem(0, "", f"The file has more than {max_rows:,} rows of data: split it into smaller files")],
                )
            cells = {name: record[i].strip() if i < len(record) else "" for name, i in positions.items()}
            row = _read_row(line, cells)
            rows.append(row)
            if any(record[i].strip() for i in unnamed if i < len(record)):
                problems.append(Problem(line, "", "There is a value in a column with no heading"))
            if any(cell.strip() for cell in record[width:]):
                problems.append(
                    Problem(line, "", "There are more cells on this line than there are columns in the header row")
                )
    except csv.Error as error:
        return ParsedFile([], [_unreadable(line + 1, error)])  # the line after the last one read
    if not rows:
        return ParsedFile([], [Problem(0, "", "The file has no rows of data below the header row")])
    return ParsedFile(rows, problems)


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
