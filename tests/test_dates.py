"""Dates for people are written one way everywhere ("1 October 2024"), times in UK time; data keeps ISO."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.helpers import auth, move
from tracker.auth import tokens
from tracker.calendar import people_date, people_dates_in, people_datetime, people_month
from tracker.models import User

# Day-first numbers (01/10/2024), ISO days in prose, short months (1 Oct 2024), or a "UTC" suffix.
NOT_FOR_PEOPLE = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b| UTC\b"
)


@pytest.mark.parametrize(
    "value, expected",
    [
        (date(2024, 10, 1), "1 October 2024"),
        (date(2025, 3, 31), "31 March 2025"),
        (None, ""),
        # A stored time is UTC; its day is the day in England (23:30 UTC in summer is the next day).
        (datetime(2024, 6, 30, 23, 30, tzinfo=UTC), "1 July 2024"),
        (datetime(2024, 12, 31, 23, 30, tzinfo=UTC), "31 December 2024"),
    ],
)
def test_people_date(value, expected):
    assert people_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime(2024, 10, 1, 13, 5, tzinfo=UTC), "1 October 2024 at 14:05"),  # British Summer Time
        (datetime(2024, 12, 1, 14, 5, tzinfo=UTC), "1 December 2024 at 14:05"),  # Greenwich Mean Time
        (datetime(2024, 3, 31, 23, 59, tzinfo=UTC), "1 April 2024 at 00:59"),
        (datetime(2024, 10, 1, 13, 5), "1 October 2024 at 14:05"),  # naive: UTC, as SQLite gives it back
        (None, ""),
    ],
)
def test_people_datetime_is_uk_time(value, expected):
    assert people_datetime(value) == expected


def test_months_and_dates_inside_text():
    assert people_month(date(2024, 10, 31)) == "October 2024"
    assert people_dates_in("2019-10-21") == "21 October 2019"
    assert people_dates_in("2020-03 to 2020-09") == "March 2020 to September 2020"
    assert people_dates_in("2018") == "2018"
    assert people_dates_in("2024-13 and 2024-02-30") == "2024-13 and 2024-02-30"  # not dates: left alone


def test_an_event_date_error_on_the_log_form(signed_in):
    client = signed_in("manager")
    page = client.submit(
        "/organisations/R1C/adoption/RP-01/log",
        {"stage": "testing", "effective_date": "2024-10-02", "row_version": "0"},
    ).get_data(as_text=True)
    assert "The organisation closed on 1 October 2024: the date must be earlier" in page


def test_the_flash_after_logging_and_the_correction_choices(signed_in):
    client = signed_in("manager")
    response = client.submit(
        "/organisations/RNU/adoption/RP-01/log",
        {"stage": "testing", "effective_date": "2022-03-01", "row_version": "0"},
        follow_redirects=True,
    )
    assert "testing from 1 March 2022." in response.get_data(as_text=True)
    form = client.get("/organisations/RNU/adoption/RP-01/log").get_data(as_text=True)
    assert re.search(r"Entry \d+: Testing from 1 March 2022", form)


def test_the_api_says_dates_for_people_in_messages_and_iso_in_data(client, seeded):
    raw = tokens.issue_token(seeded, seeded.scalar(select(User).filter_by(email="manager@demo.invalid")))
    seeded.commit()
    refused = client.post(
        "/api/v1/adoptions", headers=auth(raw), json=move(organisation="R1C", effective_date="2024-10-02")
    )
    assert refused.status_code == 422
    message = refused.get_json()["error"]["fields"]["effective_date"]
    assert message == "The organisation closed on 1 October 2024: the date must be earlier"
    created = client.post("/api/v1/adoptions", headers=auth(raw), json=move())
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["event"]["effective_date"] == "2022-03-01"


def test_account_times_are_uk_times(signed_in, seeded):
    user = seeded.scalar(select(User).filter_by(email="trust@demo.invalid"))
    user.created_at = datetime(2024, 7, 1, 8, 15, tzinfo=UTC)
    seeded.commit()
    page = signed_in("admin").get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert "1 July 2024 at 09:15" in page and " UTC" not in page


def test_the_timeline_on_the_about_page(signed_in):
    page = signed_in("trust").get("/about").get_data(as_text=True)
    timeline = page.split("Programme timeline")[1].split("</table>")[0]
    assert "21 October 2019" in timeline and "March 2020 to September 2020" in timeline
    assert not NOT_FOR_PEOPLE.search(timeline)


def test_the_command_line_writes_dates_for_people(app, seeded, tmp_path):
    path = tmp_path / "adoption.csv"
    path.write_text(
        "ods_code,intervention_code,stage,effective_date,wards_using,wards_in_scope,note,evidence_url,"
        "discontinued_reason\r\nRNU,SS-01,implementing,2024-05-01,2,10,,,\r\n"
    )
    result = app.test_cli_runner().invoke(args=["adoption", "import", str(path), "--dry-run"])
    assert "Line 2: RNU SS-01 implementing 1 May 2024 (new)" in result.output, result.output
