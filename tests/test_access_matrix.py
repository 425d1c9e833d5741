"""Every route in the URL map, for every role, against the expected table.

A route missing from the table fails the suite: a new endpoint must state who may use it here,
as well as in its access decorator.
"""

import pytest
from sqlalchemy import select

from tracker.models import ApiToken, ChangePackage, Driver, User

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, "trust", "faculty", "manager", "admin")
EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset({"trust", "faculty", "manager", "admin"})
LOGGERS = frozenset({"faculty", "manager", "admin"})
EDITORS = frozenset({"manager", "admin"})
ADMINS = frozenset({"admin"})

# endpoint: (who may use it, the URL values to try it with)
EXPECTED = {
    "main.home": (SIGNED_IN, {}),
    "main.about": (SIGNED_IN, {}),
    "main.accessibility": (EVERYONE, {}),
    "auth.sign_in": (EVERYONE, {}),
    "auth.sign_out": (SIGNED_IN, {}),
    "auth.change_password": (SIGNED_IN, {}),
    "catalogue.ambitions": (SIGNED_IN, {}),
    "catalogue.ambition": (SIGNED_IN, {"code": "RP"}),
    "catalogue.package": (SIGNED_IN, {"code": "RRP"}),
    "catalogue.idea": (SIGNED_IN, {"code": "RP-01"}),
    "catalogue.search": (SIGNED_IN, {"q": "care"}),
    "catalogue.new_package": (EDITORS, {"ambition": "RP"}),
    "catalogue.edit_package": (EDITORS, {"code": "RRP"}),
    "catalogue.set_package_status": (EDITORS, {"code": "RRP"}),
    "catalogue.new_driver": (EDITORS, {"code": "RRP"}),
    "catalogue.edit_driver": (EDITORS, {"driver_id": "driver"}),
    "catalogue.delete_driver": (EDITORS, {"driver_id": "driver"}),
    "catalogue.move_driver": (EDITORS, {"driver_id": "driver"}),
    "catalogue.new_idea": (EDITORS, {"code": "RRP"}),
    "catalogue.edit_idea": (EDITORS, {"code": "RP-01"}),
    "catalogue.move_idea": (EDITORS, {"code": "RP-01"}),
    "organisations.networks": (SIGNED_IN, {}),
    "organisations.network": (SIGNED_IN, {"code": "OXF"}),
    "organisations.organisations": (SIGNED_IN, {}),
    "organisations.organisation": (SIGNED_IN, {"ods": "RNU"}),
    "organisations.new_organisation": (EDITORS, {}),
    "organisations.edit_organisation": (EDITORS, {"ods": "RNU"}),
    "organisations.close_organisation": (EDITORS, {"ods": "RNU"}),
    "organisations.reopen_organisation": (EDITORS, {"ods": "R1C"}),
    "organisations.new_network": (EDITORS, {}),
    "organisations.edit_network": (EDITORS, {"code": "OXF"}),
    "links.links": (SIGNED_IN, {}),
    "links.new_link": (EDITORS, {}),
    "links.edit_link": (EDITORS, {"link_id": 1}),  # the seed's first proposed link
    "links.delete_link": (EDITORS, {"link_id": 1}),
    "links.confirm_link": (EDITORS, {"link_id": 1}),
    "api.links": (SIGNED_IN, {}),
    "api.create_link": (EDITORS, {}),
    "api.delete_link": (EDITORS, {"link_id": 1}),
    "adoption.matrix": (SIGNED_IN, {"ods": "RNU"}),
    "adoption.history": (SIGNED_IN, {"ods": "RNU", "code": "RP-01"}),
    "adoption.log": (LOGGERS, {"ods": "RNU", "code": "RP-01"}),
    "adoption.start": (LOGGERS, {"organisation": "RNU", "idea": "RP-01"}),
    "spreadsheets.export": (SIGNED_IN, {}),
    "spreadsheets.events_file": (SIGNED_IN, {"fmt": "csv"}),
    "spreadsheets.records_file": (SIGNED_IN, {"fmt": "xlsx"}),
    "spreadsheets.import_upload": (EDITORS, {}),
    "spreadsheets.import_confirm": (EDITORS, {}),
    "reports.coverage": (SIGNED_IN, {"ambition": "RP", "as_of": "2024-03-31"}),
    "reports.download": (SIGNED_IN, {"table": "not-reached", "fmt": "csv", "ambition": "RP"}),
    "admin.users": (ADMINS, {}),
    "admin.new_user": (ADMINS, {}),
    "admin.edit_user": (ADMINS, {"user_id": "user"}),
    "admin.set_password": (ADMINS, {"user_id": "user"}),
    "admin.revoke_token": (ADMINS, {"user_id": "user", "token_id": "token"}),
    "audit.events": (ADMINS, {}),
    "api.ambitions": (SIGNED_IN, {}),
    "api.ambition": (SIGNED_IN, {"code": "RP"}),
    "api.interventions": (SIGNED_IN, {"ambition": "RP"}),
    "api.intervention": (SIGNED_IN, {"code": "RP-01"}),
    "api.networks": (SIGNED_IN, {}),
    "api.organisations": (SIGNED_IN, {"network": "OXF"}),
    "api.organisation": (SIGNED_IN, {"ods": "RNU"}),
    "api.adoptions": (SIGNED_IN, {}),
    "api.adoption_history": (SIGNED_IN, {}),
    "api.log_adoption": (LOGGERS, {}),
    "api.coverage": (SIGNED_IN, {"ambition": "RP"}),
    "api.coverage_series": (SIGNED_IN, {"ambition": "RP"}),
    "api.network": (SIGNED_IN, {"ambition": "RP"}),
    "api.network_graphml": (SIGNED_IN, {"ambition": "RP"}),
    "api.network_nodes_csv": (SIGNED_IN, {"intervention": "RP-01"}),
    "api.network_edges_csv": (SIGNED_IN, {"ambition": "RP"}),
    "maps.spread_map": (SIGNED_IN, {"ambition": "RP"}),
    "maps.spread_map_month": (SIGNED_IN, {"ambition": "RP"}),
}
NOT_CHECKED = {"static"}  # Flask's own: public files, checked in test_security


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - NOT_CHECKED
    assert endpoints - EXPECTED.keys() == set(), "new endpoints: add them to EXPECTED"
    assert EXPECTED.keys() - endpoints == set(), "endpoints that no longer exist: remove them"


@pytest.fixture
def placeholders(seeded):
    """Rows the table's URLs point at: a driver, an account, an API token."""
    package = seeded.scalar(select(ChangePackage).filter_by(code="RRP"))
    user = seeded.scalar(select(User).filter_by(email="trust@demo.invalid"))
    driver = Driver(package=package, title="Access matrix driver")
    token = ApiToken(user=user, token_hash="0" * 64, prefix="st_matrix")
    seeded.add_all([driver, token])
    seeded.commit()
    return {"driver": driver.id, "user": user.id, "token": token.id}


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
