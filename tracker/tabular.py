"""Tables as CSV and XLSX files, and the download response that carries them: every download uses these.

A table is a heading and a kind per column, and rows of plain values. The kind says how a value is
written: ratios as decimals to 4 places in CSV and as percentages (still numbers) in XLSX, days as
ISO dates, moments in UTC, flags as true/false.

Text that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage
return) is written with a leading single quote, so a note such as =HYPERLINK(...) stays text
(OWASP "CSV injection"). CSV files are UTF-8 with a byte order mark, so Excel reads accents right.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

TEXT, WHOLE, NUMBER, RATIO, DAY, MOMENT, FLAG = "text", "whole", "number", "ratio", "date", "moment", "flag"
FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0.0%"
XLSX_MAX_ROWS = 1_048_576 - 1  # a sheet's rows in Excel, less the header row
CSV_ROWS_PER_CHUNK = 1_000  # rows written out at a time when a CSV file streams


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = TEXT
    width: int = 14


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would treat as a formula, prefixed with a single quote; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def csv_text(kind: str, value: Any) -> str:
    """One value as a CSV cell."""
    if value is None:
        return ""
    if kind == RATIO:
        return f"{value:.4f}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def _csv_cell(kind: str):
    """csv_text for one kind of column, quicker for the values such a column mostly holds: the csv module
    writes None as an empty cell and whole numbers as they are, which is what csv_text makes of them."""

    def text(value: Any) -> Any:
        if value.__class__ is str:
            return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
        return value if value is None else csv_text(kind, value)

    def whole(value: Any) -> Any:
        return value if value is None or value.__class__ is int else csv_text(kind, value)

    def day(value: Any) -> Any:
        return value.isoformat() if value.__class__ is date else csv_text(kind, value)

    return {TEXT: text, WHOLE: whole, DAY: day}.get(kind, lambda value: csv_text(kind, value))


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV file in pieces as the rows come (the byte order mark and header first), so a file of any
    length streams through bounded memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def taken() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    buffer.write("\ufeff")
    writer.writerow([c.heading for c in columns])
    yield taken()
    cells = [_csv_cell(c.kind) for c in columns]
    waiting = 0
    for row in rows:
        writer.writerow([cell(v) for cell, v in zip(cells, row, strict=True)])
        waiting += 1
        if waiting == CSV_ROWS_PER_CHUNK:
            yield taken()
            waiting = 0
    if waiting:
        yield taken()


def to_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    return b"".join(csv_chunks(columns, rows))


def _xlsx_cell(sheet, kind: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        # Excel has no time zones: the heading says the times are UTC.
        cell = WriteOnlyCell(sheet, value=_utc(value).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        # Control characters other than tab and line breaks are not allowed in XLSX text.
        cell = WriteOnlyCell(sheet, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
        cell.data_type = "s"  # never a formula or an error value such as #N/A
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if kind == RATIO:
        cell.number_format = PERCENT_FORMAT
    return cell


def write_xlsx(columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str, out: IO[bytes]) -> None:
    """One sheet: a bold, frozen header row, set column widths, real numbers, percentages and dates;
    written row by row (openpyxl's write-only mode keeps the rows in a temporary file, not in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, c.kind, v) for c, v in zip(columns, row, strict=True)])
    workbook.save(out)


def to_xlsx(columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(columns, rows, title, buffer)
    return buffer.getvalue()


def xlsx_temporary_file(columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str) -> IO[bytes]:
    """The workbook in a temporary file (deleted when closed), read from its start: a large workbook
    is sent from disk rather than held whole in memory."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the caller sends it, then closes it (which deletes it)
    try:
        write_xlsx(columns, rows, title, out)
    except BaseException:
        out.close()  # nothing half-written is kept or sent
        raise
    out.seek(0)
    return out


def sent_in_pieces(file: IO[bytes], piece: int = 256 * 1024) -> Iterator[bytes]:
    """The file's bytes a piece at a time, closing it (a temporary file is then deleted) once all are sent."""
    try:
        while chunk := file.read(piece):
            yield chunk
    finally:
        file.close()


def table_file(fmt: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    """The table as a file of the format ("csv" or "xlsx")."""
    return to_csv(columns, rows) if fmt == "csv" else to_xlsx(columns, rows, title)


def download(body: bytes | Iterable[bytes], mimetype: str, filename: str) -> Response:
    """A file to save, never cached (it may hold what only the signed-in user may see). The body may be
    an iterable of pieces (a streamed file): the response then sends each as it comes."""
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def table_download(
    fmt: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str, filename: str
) -> Response:
    """The table as a CSV or XLSX download named filename (its extension added here)."""
    return download(table_file(fmt, columns, rows, title), MIMETYPES[fmt], f"{filename}.{fmt}")
