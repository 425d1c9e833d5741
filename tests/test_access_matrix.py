"""Every route in the URL map, for every role, against the expected table.

A route missing from the table fails the suite: a new endpoint must state who may use it in the
table (EXPECTED, in tests/helpers.py) as well as in its access decorator.
"""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.helpers import ANONYMOUS, EXPECTED, ROLES
from tracker.models import (
    AmbitionTarget,
    ApiToken,
    ChangePackage,
    Driver,
    Measure,
    MeasureValue,
    User,
    Ward,
    WardService,
)

NOT_CHECKED = {"static"}  # Flask's own: public files, checked in test_security


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - NOT_CHECKED
    assert endpoints - EXPECTED.keys() == set(), "new endpoints: add them to EXPECTED"
    assert EXPECTED.keys() - endpoints == set(), "endpoints that no longer exist: remove them"


@pytest.fixture
def placeholders(seeded):
    """Rows the table's URLs point at: a driver, an account, an API token, a ward and a measure value at RNU,
    and a target of the programme team's own."""
    package = seeded.scalar(select(ChangePackage).filter_by(code="RRP"))
    user = seeded.scalar(select(User).filter_by(email="trust@demo.invalid"))
    rnu = user.organisation
    measure = seeded.scalar(select(Measure).filter_by(code="RP-RESTRAINT"))
    driver = Driver(package=package, title="Access matrix driver")
    token = ApiToken(
        user=user, token_hash="0" * 64, prefix="st_matrix", name="Matrix", expires_at=datetime(2100, 1, 1, tzinfo=UTC)
    )
    ward = Ward(organisation=rnu, name="Access matrix ward", service=WardService.ADULT_ACUTE)
    value = MeasureValue(
        measure_id=measure.id,
        organisation_id=user.organisation_id,
        month=date(2024, 3, 1),
        numerator=12,
        denominator=2890,
    )
    target = AmbitionTarget(
        ambition_id=package.ambition_id, label="Matrix", text="80% of trusts", target_date=date(2030, 3, 31), value=80
    )
    seeded.add_all([driver, token, ward, value, target])
    seeded.commit()
    return {
        "driver": driver.id,
        "user": user.id,
        "token": token.id,
        "ward": ward.id,
        "value": value.id,
        "target": target.id,
    }


def _requests(app, placeholders):
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
            if rule.endpoint in NOT_CHECKED:
                continue
            allowed, values = EXPECTED[rule.endpoint]
            values = {k: placeholders.get(v, v) if isinstance(v, str) else v for k, v in values.items()}
            url = url_for(rule.endpoint, **values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url, allowed


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_table_allows(app, client, placeholders, role):
    if role != ANONYMOUS:
        client.sign_in_as(role)
    wrong = []
    for endpoint, method, url, allowed in _requests(app, placeholders):
        response = client.open(url, method=method)  # POSTs carry no CSRF token: a 400 proves access passed
        response.close()
        status = response.status_code
        location = response.headers.get("Location", "")
        if role in allowed:
            refused = status in (401, 403) or (status == 302 and location.startswith("/sign-in"))
            if refused:
                wrong.append(f"{method} {url} ({endpoint}): refused with {status}")
        elif role == ANONYMOUS:
            expected = 401 if url.startswith("/api/") else 302
            if status != expected or (status == 302 and not location.startswith("/sign-in?next=")):
                wrong.append(f"{method} {url} ({endpoint}): expected {expected} to sign-in, got {status} {location}")
        elif status != 403:
            wrong.append(f"{method} {url} ({endpoint}): expected 403, got {status}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
