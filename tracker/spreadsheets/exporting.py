"""Adoption events and current records as CSV and XLSX files (no Flask, no queries here).

Text that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage
return) is written with a leading single quote, so a note such as =HYPERLINK(...) stays text
(OWASP "CSV injection"). Column headings match the import's where they mean the same thing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..models import Adoption, AdoptionEvent, ChangeIdea, Organisation

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would treat as a formula, prefixed with a single quote; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Line:
    """What one spreadsheet row describes: an organisation, a change idea and an event."""

    organisation: Organisation
    idea: ChangeIdea
    event: AdoptionEvent
    record: Adoption | None = None


@dataclass(frozen=True)
class Column:
    heading: str
    value: Callable[[Line], Any]
    width: int = 14


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(microsecond=0) if moment else None


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


_SHARED = (
    Column("organisation_name", lambda r: r.organisation.name, 45),
    Column("ods_code", lambda r: r.organisation.ods_code, 10),
    Column("network_code", lambda r: r.organisation.network.code if r.organisation.network else "", 13),
    Column("network_name", lambda r: r.organisation.network.name if r.organisation.network else "", 35),
    Column("ambition_code", lambda r: r.idea.package.ambition.code, 14),
    Column("package_code", lambda r: r.idea.package.code, 14),
    Column("intervention_code", lambda r: r.idea.code, 17),
    Column("intervention_title", lambda r: r.idea.title, 45),
    Column("stage", lambda r: r.event.stage.value, 14),
    Column("effective_date", lambda r: r.event.effective_date, 14),
    Column("wards_using", lambda r: r.event.wards_using, 12),
    Column("wards_in_scope", lambda r: r.event.wards_in_scope, 14),
    Column("note", lambda r: r.event.note, 50),
    Column("evidence_url", lambda r: r.event.evidence_url, 40),
    Column(
        "discontinued_reason", lambda r: r.event.discontinued_reason.value if r.event.discontinued_reason else "", 20
    ),
)

EVENT_COLUMNS = (
    *_SHARED,
    Column("corrects_event_id", lambda r: r.event.corrects_event_id, 17),
    Column("logged_by", lambda r: r.event.logged_by.email if r.event.logged_by else "", 30),
    Column("logged_at_utc", lambda r: _utc(r.event.logged_at), 20),
    Column("channel", lambda r: r.event.channel, 10),
    Column("event_id", lambda r: r.event.id, 10),
    Column("demo", lambda r: _yes_no(r.event.is_demo), 7),
    # An event that another corrects counts for no date (tracker.core.ledger): say which one does.
    Column("corrected_by_event_id", lambda r: r.event.corrections[-1].id if r.event.corrections else None, 21),
)

RECORD_COLUMNS = (
    *_SHARED,
    Column("current_event_id", lambda r: r.event.id, 16),
    Column("last_logged_by", lambda r: r.record.last_logged_by.email if r.record.last_logged_by else "", 30),
    Column("last_logged_at_utc", lambda r: _utc(r.record.last_logged_at), 20),
    Column("demo", lambda r: _yes_no(r.event.is_demo), 7),
)


def event_lines(events: Iterable[AdoptionEvent]) -> Iterator[Line]:
    for event in events:
        yield Line(event.organisation, event.change_idea, event)


def record_lines(records: Iterable[Adoption]) -> Iterator[Line]:
    for record in records:
        yield Line(record.organisation, record.change_idea, record.current_event, record)


def table(columns: Iterable[Column], lines: Iterable[Line]) -> Iterator[list[Any]]:
    """Each line's values (dates, numbers and text as they are), column by column."""
    columns = tuple(columns)
    for line in lines:
        yield [column.value(line) for column in columns]


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def to_csv(columns: Iterable[Column], lines: Iterable[Line]) -> bytes:
    """UTF-8 with a byte order mark, so Excel reads the accents and dashes in names correctly."""
    columns = tuple(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.heading for c in columns])
    for values in table(columns, lines):
        writer.writerow([_csv_cell(v) for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(sheet, value: Any) -> Any:
    if isinstance(value, datetime):
        # Excel has no time zones: the heading says the times are UTC.
        cell = WriteOnlyCell(sheet, value=value.astimezone(UTC).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        # Control characters other than tab and line breaks are not allowed in XLSX text.
        cell = WriteOnlyCell(sheet, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
        cell.data_type = "s"  # never an error value such as #N/A
        return cell
    return value


def to_xlsx(columns: Iterable[Column], lines: Iterable[Line], title: str) -> bytes:
    """One sheet: a bold, frozen header row, set column widths, real dates; written row by row."""
    columns = tuple(columns)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
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
    for values in table(columns, lines):
        sheet.append([_xlsx_cell(sheet, v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
