"""Reading an uploaded CSV file into rows of named cells: what every import shares (no Flask, no database).

read() decodes the bytes (UTF-8, with or without a byte order mark), finds the header row (any
order, any capitals, comma or semicolon), and returns each line of data as a mapping of column to
stripped cell, with the file's own problems (encoding, header, stray cells, unreadable quoting, too
many rows). Lines are numbered as a spreadsheet numbers its rows: the header row is line 1, and a
cell holding a line break does not move the rows after it. What the cells mean is each import's.
tabulate() is the part after decoding, which a workbook's rows share (tracker.spreadsheets.workbook).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000

SAVE_AS_CSV = "In Excel, choose Save As and the type 'CSV UTF-8 (Comma delimited)', then upload that file."
BOM = b"\xef\xbb\xbf"


def size_label(size: int) -> str:
    """A file size as people say it: 2 MB, 512 kB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{size / 1024:.3g} kB"


class FileRefused(Exception):
    """The file has problems (plan.problems): nothing was written."""

    def __init__(self, plan):
        super().__init__(f"{len(plan.problems)} problems")
        self.plan = plan


class PlanChanged(Exception):
    """What importing would write changed since the file was checked (say, someone recorded one of its
    rows meanwhile): nothing was written. plan is what it would write now."""

    def __init__(self, plan):
        super().__init__("the import would no longer do what was shown")
        self.plan = plan


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


@dataclass(frozen=True)
class Line:
    """One line of data: its number and its cells by column (a column the file lacks is "")."""

    number: int
    cells: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)  # a column's cell that cannot be used as it is


@dataclass(frozen=True)
class Table:
    lines: list[Line]
    problems: list[Problem]  # the file's own problems; the meaning of the cells is the caller's
    note: str = ""  # what was read, when a person may need telling (which sheet of a workbook)


def sorted_problems(problems: list[Problem], columns: Sequence[str]) -> list[Problem]:
    """In line order, and within a line in the order of the columns."""

    def key(problem: Problem) -> tuple[int, int]:
        return problem.line, columns.index(problem.column) if problem.column in columns else len(columns)

    return sorted(problems, key=key)


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


def _header(
    record: list[str], line: int, columns: Sequence[str], required: Sequence[str]
) -> tuple[dict[str, int], list[int], list[Problem]]:
    """Where each known column is, which columns have no heading, and what is wrong with the header."""
    positions: dict[str, int] = {}
    unnamed: list[int] = []
    problems: list[Problem] = []
    for index, cell in enumerate(record):
        name = heading(cell)
        if not name:
            unnamed.append(index)
        elif name not in columns:
            problems.append(
                Problem(line, "", f"Unknown column '{cell.strip()}': the columns are " + ", ".join(columns))
            )
        elif name in positions:
            problems.append(Problem(line, "", f"The column {name} appears more than once"))
        else:
            positions[name] = index
    if not positions:
        return (
            positions,
            unnamed,
            [
                Problem(
                    line,
                    "",
                    "This row names none of the columns: the first row that is not blank must be the header row, "
                    "naming the columns " + ", ".join(columns),
                )
            ],
        )
    for name in required:
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


class Unreadable(Exception):
    """The rows cannot be read on from here: problem says where and why (raised by a source of records)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


class CellProblem(str):
    """A cell's text that cannot be used as it is (an Excel error value, say), with why: the row's
    problem for its column. Still a string, so blank and width checks treat it as the value it shows."""

    message: str

    def __new__(cls, text: str, message: str) -> CellProblem:
        cell = super().__new__(cls, text)
        cell.message = message
        return cell


def _csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    # Strict: a quotation mark left open must not swallow the rows after it into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=True)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            yield number, record
    except csv.Error as error:
        raise Unreadable(_unreadable(number + 1, error)) from error  # the line after the last one read


def read(raw: bytes, columns: Sequence[str], required: Sequence[str], max_rows: int = MAX_ROWS) -> Table:
    """The file's lines of data with every problem that needs no meaning of the cells; no lines if
    the file cannot be read at all (its problems say why)."""
    text, problem = decode(raw)
    if problem:
        return Table([], [problem])
    if not text.strip():
        return Table([], [Problem(0, "", "The file is empty")])
    return tabulate(_csv_records(text), columns, required, max_rows)


def tabulate(
    records: Iterable[tuple[int, list[str]]], columns: Sequence[str], required: Sequence[str], max_rows: int = MAX_ROWS
) -> Table:
    """Rows of cells (each with its line number) as lines of named cells: the first row that is not
    blank is the header. What a CSV file and a workbook share (tracker.spreadsheets.workbook)."""
    lines: list[Line] = []
    problems: list[Problem] = []
    positions: dict[str, int] | None = None
    unnamed: list[int] = []
    width = 0
    try:
        for number, record in records:
            if _blank(record):
                continue
            if positions is None:
                positions, unnamed, header_problems = _header(record, number, columns, required)
                if header_problems:
                    return Table([], header_problems)
                width = len(record)
                continue
            if len(lines) == max_rows:
                return Table(
                    [],
                    [Problem(0, "", f"The file has more than {max_rows:,} rows of data: split it into smaller files")],
                )
            cells = {name: record[i].strip() if i < len(record) else "" for name, i in positions.items()}
            bad = {
                name: record[i].message
                for name, i in positions.items()
                if i < len(record) and isinstance(record[i], CellProblem)
            }
            lines.append(Line(number, {name: cells.get(name, "") for name in columns}, bad))
            if any(record[i].strip() for i in unnamed if i < len(record)):
                problems.append(Problem(number, "", "There is a value in a column with no heading"))
            if any(cell.strip() for cell in record[width:]):
                problems.append(
                    Problem(number, "", "There are more cells on this line than there are columns in the header row")
                )
    except Unreadable as error:
        return Table([], [error.problem])
    if not lines:
        return Table([], [Problem(0, "", "The file has no rows of data below the header row")])
    return Table(lines, problems)
