"""Learning links over the API: list them (everyone signed in), record and delete them (editors)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.helpers import assert_error, auth
from tracker.links import services
from tracker.models import AuditEvent, LearningLink, Organisation

ROLES = ("trust", "faculty", "manager", "admin")
EDITORS = ("manager", "admin")
GOOD = {
    "source": "RTQ",  # Gloucestershire and Kent and Medway: no link of any kind in the seed
    "target": "RXY",
    "kind": "other",
    "weight": 2,
    "note": "Met at the regional learning event",
    "start_date": "2023-01-16",
    "end_date": None,
}


def get_json(client, url: str, raw: str, status: int = 200):
    response = client.get(url, headers=auth(raw))
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def post(client, raw: str, body=None, **kwargs):
    response = client.post("/api/v1/links", headers=auth(raw), **({"json": body} if body is not None else kwargs))
    assert response.mimetype == "application/json"
    assert "Set-Cookie" not in response.headers
    return response


def link_count(session) -> int:
    session.rollback()
    n = session.scalar(select(func.count()).select_from(LearningLink))
    session.rollback()
    return n


def link_id(session, a: str, b: str, kind: str) -> int:
    session.rollback()
    ids = dict(session.execute(select(Organisation.ods_code, Organisation.id)).all())
    found = session.scalar(
        select(LearningLink.id).where(
            LearningLink.source_id == min(ids[a], ids[b]),
            LearningLink.target_id == max(ids[a], ids[b]),
            LearningLink.kind == kind,
        )
    )
    session.rollback()
    return found


def body(**changes) -> dict:
    return {k: v for k, v in {**GOOD, **changes}.items() if v is not ...}


# --- reading ------------------------------------------------------------------------------------


def test_anonymous_callers_get_401(seeded, client):
    response = client.get("/api/v1/links")
    assert response.status_code == 401
    assert_error(response.get_json(), 401)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_links(client, token, role):
    links = get_json(client, "/api/v1/links", token[role])["links"]
    assert len(links) == 33
    assert [link["id"] for link in links] == sorted(link["id"] for link in links)


def test_a_link_names_its_organisations_by_ods_code(client, token, seeded):
    links = get_json(client, "/api/v1/links", token["trust"])["links"]
    buddy = next(
        link for link in links if {link["source"], link["target"]} == {"RNU", "RWX"} and link["kind"] == "buddy_pair"
    )
    assert buddy == {
        "id": link_id(seeded, "RNU", "RWX", "buddy_pair"),
        "source": "RNU",
        "target": "RWX",
        "kind": "buddy_pair",
        "weight": 4,
        "note": "Demo: buddy pair in Oxford and Thames Valley; ward managers visit each other quarterly.",
        "start_date": "2021-09-01",
        "end_date": None,
        "status": "confirmed",
        "is_demo": True,
    }
    proposal = next(link for link in links if {link["source"], link["target"]} == {"R1F", "RDY"})
    assert (proposal["kind"], proposal["status"], proposal["weight"], proposal["is_demo"]) == (
        "geographic_neighbour",
        "proposed",
        1,
        False,
    )


@pytest.mark.parametrize(
    "query, count",
    [
        ("organisation=RNU", 7),
        ("organisation=rnu", 7),
        ("status=proposed", 15),
        ("status=confirmed", 18),
        ("organisation=RNU&status=confirmed", 5),
        ("organisation=R1C", 1),
        ("organisation=R1C&status=proposed", 0),
        ("colour=blue", 33),
    ],
)
def test_the_links_filtered(client, token, query, count):
    links = get_json(client, f"/api/v1/links?{query}", token["faculty"])["links"]
    assert len(links) == count
    if "organisation=" in query:
        code = query.split("organisation=")[1].split("&")[0].upper()
        assert all(code in (link["source"], link["target"]) for link in links)
    if "status=" in query:
        assert {link["status"] for link in links} <= {query.split("status=")[1]}


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("status=maybe", "status"),
        ("status=", "status"),
        ("organisation=", "organisation"),
        ("organisation=%20", "organisation"),
    ],
)
def test_a_malformed_filter_is_400_naming_it(client, token, query, parameter):
    assert_error(get_json(client, f"/api/v1/links?{query}", token["trust"], status=400), 400, parameter)


def test_an_unknown_organisation_is_404(client, token):
    error = get_json(client, "/api/v1/links?organisation=ZZZ9", token["trust"], status=404)["error"]
    assert error["message"] == "No organisation has the ODS code ZZZ9"


def test_reading_runs_the_same_statements_however_many_links(client, token, seeded, statement_counter):
    get_json(client, "/api/v1/links", token["trust"])  # the token's first use is recorded once
    with statement_counter() as before:
        get_json(client, "/api/v1/links", token["trust"])
    for kind in ("other", "shared_faculty", "learning_set"):
        services.create_link(seeded, "RTQ", "RXY", kind, 3)
    with statement_counter() as after:
        assert len(get_json(client, "/api/v1/links", token["trust"])["links"]) == 36
    assert len(after) == len(before)


# --- recording ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EDITORS)
def test_editors_record_a_link(client, token, seeded, role):
    response = post(client, token[role], body())
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    new_id = link_id(seeded, "RTQ", "RXY", "other")
    assert created == {
        "id": new_id,
        "source": "RXY",  # stored lower organisation id first, whichever way it was sent
        "target": "RTQ",
        "kind": "other",
        "weight": 2,
        "note": "Met at the regional learning event",
        "start_date": "2023-01-16",
        "end_date": None,
        "status": "confirmed",
        "is_demo": False,
    }
    assert link_count(seeded) == 34


def test_only_the_required_fields_are_needed(client, token, seeded):
    response = post(client, token["manager"], {"source": "rtq", "target": "RXY", "kind": "learning_set"})
    assert response.status_code == 201
    assert (response.get_json()["weight"], response.get_json()["note"]) == (3, "")


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_other_roles_may_not_record_links(client, token, seeded, role):
    response = post(client, token[role], body())
    assert response.status_code == 403
    assert_error(response.get_json(), 403)
    assert link_count(seeded) == 33


def test_without_credentials_posting_is_401(seeded, client):
    response = client.post("/api/v1/links", json=body())
    assert response.status_code == 401
    assert link_count(seeded) == 33


INVALID = [
    # (changes to a good body, ... leaving the field out; the field the 422 names; its message or None)
    ({"source": "RNU", "target": "RNU"}, "target", services.SELF_LINK),
    (
        {"source": "RNU", "target": "RWX", "kind": "buddy_pair"},
        "target",
        "These organisations already have a buddy pair link",
    ),
    (
        {"source": "RWX", "target": "RNU", "kind": "buddy_pair"},
        "target",
        "These organisations already have a buddy pair link",
    ),
    ({"source": "ZZZ9"}, "source", "No organisation has the ODS code ZZZ9"),
    ({"target": "ZZZ9"}, "target", "No organisation has the ODS code ZZZ9"),
    ({"source": ...}, "source", "source is required"),
    ({"target": ""}, "target", "target is required"),
    ({"source": 7}, "source", "source must be a string"),
    ({"kind": ...}, "kind", "kind is required"),
    ({"kind": "friends"}, "kind", services.CHOOSE_KIND),
    ({"kind": ["other"]}, "kind", "kind must be a string"),
    ({"weight": 0}, "weight", services.WEIGHT_RANGE),
    ({"weight": 6}, "weight", services.WEIGHT_RANGE),
    ({"weight": "3"}, "weight", None),
    ({"weight": 2.5}, "weight", None),
    ({"weight": True}, "weight", None),
    ({"start_date": "2023-06-01", "end_date": "2023-05-31"}, "end_date", services.ENDS_BEFORE_START),
    ({"start_date": "1/6/2023"}, "start_date", "start_date must be a date in the form YYYY-MM-DD"),
    ({"end_date": "2023-02-30"}, "end_date", "end_date must be a date in the form YYYY-MM-DD"),
    ({"end_date": 20230101}, "end_date", "end_date must be a string"),
    ({"note": "x" * (services.NOTE_MAX + 1)}, "note", services.NOTE_TOO_LONG),
    ({"note": "nul \x00 here"}, "note", None),
    ({"status": "proposed"}, "status", None),  # a link recorded here is confirmed: no status field
    ({"wieght": 2}, "wieght", None),  # a typo is not silently dropped
]


@pytest.mark.parametrize("changes, field, message", INVALID)
def test_bad_input_is_422_by_field_and_writes_nothing(client, token, seeded, changes, field, message):
    response = post(client, token["manager"], body(**changes))
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert_error({"error": error}, 422)
    assert field in error["fields"], error
    if message is not None:
        assert error["fields"][field] == message
    assert link_count(seeded) == 33


@pytest.mark.parametrize("data", ["not json", "", "null", "[]", '"RNU"', "[" * 100_000])
def test_a_body_that_is_not_a_json_object_is_422(client, token, seeded, data):
    response = post(client, token["manager"], data=data, content_type="application/json")
    assert response.status_code == 422
    assert "JSON object" in response.get_json()["error"]["fields"]["body"]
    assert link_count(seeded) == 33


def test_every_problem_is_named_at_once(client, token, seeded):
    response = post(client, token["manager"], {"source": 1, "kind": "friends", "weight": 9, "extra": True})
    assert set(response.get_json()["error"]["fields"]) == {"source", "target", "extra"}
    # Once the shape is right, the service names every rule broken.
    response = post(client, token["manager"], {"source": "ZZZ9", "target": "RNU", "kind": "friends", "weight": 9})
    assert set(response.get_json()["error"]["fields"]) == {"source", "kind", "weight"}


def test_api_writes_are_audited_as_the_tokens_user(client, token, seeded):
    created = post(client, token["admin"], body()).get_json()
    assert client.delete(f"/api/v1/links/{created['id']}", headers=auth(token["manager"])).status_code == 204
    seeded.rollback()
    rows = list(
        seeded.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "learning_links", AuditEvent.entity_key == str(created["id"]))
            .order_by(AuditEvent.id)
        )
    )
    assert [(r.action, r.actor_email, r.path) for r in rows] == [
        ("create", "admin@demo.invalid", "POST /api/v1/links"),
        ("delete", "manager@demo.invalid", f"DELETE /api/v1/links/{created['id']}"),
    ]
    assert rows[0].after["note"] == GOOD["note"] and rows[1].before["kind"] == "other"


# --- deleting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EDITORS)
def test_editors_delete_a_link(client, token, seeded, role):
    demo = link_id(seeded, "RNU", "RWX", "buddy_pair")
    response = client.delete(f"/api/v1/links/{demo}", headers=auth(token[role]))
    assert response.status_code == 204
    assert response.get_data() == b""
    assert link_id(seeded, "RNU", "RWX", "buddy_pair") is None
    assert link_count(seeded) == 32
    again = client.delete(f"/api/v1/links/{demo}", headers=auth(token[role]))
    assert again.status_code == 404
    assert again.get_json()["error"]["message"] == f"No link has the id {demo}"


@pytest.mark.parametrize("link", ["999", "0", "99999999999999999999"])
def test_deleting_an_unknown_link_is_404(client, token, seeded, link):
    response = client.delete(f"/api/v1/links/{link}", headers=auth(token["manager"]))
    assert response.status_code == 404
    assert_error(response.get_json(), 404)
    assert link_count(seeded) == 33


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_other_roles_may_not_delete_links(client, token, seeded, role):
    demo = link_id(seeded, "RNU", "RWX", "buddy_pair")
    assert client.delete(f"/api/v1/links/{demo}", headers=auth(token[role])).status_code == 403
    assert client.delete("/api/v1/links/999", headers=auth(token[role])).status_code == 403  # not 404
    assert link_count(seeded) == 33


def test_deleting_without_credentials_is_401(seeded, client):
    assert client.delete("/api/v1/links/1").status_code == 401
    assert link_count(seeded) == 33


def test_other_methods_are_not_allowed(client, token):
    response = client.put("/api/v1/links", headers=auth(token["manager"]), json=body())
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


# --- CSRF: required with a session cookie, not with a token --------------------------------------


def test_a_session_cookie_post_needs_the_csrf_header(signed_in, seeded):
    client = signed_in("manager")
    response = client.post("/api/v1/links", json=body())
    assert response.status_code == 400
    assert "X-CSRFToken" in response.get_json()["error"]["message"]
    assert client.post("/api/v1/links", json=body(), headers={"X-CSRFToken": "not-the-token"}).status_code == 400
    assert link_count(seeded) == 33
    response = client.post("/api/v1/links", json=body(), headers={"X-CSRFToken": client.csrf_token("/")})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert link_count(seeded) == 34


def test_a_session_cookie_delete_needs_the_csrf_header(signed_in, seeded):
    demo = link_id(seeded, "RNU", "RWX", "buddy_pair")
    client = signed_in("admin")
    response = client.delete(f"/api/v1/links/{demo}")
    assert response.status_code == 400
    assert "X-CSRFToken" in response.get_json()["error"]["message"]
    assert link_count(seeded) == 33
    assert client.delete(f"/api/v1/links/{demo}", headers={"X-CSRFToken": client.csrf_token("/")}).status_code == 204
    assert link_count(seeded) == 32


def test_a_session_cookie_write_from_a_role_that_may_not_is_403_whatever_its_csrf(signed_in, seeded):
    client = signed_in("faculty")
    assert client.post("/api/v1/links", json=body()).status_code == 403
    assert client.delete("/api/v1/links/1").status_code == 403


def test_a_token_write_needs_no_csrf_and_sets_no_cookie(client, token, seeded):
    response = post(client, token["manager"], body())
    assert response.status_code == 201
    response = client.delete(f"/api/v1/links/{response.get_json()['id']}", headers=auth(token["manager"]))
    assert response.status_code == 204 and "Set-Cookie" not in response.headers


def test_a_token_write_with_a_session_cookie_is_the_tokens(signed_in, token, seeded):
    """The cookie is ignored when a token is sent: a trust lead's token may not write, whoever is signed in."""
    client = signed_in("admin")
    assert client.post("/api/v1/links", json=body(), headers=auth(token["trust"])).status_code == 403
    assert client.post("/api/v1/links", json=body(), headers=auth(token["manager"])).status_code == 201
