"""The rules an adoption event must meet: plain functions, plain data, no database."""

from datetime import date

import pytest

from tracker.adoption.rules import EventInput, OrganisationDates, event_problems, fingerprint
from tracker.models import Stage

TODAY = date(2025, 6, 30)
OPEN = OrganisationDates(opened_on=None, closed_on=None)


def problems(organisation=OPEN, **fields):
    data = {"stage": "testing", "effective_date": date(2024, 1, 15), **fields}
    return event_problems(EventInput(**data), organisation, TODAY)


def test_a_plain_stage_move_is_acceptable():
    assert problems() == {}


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"stage": "adopted"}, "stage", "Choose a stage"),
        ({"stage": ""}, "stage", "Choose a stage"),
        ({"effective_date": None}, "effective_date", "Enter the date"),
        ({"effective_date": date(2025, 7, 1)}, "effective_date", "cannot be in the future"),
        ({"wards_using": -1}, "wards_using", "from 0 to 10,000"),
        ({"wards_in_scope": 10_001}, "wards_in_scope", "from 0 to 10,000"),
        ({"wards_using": 6, "wards_in_scope": 5}, "wards_using", "cannot be more than wards in scope"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url", "http:// or https://"),
        ({"evidence_url": "ftp://files.example/x"}, "evidence_url", "http:// or https://"),
        ({"evidence_url": "https://"}, "evidence_url", "http:// or https://"),
        ({"stage": "discontinued"}, "discontinued_reason", "Say why"),
        ({"stage": "discontinued", "discontinued_reason": "boredom"}, "discontinued_reason", "Choose a reason"),
        ({"stage": "testing", "discontinued_reason": "staffing"}, "discontinued_reason", "only given when"),
        ({"stage": "discontinued", "discontinued_reason": "other"}, "note", "Say in the note"),
        ({"stage": "discontinued", "discontinued_reason": "other", "note": "   "}, "note", "Say in the note"),
        ({"note": "x" * 4001}, "note", "4,000 characters"),
    ],
)
def test_bad_events_are_refused_with_a_message_for_the_field(fields, field, message):
    errors = problems(**fields)
    assert field in errors
    assert message in errors[field]


def test_today_counts_and_the_past_is_fine():
    assert problems(effective_date=TODAY) == {}
    assert problems(effective_date=date(2019, 1, 1)) == {}


def test_dates_must_fall_while_the_organisation_was_open():
    solent = OrganisationDates(opened_on=date(2011, 4, 1), closed_on=date(2024, 10, 1))
    assert problems(solent, effective_date=date(2024, 9, 30)) == {}
    assert "closed on 1 October 2024" in problems(solent, effective_date=date(2024, 10, 1))["effective_date"]
    assert "opened on 1 April 2011" in problems(solent, effective_date=date(2011, 3, 31))["effective_date"]


def test_discontinued_with_a_reason_is_acceptable():
    assert problems(stage="discontinued", discontinued_reason="staffing") == {}
    assert problems(stage="discontinued", discontinued_reason="other", note="Ward closed for refurbishment") == {}


def test_the_ladder_and_thresholds():
    assert Stage.SUSTAINED.at_least(Stage.IMPLEMENTING)
    assert Stage.IMPLEMENTING.at_least(Stage.IMPLEMENTING)
    assert not Stage.TESTING.at_least(Stage.IMPLEMENTING)
    assert not Stage.DISCONTINUED.at_least(Stage.CONSIDERING)


def test_fingerprint_is_the_same_for_the_same_event_and_differs_otherwise():
    a = EventInput("testing", date(2024, 1, 15), 1, 4, "note", "")
    assert fingerprint("RNU", "RP-01", a) == fingerprint(
        "RNU", "RP-01", EventInput("testing", date(2024, 1, 15), 1, 4, "note ", "")
    )
    assert fingerprint("RNU", "RP-01", a) != fingerprint("RNU", "RP-02", a)
    assert fingerprint("RNU", "RP-01", a) != fingerprint(
        "RNU", "RP-01", EventInput("testing", date(2024, 1, 16), 1, 4, "note", "")
    )
