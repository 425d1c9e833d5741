"""Recording monthly measure values through the pages: every rule refuses with a message and writes
nothing; changes are versioned; every write is audited; only those who may record for the
organisation can (the rest get 403); the list costs the same statements for 3 months as for 30."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import add_count_measure, add_ward
from tests.helpers import page_text, rows_of
from tracker.calendar import today
from tracker.core.measures import first_of_month, months_from
from tracker.editing import CONFLICT_MESSAGE
from tracker.measures import values as service
from tracker.measures.value_rules import ValueInput
from tracker.models import AuditEvent, Measure, MeasureValue, Organisation, User

THIS_MONTH = first_of_month(today())
NEXT_MONTH = months_from(THIS_MONTH, date(THIS_MONTH.year + 1, 1, 1))[1]
NEW = "/organisations/{ods}/values/{code}/new"
GOOD = {"month": "2024-03", "ward": "", "numerator": "12", "denominator": "2890", "note": "Ward 3 closed for a week"}


def new_url(ods: str = "RNU", code: str = "RP-RESTRAINT") -> str:
    return NEW.format(ods=ods, code=code)


def stored(session) -> list[MeasureValue]:
    session.rollback()
    rows = list(session.scalars(select(MeasureValue).order_by(MeasureValue.id)))
    session.rollback()
    return rows


def record(session, ods="RNU", month="2024-03", ward=None, code="RP-RESTRAINT", numerator=12, denominator=2890):
    """A value written through the service, as the manager."""
    manager = session.scalar(select(User).filter_by(email="manager@demo.invalid"))
    measure = session.scalar(select(Measure).filter_by(code=code))
    organisation = session.scalar(select(Organisation).filter_by(ods_code=ods))
    value = service.record_value(
        session, manager, measure, organisation, ward, ValueInput(month, numerator, denominator)
    )
    value_id = value.id
    session.rollback()  # end the read that refreshed the value: the test's requests write next
    return value_id


def test_a_trust_user_records_a_month_for_their_own_trust_and_sees_it_listed(seeded, signed_in):
    client = signed_in("trust")
    response = client.submit(new_url(), GOOD)
    assert response.status_code == 302, page_text(response.get_data(as_text=True))
    [value] = stored(seeded)
    trust = seeded.scalar(select(User).filter_by(email="trust@demo.invalid"))
    assert (value.month, value.numerator, value.denominator, value.ward_id) == (date(2024, 3, 1), 12, 2890, None)
    assert value.recorded_by_id == trust.id and value.note == "Ward 3 closed for a week"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "March 2024 for Oxford Health NHS Foundation Trust as a whole has been recorded." in page_text(page)
    assert rows_of(page) == [
        ["March 2024", "Whole organisation", "12", "2,890", "4.15", "Ward 3 closed for a week", "Change March 2024"]
    ]


def test_the_form_labels_the_numbers_with_the_measures_names(seeded, signed_in):
    page = page_text(signed_in("trust").get(new_url()).get_data(as_text=True))
    assert "Restraint incidents" in page and "Occupied bed days" in page


BAD = [
    ({"numerator": "twelve"}, "The numerator (restraint incidents) must be a number, for example 12"),
    ({"numerator": "NaN"}, "The numerator (restraint incidents) must be a number"),
    ({"numerator": "inf"}, "The numerator (restraint incidents) must be a number"),
    ({"numerator": "-1"}, "The numerator (restraint incidents) cannot be negative"),
    ({"numerator": ""}, "Enter the numerator (restraint incidents)"),
    ({"denominator": "0"}, "The denominator (occupied bed days) must be more than 0"),
    ({"denominator": ""}, "Enter the denominator (occupied bed days): this measure is a rate"),
    ({"denominator": "many"}, "The denominator (occupied bed days) must be a number"),
    ({"month": "2024-13"}, "'2024-13' is not a month: write it as YYYY-MM"),
    ({"month": "March"}, "is not a month"),
    ({"month": ""}, "Enter the month"),
    ({"month": f"{NEXT_MONTH:%Y-%m}"}, f"{NEXT_MONTH:%B %Y} is in the future"),
    ({"month": "2021-03"}, "March 2021 is before the programme started in April 2021"),
    ({"ward": "999999"}, "Choose one of the organisation's wards"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[f"{next(iter(c))}={next(iter(c.values()))}" for c, _ in BAD])
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(seeded, signed_in, change, message):
    response = signed_in("trust").submit(new_url(), {**GOOD, **change})
    assert response.status_code == 422
    assert message in page_text(response.get_data(as_text=True))
    assert stored(seeded) == []


def test_the_month_of_today_is_accepted(seeded, signed_in):
    response = signed_in("trust").submit(new_url(), {**GOOD, "month": f"{THIS_MONTH:%Y-%m}"})
    assert response.status_code == 302
    assert [v.month for v in stored(seeded)] == [THIS_MONTH]


def test_a_count_has_no_denominator_field_and_refuses_one(seeded, signed_in):
    add_count_measure(seeded)
    client = signed_in("manager")
    page = client.get(new_url(code="RP-COUNT")).get_data(as_text=True)
    assert 'name="denominator"' not in page and "Incidents of self-harm" in page_text(page)
    response = client.submit(new_url(code="RP-COUNT"), {**GOOD, "denominator": "10"})
    assert response.status_code == 422
    assert "This measure is a count: leave the denominator empty" in page_text(response.get_data(as_text=True))
    assert stored(seeded) == []
    assert client.submit(new_url(code="RP-COUNT"), {**GOOD, "denominator": ""}).status_code == 302
    assert [(v.numerator, v.denominator) for v in stored(seeded)] == [(12, None)]


def test_a_month_twice_is_refused_naming_where_it_is(seeded, signed_in):
    record(seeded)
    response = signed_in("trust").submit(new_url(), {**GOOD, "numerator": "3"})
    assert response.status_code == 422
    assert (
        "March 2024 is already recorded for Oxford Health NHS Foundation Trust as a whole: change that value instead"
        in page_text(response.get_data(as_text=True))
    )
    assert [v.numerator for v in stored(seeded)] == [12]


def test_a_ward_month_is_separate_from_the_whole_organisation_and_from_other_wards(seeded, signed_in):
    ward = add_ward(seeded, "RNU", "Ashurst Ward")
    record(seeded)
    client = signed_in("trust")
    assert client.submit(new_url(), {**GOOD, "ward": str(ward.id)}).status_code == 302
    response = client.submit(new_url(), {**GOOD, "ward": str(ward.id)})
    assert "March 2024 is already recorded for Ashurst Ward at Oxford Health NHS Foundation Trust" in page_text(
        response.get_data(as_text=True)
    )
    assert len(stored(seeded)) == 2


def test_a_ward_of_another_trust_is_refused(seeded, signed_in):
    theirs = add_ward(seeded, "RWX", "Bluebell Ward")
    response = signed_in("trust").submit(new_url(), {**GOOD, "ward": str(theirs.id)})
    assert response.status_code == 422
    assert (
        "Bluebell Ward is a ward of Berkshire Healthcare NHS Foundation Trust, not of Oxford Health NHS Foundation Trust"
        in page_text(response.get_data(as_text=True))
    )
    assert stored(seeded) == []


def test_a_ward_closed_that_month_is_refused(seeded, signed_in):
    ward = add_ward(seeded, "RNU", "Old Ward", closed_on=date(2024, 3, 1))
    client = signed_in("trust")
    # Offered, saying it closed: the months before that are still recorded for it.
    assert "Old Ward (closed 1 March 2024)" in page_text(client.get(new_url()).get_data(as_text=True))
    response = client.submit(new_url(), {**GOOD, "ward": str(ward.id)})
    assert "Old Ward was not open in March 2024" in page_text(response.get_data(as_text=True))
    assert stored(seeded) == []
    assert client.submit(new_url(), {**GOOD, "ward": str(ward.id), "month": "2024-02"}).status_code == 302


def test_an_organisation_closed_that_month_is_refused(seeded, signed_in):
    client = signed_in("manager")  # Solent NHS Trust closed on 1 October 2024
    response = client.submit(new_url("R1C"), {**GOOD, "month": "2024-10"})
    assert "Solent NHS Trust was not open in October 2024" in page_text(response.get_data(as_text=True))
    assert stored(seeded) == []
    assert client.submit(new_url("R1C"), {**GOOD, "month": "2024-09"}).status_code == 302


def test_a_month_is_changed_and_the_change_is_audited(seeded, signed_in):
    value_id = record(seeded)
    client = signed_in("trust")
    url = f"/values/{value_id}/edit"
    response = client.submit(url, {**GOOD, "numerator": "14", "row_version": "1"})
    assert response.status_code == 302
    [value] = stored(seeded)
    assert (value.numerator, value.row_version) == (14, 2)
    trust = seeded.scalar(select(User).filter_by(email="trust@demo.invalid"))
    assert value.recorded_by_id == trust.id
    audit = list(
        seeded.scalars(select(AuditEvent).where(AuditEvent.entity == "measure_values").order_by(AuditEvent.id))
    )
    assert [(a.action, a.actor_email) for a in audit] == [("create", "test"), ("update", "trust@demo.invalid")]
    assert (audit[1].before["numerator"], audit[1].after["numerator"], audit[1].path) == (12, 14, f"POST {url}")


def test_recording_is_audited_with_the_user(seeded, signed_in):
    signed_in("faculty").submit(new_url(), GOOD)
    [value] = stored(seeded)
    [audit] = seeded.scalars(select(AuditEvent).where(AuditEvent.entity == "measure_values"))
    assert (audit.action, audit.entity_key, audit.actor_email) == ("create", str(value.id), "faculty@demo.invalid")
    assert audit.after["denominator"] == 2890


def test_a_change_from_a_stale_version_is_a_conflict_and_nothing_is_saved(seeded, signed_in):
    value_id = record(seeded)
    client = signed_in("trust")
    url = f"/values/{value_id}/edit"
    token = client.csrf_token(url)  # the editor opens the form at version 1
    client.submit(url, {**GOOD, "numerator": "20", "row_version": "1"})  # someone else saves first
    response = client.post(url, data={**GOOD, "numerator": "99", "row_version": "1", "csrf_token": token})
    assert response.status_code == 409
    page = page_text(response.get_data(as_text=True))
    assert CONFLICT_MESSAGE in page and 'value="20"' in response.get_data(as_text=True)
    assert [(v.numerator, v.row_version) for v in stored(seeded)] == [(20, 2)]


def test_a_month_is_removed_and_a_stale_removal_is_refused(seeded, signed_in):
    value_id = record(seeded)
    client = signed_in("trust")
    url = f"/values/{value_id}/edit"
    client.submit(url, {**GOOD, "numerator": "20", "row_version": "1"})
    stale = client.submit(url, {"action": "remove", "row_version": "1"})
    assert stale.status_code == 409 and CONFLICT_MESSAGE in page_text(stale.get_data(as_text=True))
    assert len(stored(seeded)) == 1
    response = client.submit(url, {"action": "remove", "row_version": "2"})
    assert response.status_code == 302
    assert stored(seeded) == []
    assert [a.action for a in seeded.scalars(select(AuditEvent).where(AuditEvent.entity == "measure_values"))] == [
        "create",
        "update",
        "delete",
    ]


# Who may record where: managers anywhere; faculty in OXF and WSX; trust staff at RNU only.
WRITERS = [
    ("trust", "RNU", True),
    ("trust", "RWX", False),  # another trust, in the same network
    ("faculty", "RWX", True),
    ("faculty", "RX2", False),  # outside the faculty member's networks
    ("manager", "RX2", True),
    ("admin", "RH5", True),
]


@pytest.mark.parametrize(("role", "ods", "allowed"), WRITERS)
def test_only_those_who_may_record_for_the_organisation_can(seeded, signed_in, role, ods, allowed):
    client = signed_in(role)
    value_id = record(seeded, ods)
    list_page = client.get(f"/organisations/{ods}/values")
    assert list_page.status_code == 200
    assert ("Record a month" in list_page.get_data(as_text=True)) is allowed
    assert ("Change March 2024" in page_text(list_page.get_data(as_text=True))) is allowed
    assert client.get(new_url(ods)).status_code == (200 if allowed else 403)
    assert client.get(f"/values/{value_id}/edit").status_code == (200 if allowed else 403)
    posted = client.submit(new_url(ods), {**GOOD, "month": "2024-04"}, page="/")
    edited = client.submit(f"/values/{value_id}/edit", {**GOOD, "numerator": "1", "row_version": "1"}, page="/")
    removed = client.submit(f"/values/{value_id}/edit", {"action": "remove", "row_version": "1"}, page="/")
    assert [posted.status_code, edited.status_code, removed.status_code] == (
        [302, 302, 409] if allowed else [403, 403, 403]
    )
    expected = [(date(2024, 3, 1), 1.0), (date(2024, 4, 1), 12.0)] if allowed else [(date(2024, 3, 1), 12.0)]
    assert sorted((v.month, v.numerator) for v in stored(seeded)) == expected


def test_the_list_shows_the_chosen_ward_and_all_months_newest_first(seeded, signed_in):
    ward = add_ward(seeded, "RNU", "Ashurst Ward")
    record(seeded, month="2024-01")
    record(seeded, month="2024-02")
    record(seeded, month="2024-02", ward=ward)
    client = signed_in("trust")
    every = rows_of(client.get("/organisations/RNU/values?measure=RP-RESTRAINT").get_data(as_text=True))
    assert [row[:2] for row in every] == [
        ["February 2024", "Whole organisation"],
        ["February 2024", "Ashurst Ward"],
        ["January 2024", "Whole organisation"],
    ]
    one = rows_of(client.get(f"/organisations/RNU/values?measure=RP-RESTRAINT&ward={ward.id}").get_data(as_text=True))
    assert [row[:2] for row in one] == [["February 2024", "Ashurst Ward"]]
    assert client.get("/organisations/RNU/values?measure=NOPE").status_code == 404
    other = add_ward(seeded, "RWX", "Bluebell Ward")
    assert client.get(f"/organisations/RNU/values?ward={other.id}").status_code == 404


def test_the_list_costs_the_same_statements_for_three_months_as_for_thirty(seeded, signed_in, statement_counter):
    client = signed_in("trust")
    ward = add_ward(seeded, "RNU", "Ashurst Ward")
    months = months_from(date(2022, 1, 1), date(2024, 6, 1))

    def cost() -> int:
        with statement_counter() as statements:
            assert client.get("/organisations/RNU/values?measure=RP-RESTRAINT").status_code == 200
        return len(statements)

    for month in months[:3]:
        record(seeded, month=f"{month:%Y-%m}", ward=ward)
    few = cost()
    for month in months[3:]:
        record(seeded, month=f"{month:%Y-%m}", ward=ward)
    assert seeded.scalar(select(func.count()).select_from(MeasureValue)) == 30
    assert cost() == few


@pytest.mark.parametrize(("role", "ods", "link"), [("trust", "RNU", "Record and see"), ("trust", "RWX", "See")])
def test_the_organisation_page_links_to_its_values(seeded, signed_in, role, ods, link):
    page = signed_in(role).get(f"/organisations/{ods}").get_data(as_text=True)
    assert f'href="/organisations/{ods}/values">{link} the monthly measure values' in page
