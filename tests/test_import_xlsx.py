"""Importing adoption events from an Excel workbook (.xlsx): the same checks, row errors and limits as a
CSV file, the workbook's own problems in words, and the CSV and XLSX templates."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import GOOD, HEADER, IMPORT_URL, counts, csv_bytes, run, upload
from tracker import db as tracker_db
from tracker.adoption import queries
from tracker.calendar import today
from tracker.models import AdoptionEvent, Organisation, Stage
from tracker.spreadsheets import importing, services
from tracker.spreadsheets.import_template import EXAMPLE_NOTE

CONFIRM_URL = "/spreadsheets/import/confirm"
TICKET = re.compile(r'name="ticket" value="([^"]+)"')
COLUMNS = HEADER.split(",")
GOOD_CELLS = [
    "RNU",
    "SS-01",
    "implementing",
    datetime(2024, 5, 1),
    2,
    10,
    "Started on Ward 3",
    "https://example.org/report",
    None,
]


def xlsx_bytes(*rows, title: str = "Records", more_sheets: tuple[str, ...] = (), first_hidden: str = "") -> bytes:
    """A workbook as Excel would save it: rows of cells on its first sheet (None: an empty cell)."""
    book = Workbook()
    sheet = book.active
    if first_hidden:
        sheet.title = first_hidden
        sheet.sheet_state = "hidden"
        sheet = book.create_sheet(title)
    else:
        sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for name in more_sheets:
        book.create_sheet(name).append(["anything"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_saved_results(raw: bytes, results: dict[str, str]) -> bytes:
    """The workbook as Excel saves it after calculating: each formula cell named carries its result."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                for ref, value in results.items():
                    data, found = re.subn(
                        rf'<c r="{ref}"><f>(.*?)</f><v ?/>'.encode(),
                        rf'<c r="{ref}" t="str"><f>\1</f><v>{value}</v>'.encode(),
                        data,
                    )
                    assert found == 1, ref
            target.writestr(info, data)
    return out.getvalue()


def imported(app) -> list[AdoptionEvent]:
    with Session(bind=tracker_db.get_engine(app)) as s:
        return sorted(
            (e for e in queries.events(s) if e.channel == "import"), key=lambda e: (e.organisation.ods_code, e.stage)
        )


# A good workbook --------------------------------------------------------------------------------


def test_a_good_workbook_imports_like_the_same_csv_file(app, seeded):
    raw = xlsx_bytes(
        COLUMNS,
        GOOD_CELLS,
        [None] * 9,  # a blank row in the middle keeps the sheet's row numbers
        ["rwx", "rp-02", "Testing", "14/03/2024", 3.0, 8.0, 42, None, None],  # text date, whole numbers as floats
        ["RDY", "SS-03", "discontinued", "2025-02-01", None, None, "Ward closed", None, "Staffing"],
        [None] * 9,
        [" ", None],  # empty trailing rows, one with a space
        more_sheets=("Notes",),
    )
    before = counts(app)
    plan = services.import_file(seeded, raw, None)
    assert [r.line for r in plan.new_rows] == [2, 4, 5]
    assert plan.note == "Read the sheet 'Records', the workbook's first; its other sheet ('Notes') was not read."
    assert counts(app) == (before[0] + 3, before[1] + 3)
    events = imported(app)
    assert [(e.organisation.ods_code, e.change_idea.code, e.stage, e.effective_date) for e in events] == [
        ("RDY", "SS-03", Stage.DISCONTINUED, date(2025, 2, 1)),
        ("RNU", "SS-01", Stage.IMPLEMENTING, date(2024, 5, 1)),
        ("RWX", "RP-02", Stage.TESTING, date(2024, 3, 14)),
    ]
    assert (events[2].wards_using, events[2].wards_in_scope, events[2].note) == (3, 8, "42")
    assert events[0].discontinued_reason.value == "staffing"
    # The same events as a CSV file are the same events: nothing new.
    again = csv_bytes(HEADER, GOOD, "RWX,RP-02,testing,14/03/2024,3,8,42,,")
    assert services.import_file(seeded, again, None).duplicate_count == 2


def test_formulas_are_read_as_the_values_excel_saved(seeded):
    raw = xlsx_bytes(COLUMNS, ["RNU", "SS-01", '=LOWER("TESTING")', "2024-01-01", "=1+1", 4, None, None, None])
    raw = with_saved_results(raw, {"C2": "testing", "E2": "2"})
    plan = services.check_file(seeded, raw)
    assert not plan.problems
    [row] = plan.rows
    assert (row.data.stage, row.data.wards_using) == ("testing", 2)


def test_what_decides_is_the_content_not_the_name(app, signed_in):
    client = signed_in("manager")
    workbook_named_csv = upload(client, xlsx_bytes(COLUMNS, GOOD_CELLS), name="records.csv")
    assert workbook_named_csv.status_code == 200
    assert "Read the sheet &#39;Records&#39;" in workbook_named_csv.get_data(as_text=True)
    csv_named_xlsx = upload(client, csv_bytes(HEADER, GOOD), name="records.xlsx")
    assert csv_named_xlsx.status_code == 200
    assert "Read the sheet" not in csv_named_xlsx.get_data(as_text=True)


def test_upload_preview_then_confirm_a_workbook(app, signed_in):
    client = signed_in("manager")
    page = client.get(IMPORT_URL).get_data(as_text=True)
    assert "Upload a CSV file or an Excel workbook" in page and ".xlsx" in page
    before = counts(app)
    response = upload(client, xlsx_bytes(COLUMNS, GOOD_CELLS, GOOD_CELLS, more_sheets=("Lookups",)), name="q1.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Check the import" in html and "q1.xlsx" in html
    assert "its other sheet (&#39;Lookups&#39;) was not read" in html and "Repeats line 2" in html
    assert counts(app) == before
    response = client.submit(CONFIRM_URL, {"ticket": TICKET.search(html).group(1)}, page=IMPORT_URL)
    assert response.status_code == 302
    assert "Imported 1 event (1 duplicate skipped)" in client.get(IMPORT_URL).get_data(as_text=True)
    assert counts(app) == (before[0] + 1, before[1] + 1)


# Row errors: every one with the sheet's row number, and nothing written ------------------------


def test_a_workbook_with_bad_rows_changes_nothing_and_names_each_row(app, seeded, signed_in):
    bad = xlsx_bytes(
        COLUMNS,
        GOOD_CELLS,
        [None] * 9,
        ["XYZ", "SS-01", "testing", datetime(2024, 1, 1), 2.5, 3, None, None, None],
        ["RNU", "SS-01", "implemented", 45413, None, None, "#N/A", None, None],
        ["RNU", "SS-01", "testing", datetime(2024, 1, 1, 13, 30), None, None, None, None, None],
    )
    before = counts(app)
    with pytest.raises(services.FileRefused) as refused:
        services.import_file(seeded, bad, None)
    assert [str(p) for p in refused.value.plan.problems] == [
        "Line 4 (ods_code): No organisation has the ODS code XYZ",
        "Line 4 (wards_using): '2.5' is not a whole number: enter the number of wards using, for example 4",
        "Line 5 (stage): 'implemented' is not a stage: use one of "
        "considering, testing, implementing, spreading, sustained, discontinued",
        "Line 5 (effective_date): '45413' is not a date but the number Excel keeps for one: "
        "format the cell as a date, or write it as YYYY-MM-DD or DD/MM/YYYY",
        "Line 5 (note): The cell holds the error #N/A: enter a value instead",
        "Line 6 (effective_date): The cell holds a date and a time (2024-01-01 13:30): enter the date only",
    ]
    assert counts(app) == before
    response = upload(signed_in("admin"), bad, name="bad.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "The file has 6 problems, so nothing was imported" in html
    assert "Read the sheet &#39;Records&#39;, the workbook&#39;s first." in html
    assert re.search(r">6</td>\s*<td[^>]*><code>effective_date</code>", html)
    assert counts(app) == before


# The workbook's own problems -----------------------------------------------------------------


def _zip(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return out.getvalue()


def every_sheet_hidden() -> bytes:
    """A workbook whose one sheet is hidden (Excel will not save that, other programs do)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(COLUMNS, GOOD_CELLS))) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data, found = re.subn(rb'(<sheet [^>]*)state="visible"', rb'\1state="hidden"', data)
                assert found == 1
            target.writestr(info, data)
    return out.getvalue()


WORKBOOK_PROBLEMS = {
    "old-xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "This is an Excel 97-2003 workbook (.xls)"),
    "other-zip": (_zip(readme__txt=b"hello"), "This is a ZIP file, not an Excel workbook (.xlsx) or a CSV file"),
    "ods": (
        _zip(mimetype=b"application/vnd.oasis.opendocument.spreadsheet", content__xml=b"<x/>"),
        "This is an OpenDocument spreadsheet (.ods), not an Excel workbook",
    ),
    "damaged": (xlsx_bytes(COLUMNS, GOOD_CELLS)[:1500], "The workbook is damaged and cannot be read"),
    "no-header": (
        xlsx_bytes(GOOD_CELLS, GOOD_CELLS),
        "Line 1: This row names none of the columns: the first row that is not blank must be the header row",
    ),
    "no-visible-sheet": (every_sheet_hidden(), "The workbook has no worksheet to read"),
    "empty-sheet": (xlsx_bytes(title="Sheet1"), "The sheet 'Sheet1' is empty: put the header row and the records"),
    "header-only": (xlsx_bytes(COLUMNS), "The file has no rows of data below the header row"),
    "missing-column": (xlsx_bytes(COLUMNS[:2] + COLUMNS[3:], ["RNU"]), "The required column stage is missing"),
    "uncalculated-formulas": (
        xlsx_bytes(COLUMNS, ["RNU", "SS-01", '=LOWER("TESTING")', "2024-01-01", None, None, None, None, None]),
        "The workbook's formulas have no saved results",
    ),
    "too-many-rows": (xlsx_bytes(COLUMNS, GOOD_CELLS, GOOD_CELLS, GOOD_CELLS), "more than 2 rows of data"),
}


@pytest.mark.parametrize(("raw", "message"), WORKBOOK_PROBLEMS.values(), ids=WORKBOOK_PROBLEMS.keys())
def test_a_bad_workbook_is_refused_in_words_and_nothing_is_written(app, seeded, raw, message):
    before = counts(app)
    with pytest.raises(services.FileRefused) as refused:
        services.import_file(seeded, raw, None, max_rows=2)
    assert message in " ".join(str(p) for p in refused.value.plan.problems)
    assert counts(app) == before


def test_the_first_visible_sheet_is_read_and_named():
    parsed = importing.parse(xlsx_bytes(COLUMNS, GOOD_CELLS, title="Q1", first_hidden="Old"))
    assert len(parsed.rows) == 1 and not parsed.problems
    assert parsed.note == "Read the sheet 'Q1', the workbook's first; its other sheet ('Old') was not read."


def test_a_workbook_that_unpacks_to_more_than_64_mb_is_refused_unread():
    raw = _zip(**{"[Content_Types].xml": b"<x/>", "xl__workbook.xml": b"<x/>", "xl__big.xml": b"\0" * (65 << 20)})
    assert len(raw) < 200_000  # a small upload
    [problem] = importing.parse(raw).problems
    assert str(problem) == "The workbook unpacks to more than 64 MB: split it into smaller files."


def test_the_size_and_row_limits_of_the_page_hold_for_workbooks(app, signed_in):
    client = signed_in("manager")
    raw = xlsx_bytes(COLUMNS, GOOD_CELLS, GOOD_CELLS)
    app.config["IMPORT_MAX_ROWS"] = 1
    response = upload(client, raw, name="two.xlsx")
    assert response.status_code == 422 and "more than 1 rows of data" in response.get_data(as_text=True)
    app.config["IMPORT_MAX_BYTES"] = len(raw) - 1
    response = upload(client, raw, name="two.xlsx")
    assert response.status_code == 413 and "The file must be" in response.get_data(as_text=True)


# The command ------------------------------------------------------------------------------------


def test_the_command_imports_a_workbook_and_refuses_a_bad_one(app, seeded, tmp_path):
    path = tmp_path / "adoption.xlsx"
    path.write_bytes(xlsx_bytes(COLUMNS, GOOD_CELLS))
    before = counts(app)
    result = run(app, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Read the sheet 'Records', the workbook's first." in result.output
    assert "Line 2: RNU SS-01 implementing 1 May 2024 (new)" in result.output
    assert counts(app) == before
    result = run(app, path)
    assert result.exit_code == 0 and "Imported 1 event (0 duplicates skipped)." in result.output
    assert counts(app) == (before[0] + 1, before[1] + 1)
    path.write_bytes(xlsx_bytes(COLUMNS, ["RNU", "SS-01", "implemented", "2024-01-01"]))
    result = run(app, path)
    assert result.exit_code == 1
    assert "Line 2 (stage): 'implemented' is not a stage" in result.output
    assert "adoption.xlsx has 1 problem: nothing was imported." in result.output
    assert counts(app) == (before[0] + 1, before[1] + 1)


# The templates ----------------------------------------------------------------------------------

TEMPLATE = "/spreadsheets/import/template."


def test_the_import_page_links_both_templates(signed_in):
    page = signed_in("manager").get(IMPORT_URL).get_data(as_text=True)
    assert f'href="{TEMPLATE}xlsx"' in page and f'href="{TEMPLATE}csv"' in page


def test_the_workbook_template_has_the_columns_an_example_and_the_allowed_values(app, signed_in, session):
    response = signed_in("manager").get(TEMPLATE + "xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == 'attachment; filename="adoption-import-template.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Adoption records", "Allowed values"]
    records, allowed = book["Adoption records"], book["Allowed values"]
    header, example = ([c.value for c in row] for row in records.iter_rows(max_row=2))
    assert header == COLUMNS
    first_open = session.scalars(
        select(Organisation.ods_code).where(Organisation.is_open_on(today())).order_by(Organisation.ods_code)
    ).first()
    assert example[:3] == [first_open, "RP-01", "testing"] and example[3].date() == today()
    assert example[6] == EXAMPLE_NOTE
    assert [c.value for c in allowed[1]][:11] == [
        "stage", "meaning", None, "discontinued_reason", "meaning", None,
        "ods_code", "organisation", None, "intervention_code", "change idea",
    ]  # fmt: skip
    assert [allowed.cell(r, 1).value for r in range(2, 8)] == [s.value for s in Stage]
    assert allowed.cell(2, 4).value == "leadership_support"
    assert first_open in [allowed.cell(r, 7).value for r in range(2, 30)]
    lists = {str(v.sqref): v.formula1 for v in records.data_validations.dataValidation}
    assert lists == {"C2:C20001": "'Allowed values'!$A$2:$A$7", "I2:I20001": "'Allowed values'!$D$2:$D$8"}


def test_the_csv_template_has_the_header_and_the_example_row(signed_in):
    response = signed_in("admin").get(TEMPLATE + "csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER
    assert re.fullmatch(rf"[A-Z0-9]+,RP-01,testing,{today().isoformat()},1,4,{EXAMPLE_NOTE},,", lines[1])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_each_template_imports_its_example_row_as_it_is(app, signed_in, fmt):
    client = signed_in("manager")
    template = client.get(TEMPLATE + fmt).data
    before = counts(app)
    html = upload(client, template, name=f"adoption-import-template.{fmt}").get_data(as_text=True)
    assert "Every row of the file is good" in html
    response = client.submit(CONFIRM_URL, {"ticket": TICKET.search(html).group(1)}, page=IMPORT_URL)
    assert response.status_code == 302
    assert counts(app) == (before[0] + 1, before[1] + 1)
    [event] = imported(app)
    assert (event.change_idea.code, event.stage, event.effective_date, event.note) == (
        "RP-01",
        Stage.TESTING,
        today(),
        EXAMPLE_NOTE,
    )


def test_a_template_download_runs_a_fixed_number_of_statements(signed_in, statement_counter):
    client = signed_in("manager")
    with statement_counter() as statements:
        assert client.get(TEMPLATE + "xlsx").status_code == 200
    assert len(statements) <= 4, statements  # the account and its networks, the organisations, the ideas


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_only_those_who_import_download_the_templates(signed_in, role):
    client = signed_in(role)
    assert client.get(TEMPLATE + "xlsx").status_code == 403
    assert client.get(TEMPLATE + "csv").status_code == 403
