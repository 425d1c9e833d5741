"""The events and records downloads stream: plain rows read a chunk at a time and written out as they
come, byte for byte the file the ORM objects made; XLSX refused above the rows an Excel sheet holds."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import count_statements
from tracker import db as tracker_db
from tracker import tabular
from tracker.adoption import queries
from tracker.adoption.rules import EventInput
from tracker.adoption.services import append_event
from tracker.models import ChangeIdea, Organisation, User
from tracker.spreadsheets import export_queries, exporting

EVENTS_CSV = "/spreadsheets/adoption-events.csv"
EVENTS_XLSX = "/spreadsheets/adoption-events.xlsx"
RECORDS_CSV = "/spreadsheets/adoption-records.csv"
RECORDS_XLSX = "/spreadsheets/adoption-records.xlsx"


def _add(session, ods: str, code: str, stage: str, day: date, email: str | None = None, **details) -> int:
    organisation = session.scalar(select(Organisation).filter_by(ods_code=ods))
    idea = session.scalar(select(ChangeIdea).filter_by(code=code))
    user = session.scalar(select(User).filter_by(email=email)) if email else None
    event = append_event(session, user, organisation, idea, EventInput(stage=stage, effective_date=day, **details))
    session.commit()
    return event.event.id


def _network(organisation, attribute: str) -> str:
    return getattr(organisation.network, attribute) if organisation.network else ""


# The values each column took from the ORM objects before the downloads streamed (the reference).
_SHARED = (
    lambda o, i, e: o.name,
    lambda o, i, e: o.ods_code,
    lambda o, i, e: _network(o, "code"),
    lambda o, i, e: _network(o, "name"),
    lambda o, i, e: i.package.ambition.code,
    lambda o, i, e: i.package.code,
    lambda o, i, e: i.code,
    lambda o, i, e: i.title,
    lambda o, i, e: e.stage.value,
    lambda o, i, e: e.effective_date,
    lambda o, i, e: e.wards_using,
    lambda o, i, e: e.wards_in_scope,
    lambda o, i, e: e.note,
    lambda o, i, e: e.evidence_url,
    lambda o, i, e: e.discontinued_reason.value if e.discontinued_reason else "",
)


def _orm_events_file(app) -> bytes:
    with Session(bind=tracker_db.get_engine(app)) as s:
        rows = [
            [value(e.organisation, e.change_idea, e) for value in _SHARED]
            + [
                e.corrects_event_id,
                e.logged_by.email if e.logged_by else "",
                e.logged_at,
                e.channel,
                e.id,
                "yes" if e.is_demo else "no",
                e.corrections[-1].id if e.corrections else None,
            ]
            for e in queries.events(s)
        ]
    return tabular.to_csv(exporting.EVENT_COLUMNS, rows)


def _orm_records_file(app) -> bytes:
    with Session(bind=tracker_db.get_engine(app)) as s:
        rows = [
            [value(r.organisation, r.change_idea, r.current_event) for value in _SHARED]
            + [
                r.current_event.id,
                r.last_logged_by.email if r.last_logged_by else "",
                r.last_logged_at,
                "yes" if r.current_event.is_demo else "no",
            ]
            for r in queries.current_records(s)
        ]
    return tabular.to_csv(exporting.RECORD_COLUMNS, rows)


@pytest.fixture
def ledger(seeded, demo_history):
    """Demo history plus events of ours: a formula, a discontinuation, and an event corrected twice."""
    _add(seeded, "RNU", "SS-01", "testing", date(2024, 1, 10), "faculty@demo.invalid", note="=1+1", wards_using=1)
    _add(seeded, "RWX", "RP-02", "discontinued", date(2024, 6, 30), discontinued_reason="other", note="-2 wards")
    wrong = _add(seeded, "RDY", "SS-03", "implementing", date(2024, 3, 1), "manager@demo.invalid")
    organisation = seeded.scalar(select(Organisation).filter_by(ods_code="RDY"))
    idea = seeded.scalar(select(ChangeIdea).filter_by(code="SS-03"))
    corrections = []
    for stage in ("testing", "considering"):
        data = EventInput(stage=stage, effective_date=date(2024, 3, 1), note="corrected")
        corrections.append(append_event(seeded, None, organisation, idea, data, corrects_event_id=wrong).event.id)
        seeded.commit()
    return {"wrong": wrong, "corrections": corrections}


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(("path", "reference"), [(EVENTS_CSV, _orm_events_file), (RECORDS_CSV, _orm_records_file)])
def test_the_streamed_csv_is_byte_for_byte_the_file_the_orm_objects_made(app, ledger, signed_in, path, reference):
    response = signed_in("manager").get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="adoption-')
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    assert len(_rows(body)) > 10  # the demo history and ours
    assert body == reference(app)


def test_a_corrected_event_names_its_latest_correction_and_each_correction_what_it_corrects(ledger, signed_in):
    rows = _rows(signed_in("trust").get(EVENTS_CSV).get_data())
    header = rows[0]
    by_id = {row[header.index("event_id")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    wrong, (first, latest) = str(ledger["wrong"]), map(str, ledger["corrections"])
    assert by_id[wrong]["corrected_by_event_id"] == latest
    assert by_id[first]["corrects_event_id"] == wrong and by_id[latest]["corrects_event_id"] == wrong
    assert by_id[first]["corrected_by_event_id"] == "" and by_id[latest]["corrected_by_event_id"] == ""
    assert by_id[wrong]["logged_by"] == "manager@demo.invalid" and by_id[latest]["logged_by"] == ""
    assert sum(1 for r in by_id.values() if r["corrected_by_event_id"]) == 1


@pytest.mark.parametrize(("path", "reference"), [(EVENTS_CSV, _orm_events_file), (RECORDS_CSV, _orm_records_file)])
def test_more_rows_than_a_chunk_stream_in_pieces_in_a_fixed_number_of_statements(
    app, seeded, ledger, signed_in, monkeypatch, path, reference
):
    monkeypatch.setattr(export_queries, "CHUNK_ROWS", 3)
    monkeypatch.setattr(tabular, "CSV_ROWS_PER_CHUNK", 2)
    client = signed_in("trust")
    client.get(path).get_data()  # warm up: the session user and anything cached per process
    with count_statements(app) as few:
        response = client.get(path, buffered=False)
        pieces = list(response.response)
        response.close()
    rows = len(_rows(b"".join(pieces))) - 1
    assert rows > 6 and len(pieces) == 1 + (rows + 1) // 2  # the header, then two rows at a time
    assert b"".join(pieces) == reference(app)

    for ods, code in [("RWX", "RP-01"), ("RH5", "RP-03"), ("RX2", "SSH-04")]:
        _add(seeded, ods, code, "considering", date(2024, 2, 1), "admin@demo.invalid")
        _add(seeded, ods, code, "implementing", date(2024, 5, 1))
    with count_statements(app) as many:
        more = client.get(path).get_data()
    assert len(_rows(more)) > rows + 1
    assert len(many) == len(few)


@pytest.mark.parametrize("path", [EVENTS_XLSX, RECORDS_XLSX])
def test_a_workbook_excel_could_not_open_is_refused_with_the_way_to_get_it(app, ledger, signed_in, path):
    client = signed_in("faculty")
    with Session(bind=tracker_db.get_engine(app)) as s:
        statement = (export_queries.events_statement if "events" in path else export_queries.records_statement)(False)
        rows = export_queries.count(s, statement)
    app.config["XLSX_MAX_ROWS"] = rows  # exactly full: still a workbook
    full = client.get(path)
    assert full.status_code == 200 and full.mimetype == tabular.MIMETYPES["xlsx"]
    assert full.get_data().startswith(b"PK")

    app.config["XLSX_MAX_ROWS"] = rows - 1
    refused = client.get(path)
    assert refused.status_code == 422 and refused.mimetype == "text/html"
    assert "Content-Disposition" not in refused.headers
    html = refused.get_data(as_text=True)
    assert f"has {rows:,} rows, more than an Excel download may hold ({rows - 1:,} rows under its header)" in html
    assert "Nothing was downloaded" in html and 'href="#download-csv"' in html
    assert len(_rows(client.get(path.replace(".xlsx", ".csv")).get_data())) == rows + 1  # CSV has no such limit


def test_the_page_says_how_many_rows_a_workbook_holds(signed_in):
    html = signed_in("trust").get("/spreadsheets").get_data(as_text=True)
    assert "An Excel download holds at most 50,000 rows" in html
    assert "There is a problem" not in html
