"""An organisation's wards: everyone signed in reads them; trust staff of their own trust, faculty in
their networks, managers and administrators add and change them, through the real database (bad input
and dates that leave recorded values outside them refused with a message, nothing written; a stale
form a conflict; every write audited)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.helpers import page_text, rows_of
from tracker.calendar import today as london_today
from tracker.editing import CONFLICT_MESSAGE, VERSION_MISSING
from tracker.measures import ward_services as services
from tracker.measures.ward_rules import has_month
from tracker.models import AuditEvent, Measure, MeasureValue, Organisation, Ward, WardService

ROLES = ("trust", "faculty", "manager", "admin")
# The demo trust user is of RNU; the demo faculty member covers OXF (RNU, RWX) and WSX; RX2 is in KSS.
MAY_ADD = {
    "RNU": {"trust", "faculty", "manager", "admin"},
    "RWX": {"faculty", "manager", "admin"},
    "RX2": {"manager", "admin"},
}
VALID = {"name": "Cedar Ward", "service": "picu", "opened_on": "2019-04-01", "closed_on": ""}


def wards_table(session) -> dict[str, dict]:
    """Every ward's columns, by name, read in a transaction of its own."""
    session.rollback()
    rows = {r["name"]: dict(r) for r in session.execute(select(Ward.__table__)).mappings()}
    session.rollback()
    return rows


def add_ward(session, ods: str = "RNU", name: str = "Ash Ward", **details) -> Ward:
    organisation = session.scalar(select(Organisation).filter_by(ods_code=ods))
    values = {"service": WardService.ADULT_ACUTE, **details}
    return services.create_ward(session, organisation, services.WardDetails(name=name, **values))


def add_values(session, ward: Ward, *months: date) -> None:
    """Restraint values recorded for the ward in those months; commits."""
    measure = session.scalar(select(Measure).filter_by(code="RP-RESTRAINT"))
    session.add_all(
        MeasureValue(
            measure=measure,
            organisation_id=ward.organisation_id,
            ward=ward,
            month=month,
            numerator=3,
            denominator=900,
        )
        for month in months
    )
    session.commit()


def text(response) -> str:
    return page_text(response.get_data(as_text=True))


def assert_refused(response, message: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert 'class="nhsuk-error-summary"' in html
    assert message in page_text(html), page_text(html[html.find("nhsuk-error-summary") :])[:1500]


# Which months a ward has ----------------------------------------------------------------------


def test_a_ward_has_each_month_it_was_open_on_at_least_one_day():
    opened, closed = date(2024, 3, 15), date(2024, 6, 1)
    assert not has_month(opened, closed, date(2024, 2, 1))
    assert has_month(opened, closed, date(2024, 3, 1))  # open from the 15th
    assert has_month(opened, closed, date(2024, 5, 1))
    assert not has_month(opened, closed, date(2024, 6, 1))  # closed on the 1st: not open that month
    assert has_month(opened, date(2024, 6, 2), date(2024, 6, 1))  # open on the 1st
    assert has_month(None, None, date(1990, 1, 1))


# The list -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_wards_with_their_service_and_whether_they_are_open(signed_in, seeded, role):
    add_ward(seeded, name="Cedar Ward", service=WardService.PICU, opened_on=date(2019, 4, 1))
    add_ward(seeded, name="Ash Ward", closed_on=date(2024, 10, 1))
    response = signed_in(role).get("/organisations/RNU/wards")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = rows_of(html)
    assert [r[:4] for r in rows] == [
        ["Ash Ward", "Adult acute", "Not recorded", "Closed on 1 October 2024"],
        ["Cedar Ward", "Psychiatric intensive care (PICU)", "1 April 2019", "Open"],
    ]
    assert ('href="/organisations/RNU/wards/new"' in html) is True  # every demo role may add RNU's wards
    assert "Change Ash Ward" in page_text(html)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("ods", MAY_ADD)
def test_the_list_offers_adding_and_changing_only_to_those_who_may(signed_in, seeded, role, ods):
    ward = add_ward(seeded, ods=ods)
    html = signed_in(role).get(f"/organisations/{ods}/wards").get_data(as_text=True)
    may = role in MAY_ADD[ods]
    assert (f'href="/organisations/{ods}/wards/new"' in html) is may
    assert (f'href="/wards/{ward.id}/edit"' in html) is may


def test_an_organisation_without_wards_says_so_and_small_letters_go_to_the_capitals(signed_in):
    client = signed_in("trust")
    assert "No wards are recorded for Sussex Partnership NHS Foundation Trust." in text(
        client.get("/organisations/RX2/wards")
    )
    response = client.get("/organisations/rx2/wards")
    assert (response.status_code, response.headers["Location"]) == (301, "/organisations/RX2/wards")
    assert client.get("/organisations/NOPE/wards").status_code == 404
    assert client.get("/organisations/NOPE/wards/new").status_code == 404
    assert client.get("/wards/999/edit").status_code == 404


def test_the_organisation_page_links_to_its_wards(signed_in):
    html = signed_in("trust").get("/organisations/RWX").get_data(as_text=True)
    assert '<a href="/organisations/RWX/wards">See the wards of Berkshire Healthcare NHS Foundation Trust</a>' in html


def test_the_list_runs_the_same_statements_however_many_wards(signed_in, seeded, statement_counter):
    client = signed_in("faculty")
    add_ward(seeded, name="Ward 0")
    client.get("/organisations/RNU/wards")
    with statement_counter() as before:
        client.get("/organisations/RNU/wards")
    for i in range(1, 6):
        add_ward(seeded, name=f"Ward {i}", closed_on=date(2024, 1, i))
    with statement_counter() as after:
        assert "6 wards" in text(client.get("/organisations/RNU/wards"))
    assert len(after) == len(before)


# Adding ---------------------------------------------------------------------------------------


def test_trust_staff_add_a_ward_to_their_own_trust_and_the_audit_trail_records_it(signed_in, session):
    client = signed_in("trust")
    response = client.submit("/organisations/RNU/wards/new", {**VALID, "name": "  Cedar   Ward "})
    assert (response.status_code, response.headers["Location"]) == (302, "/organisations/RNU/wards")
    saved = wards_table(session)["Cedar Ward"]
    assert (saved["service"], saved["opened_on"], saved["closed_on"]) == ("picu", date(2019, 4, 1), None)
    assert "Cedar Ward has been added to the wards of Oxford Health NHS Foundation Trust." in text(
        client.get("/organisations/RNU/wards")
    )
    session.rollback()
    [created] = session.scalars(select(AuditEvent).filter_by(entity="wards", action="create"))
    assert created.actor_email == "trust@demo.invalid" and created.after["name"] == "Cedar Ward"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("ods", MAY_ADD)
def test_only_those_who_may_record_an_organisations_values_add_or_change_its_wards(signed_in, session, role, ods):
    ward = add_ward(session, ods=ods)
    session.commit()
    client = signed_in(role)
    before = wards_table(session)
    may = role in MAY_ADD[ods]
    token = client.csrf_token(f"/organisations/{ods}/wards")
    assert client.get(f"/organisations/{ods}/wards/new").status_code == (200 if may else 403)
    assert client.get(f"/wards/{ward.id}/edit").status_code == (200 if may else 403)
    added = client.post(f"/organisations/{ods}/wards/new", data={**VALID, "csrf_token": token})
    changed = client.post(
        f"/wards/{ward.id}/edit", data={**VALID, "name": "Renamed", "row_version": "1", "csrf_token": token}
    )
    assert (added.status_code, changed.status_code) == ((302, 302) if may else (403, 403))
    if not may:
        assert wards_table(session) == before


def _future() -> str:
    return (london_today() + timedelta(days=1)).isoformat()


BAD = [
    ({"name": " "}, "name", services.ENTER_NAME),
    ({"name": "x" * 121}, "name", services.NAME_TOO_LONG),
    ({"name": "ash WARD"}, "name", "Oxford Health NHS Foundation Trust already has a ward called ash WARD"),
    ({"service": ""}, "service", services.CHOOSE_SERVICE),
    ({"service": "surgery"}, "service", services.CHOOSE_SERVICE),
    ({"opened_on": "2024-02-30"}, "opened_on", "The open from date must be a real date"),
    ({"opened_on": "1900-01-01"}, "opened_on", "The open from date must be on or after 5 July 1948"),
    ({"opened_on": "FUTURE"}, "opened_on", "The open from date must be today or in the past"),
    ({"closed_on": "2024-13-01"}, "closed_on", "The date the ward closed must be a real date"),
    ({"closed_on": "FUTURE"}, "closed_on", "The date the ward closed must be today or in the past"),
    (
        {"closed_on": "2019-03-31"},
        "closed_on",
        "The date the ward closed must be on or after the date it opened, 1 April 2019",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"), BAD, ids=[f"{f}:{next(iter(c.values()))}"[:30] for c, f, _ in BAD]
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(signed_in, session, changes, field, message):
    add_ward(session)
    session.commit()
    client = signed_in("faculty")
    before = wards_table(session)
    data = {**VALID, **{k: _future() if v == "FUTURE" else v for k, v in changes.items()}}
    response = client.submit("/organisations/RNU/wards/new", data)
    assert_refused(response, message)
    assert f'href="#{field}"' in response.get_data(as_text=True)
    assert wards_table(session) == before


def test_two_organisations_may_each_have_a_ward_of_the_same_name(seeded):
    add_ward(seeded, ods="RNU", name="Ward 1")
    assert add_ward(seeded, ods="RWX", name="Ward 1").name == "Ward 1"


# Changing -------------------------------------------------------------------------------------


def edit_data(session, ward_name: str = "Ash Ward", **changes) -> dict:
    """The edit form as the page fills it, with changes."""
    row = wards_table(session)[ward_name]
    data = {
        "name": row["name"],
        "service": row["service"],
        "opened_on": row["opened_on"].isoformat() if row["opened_on"] else "",
        "closed_on": row["closed_on"].isoformat() if row["closed_on"] else "",
        "row_version": str(row["row_version"]),
    }
    return {**data, **changes}


def test_a_ward_is_renamed_and_closed_and_the_audit_row_holds_just_the_change(signed_in, session):
    ward = add_ward(session)
    client = signed_in("manager")
    form = client.get(f"/wards/{ward.id}/edit").get_data(as_text=True)
    assert 'name="row_version" type="hidden" value="1"' in form and '<option value="adult_acute" selected>' in form
    response = client.submit(f"/wards/{ward.id}/edit", edit_data(session, closed_on="2024-10-01"))
    assert (response.status_code, response.headers["Location"]) == (302, "/organisations/RNU/wards")
    saved = wards_table(session)["Ash Ward"]
    assert (saved["closed_on"], saved["row_version"]) == (date(2024, 10, 1), 2)
    session.rollback()
    [updated] = session.scalars(select(AuditEvent).filter_by(entity="wards", action="update"))
    assert (updated.before, updated.after) == ({"closed_on": None}, {"closed_on": "2024-10-01"})


def test_a_stale_form_is_a_conflict_showing_the_other_editors_version(signed_in, session):
    ward = add_ward(session)
    client = signed_in("trust")
    stale = edit_data(session, service="picu")
    services.update_ward(session, ward, services.WardDetails("Birch Ward", WardService.FORENSIC), expected_version=1)
    before = wards_table(session)
    response = client.submit(f"/wards/{ward.id}/edit", stale)
    assert_refused(response, CONFLICT_MESSAGE)
    html = response.get_data(as_text=True)
    assert 'value="Birch Ward"' in html and 'name="row_version" type="hidden" value="2"' in html
    assert wards_table(session) == before


def test_a_change_without_its_row_version_is_refused(signed_in, session):
    ward = add_ward(session)
    before = wards_table(session)
    response = signed_in("trust").submit(f"/wards/{ward.id}/edit", edit_data(session, row_version=""))
    assert_refused(response, VERSION_MISSING)
    assert wards_table(session) == before


def test_a_ward_keeps_its_own_name_and_may_not_take_another_wards(signed_in, session):
    ward = add_ward(session)
    add_ward(session, name="Birch Ward")
    client = signed_in("admin")
    before = wards_table(session)
    response = client.submit(f"/wards/{ward.id}/edit", edit_data(session, name="BIRCH ward"))
    assert_refused(response, "Oxford Health NHS Foundation Trust already has a ward called BIRCH ward")
    assert wards_table(session) == before
    response = client.submit(f"/wards/{ward.id}/edit", edit_data(session, name="ash ward"))
    assert response.status_code == 302 and "ash ward" in wards_table(session)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closed_on": "2024-03-01"}, "1 recorded value is for months after it closed (March 2024)"),
        ({"closed_on": "2024-02-01"}, "2 recorded values are for months after it closed (February 2024 to March 2024)"),
        ({"opened_on": "2024-02-01"}, "1 recorded value is for months before it opened (January 2024)"),
        ({"opened_on": "2024-04-01"}, "3 recorded values are for months before it opened (January 2024 to March 2024)"),
    ],
)
def test_dates_that_leave_recorded_values_outside_them_are_refused(signed_in, session, changes, message):
    ward = add_ward(session)
    add_values(session, ward, date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1))
    before = wards_table(session)
    response = signed_in("faculty").submit(f"/wards/{ward.id}/edit", edit_data(session, **changes))
    assert_refused(response, message)
    assert wards_table(session) == before


@pytest.mark.parametrize("changes", [{"closed_on": "2024-03-02"}, {"opened_on": "2024-01-31"}])
def test_dates_that_keep_every_recorded_value_inside_them_are_saved(signed_in, session, changes):
    ward = add_ward(session)
    add_values(session, ward, date(2024, 1, 1), date(2024, 3, 1))
    response = signed_in("faculty").submit(f"/wards/{ward.id}/edit", edit_data(session, **changes))
    assert response.status_code == 302
    assert wards_table(session)["Ash Ward"]["row_version"] == 2
