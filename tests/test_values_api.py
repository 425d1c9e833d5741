"""Measures and monthly values over the API: reading them, recording one (or replacing it with its
version), 422 by field for bad input with nothing written, 409 for a stale version, 403 without the
ability, 400 naming a bad parameter and 404 for unknown codes; CSRF as for the other writes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import add_count_measure, add_ward
from tests.helpers import assert_error, auth
from tracker.calendar import today
from tracker.core.measures import first_of_month, months_from
from tracker.models import AuditEvent, MeasureValue

URL = "/api/v1/measures/RP-RESTRAINT/values"
NEXT_MONTH = months_from(first_of_month(today()), date(today().year + 1, 1, 1))[1]


def body(**changes) -> dict:
    value = {"organisation": "RNU", "ward": None, "month": "2024-03", "numerator": 12, "denominator": 2890, "note": ""}
    value.update(changes)
    return {k: v for k, v in value.items() if v is not ...}


def post(client, raw: str, payload=None, url: str = URL, **kwargs):
    return client.post(url, headers=auth(raw), **({"json": payload} if payload is not None else kwargs))


def get(client, raw: str, url: str, status: int = 200):
    response = client.get(url, headers=auth(raw))
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def stored(session) -> list[tuple]:
    session.rollback()
    rows = [(v.month, v.numerator, v.denominator, v.row_version) for v in session.scalars(select(MeasureValue))]
    session.rollback()
    return rows


def test_every_role_reads_the_measures_with_their_fields(client, token):
    measures = get(client, token["trust"], "/api/v1/measures")["measures"]
    assert [m["code"] for m in measures] == ["RP-RESTRAINT", "RP-PRONE", "RP-SECLUSION", "RP-SEGREGATION", "RP-RT"]
    first = measures[0]
    assert (first["numerator"], first["denominator"], first["scale"], first["direction"], first["is_rate"]) == (
        "Restraint incidents",
        "Occupied bed days",
        1000,
        "decrease",
        True,
    )
    assert first["ambition"] == "RP" and first["target"] is None and first["kind"]


def test_a_value_is_recorded_read_back_and_audited(client, token, seeded):
    response = post(client, token["trust"], body(note="Ward 3 shut"))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert {k: created[k] for k in ("measure", "organisation", "ward", "month", "numerator", "denominator")} == {
        "measure": "RP-RESTRAINT",
        "organisation": "RNU",
        "ward": None,
        "month": "2024-03",
        "numerator": 12,
        "denominator": 2890,
    }
    assert created["version"] == 1 and created["note"] == "Ward 3 shut"
    assert get(client, token["faculty"], URL + "?organisation=RNU")["values"] == [created]
    [audit] = seeded.scalars(select(AuditEvent).where(AuditEvent.entity == "measure_values"))
    assert (audit.action, audit.actor_email) == ("create", "trust@demo.invalid")


def test_values_of_one_ward(client, token, seeded):
    ward = add_ward(seeded, "RNU", "Ashurst Ward")
    ward_id = ward.id
    seeded.rollback()
    assert post(client, token["trust"], body()).status_code == 201
    assert post(client, token["trust"], body(ward=ward_id, numerator=3, denominator=600)).status_code == 201
    values = get(client, token["trust"], f"{URL}?organisation=RNU&ward={ward_id}")["values"]
    assert [(v["ward"], v["numerator"]) for v in values] == [({"id": ward_id, "name": "Ashurst Ward"}, 3)]
    assert len(get(client, token["trust"], URL)["values"]) == 2


@pytest.mark.parametrize(
    ("query", "status", "parameter"),
    [
        ("ward=1", 400, "organisation"),
        ("organisation=RNU&ward=x", 400, "ward"),
        ("organisation=", 400, "organisation"),
        ("organisation=NOPE", 404, None),
        ("organisation=RNU&ward=999", 404, None),
    ],
)
def test_a_bad_parameter_is_400_naming_it_and_an_unknown_one_404(client, token, query, status, parameter):
    assert_error(get(client, token["trust"], f"{URL}?{query}", status), status, parameter)


def test_an_unknown_measure_is_404(client, token):
    assert get(client, token["trust"], "/api/v1/measures/NOPE/values", 404)["error"]["status"] == 404
    assert post(client, token["manager"], body(), url="/api/v1/measures/NOPE/values").status_code == 404


BAD = [
    (body(numerator="12"), "numerator", "numerator must be a number"),
    (body(numerator=-1), "numerator", "cannot be negative"),
    (body(numerator=None), "numerator", "Enter the numerator"),
    (body(numerator=True), "numerator", "numerator must be a number"),
    (body(denominator=0), "denominator", "must be more than 0"),
    (body(denominator=None), "denominator", "this measure is a rate"),
    (body(month="2024-13"), "month", "is not a month"),
    (body(month=f"{NEXT_MONTH:%Y-%m}"), "month", "is in the future"),
    (body(month="2021-03"), "month", "before the programme started"),
    (body(month=...), "month", "month is required"),
    (body(organisation="NOPE"), "organisation", "No organisation has the ODS code NOPE"),
    (body(ward=999999), "ward", "No ward has the id 999999"),
    (body(ward="x"), "ward", "ward must be a ward's id"),
    (body(colour="blue"), "colour", "Unknown field"),
    (body(expected_version="x"), "expected_version", "expected_version must be a whole number"),
]


@pytest.mark.parametrize(("payload", "field", "message"), BAD, ids=[f"{f}-{i}" for i, (_, f, _m) in enumerate(BAD)])
def test_bad_input_is_422_naming_the_field_and_nothing_is_written(client, token, seeded, payload, field, message):
    response = post(client, token["trust"], payload)
    assert response.status_code == 422, response.get_json()
    assert message in response.get_json()["error"]["fields"][field]
    assert stored(seeded) == []


def test_json_nan_and_infinity_are_no_numbers(client, token, seeded):
    for raw in ('"numerator": NaN', '"numerator": Infinity', '"numerator": 1e999'):
        payload = '{"organisation": "RNU", "month": "2024-03", "denominator": 100, ' + raw + "}"
        response = post(client, token["trust"], data=payload, content_type="application/json")
        assert response.status_code == 422, raw
        assert "numerator" in response.get_json()["error"]["fields"]
    assert stored(seeded) == []


def test_a_month_twice_a_ward_of_another_trust_and_a_count_with_a_denominator_are_422(client, token, seeded):
    theirs = add_ward(seeded, "RWX", "Bluebell Ward").id
    add_count_measure(seeded)
    seeded.rollback()
    assert post(client, token["trust"], body()).status_code == 201
    twice = post(client, token["trust"], body(numerator=1))
    assert "March 2024 is already recorded for Oxford Health" in twice.get_json()["error"]["fields"]["month"]
    ward = post(client, token["trust"], body(ward=theirs))
    assert "Bluebell Ward is a ward of Berkshire" in ward.get_json()["error"]["fields"]["ward"]
    count = post(client, token["trust"], body(), url="/api/v1/measures/RP-COUNT/values")
    assert count.get_json()["error"]["fields"]["denominator"] == "This measure is a count: leave the denominator empty"
    assert stored(seeded) == [(date(2024, 3, 1), 12, 2890, 1)]


def test_expected_version_replaces_and_a_stale_one_is_409(client, token, seeded):
    assert post(client, token["trust"], body(expected_version=0)).status_code == 201
    replaced = post(client, token["trust"], body(numerator=14, expected_version=1))
    assert replaced.status_code == 200 and replaced.get_json()["version"] == 2
    stale = post(client, token["trust"], body(numerator=99, expected_version=1))
    assert stale.status_code == 409
    assert stale.get_json()["error"]["current"]["numerator"] == 14
    assert post(client, token["trust"], body(month="2024-04", expected_version=3)).status_code == 409
    assert stored(seeded) == [(date(2024, 3, 1), 14, 2890, 2)]


@pytest.mark.parametrize(
    ("role", "ods", "status"),
    [
        ("trust", "RNU", 201),
        ("trust", "RWX", 403),
        ("faculty", "RWX", 201),
        ("faculty", "RX2", 403),
        ("manager", "RX2", 201),
        ("admin", "RH5", 201),
    ],
)
def test_each_role_records_only_where_it_may(client, token, seeded, role, ods, status):
    response = post(client, token[role], body(organisation=ods))
    assert response.status_code == status
    assert len(stored(seeded)) == (1 if status == 201 else 0)


def test_a_session_cookie_post_needs_the_csrf_header(signed_in, seeded):
    client = signed_in("trust")
    refused = client.post(URL, json=body())
    assert refused.status_code == 400 and "X-CSRFToken" in refused.get_json()["error"]["message"]
    assert stored(seeded) == []
    assert client.post(URL, json=body(), headers={"X-CSRFToken": client.csrf_token("/")}).status_code == 201


def test_without_credentials_it_is_401(client, seeded):
    assert client.get("/api/v1/measures").status_code == 401
    assert client.post(URL, json=body()).status_code == 401


def test_a_closed_organisation_or_ward_that_month_is_422(client, token, seeded):
    old = add_ward(seeded, "RNU", "Old Ward", closed_on=date(2024, 3, 1)).id
    seeded.rollback()
    closed = post(client, token["manager"], body(organisation="R1C", month="2024-10"))
    assert closed.get_json()["error"]["fields"]["month"] == "Solent NHS Trust was not open in October 2024"
    ward = post(client, token["manager"], body(ward=old))
    assert ward.get_json()["error"]["fields"]["month"] == "Old Ward was not open in March 2024"
    assert stored(seeded) == []
