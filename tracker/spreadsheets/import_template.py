"""The adoption import's templates: the header and one example row, as CSV or as an Excel workbook
whose second sheet lists the allowed values: plain functions, no database (the caller gives the values).

The workbook's first sheet is the one the import reads; its stage and discontinued_reason columns
offer the allowed values as drop-down lists (Excel data validation), and refuse others as typed.
Importing either template as it is records its example row, which the caller makes a real one.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..tabular import Column, to_csv
from .csvfile import MAX_ROWS
from .importing import COLUMNS

RECORDS_SHEET = "Adoption records"
VALUES_SHEET = "Allowed values"
EXAMPLE_NOTE = "Example row: replace it with your own"
_WIDTHS = {"intervention_code": 18, "effective_date": 15, "note": 40, "evidence_url": 30, "discontinued_reason": 22}


@dataclass(frozen=True)
class Allowed:
    """What each coded column may hold: (value, what it means) pairs, in the order people read them."""

    stages: Sequence[tuple[str, str]]
    reasons: Sequence[tuple[str, str]]
    organisations: Sequence[tuple[str, str]]  # open organisations: ODS code, name
    ideas: Sequence[tuple[str, str]]  # change ideas: code, title


def example_row(ods_code: str, idea_code: str, day: date) -> list:
    """One good row, in the order of COLUMNS."""
    return [ods_code, idea_code, "testing", day, 1, 4, EXAMPLE_NOTE, "", ""]


def csv_template(example: list) -> bytes:
    return to_csv([Column(name) for name in COLUMNS], [example])


def _bold_row(sheet, values: Sequence[str]) -> None:
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _list_rule(sheet, column: str, source: str, what: str) -> None:
    """A drop-down list of the values in source on every data row of the column."""
    index = COLUMNS.index(column) + 1
    rule = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=f"Not a {what}",
        error=f"Choose a {what} from the list: the sheet '{VALUES_SHEET}' says what each means.",
    )
    letter = get_column_letter(index)
    rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.add_data_validation(rule)


def _values_sheet(book: Workbook, allowed: Allowed) -> dict[str, str]:
    """The sheet of allowed values, two columns per list with a gap between; where each list lies."""
    sheet = book.create_sheet(VALUES_SHEET)
    lists = [
        ("stage", "meaning", allowed.stages),
        ("discontinued_reason", "meaning", allowed.reasons),
        ("ods_code", "organisation", allowed.organisations),
        ("intervention_code", "change idea", allowed.ideas),
    ]
    places = {}
    for k, (name, meaning, pairs) in enumerate(lists):
        code, words = 3 * k + 1, 3 * k + 2
        sheet.cell(1, code, name).font = Font(bold=True)
        sheet.cell(1, words, meaning).font = Font(bold=True)
        for row, (value, text) in enumerate(pairs, start=2):
            sheet.cell(row, code, value)
            sheet.cell(row, words, text)
        sheet.column_dimensions[get_column_letter(code)].width = 20
        sheet.column_dimensions[get_column_letter(words)].width = 45
        letter = get_column_letter(code)
        places[name] = f"{quote_sheetname(VALUES_SHEET)}!${letter}$2:${letter}${max(len(pairs), 1) + 1}"
    sheet.freeze_panes = "A2"
    return places


def xlsx_template(example: list, allowed: Allowed) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = RECORDS_SHEET
    _bold_row(sheet, COLUMNS)
    sheet.append(example)
    sheet.cell(2, COLUMNS.index("effective_date") + 1).number_format = "yyyy-mm-dd"
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(name, 14)
    sheet.freeze_panes = "A2"
    places = _values_sheet(book, allowed)
    _list_rule(sheet, "stage", places["stage"], "stage")
    _list_rule(sheet, "discontinued_reason", places["discontinued_reason"], "reason")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
