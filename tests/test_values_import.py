"""Importing monthly values from CSV: a dry run shows what would be recorded and writes nothing; the
confirmation records every row or, if any row has a problem, none, listing each problem by line and
column; rows for organisations the user may not record for are problems; the template downloads."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import add_count_measure, add_ward
from tests.helpers import HASH_ITERATIONS, csv_bytes, page_text, rows_of
from tracker.admin.services import AccountDetails, create_user
from tracker.calendar import today
from tracker.core.measures import first_of_month, months_from
from tracker.measures import values as service
from tracker.measures.value_rules import ValueInput
from tracker.models import AuditEvent, CheckedUpload, Measure, MeasureValue, Organisation, User

URL = "/measures/import"
HEADER = "measure,organisation,ward,month,numerator,denominator,note"
THIS_MONTH = first_of_month(today())
NEXT_MONTH = months_from(THIS_MONTH, date(THIS_MONTH.year + 1, 1, 1))[1]
TICKET = re.compile(r'name="ticket" value="([^"]+)"')


def upload(client, content: bytes, name: str = "values.csv"):
    return client.submit(URL, {"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def confirm(client, preview):
    ticket = TICKET.search(preview.get_data(as_text=True)).group(1)
    return client.submit(URL, {"ticket": ticket})


def stored(session) -> list[tuple]:
    session.rollback()
    rows = [
        (v.measure.code, v.organisation.ods_code, v.ward.name if v.ward else None, v.month, v.numerator, v.denominator)
        for v in session.scalars(select(MeasureValue).order_by(MeasureValue.id))
    ]
    session.rollback()
    return rows


def staged(session) -> list[str]:
    """The kinds of the checked files waiting for their confirmation (in the database, for any server)."""
    session.rollback()
    kinds = list(session.scalars(select(CheckedUpload.kind)))
    session.rollback()
    return kinds


def problems(response) -> list[list[str]]:
    """The problems table: line, column, message."""
    return rows_of(response.get_data(as_text=True))


def test_a_dry_run_shows_the_values_and_the_confirmation_records_them(seeded, signed_in):
    add_ward(seeded, "RNU", "Ashurst Ward")
    client = signed_in("trust")
    content = csv_bytes(
        HEADER,
        "RP-RESTRAINT,RNU,,2024-03,12,2890,Whole trust",
        "rp-restraint,rnu,ashurst ward,2024-03,3,610,",
        'RP-PRONE,RNU,,2024-04,1.5,"2,900",',
        bom=True,
    )
    preview = upload(client, content)
    assert preview.status_code == 200
    text = page_text(preview.get_data(as_text=True))
    assert "Importing records 3 monthly values." in text and "this is a dry run" in text
    assert rows_of(preview.get_data(as_text=True))[1] == [
        "3",
        "RP-RESTRAINT",
        "Ashurst Ward at Oxford Health NHS Foundation Trust (RNU)",
        "March 2024",
        "3",
        "610",
        "",
    ]
    assert stored(seeded) == []  # the dry run wrote nothing
    assert staged(seeded) == ["values-import"]  # but kept the checked file for the confirmation
    done = confirm(client, preview)
    assert done.status_code == 302
    assert "Imported 3 monthly values." in page_text(client.get(done.headers["Location"]).get_data(as_text=True))
    assert stored(seeded) == [
        ("RP-RESTRAINT", "RNU", None, date(2024, 3, 1), 12, 2890),
        ("RP-RESTRAINT", "RNU", "Ashurst Ward", date(2024, 3, 1), 3, 610),
        ("RP-PRONE", "RNU", None, date(2024, 4, 1), 1.5, 2900),
    ]
    assert staged(seeded) == []
    trust = seeded.scalar(select(User).filter_by(email="trust@demo.invalid"))
    assert {v.recorded_by_id for v in seeded.scalars(select(MeasureValue))} == {trust.id}
    audit = seeded.scalars(select(AuditEvent).where(AuditEvent.entity == "measure_values")).all()
    assert [(a.action, a.actor_email) for a in audit] == [("create", "trust@demo.invalid")] * 3
    again = confirm(client, preview)  # a second click imports nothing more
    assert again.status_code == 302 and len(stored(seeded)) == 3


def test_every_bad_row_is_listed_and_nothing_is_written(seeded, signed_in):
    add_ward(seeded, "RWX", "Bluebell Ward")
    add_count_measure(seeded)
    service.record_value(
        seeded,
        None,
        seeded.scalar(select(Measure).filter_by(code="RP-RESTRAINT")),
        seeded.scalar(select(Organisation).filter_by(ods_code="RNU")),
        None,
        ValueInput("2024-01", 5, 2000),
    )
    seeded.rollback()
    client = signed_in("trust")
    content = csv_bytes(
        HEADER,
        "RP-RESTRAINT,RNU,,2024-03,12,2890,good",  # line 2 is good, but the file is refused whole
        "RP-RESTRAINT,RNU,,2024-04,twelve,2890,",
        "RP-RESTRAINT,RNU,,2024-05,-1,2890,",
        "RP-RESTRAINT,RNU,,2024-06,4,0,",
        f"RP-RESTRAINT,RNU,,{NEXT_MONTH:%Y-%m},4,100,",
        "RP-RESTRAINT,RNU,,2024-01,4,100,",  # already recorded
        "RP-RESTRAINT,RNU,,2024-03,4,100,",  # repeats line 2
        "RP-RESTRAINT,RNU,Bluebell Ward,2024-07,4,100,",  # a ward of another trust
        "RP-RESTRAINT,RWX,,2024-07,4,100,",  # another trust
        "RP-NOPE,RNU,,2024-07,4,100,",
        "RP-COUNT,RNU,,2024-07,4,100,",
        "RP-RESTRAINT,RNU,,2024-7x,NaN,inf,",
    )
    response = upload(client, content)
    assert response.status_code == 422
    assert "The file has 13 problems, so nothing was imported" in page_text(response.get_data(as_text=True))
    assert problems(response) == [
        ["3", "numerator", "The numerator (restraint incidents) must be a number, for example 12"],
        ["4", "numerator", "The numerator (restraint incidents) cannot be negative: enter 0 or more"],
        [
            "5",
            "denominator",
            "The denominator (occupied bed days) must be more than 0: a rate cannot be worked out over 0",
        ],
        ["6", "month", f"{NEXT_MONTH:%B %Y} is in the future: values can be recorded up to {THIS_MONTH:%B %Y}"],
        [
            "7",
            "month",
            "January 2024 is already recorded for Oxford Health NHS Foundation Trust as a whole: change that value instead",
        ],
        ["8", "month", "Line 2 already gives this month for Oxford Health NHS Foundation Trust as a whole"],
        ["9", "ward", "Oxford Health NHS Foundation Trust has no ward named Bluebell Ward"],
        [
            "10",
            "organisation",
            "Your account may not record values for Berkshire Healthcare NHS Foundation Trust (RWX)",
        ],
        ["11", "measure", "No measure has the code RP-NOPE"],
        ["12", "denominator", "This measure is a count: leave the denominator empty"],
        ["13", "month", "'2024-7x' is not a month: write it as YYYY-MM, for example 2024-03"],
        ["13", "numerator", "The numerator (restraint incidents) must be a number, for example 12"],
        ["13", "denominator", "The denominator (occupied bed days) must be a number, for example 12"],
    ]
    assert [row[:4] for row in stored(seeded)] == [("RP-RESTRAINT", "RNU", None, date(2024, 1, 1))]


def test_a_file_without_a_required_column_is_refused(seeded, signed_in):
    response = upload(signed_in("manager"), csv_bytes("measure,organisation,month", "RP-RESTRAINT,RNU,2024-03"))
    assert response.status_code == 422
    assert problems(response) == [["1", "", "The required column numerator is missing"]]


@pytest.mark.parametrize(("role", "ods", "allowed"), [("faculty", "RWX", True), ("faculty", "RX2", False)])
def test_faculty_import_only_for_the_organisations_of_their_networks(seeded, signed_in, role, ods, allowed):
    client = signed_in(role)
    response = upload(client, csv_bytes(HEADER, f"RP-RESTRAINT,{ods},,2024-03,12,2890,"))
    if allowed:
        assert confirm(client, response).status_code == 302
        assert len(stored(seeded)) == 1
    else:
        assert response.status_code == 422
        assert problems(response)[0][1] == "organisation"
        assert stored(seeded) == []


def test_a_month_recorded_between_the_check_and_the_confirmation_refuses_the_file(seeded, signed_in):
    client = signed_in("manager")
    preview = upload(client, csv_bytes(HEADER, "RP-RESTRAINT,RNU,,2024-03,12,2890,", "RP-PRONE,RNU,,2024-03,1,2890,"))
    assert preview.status_code == 200
    client.submit("/organisations/RNU/values/RP-PRONE/new", {"month": "2024-03", "numerator": "2", "denominator": "9"})
    response = confirm(client, preview)
    assert response.status_code == 422
    assert "Since you checked it, the file has 1 problem" in page_text(response.get_data(as_text=True))
    assert [row[:2] for row in stored(seeded)] == [("RP-PRONE", "RNU")]
    assert staged(seeded) == []  # the refused file is not kept


def test_the_template_has_the_columns_and_one_example_row(seeded, signed_in):
    client = signed_in("trust")
    response = client.get("/measures/import/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == HEADER.split(",")
    assert rows[1][:3] == ["RP-RESTRAINT", "RNU", ""] and rows[1][3] == f"{THIS_MONTH:%Y-%m}"
    assert len(rows) == 2
    # The example is itself a good row: uploading the template shows it would be recorded.
    assert upload(client, response.get_data()).status_code == 200


def test_the_import_page_and_template_are_refused_to_faculty_with_no_networks(seeded, client):

    create_user(
        seeded,
        AccountDetails(email="new@example.nhs.uk", name="New", role="faculty"),
        "a long password 42",
        HASH_ITERATIONS,
    )
    seeded.commit()
    client.sign_in("new@example.nhs.uk", "a long password 42")
    assert client.get(URL).status_code == 403
    assert client.get("/measures/import/template.csv").status_code == 403


def run(app, *args):
    """`flask measures import ARGS` on the app."""
    return app.test_cli_runner().invoke(args=["measures", "import", *map(str, args)])


def test_the_command_line_dry_run_writes_nothing_then_the_import_records(app, seeded, tmp_path):
    path = tmp_path / "values.csv"
    path.write_bytes(csv_bytes(HEADER, "RP-RESTRAINT,RNU,,2024-03,12,2890,"))
    dry = run(app, path, "--dry-run", "--as", "faculty@demo.invalid")
    assert dry.exit_code == 0, dry.output
    assert "Line 2: RP-RESTRAINT Oxford Health NHS Foundation Trust as a whole March 2024: 12 / 2890" in dry.output
    assert "Dry run: would record 1 value. Nothing was written." in dry.output
    assert stored(seeded) == []
    done = run(app, path, "--as", "faculty@demo.invalid")
    assert done.exit_code == 0 and "Imported 1 monthly value." in done.output
    assert len(stored(seeded)) == 1
    [audit] = seeded.scalars(select(AuditEvent).where(AuditEvent.entity == "measure_values"))
    assert (audit.actor_email, audit.path) == ("faculty@demo.invalid", "measures import values.csv")


def test_the_command_line_refuses_a_bad_file_whole(app, seeded, tmp_path):
    path = tmp_path / "values.csv"
    path.write_bytes(csv_bytes(HEADER, "RP-RESTRAINT,RNU,,2024-03,12,2890,", "RP-RESTRAINT,RX2,,2024-03,-4,0,"))
    result = run(app, path, "--as", "faculty@demo.invalid")
    assert result.exit_code == 1
    assert "Line 3 (organisation): Your account may not record values for Sussex Partnership" in result.output
    assert "values.csv has 1 problem: nothing was imported." in result.output
    assert stored(seeded) == []


def test_closed_organisations_closed_wards_and_months_before_the_programme_are_row_errors(seeded, signed_in):
    add_ward(seeded, "RNU", "Old Ward", closed_on=date(2024, 3, 1))
    response = upload(
        signed_in("manager"),
        csv_bytes(
            HEADER,
            "RP-RESTRAINT,R1C,,2024-10,1,100,",  # Solent NHS Trust closed on 1 October 2024
            "RP-RESTRAINT,RNU,Old Ward,2024-03,1,100,",
            "RP-RESTRAINT,RNU,,2021-03,1,100,",
            "RP-RESTRAINT,R1C,,2024-09,1,100,",  # good, but the file is refused whole
        ),
    )
    assert response.status_code == 422
    assert problems(response) == [
        ["2", "month", "Solent NHS Trust was not open in October 2024"],
        ["3", "month", "Old Ward was not open in March 2024"],
        ["4", "month", "March 2021 is before the programme started in April 2021"],
    ]
    assert stored(seeded) == []
