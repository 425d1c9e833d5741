"""Importing adoption events from CSV: the checks, the one-transaction write, the page and the command."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.helpers import GOOD, HEADER, IMPORT_URL, counts, csv_bytes, run, upload
from tracker import db as tracker_db
from tracker.adoption import queries
from tracker.calendar import today
from tracker.models import AdoptionEvent, CheckedUpload, Stage, User
from tracker.spreadsheets import importing, services
from tracker.spreadsheets.staging import Ticket, UploadStore, sha256

CONFIRM_URL = "/spreadsheets/import/confirm"
TICKET = re.compile(r'name="ticket" value="([^"]+)"')


def staged_files(app) -> list[CheckedUpload]:
    with Session(bind=tracker_db.get_engine(app)) as s:
        return list(s.scalars(select(CheckedUpload)))


def imported_events(app) -> list[AdoptionEvent]:
    with Session(bind=tracker_db.get_engine(app)) as s:
        return [e for e in queries.events(s) if e.channel == "import"]


# Reading the file (no database) -----------------------------------------------------------------


def test_a_file_over_the_row_limit_is_refused_without_reading_on():
    raw = csv_bytes(HEADER, *([GOOD] * (importing.MAX_ROWS + 1)))
    parsed = importing.parse(raw)
    assert parsed.rows == []
    assert [str(p) for p in parsed.problems] == [
        "The file has more than 20,000 rows of data: split it into smaller files"
    ]
    assert len(importing.parse(csv_bytes(HEADER, *([GOOD] * importing.MAX_ROWS))).rows) == importing.MAX_ROWS


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [(HEADER, ","), (HEADER.replace(",", ";"), ";"), ("ODS code;Stage;effective_date,intervention_code", ";")],
)
def test_the_delimiter_is_taken_from_the_header_line(header, delimiter):
    assert importing.sniff_delimiter("\n" + header + "\nRNU,x") == delimiter


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2024-03-31", date(2024, 3, 31)), ("31/03/2024", date(2024, 3, 31)), ("1/2/2024", date(2024, 2, 1))],
)
def test_dates_are_iso_or_uk(text, expected):
    assert importing.parse_date(text) == (expected, None)


@pytest.mark.parametrize("text", ["03/31/2024", "2024/03/31", "31-03-2024", "yesterday", "2024-02-30"])
def test_other_dates_are_refused(text):
    day, error = importing.parse_date(text)
    assert day is None and text in error


# The good file --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        csv_bytes(HEADER, GOOD, "RWX,RP-02,testing,2024-03-14,,,PDSA on one ward,,"),
        csv_bytes(HEADER, GOOD, "RWX,RP-02,testing,2024-03-14,,,PDSA on one ward,,", bom=True),
        csv_bytes(
            HEADER.replace(",", ";"), GOOD.replace(",", ";"), "RWX;RP-02;testing;14/03/2024;;;PDSA on one ward;;"
        ),
        csv_bytes(
            "Stage,Effective_Date,ODS_CODE,Intervention_Code,Note,Wards_In_Scope,Wards_Using",
            "implementing,01/05/2024,rnu,ss-01,Started on Ward 3,10,2",
            "Testing,14/03/2024,RWX,RP-02,PDSA on one ward,,",
            newline="\n",
        ),
    ],
    ids=["comma", "bom", "semicolon-uk-dates", "own-order-and-case"],
)
def test_a_good_file_imports_events_and_current_records(app, seeded, raw):
    before = counts(app)
    plan = services.import_file(seeded, raw, None)
    assert (len(plan.new_rows), plan.duplicate_count) == (2, 0)
    assert counts(app) == (before[0] + 2, before[1] + 2)
    events = sorted(imported_events(app), key=lambda e: e.organisation.ods_code)
    assert [(e.organisation.ods_code, e.change_idea.code, e.stage, e.effective_date) for e in events] == [
        ("RNU", "SS-01", Stage.IMPLEMENTING, date(2024, 5, 1)),
        ("RWX", "RP-02", Stage.TESTING, date(2024, 3, 14)),
    ]
    assert events[0].wards_using == 2 and events[0].wards_in_scope == 10 and events[0].note == "Started on Ward 3"
    assert all(e.logged_by is None and not e.is_demo for e in events)
    with Session(bind=tracker_db.get_engine(app)) as s:
        records = queries.current_records(s, queries.EventFilters(organisation="RWX", idea="RP-02"))
        assert [(r.stage, r.effective_date) for r in records] == [(Stage.TESTING, date(2024, 3, 14))]


def test_events_of_one_record_in_one_file_leave_the_latest_current(app, seeded):
    raw = csv_bytes(
        HEADER,
        "RDY,SS-03,implementing,2024-06-01,,,,,",
        "RDY,SS-03,considering,2024-01-01,,,,,",
        "RDY,SS-03,discontinued,2025-02-01,,,Ward closed,,other",
    )
    services.import_file(seeded, raw, None)
    with Session(bind=tracker_db.get_engine(app)) as s:
        [record] = queries.current_records(s, queries.EventFilters(organisation="RDY", idea="SS-03"))
        assert record.stage is Stage.DISCONTINUED and record.current_event.note == "Ward closed"


def test_a_reimport_adds_nothing_and_repeats_within_a_file_are_skipped(app, seeded):
    raw = csv_bytes(HEADER, GOOD, "RWX,RP-02,testing,2024-03-14,,,,,", GOOD)
    first = services.import_file(seeded, raw, None)
    assert (len(first.new_rows), first.duplicate_count) == (2, 1)
    assert first.rows[2].duplicate_of == 2  # line 4 repeats line 2
    after_first = counts(app)
    again = services.import_file(seeded, raw, None)
    assert (len(again.new_rows), again.duplicate_count) == (0, 3)
    assert {r.duplicate_of for r in again.rows} == {0}
    assert counts(app) == after_first
    # The same event written differently (UK date, other case, spaces) is the same event.
    same = csv_bytes(
        HEADER.upper(),
        " rnu , ss-01 , Implementing , 01/05/2024 , 2 , 10 , Started on Ward 3 , https://example.org/report ,",
    )
    assert services.import_file(seeded, same, None).duplicate_count == 1
    assert counts(app) == after_first


def test_blank_lines_and_line_breaks_in_cells_keep_spreadsheet_line_numbers(seeded):
    raw = csv_bytes(
        HEADER,
        'RNU,SS-01,testing,2024-01-01,,,"A note\nover two lines",,',
        "",
        ",,,,",
        "RNU,SS-01,bogus,2024-01-01,,,,,",
    )
    plan = services.check_file(seeded, raw)
    assert [str(p) for p in plan.problems] == [
        "Line 5 (stage): 'bogus' is not a stage: use one of considering, testing, implementing, spreading, sustained, discontinued"
    ]


# Bad rows: every one reported with its line number, and nothing written -----------------------

FUTURE = (today() + timedelta(days=3)).isoformat()

BAD_ROWS = [
    ("XYZ,SS-01,testing,2024-01-01,,,,,", "ods_code", "No organisation has the ODS code XYZ"),
    (",SS-01,testing,2024-01-01,,,,,", "ods_code", "Enter the organisation's ODS code"),
    ("RNU,ZZ-99,testing,2024-01-01,,,,,", "intervention_code", "No change idea has the code ZZ-99"),
    ("RNU,SS-01,implemented,2024-01-01,,,,,", "stage", "'implemented' is not a stage"),
    ("RNU,SS-01,,2024-01-01,,,,,", "stage", "Enter the stage"),
    ("RNU,SS-01,testing,2024/01/01,,,,,", "effective_date", "'2024/01/01' is not a date"),
    ("RNU,SS-01,testing,31/02/2024,,,,,", "effective_date", "'31/02/2024' is not a real date"),
    ("RNU,SS-01,testing,,,,,,", "effective_date", "Enter the date the stage took effect"),
    (f"RNU,SS-01,testing,{FUTURE},,,,,", "effective_date", "The date cannot be in the future"),
    ("R1C,SS-01,testing,2024-10-02,,,,,", "effective_date", "The organisation closed on 1 October 2024"),
    ("RNU,SS-01,testing,2024-01-01,5,3,,,", "wards_using", "Wards using it cannot be more than wards in scope"),
    ("RNU,SS-01,testing,2024-01-01,2.5,3,,,", "wards_using", "'2.5' is not a whole number"),
    ("RNU,SS-01,testing,2024-01-01,1,many,,,", "wards_in_scope", "'many' is not a whole number"),
    ("RNU,SS-01,testing,2024-01-01,-1,3,,,", "wards_using", "'-1' is not a whole number"),
    ("RNU,SS-01,testing,2024-01-01,1,20000,,,", "wards_in_scope", "Enter a whole number of wards from 0 to 10,000"),
    ("RNU,SS-01,testing,2024-01-01,,,,javascript:alert(1),", "evidence_url", "Enter a web address starting with http"),
    ("RNU,SS-01,discontinued,2024-01-01,,,,,", "discontinued_reason", "Say why it was discontinued"),
    ("RNU,SS-01,discontinued,2024-01-01,,,,,bored", "discontinued_reason", "'bored' is not a reason"),
    (
        "RNU,SS-01,testing,2024-01-01,,,,,staffing",
        "discontinued_reason",
        "A reason is only given when the stage is discontinued",
    ),
    ("RNU,SS-01,discontinued,2024-01-01,,,,,other", "note", "Say in the note why it was discontinued"),
    ("RNU,SS-01,testing,2024-01-01,,," + "x" * 4001 + ",,", "note", "The note must be 4,000 characters or fewer"),
    ("RNU,SS-01,testing,2024-01-01,,,,,,surprise", "", "There are more cells on this line than there are columns"),
]


@pytest.mark.parametrize(
    ("row", "column", "message"), BAD_ROWS, ids=[f"{c or 'line'}-{i}" for i, (_r, c, _m) in enumerate(BAD_ROWS)]
)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(app, seeded, row, column, message):
    raw = csv_bytes(HEADER, GOOD, row, "RWX,RP-02,testing,2024-03-14,,,,,")
    before = counts(app)
    with pytest.raises(services.FileRefused) as refused:
        services.import_file(seeded, raw, None)
    [problem] = refused.value.plan.problems
    assert (problem.line, problem.column) == (3, column)
    assert message in problem.message
    assert counts(app) == before


def test_every_problem_of_every_row_is_reported_in_line_order(seeded):
    raw = csv_bytes(
        HEADER, "XYZ,ZZ-99,nope,yesterday,a,b,,ftp://x,", GOOD, "RNU,SS-01,discontinued,2024-01-01,,,,,other"
    )
    problems = services.check_file(seeded, raw).problems
    assert [(p.line, p.column) for p in problems] == [
        (2, "ods_code"),
        (2, "intervention_code"),
        (2, "stage"),
        (2, "effective_date"),
        (2, "wards_using"),
        (2, "wards_in_scope"),
        (2, "evidence_url"),
        (4, "note"),
    ]


FILE_PROBLEMS = [
    (b"", "The file is empty"),
    (b"\xef\xbb\xbf\r\n  \r\n", "The file is empty"),
    (csv_bytes(HEADER), "The file has no rows of data below the header row"),
    (
        csv_bytes("ods_code,intervention_code,effective_date", "RNU,SS-01,2024-01-01"),
        "The required column stage is missing",
    ),
    (csv_bytes(HEADER + ",colour", GOOD + ",blue"), "Unknown column 'colour'"),
    (csv_bytes(HEADER + ",Stage", GOOD + ",testing"), "The column stage appears more than once"),
    (
        "ods_code,intervention_code,stage,effective_date,note\nRNU,SS-01,testing,2024-01-01,Café\n".encode("latin-1"),
        "The file is not UTF-8 text",
    ),
    ("ods_code,stage\n".encode("utf-16"), "saved as UTF-16"),
    (b"PK\x03\x04\x14\x00\x06\x00", "The workbook is damaged and cannot be read"),  # read as a workbook, by its bytes
]


@pytest.mark.parametrize(("raw", "message"), FILE_PROBLEMS)
def test_a_bad_file_is_refused_and_nothing_is_written(app, seeded, raw, message):
    before = counts(app)
    with pytest.raises(services.FileRefused) as refused:
        services.import_file(seeded, raw, None)
    assert message in " ".join(str(p) for p in refused.value.plan.problems)
    assert counts(app) == before


def test_a_blank_trailing_column_is_ignored_but_not_a_value_in_it(seeded):
    assert not services.check_file(seeded, csv_bytes(HEADER + ",", GOOD + ",")).problems
    [problem] = services.check_file(seeded, csv_bytes(HEADER + ",", GOOD + ",oops")).problems
    assert str(problem) == "Line 2: There is a value in a column with no heading"


def test_the_row_limit_can_be_lowered(seeded):
    [problem] = services.check_file(seeded, csv_bytes(HEADER, GOOD, GOOD, GOOD), max_rows=2).problems
    assert "more than 2 rows" in str(problem)


# The upload page ---------------------------------------------------------------------------------


def test_upload_preview_then_confirm_imports_exactly_what_was_shown(app, signed_in):
    client = signed_in("manager")
    page = client.get(IMPORT_URL).get_data(as_text=True)
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
    before = counts(app)
    raw = csv_bytes(HEADER, GOOD, "RWX,RP-02,testing,14/03/2024,,,,,", GOOD)
    response = upload(client, raw)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check the import" in html and "Confirm import" in html
    assert "Oxford Health NHS Foundation Trust (RNU)" in html and "SS-01" in html and "14 March 2024" in html
    assert "Repeats line 2" in html
    assert counts(app) == before  # the check writes nothing
    ticket = TICKET.search(html).group(1)
    response = client.submit(CONFIRM_URL, {"ticket": ticket}, page=IMPORT_URL)
    assert response.status_code == 302 and response.headers["Location"].endswith(IMPORT_URL)
    assert "Imported 2 events (1 duplicate skipped)" in client.get(IMPORT_URL).get_data(as_text=True)
    assert counts(app) == (before[0] + 2, before[1] + 2)
    events = imported_events(app)
    assert {e.logged_by.email for e in events} == {"manager@demo.invalid"}
    # A second click finds the file already used: nothing more is written.
    response = client.submit(CONFIRM_URL, {"ticket": ticket}, page=IMPORT_URL)
    assert response.status_code == 302
    assert "already been imported" in client.get(IMPORT_URL).get_data(as_text=True)
    assert counts(app) == (before[0] + 2, before[1] + 2)


def test_the_upload_page_lists_every_problem_and_writes_nothing(app, signed_in):
    client = signed_in("admin")
    before = counts(app)
    response = upload(
        client, csv_bytes(HEADER, GOOD, "XYZ,SS-01,testing,2024-01-01,,,,,", "RNU,SS-01,testing,2024-01-01,5,3,,,")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in html and "The file has 2 problems, so nothing was imported" in html
    assert (
        "No organisation has the ODS code XYZ" in html and "Wards using it cannot be more than wards in scope" in html
    )
    assert re.search(r">3</td>\s*<td[^>]*><code>ods_code</code>", html)
    assert re.search(r">4</td>\s*<td[^>]*><code>wards_using</code>", html)
    assert "Confirm import" not in html
    assert counts(app) == before


def test_the_upload_page_needs_a_file(signed_in):
    response = signed_in("manager").submit(IMPORT_URL, {}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a CSV file or an Excel workbook (.xlsx) to import" in response.get_data(as_text=True)


def test_a_file_over_two_megabytes_is_refused_with_a_form_error(app, signed_in):
    client = signed_in("manager")
    before = counts(app)
    body = csv_bytes(HEADER, GOOD)
    raw = body + b"#" * (importing.MAX_BYTES + 1 - len(body))
    # Encoded here, in memory: the test client would spool a body this large to a temporary file it never closes.
    boundary, form = encode_multipart(
        {"csrf_token": client.csrf_token(IMPORT_URL), "file": FileStorage(io.BytesIO(raw), "big.csv")}
    )
    response = client.post(IMPORT_URL, data=form, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "The file must be 2 MB or smaller" in response.get_data(as_text=True)
    assert counts(app) == before


def test_a_request_over_the_app_limit_gets_the_413_page(app, signed_in):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = signed_in("manager").post(IMPORT_URL, data=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert "The file or form is too large" in response.get_data(as_text=True)


def test_a_non_utf8_upload_is_refused(app, signed_in):
    response = upload(
        signed_in("manager"),
        "ods_code,intervention_code,stage,effective_date,note\nRNU,SS-01,testing,2024-01-01,Café\n".encode("cp1252"),
    )
    assert response.status_code == 422
    assert "The file is not UTF-8 text" in response.get_data(as_text=True)


def _preview_ticket(client, raw: bytes) -> str:
    html = upload(client, raw).get_data(as_text=True)
    return TICKET.search(html).group(1)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"),
        lambda t: "",
        lambda t: UploadStore(None, "some-other-key-that-is-long-enough-123456").sign(
            Ticket("A" * 32, sha256(b""), 1, "0" * 64, "x.csv")
        ),
    ],
    ids=["altered", "missing", "signed-elsewhere"],
)
def test_a_tampered_confirmation_is_refused(app, signed_in, tamper):
    client = signed_in("manager")
    ticket = _preview_ticket(client, csv_bytes(HEADER, GOOD))
    before = counts(app)
    response = client.submit(CONFIRM_URL, {"ticket": tamper(ticket)}, page=IMPORT_URL)
    assert response.status_code == 400
    assert counts(app) == before


def test_a_confirmation_is_only_good_for_the_account_that_checked_the_file(app, signed_in, client):
    ticket = _preview_ticket(signed_in("manager"), csv_bytes(HEADER, GOOD))
    client.submit("/sign-out", {}, page=IMPORT_URL)
    client.sign_in_as("admin")
    before = counts(app)
    assert client.submit(CONFIRM_URL, {"ticket": ticket}, page=IMPORT_URL).status_code == 400
    assert counts(app) == before


def test_the_checked_file_waits_in_the_database_not_on_this_servers_disk(app, signed_in, session):
    client = signed_in("manager")
    _preview_ticket(client, csv_bytes(HEADER, GOOD))
    [staged] = staged_files(app)
    assert staged.content == csv_bytes(HEADER, GOOD) and staged.sha256 == sha256(staged.content)
    assert staged.kind == "adoption-import" and staged.user_id == session.scalar(
        select(User.id).where(User.email == "manager@demo.invalid")
    )
    assert not any(Path(app.instance_path).rglob("*.csv"))


def test_the_checked_file_is_removed_on_confirmation_and_once_expired(app, signed_in):
    client = signed_in("manager")
    ticket = _preview_ticket(client, csv_bytes(HEADER, GOOD))
    assert client.submit(CONFIRM_URL, {"ticket": ticket}, page=IMPORT_URL).status_code == 302
    assert staged_files(app) == []

    _preview_ticket(client, csv_bytes(HEADER, "RNU,SS-01,sustained,2024-01-01,,,,,"))
    app.config["IMPORT_CONFIRM_SECONDS"] = -1  # the file just checked is now too old to confirm
    _preview_ticket(client, csv_bytes(HEADER, "RNU,SS-02,testing,2024-01-01,,,,,"))
    [kept] = staged_files(app)
    assert b"SS-02" in kept.content  # the expired one went when the next file was checked


def test_a_staged_file_changed_in_the_database_is_refused(app, signed_in, session):
    client = signed_in("manager")
    ticket = _preview_ticket(client, csv_bytes(HEADER, GOOD))
    staged = session.scalars(select(CheckedUpload)).one()
    staged.content = csv_bytes(HEADER, "RNU,SS-01,sustained,2024-01-01,,,,,")
    session.commit()
    before = counts(app)
    assert client.submit(CONFIRM_URL, {"ticket": ticket}, page=IMPORT_URL).status_code == 400
    assert counts(app) == before


def test_confirming_after_the_records_changed_shows_the_new_plan_and_writes_nothing(app, signed_in, session):
    client = signed_in("manager")
    raw = csv_bytes(HEADER, GOOD, "RWX,RP-02,testing,2024-03-14,,,,,")
    ticket = _preview_ticket(client, raw)
    services.import_file(session, csv_bytes(HEADER, GOOD), None)  # someone else logs one of the rows
    before = counts(app)
    response = client.submit(CONFIRM_URL, {"ticket": ticket}, page=IMPORT_URL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The records changed since you checked the file" in html and "Already recorded" in html
    assert counts(app) == before
    # Confirming the new plan imports the one row that is still new.
    response = client.submit(CONFIRM_URL, {"ticket": TICKET.search(html).group(1)}, page=IMPORT_URL)
    assert response.status_code == 302
    assert counts(app)[0] == before[0] + 1


def test_an_expired_confirmation_is_refused_kindly(app, signed_in):
    client = signed_in("manager")
    ticket = _preview_ticket(client, csv_bytes(HEADER, GOOD))
    app.config["IMPORT_CONFIRM_SECONDS"] = -1  # every ticket is now too old
    before = counts(app)
    response = client.submit(CONFIRM_URL, {"ticket": ticket}, page=IMPORT_URL)
    assert response.status_code == 302
    assert "has expired" in client.get(IMPORT_URL).get_data(as_text=True)
    assert counts(app) == before


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_trust_staff_and_faculty_may_not_import(app, signed_in, role):
    client = signed_in(role)
    assert client.get(IMPORT_URL).status_code == 403
    token = client.csrf_token("/spreadsheets")
    before = counts(app)
    response = client.post(
        IMPORT_URL,
        data={"csrf_token": token, "file": (io.BytesIO(csv_bytes(HEADER, GOOD)), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert client.post(CONFIRM_URL, data={"csrf_token": token, "ticket": "x"}).status_code == 403
    assert counts(app) == before


def test_signed_out_people_are_sent_to_sign_in(client, seeded):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


# The command ------------------------------------------------------------------------------------


def test_the_command_imports_a_good_file_and_then_adds_nothing(app, seeded, tmp_path):
    path = tmp_path / "adoption.csv"
    path.write_bytes(csv_bytes(HEADER, GOOD, "RWX,RP-02,testing,14/03/2024,,,,,"))
    before = counts(app)
    result = run(app, path)
    assert result.exit_code == 0, result.output
    assert "Imported 2 events (0 duplicates skipped)." in result.output
    assert counts(app) == (before[0] + 2, before[1] + 2)
    assert all(e.logged_by is None for e in imported_events(app))
    result = run(app, path)
    assert result.exit_code == 0
    assert "Imported 0 events (2 duplicates skipped)." in result.output
    assert counts(app) == (before[0] + 2, before[1] + 2)


def test_the_command_reports_every_bad_line_and_exits_non_zero(app, seeded, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(HEADER, GOOD, "RNU,SS-01,implemented,2024-01-01,,,,,", "XYZ,SS-01,testing,2024-01-01,,,,,")
    )
    before = counts(app)
    result = run(app, path)
    assert result.exit_code == 1
    assert "Line 3 (stage): 'implemented' is not a stage" in result.output
    assert "Line 4 (ods_code): No organisation has the ODS code XYZ" in result.output
    assert "bad.csv has 2 problems: nothing was imported." in result.output
    assert counts(app) == before


def test_a_dry_run_reports_and_writes_nothing(app, seeded, tmp_path):
    path = tmp_path / "adoption.csv"
    path.write_bytes(csv_bytes(HEADER, GOOD, GOOD))
    before = counts(app)
    result = run(app, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Line 2: RNU SS-01 implementing 1 May 2024 (new)" in result.output
    assert "Line 3: RNU SS-01 implementing 1 May 2024 (skip: repeats line 2)" in result.output
    assert "Dry run: would import 1 event (1 duplicate skipped). Nothing was written." in result.output
    assert counts(app) == before
    path.write_bytes(csv_bytes(HEADER, "RNU,SS-01,testing,2099-01-01,,,,,"))
    assert run(app, path, "--dry-run").exit_code == 1


def test_the_command_refuses_a_file_over_the_size_limit(app, seeded, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(HEADER, GOOD) + b"#" * importing.MAX_BYTES)
    result = run(app, path)
    assert result.exit_code == 1
    assert "a file may be 2 MB at most" in result.output


def test_the_command_logs_events_as_the_named_manager(app, seeded, tmp_path):
    path = tmp_path / "adoption.csv"
    path.write_bytes(csv_bytes(HEADER, GOOD))
    result = run(app, path, "--as", "Manager@demo.invalid")
    assert result.exit_code == 0, result.output
    [event] = imported_events(app)
    assert event.logged_by.email == "manager@demo.invalid" and event.channel == "import"


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.org", "No account has the email address"),
        ("trust@demo.invalid", "only project managers and administrators"),
    ],
)
def test_the_command_refuses_an_unknown_or_unsuitable_account(app, seeded, tmp_path, email, message):
    path = tmp_path / "adoption.csv"
    path.write_bytes(csv_bytes(HEADER, GOOD))
    before = counts(app)
    result = run(app, path, "--as", email)
    assert result.exit_code == 1 and message in result.output
    assert counts(app) == before


def test_the_command_audit_trail_names_the_account(app, seeded, tmp_path):
    from tracker.models import AuditEvent

    path = tmp_path / "adoption.csv"
    path.write_bytes(csv_bytes(HEADER, GOOD))
    run(app, path, "--as", "admin@demo.invalid")
    with Session(bind=tracker_db.get_engine(app)) as s:
        admin = s.scalar(select(User).filter_by(email="admin@demo.invalid"))
        rows = s.scalars(
            select(AuditEvent).where(AuditEvent.entity == "adoption_events", AuditEvent.actor_id == admin.id)
        ).all()
        assert rows and {r.actor_role for r in rows} == {"cli"}
