"""An ambition's targets over the API: editors add and change them through the pages' service (the same
rules, versions and audit trail); everyone else is refused; bad bodies are 422 naming the field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.helpers import assert_error, auth
from tracker.models import AmbitionTarget, AuditEvent

GOOD = {
    "label": "Board 2027",
    "text": "Every trust's wards: 60% using the change ideas",
    "target_date": "2027-03-31",
    "measure": "ward_coverage",
    "value": 60,
    "network": "OXF",
    "source_url": "https://example.org/board",
}


def send(client, raw: str, url: str = "/api/v1/ambitions/RP/targets", body=None, method: str = "POST"):
    response = client.open(url, method=method, headers=auth(raw), json=body if body is not None else GOOD)
    assert response.mimetype == "application/json"
    return response


def count(session) -> int:
    n = session.scalar(select(func.count()).select_from(AmbitionTarget))
    session.rollback()
    return n


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_editors_add_a_target_and_it_is_read_back_and_audited(client, token, seeded, role):
    response = send(client, token[role])
    assert response.status_code == 201, response.get_data(as_text=True)
    added = response.get_json()
    assert added | {"id": 0} == {
        "id": 0,
        "row_version": 1,
        "label": "Board 2027",
        "text": GOOD["text"],
        "target_date": "2027-03-31",
        "source_url": "https://example.org/board",
        "measure": "ward_coverage",
        "value": 60.0,
        "network": "OXF",
        "published": False,
    }
    rp = next(a for a in client.get("/api/v1/ambitions", headers=auth(token["trust"])).get_json()["ambitions"])
    assert rp["targets"][-1]["label"] == "Board 2027" and rp["targets"][-1]["network"] == "OXF"
    event = seeded.scalar(
        select(AuditEvent).where(AuditEvent.entity == "ambition_targets", AuditEvent.entity_key == str(added["id"]))
    )
    assert (event.entity, event.action, event.actor_email) == ("ambition_targets", "create", f"{role}@demo.invalid")


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_other_roles_are_refused_and_nothing_is_written(client, token, seeded, role):
    before = count(seeded)
    response = send(client, token[role])
    assert response.status_code == 403
    assert count(seeded) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"measure": "incidents"}, "measure"),
        ({"value": 120}, "value"),
        ({"value": "80"}, "value"),
        ({"value": 10**400}, "value"),  # too big for a float: refused, not a crash
        ({"value": 1e308}, "value"),
        ({"value": None}, "value"),
        ({"target_date": "31/03/2027"}, "target_date"),
        ({"network": "NOPE"}, "network"),
        ({"label": "Original"}, "label"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_body_is_422_naming_the_field_and_writes_nothing(client, token, seeded, changes, field):
    before = count(seeded)
    response = send(client, token["manager"], body=GOOD | changes)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert count(seeded) == before


def test_an_edit_needs_the_version_read_and_a_stale_one_is_409(client, token, seeded):
    added = send(client, token["manager"]).get_json()
    url = f"/api/v1/targets/{added['id']}"
    changed = send(client, token["manager"], url, GOOD | {"value": 70, "row_version": 1}, "PUT")
    assert changed.status_code == 200 and changed.get_json()["value"] == 70 and changed.get_json()["row_version"] == 2
    stale = send(client, token["admin"], url, GOOD | {"value": 50, "row_version": 1}, "PUT")
    assert stale.status_code == 409
    assert_error(stale.get_json(), 409)
    assert stale.get_json()["error"]["current"]["value"] == 70
    missing = send(client, token["admin"], url, GOOD | {"value": 50}, "PUT")
    assert missing.status_code == 422 and "row_version" in missing.get_json()["error"]["fields"]


def test_a_published_target_is_not_changed_and_unknown_ones_are_404(client, token, seeded):
    original = seeded.scalar(select(AmbitionTarget.id).where(AmbitionTarget.label == "Original"))
    seeded.rollback()
    refused = send(client, token["manager"], f"/api/v1/targets/{original}", GOOD | {"row_version": 1}, "PUT")
    assert refused.status_code == 422
    assert "cannot be changed in the app" in refused.get_json()["error"]["fields"]["body"]
    assert send(client, token["manager"], "/api/v1/targets/999999", GOOD | {"row_version": 1}, "PUT").status_code == 404
    assert send(client, token["manager"], "/api/v1/ambitions/NOPE/targets").status_code == 404
