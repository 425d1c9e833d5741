"""An organisation's dates: plausible ones only, and never a change that silently drops its adoption events.

Coverage counts an organisation's events only while it is open: closing it before events it has, or
moving its opening after them, would take them out of every figure. Such an edit is refused with the
events listed, unless the editor ticks the box to leave them out (and the audit trail says so).
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import EVENTS, log_events
from tests.helpers import TOMORROW, on_the_day
from tracker.editing import InvalidInput
from tracker.models import AdoptionEvent, AuditEvent, Organisation, OrganisationKind
from tracker.organisations import services
from tracker.organisations.left_out import events_left_out
from tracker.seed import SeedError, load_reference, reference_data


def organisations_table(session) -> dict[str, dict]:
    session.rollback()
    rows = {r["ods_code"]: dict(r) for r in session.execute(select(Organisation.__table__)).mappings()}
    session.rollback()
    return rows


def audit_rows(session, **filters) -> list[AuditEvent]:
    session.expire_all()
    rows = list(session.scalars(select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)))
    session.rollback()
    return rows


def page(response) -> str:
    return response.get_data(as_text=True)


def assert_refused(response, message: str) -> str:
    html = page(response)
    assert response.status_code == 200, html
    assert 'class="nhsuk-error-summary"' in html
    assert message in html, html[html.find("nhsuk-error-summary") :][:3000]
    return html


@pytest.fixture
def with_events(seeded):
    log_events(seeded)
    return seeded


def close_data(session, ods="RNU", **changes) -> dict:
    data = {
        "closed_on": "2024-07-01",
        "successor": "",
        "row_version": str(organisations_table(session)[ods]["row_version"]),
    }
    return {**data, **changes}


def edit_data(session, **changes) -> dict:
    """RNU's edit form as loaded, with changes."""
    rnu = organisations_table(session)["RNU"]
    data = {
        "name": rnu["name"],
        "kind": rnu["kind"].value,
        "network": "OXF",
        "town": rnu["town"],
        "latitude": str(rnu["latitude"]),
        "longitude": str(rnu["longitude"]),
        "opened_on": rnu["opened_on"].isoformat() if rnu["opened_on"] else "",
        "membership": rnu["membership"].value,
        "notes": rnu["notes"],
        "source_url": rnu["source_url"],
        "row_version": str(rnu["row_version"]),
    }
    return {**data, **changes}


# Item 6: dates that would leave out events -----------------------------------------------------


def test_closing_before_events_it_has_is_refused_with_the_events_listed(signed_in, with_events):
    client = signed_in("manager")
    before = organisations_table(with_events)
    html = assert_refused(
        client.submit("/organisations/RNU/close", close_data(with_events)),
        "3 adoption events are dated on or after 1 July 2024 and would no longer count in any figure: "
        "check them below, or tick the box to leave them out",
    )
    assert organisations_table(with_events) == before
    assert audit_rows(with_events, entity="organisations", action="update", entity_key="RNU") == []
    # The events, linked: each change idea's history, with how many and when; and the whole matrix.
    assert '<a href="/organisations/RNU/adoption/RP-01">RP-01 ' in html
    assert "1 event, on 1 August 2024" in html
    assert '<a href="/organisations/RNU/adoption/RP-02">RP-02 ' in html
    assert "2 events, from 1 September 2024 to 1 October 2024" in html
    assert "RP-03" not in html  # its event is before the closure and still counts
    assert 'href="/organisations/RNU/adoption"' in html
    # The box to confirm, unticked, carrying the number of events it confirms.
    assert 'name="leave_out" type="checkbox" value="y"' in html
    assert 'name="leave_out" type="checkbox" value="y" checked' not in html
    assert "Yes, leave these 3 events out of every figure" in html
    assert 'name="leave_out_count" type="hidden" value="3"' in html


def test_closing_before_events_is_saved_once_confirmed_and_the_audit_says_so(signed_in, with_events):
    client = signed_in("admin")
    response = client.submit(
        "/organisations/RNU/close", close_data(with_events, leave_out="y", leave_out_count="3", successor="RWX")
    )
    assert response.status_code == 302, page(response)
    rnu = organisations_table(with_events)["RNU"]
    assert rnu["closed_on"] == date(2024, 7, 1)
    [row] = audit_rows(with_events, entity="organisations", action="update", entity_key="RNU")
    assert row.after["closed_on"] == "2024-07-01"
    assert row.detail == (
        "Confirmed by the editor: 3 adoption events dated on or after 1 July 2024 left out of every figure."
    )
    assert row.detail in page(client.get("/admin/audit"))


def test_a_confirmation_covers_only_the_events_it_was_given_for(signed_in, with_events):
    """An event logged since the refusal (or a forged count) needs a new look and a new tick."""
    client = signed_in("manager")
    before = organisations_table(with_events)
    for count in ("2", "", "many"):
        assert_refused(
            client.submit("/organisations/RNU/close", close_data(with_events, leave_out="y", leave_out_count=count)),
            "3 adoption events are dated on or after 1 July 2024",
        )
    assert organisations_table(with_events) == before


def test_moving_the_opening_after_events_is_refused_then_saved_once_confirmed(signed_in, with_events):
    client = signed_in("manager")
    before = organisations_table(with_events)
    html = assert_refused(
        client.submit("/organisations/RNU/edit", edit_data(with_events, opened_on="2024-09-01")),
        "3 adoption events are dated before 1 September 2024",
    )
    assert organisations_table(with_events) == before
    assert "1 event, on 10 January 2022" in html and "2 events, from 1 May 2023 to 1 August 2024" in html
    assert '<a href="/organisations/RNU/adoption/RP-03">RP-03 ' in html
    assert "Yes, leave these 3 events out of every figure" in html

    response = client.submit(
        "/organisations/RNU/edit",
        edit_data(with_events, opened_on="2024-09-01", leave_out="y", leave_out_count="3"),
    )
    assert response.status_code == 302, page(response)
    assert organisations_table(with_events)["RNU"]["opened_on"] == date(2024, 9, 1)
    [row] = audit_rows(with_events, entity="organisations", action="update", entity_key="RNU")
    assert row.detail == (
        "Confirmed by the editor: 3 adoption events dated before 1 September 2024 left out of every figure."
    )


def test_one_event_left_out_is_named_in_the_singular(signed_in, with_events):
    html = assert_refused(
        signed_in("manager").submit("/organisations/RNU/close", close_data(with_events, closed_on="2024-09-15")),
        "1 adoption event is dated on or after 15 September 2024 and would no longer count in any figure: "
        "check it below, or tick the box to leave it out",
    )
    assert "Yes, leave this event out of every figure" in html


def test_dates_that_leave_out_no_event_need_no_confirmation(signed_in, with_events):
    client = signed_in("manager")
    # Opening on the day of its first event and closing the day after its last leave nothing out.
    response = client.submit("/organisations/RNU/edit", edit_data(with_events, opened_on="2022-01-10"))
    assert response.status_code == 302, page(response)
    response = client.submit("/organisations/RNU/close", close_data(with_events, closed_on="2024-10-02"))
    assert response.status_code == 302, page(response)
    # Changing the details, or moving a date outwards, asks nothing either.
    response = client.submit("/organisations/RNU/edit", edit_data(with_events, town="Littlemore", opened_on=""))
    assert response.status_code == 302, page(response)
    response = client.submit("/organisations/RNU/close", close_data(with_events, closed_on="2025-01-01"))
    assert response.status_code == 302, page(response)
    assert all(
        row.detail == "" for row in audit_rows(with_events, entity="organisations", action="update", entity_key="RNU")
    )


def test_only_the_events_the_old_dates_counted_are_left_out(with_events):
    """Events already outside the stored dates are not the new dates' doing; a date moved outwards drops none."""
    rnu = with_events.scalar(select(Organisation).filter_by(ods_code="RNU"))
    rnu.opened_on = date(2023, 1, 1)  # as if stored before this rule: RP-03's event is already out
    with_events.commit()
    left_out = events_left_out(with_events, rnu, date(2024, 8, 15), date(2024, 10, 1))
    assert [(i.code, i.events, i.first, i.last) for i in left_out.ideas] == [
        ("RP-01", 2, date(2023, 5, 1), date(2024, 8, 1)),
        ("RP-02", 1, date(2024, 10, 1), date(2024, 10, 1)),
    ]
    assert left_out.dated() == "dated before 15 August 2024 or on or after 1 October 2024"
    assert not events_left_out(with_events, rnu, date(2022, 1, 1), None)
    with_events.rollback()


def test_the_refusal_runs_the_same_statements_however_many_events(app, signed_in, seeded, statement_counter):
    client = signed_in("manager")

    def statements_of_a_refused_closure() -> int:
        data = {**close_data(seeded), "csrf_token": client.csrf_token("/organisations/RNU/close")}
        with statement_counter() as statements:
            response = client.post("/organisations/RNU/close", data=data)
        assert "would no longer count in any figure" in page(response)
        return len(statements)

    log_events(seeded, events=EVENTS[2:3])
    few = statements_of_a_refused_closure()
    log_events(
        seeded,
        events=[
            (code, "testing", date(2024, 7, 2) + timedelta(days=n))
            for n, code in enumerate(["RP-02", "RP-03", "RP-04", "SS-01", "SS-02", "SSH-01", "SSH-02"])
        ],
    )
    assert statements_of_a_refused_closure() == few


def test_the_services_refuse_for_every_caller(with_events):
    """The forms are not the only way in: the services themselves refuse, and write nothing."""
    rnu = with_events.scalar(select(Organisation).filter_by(ods_code="RNU"))
    with pytest.raises(services.LeavesOutEvents) as refused:
        services.close_organisation(with_events, rnu, date(2024, 7, 1), None, rnu.row_version)
    assert refused.value.errors == {"closed_on": refused.value.left_out.refusal()}
    assert refused.value.left_out.events == 3
    with_events.rollback()
    assert organisations_table(with_events)["RNU"]["closed_on"] is None


def test_seeding_refuses_reference_dates_that_would_leave_out_events(with_events):
    data = copy.deepcopy(reference_data())
    rnu = next(o for o in data["organisations"] if o["ods_code"] == "RNU")
    rnu["closed_on"] = "2024-07-01"
    before = organisations_table(with_events)
    with pytest.raises(SeedError, match="RNU: the reference dates would leave out 3 adoption events dated on or after"):
        load_reference(with_events, data)
    assert organisations_table(with_events) == before


# Item 25: plausible dates only -----------------------------------------------------------------

NEW = {
    "ods_code": "RZZ1",
    "name": "Thames Valley Mental Health NHS Trust",
    "kind": "mental_health_trust",
    "network": "OXF",
    "membership": "member",
}
TOO_EARLY_TO_OPEN = "The open from date must be on or after 5 July 1948, when the NHS began"
FUTURE_OPENING = "The open from date must be today or in the past"


@pytest.mark.parametrize(
    "opened_on, message",
    [
        ("1899-12-31", TOO_EARLY_TO_OPEN),
        ("1948-07-04", TOO_EARLY_TO_OPEN),
        ("2999-01-01", FUTURE_OPENING),
        (TOMORROW, FUTURE_OPENING),
    ],
)
def test_an_implausible_opening_date_is_refused_when_adding_or_changing(signed_in, seeded, opened_on, message):
    opened_on = on_the_day(opened_on)
    client = signed_in("manager")
    before = organisations_table(seeded)
    html = assert_refused(client.submit("/organisations/new", {**NEW, "opened_on": opened_on, "name": ""}), message)
    assert "Enter the name of the organisation" in html  # shown together with the other errors
    assert_refused(client.submit("/organisations/RNU/edit", edit_data(seeded, opened_on=opened_on)), message)
    assert organisations_table(seeded) == before


@pytest.mark.parametrize("opened_on", ["1948-07-05", "1991-04-01"])
def test_a_plausible_opening_date_is_kept(signed_in, seeded, opened_on):
    response = signed_in("manager").submit("/organisations/new", {**NEW, "opened_on": opened_on})
    assert response.status_code == 302, page(response)
    assert organisations_table(seeded)["RZZ1"]["opened_on"] == date.fromisoformat(opened_on)


@pytest.mark.parametrize(
    "closed_on, message",
    [
        ("1899-01-01", "The date the organisation closed must be on or after 5 July 1948, when the NHS began"),
        ("2999-01-01", "The date the organisation closed must be today or in the past"),
    ],
)
def test_an_implausible_closure_date_is_refused(signed_in, seeded, closed_on, message):
    client = signed_in("manager")
    before = organisations_table(seeded)
    assert_refused(client.submit("/organisations/RNU/close", close_data(seeded, closed_on=closed_on)), message)
    assert organisations_table(seeded) == before


def test_the_services_refuse_implausible_dates_for_every_caller(seeded):
    details = services.OrganisationDetails(
        name="Old trust", kind=OrganisationKind.MENTAL_HEALTH_TRUST, opened_on=date(2999, 1, 1)
    )
    with pytest.raises(InvalidInput) as refused:
        services.create_organisation(seeded, "RZZ2", details)
    assert refused.value.errors == {"opened_on": FUTURE_OPENING}
    rnu = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    with pytest.raises(InvalidInput) as refused:
        services.update_organisation(seeded, rnu, details, rnu.row_version)
    assert refused.value.errors == {"opened_on": FUTURE_OPENING}
    with pytest.raises(InvalidInput) as refused:
        services.close_organisation(seeded, rnu, date(1899, 1, 1), None, rnu.row_version)
    assert refused.value.errors == {
        "closed_on": "The date the organisation closed must be on or after 5 July 1948, when the NHS began"
    }
    seeded.rollback()
    assert "RZZ2" not in organisations_table(seeded)


@pytest.mark.parametrize(
    "dates, message",
    [
        ({"opened_on": "2999-01-01"}, "RNU: The open from date must be today or in the past"),
        ({"opened_on": "1899-01-01"}, "RNU: " + TOO_EARLY_TO_OPEN),
        ({"closed_on": "1899-01-01"}, "RNU: The date the organisation closed must be on or after 5 July 1948"),
        (
            {"opened_on": "2020-01-01", "closed_on": "2019-12-31"},
            "RNU: The date the organisation closed must be on or after the date it opened, 1 January 2020",
        ),
    ],
)
def test_seeding_refuses_implausible_dates_and_writes_nothing(session, dates, message):
    data = copy.deepcopy(reference_data())
    next(o for o in data["organisations"] if o["ods_code"] == "RNU").update(dates)
    with pytest.raises(SeedError, match=message):
        load_reference(session, data)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Organisation)) == 0
    assert session.scalar(select(func.count()).select_from(AdoptionEvent)) == 0
