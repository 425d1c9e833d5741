"""Reading an uploaded Excel workbook (.xlsx) into the same lines as a CSV file (no Flask, no database).

What the bytes are decides, never the file's name: a ZIP that holds an Excel workbook is read here,
other ZIPs and the older binary format are refused with what to do instead. The first visible
worksheet is read (read-only mode, streaming); Table.note names it and the sheets not read. Each
cell becomes the text a CSV file saved from Excel would hold, so csvfile.tabulate and each import's
checks are the CSV import's own: whole numbers typed as 3.0 read "3", cells formatted as dates read
YYYY-MM-DD, text stays as typed (31/03/2024 too). Lines are the sheet's row numbers.

Formulas are read as the values Excel saved with them. A workbook none of whose formulas has a saved
value (written by a program that does not calculate) is refused: its cells would read as empty.
An error value (#N/A, #REF!) or a date with a time of day is a problem of its row and column.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta

from openpyxl import load_workbook

from .csvfile import MAX_ROWS, CellProblem, Problem, Table, tabulate

ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), and any password-protected workbook
MAX_UNPACKED = 64 * 1024 * 1024  # far above a 20,000-row sheet; a small file that unpacks to more is a trap
SAVE_AS_XLSX = "In Excel, choose Save As and the type 'Excel Workbook (.xlsx)' or 'CSV UTF-8 (Comma delimited)'."
DAMAGED = "The workbook is damaged and cannot be read: open it in Excel and save it again, or save it as CSV."
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def is_workbook(raw: bytes) -> bool:
    """Whether the bytes are for this module (a ZIP or an older Excel file) rather than CSV text."""
    return raw.startswith((ZIP, OLE))


def _refused(message: str) -> Table:
    return Table([], [Problem(0, "", message)])


def _archive_problem(archive: zipfile.ZipFile) -> str | None:
    """Why this ZIP is not a workbook we can read, if it is not."""
    names = set(archive.namelist())
    if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype")[:100]:
        return "This is an OpenDocument spreadsheet (.ods), not an Excel workbook. " + SAVE_AS_XLSX
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return "This is a ZIP file, not an Excel workbook (.xlsx) or a CSV file."
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
        return "The workbook unpacks to more than 64 MB: split it into smaller files."
    return None


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV file saved from Excel would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.time() != time(0):
            return CellProblem(
                value.isoformat(sep=" ", timespec="minutes"),
                f"The cell holds a date and a time ({value:%Y-%m-%d %H:%M}): enter the date only",
            )
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time | timedelta):
        return CellProblem(str(value), f"The cell holds a time ({value}), not a date or a number")
    return str(value)


def _cell(cell) -> str:
    if cell.data_type == "e":
        return CellProblem(str(cell.value), f"The cell holds the error {cell.value}: enter a value instead")
    return cell_text(cell.value)


def _rows(sheet, formulas) -> Iterator[tuple[int, list[str], bool, bool]]:
    """Each row's number and cells; whether it has a formula with a saved value, and one without."""
    values = sheet.iter_rows(min_row=1, min_col=1)
    kinds = formulas.iter_rows(min_row=1, min_col=1) if formulas is not None else None
    for number, row in enumerate(values, start=1):
        kind = next(kinds, ()) if kinds is not None else ()
        saved = unsaved = False
        for index, cell in enumerate(kind):
            if cell.data_type == "f":
                if index < len(row) and row[index].value is not None:
                    saved = True
                else:
                    unsaved = True
        yield number, [_cell(cell) for cell in row], saved, unsaved


def _sheets_note(chosen: str, others: Sequence[str]) -> str:
    note = f"Read the sheet '{chosen}', the workbook's first"
    if not others:
        return note + "."
    listed = ", ".join(f"'{name}'" for name in others)
    return (
        note
        + f"; its other sheet{'s' if len(others) > 1 else ''} ({listed}) {'were' if len(others) > 1 else 'was'} not read."
    )


def read(raw: bytes, columns: Sequence[str], required: Sequence[str], max_rows: int = MAX_ROWS) -> Table:
    """The first visible sheet's lines of data, with every problem that needs no meaning of the cells."""
    if raw.startswith(OLE):
        return _refused(
            "This is an Excel 97-2003 workbook (.xls) or a password-protected workbook, which cannot be read. "
            "Remove any password, then save it in Excel as 'Excel Workbook (.xlsx)' or 'CSV UTF-8 (Comma delimited)'."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        problem = _archive_problem(archive)
        if problem:
            return _refused(problem)
        has_formulas = any(
            _FORMULA.search(archive.read(name))
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        formula_book = load_workbook(io.BytesIO(raw), read_only=True, data_only=False) if has_formulas else None
    except Exception:  # noqa: BLE001 - a damaged file fails in many ways inside zipfile and openpyxl
        return _refused(DAMAGED)
    try:
        return _read_sheet(book, formula_book, columns, required, max_rows)
    except Exception:  # noqa: BLE001 - damage deep inside a sheet shows only as it is read
        return _refused(DAMAGED)
    finally:
        book.close()
        if formula_book is not None:
            formula_book.close()


def _read_sheet(book, formula_book, columns, required, max_rows) -> Table:
    visible = [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]
    if not visible:
        return _refused("The workbook has no worksheet to read: put the header row and the records on its first sheet.")
    sheet = visible[0]
    sheet.reset_dimensions()  # a wrong size saved in the file must not hide rows
    formulas = None
    if formula_book is not None:
        formulas = formula_book[sheet.title]
        formulas.reset_dimensions()
    note = _sheets_note(sheet.title, [s.title for s in book.worksheets if s is not sheet])
    records: list[tuple[int, list[str]]] = []
    filled = any_saved = any_unsaved = 0
    for number, cells, saved, unsaved in _rows(sheet, formulas):
        any_saved, any_unsaved = any_saved or saved, any_unsaved or unsaved
        records.append((number, cells))
        filled += any(cell.strip() for cell in cells)
        if filled > max_rows + 1:  # the header and more rows than allowed: tabulate says so
            break
    if any_unsaved and not any_saved:
        return Table(
            [],
            [
                Problem(
                    0,
                    "",
                    "The workbook's formulas have no saved results (it was made by a program that does not "
                    "calculate them). Open it in Excel and save it, or type the values instead of formulas.",
                )
            ],
            note,
        )
    if not filled:
        return Table(
            [], [Problem(0, "", f"The sheet '{sheet.title}' is empty: put the header row and the records on it.")], note
        )
    table = tabulate(records, columns, required, max_rows)
    return Table(table.lines, table.problems, note)
