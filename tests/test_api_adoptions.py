"""The adoption ledger over the API: records as of a day, the history, and logging by POST."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import add_draft_package, record_version
from tests.helpers import TOMORROW, assert_error, auth, move, on_the_day
from tracker.adoption import services
from tracker.adoption.rules import EventInput
from tracker.models import (
    AdoptionEvent,
    AuditEvent,
    ChangeIdea,
    Organisation,
    OrganisationKind,
    User,
)

ROLES = ("trust", "faculty", "manager", "admin")
ON_DAY = date(2025, 6, 30)


def get_json(client, url: str, raw: str, status: int = 200):
    response = client.get(url, headers=auth(raw))
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert "Set-Cookie" not in response.headers
    return response.get_json()


def post(client, raw: str, body=None, **kwargs):
    response = client.post("/api/v1/adoptions", headers=auth(raw), **({"json": body} if body is not None else kwargs))
    assert response.mimetype == "application/json"
    assert "Set-Cookie" not in response.headers
    return response


def log(session, ods: str, code: str, stage: str, day: date, email: str = "manager@demo.invalid", **fields):
    """Log through the service, as the pages do; commits, so no transaction is left open."""
    organisation = session.scalar(select(Organisation).filter_by(ods_code=ods))
    idea = session.scalar(select(ChangeIdea).filter_by(code=code))
    result = services.log_adoption(
        session,
        session.scalar(select(User).filter_by(email=email)),
        organisation,
        idea,
        EventInput(stage=stage, effective_date=day, **fields),
        expected_version=record_version(session, organisation, idea),
        on_day=ON_DAY,
    )
    event_id = result.event.id
    session.commit()
    return event_id


def event_count(session) -> int:
    session.rollback()
    n = session.scalar(select(func.count()).select_from(AdoptionEvent))
    session.rollback()
    return n


@pytest.fixture
def ledger(seeded, token):
    """A small history: RNU and RWX (OXF), RXY (KSS); RP and SS ideas; dated 2021–2023."""
    ids = {
        "rnu_considering": log(seeded, "RNU", "RP-01", "considering", date(2021, 6, 1), note="Planning"),
        "rnu_implementing": log(
            seeded, "RNU", "RP-01", "implementing", date(2022, 6, 1), wards_using=3, wards_in_scope=8
        ),
        "rwx_testing": log(seeded, "RWX", "RP-02", "testing", date(2022, 1, 1), email="faculty@demo.invalid"),
        "rnu_ss": log(seeded, "RNU", "SS-01", "testing", date(2023, 2, 1)),
        "rxy_discontinued": log(
            seeded,
            "RXY",
            "RP-01",
            "discontinued",
            date(2023, 3, 1),
            discontinued_reason="staffing",
            evidence_url="https://example.nhs.uk/report",
        ),
    }
    return ids


# --- reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/adoptions", "/api/v1/adoptions/history"])
def test_anonymous_callers_get_401(seeded, client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert_error(response.get_json(), 401)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/api/v1/adoptions", "/api/v1/adoptions/history"])
def test_every_role_reads_the_ledger(client, token, ledger, role, url):
    body = get_json(client, url, token[role])
    assert len(next(iter(body.values()))) in (4, 5)


def test_records_now_with_their_versions(client, token, ledger):
    records = get_json(client, "/api/v1/adoptions", token["trust"])["adoptions"]
    assert [(r["organisation"], r["intervention"], r["stage"]) for r in records] == [
        ("RNU", "RP-01", "implementing"),
        ("RNU", "SS-01", "testing"),
        ("RWX", "RP-02", "testing"),
        ("RXY", "RP-01", "discontinued"),
    ]
    assert records[0] == {
        "organisation": "RNU",
        "intervention": "RP-01",
        "stage": "implementing",
        "effective_date": "2022-06-01",
        "since": "2022-06-01",
        "version": 2,  # the record was created, then moved on once
        "note": "",
        "wards_using": 3,
        "wards_in_scope": 8,
        "event_id": ledger["rnu_implementing"],
    }
    assert [r["version"] for r in records] == [2, 1, 1, 1]


@pytest.mark.parametrize(
    "as_of, expected",
    [
        ("2021-05-31", []),
        ("2021-06-01", [("RNU", "RP-01", "considering")]),  # effective that day: included
        ("2021-12-31", [("RNU", "RP-01", "considering")]),
        ("2022-01-01", [("RNU", "RP-01", "considering"), ("RWX", "RP-02", "testing")]),
        ("2022-05-31", [("RNU", "RP-01", "considering"), ("RWX", "RP-02", "testing")]),
        ("2022-06-01", [("RNU", "RP-01", "implementing"), ("RWX", "RP-02", "testing")]),
        (
            "2030-01-01",
            [
                ("RNU", "RP-01", "implementing"),
                ("RNU", "SS-01", "testing"),
                ("RWX", "RP-02", "testing"),
                ("RXY", "RP-01", "discontinued"),
            ],
        ),
    ],
)
def test_records_as_of_a_day(client, token, ledger, as_of, expected):
    records = get_json(client, f"/api/v1/adoptions?as_of={as_of}", token["faculty"])["adoptions"]
    assert [(r["organisation"], r["intervention"], r["stage"]) for r in records] == expected


def test_a_past_record_carries_the_current_version_and_its_own_event(client, token, ledger):
    [record] = get_json(client, "/api/v1/adoptions?as_of=2021-06-01", token["trust"])["adoptions"]
    assert (record["event_id"], record["note"], record["version"]) == (ledger["rnu_considering"], "Planning", 2)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("organisation=RNU", [("RNU", "RP-01"), ("RNU", "SS-01")]),
        ("intervention=RP-01", [("RNU", "RP-01"), ("RXY", "RP-01")]),
        ("ambition=SS", [("RNU", "SS-01")]),
        ("network=OXF", [("RNU", "RP-01"), ("RNU", "SS-01"), ("RWX", "RP-02")]),
        ("network=KSS&intervention=RP-01", [("RXY", "RP-01")]),
        ("network=WSX", []),
        ("organisation=RNU&ambition=RP&as_of=2021-06-01", [("RNU", "RP-01")]),
        ("colour=blue", [("RNU", "RP-01"), ("RNU", "SS-01"), ("RWX", "RP-02"), ("RXY", "RP-01")]),
    ],
)
def test_records_filtered(client, token, ledger, query, expected):
    records = get_json(client, f"/api/v1/adoptions?{query}", token["trust"])["adoptions"]
    assert [(r["organisation"], r["intervention"]) for r in records] == expected


def test_history_lists_every_event_in_the_order_they_took_effect(client, token, ledger):
    events = get_json(client, "/api/v1/adoptions/history", token["trust"])["events"]
    assert [e["id"] for e in events] == [
        ledger["rnu_considering"],
        ledger["rwx_testing"],
        ledger["rnu_implementing"],
        ledger["rnu_ss"],
        ledger["rxy_discontinued"],
    ]
    rxy = events[-1]
    logged_at = rxy.pop("logged_at")
    assert logged_at.endswith("+00:00") and logged_at[:4] >= "2025"
    assert rxy == {
        "id": ledger["rxy_discontinued"],
        "organisation": "RXY",
        "intervention": "RP-01",
        "stage": "discontinued",
        "effective_date": "2023-03-01",
        "wards_using": None,
        "wards_in_scope": None,
        "note": "",
        "evidence_url": "https://example.nhs.uk/report",
        "discontinued_reason": "staffing",
        "corrects": None,
        "corrected_by": None,
        "logged_by": "Demo Project Manager",
        "channel": "form",
    }
    assert events[1]["logged_by"] == "Demo Faculty Member"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("organisation=RNU", ["rnu_considering", "rnu_implementing", "rnu_ss"]),
        ("intervention=RP-02", ["rwx_testing"]),
        ("ambition=RP", ["rnu_considering", "rwx_testing", "rnu_implementing", "rxy_discontinued"]),
        ("network=KSS", ["rxy_discontinued"]),
        ("as_of=2021-05-31", []),
        ("as_of=2022-01-01", ["rnu_considering", "rwx_testing"]),  # on the day: included
        ("as_of=2022-05-31", ["rnu_considering", "rwx_testing"]),
        ("as_of=2022-06-01&organisation=RNU", ["rnu_considering", "rnu_implementing"]),
    ],
)
def test_history_filtered(client, token, ledger, query, expected):
    events = get_json(client, f"/api/v1/adoptions/history?{query}", token["manager"])["events"]
    assert [e["id"] for e in events] == [ledger[name] for name in expected]


@pytest.mark.parametrize("path", ["/api/v1/adoptions", "/api/v1/adoptions/history"])
@pytest.mark.parametrize(
    "query, message",
    [
        ("organisation=ZZZ", "No organisation has the ODS code ZZZ"),
        ("organisation=rnu", "No organisation has the ODS code rnu"),  # codes are exact
        ("intervention=XX-99", "No intervention has the code XX-99"),
        ("ambition=XX", "No ambition has the code XX"),
        ("network=NOPE", "No network has the code NOPE"),
    ],
)
def test_unknown_codes_are_404_naming_them(client, token, seeded, path, query, message):
    body = get_json(client, f"{path}?{query}", token["trust"], 404)
    assert_error(body, 404)
    assert body["error"]["message"] == message


@pytest.mark.parametrize("path", ["/api/v1/adoptions", "/api/v1/adoptions/history"])
@pytest.mark.parametrize(
    "query, parameter",
    [
        ("as_of=2024-13-01", "as_of"),
        ("as_of=2024-02-30", "as_of"),
        ("as_of=yesterday", "as_of"),
        ("as_of=", "as_of"),
        ("as_of=2024-10-01T00:00", "as_of"),
        ("organisation=", "organisation"),
        ("intervention=%20", "intervention"),
        ("network=NOPE&as_of=soon", "as_of"),  # malformed before unknown
    ],
)
def test_malformed_filters_are_400_naming_the_parameter(client, token, seeded, path, query, parameter):
    body = get_json(client, f"{path}?{query}", token["trust"], 400)
    assert_error(body, 400, parameter)


def draft_history(seeded) -> int:
    add_draft_package(seeded)
    return log(seeded, "RNU", "DR-01", "testing", date(2023, 1, 1))


@pytest.mark.parametrize(
    "role, sees_drafts", [("trust", False), ("faculty", False), ("manager", True), ("admin", True)]
)
def test_records_of_draft_ideas_are_for_editors_only(client, token, ledger, seeded, role, sees_drafts):
    draft_history(seeded)
    records = get_json(client, "/api/v1/adoptions", token[role])["adoptions"]
    assert ("DR-01" in {r["intervention"] for r in records}) is sees_drafts
    events = get_json(client, "/api/v1/adoptions/history", token[role])["events"]
    assert ("DR-01" in {e["intervention"] for e in events}) is sees_drafts
    status = 200 if sees_drafts else 404
    get_json(client, "/api/v1/adoptions?intervention=DR-01", token[role], status)
    get_json(client, "/api/v1/adoptions/history?intervention=DR-01", token[role], status)


# --- logging ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, ods, status",
    [
        ("trust", "RNU", 403),
        ("faculty", "RNU", 201),  # OXF: one of the demo faculty member's networks
        ("faculty", "RXY", 403),  # KSS: not
        ("manager", "RXY", 201),
        ("admin", "RXY", 201),
    ],
)
def test_who_may_log(client, token, seeded, role, ods, status):
    response = post(client, token[role], move(organisation=ods))
    assert response.status_code == status, response.get_data(as_text=True)
    assert event_count(seeded) == (1 if status == 201 else 0)
    if status == 403:
        assert_error(response.get_json(), 403)


def test_a_logged_move_answers_the_event_and_the_record(client, token, seeded):
    response = post(client, token["faculty"], move(expected_version=0))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    event = body["event"]
    assert event["logged_at"]
    assert {k: v for k, v in event.items() if k not in ("id", "logged_at")} == {
        "organisation": "RNU",
        "intervention": "RP-01",
        "stage": "testing",
        "effective_date": "2022-03-01",
        "wards_using": 2,
        "wards_in_scope": 5,
        "note": "Started on Ward 3",
        "evidence_url": "",
        "discontinued_reason": None,
        "corrects": None,
        "corrected_by": None,
        "logged_by": "Demo Faculty Member",
        "channel": "api",
    }
    assert body["record"] == {
        "organisation": "RNU",
        "intervention": "RP-01",
        "stage": "testing",
        "effective_date": "2022-03-01",
        "since": "2022-03-01",
        "version": 1,
        "note": "Started on Ward 3",
        "wards_using": 2,
        "wards_in_scope": 5,
        "event_id": event["id"],
        "became_current": True,
    }
    # The next move sends the version it was given back.
    response = post(
        client, token["faculty"], move(stage="implementing", effective_date="2022-09-01", expected_version=1)
    )
    assert response.status_code == 201
    assert response.get_json()["record"]["version"] == 2
    stored = seeded.get(AdoptionEvent, event["id"])
    assert (stored.channel, stored.logged_by.email) == ("api", "faculty@demo.invalid")


def test_a_backdated_move_joins_the_history_but_not_the_record(client, token, ledger):
    response = post(
        client, token["manager"], move(stage="considering", effective_date="2020-01-01", expected_version=2)
    )
    assert response.status_code == 201
    body = response.get_json()
    record = body["record"]
    assert record["became_current"] is False
    assert (record["stage"], record["event_id"], record["version"]) == ("implementing", ledger["rnu_implementing"], 3)
    assert body["event"]["stage"] == "considering"


def test_a_correction_names_the_event_it_corrects(client, token, ledger, seeded):
    wrong = ledger["rnu_implementing"]
    response = post(
        client,
        token["manager"],
        move(stage="testing", effective_date="2022-06-01", corrects=wrong, expected_version=2),
    )
    assert response.status_code == 201
    assert response.get_json()["event"]["corrects"] == wrong
    response = post(client, token["manager"], move(intervention="RP-03", corrects=wrong))
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"corrects"}


def test_a_stale_version_is_409_with_the_current_record(client, token, ledger, seeded):
    before = event_count(seeded)
    response = post(client, token["manager"], move(stage="sustained", effective_date="2024-01-01", expected_version=1))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert_error({"error": error}, 409)
    assert error["current"] == {
        "organisation": "RNU",
        "intervention": "RP-01",
        "stage": "implementing",
        "effective_date": "2022-06-01",
        "since": "2022-06-01",
        "version": 2,
        "note": "",
        "wards_using": 3,
        "wards_in_scope": 8,
        "event_id": ledger["rnu_implementing"],
    }
    assert "expected_version" in error["message"]
    assert event_count(seeded) == before
    # Without expected_version nothing is written either (issue 10: no silent overwrite by leaving it out).
    response = post(
        client, token["manager"], move(stage="sustained", effective_date="2024-01-01", expected_version=...)
    )
    assert response.status_code == 422
    assert "expected_version is required" in response.get_json()["error"]["fields"]["expected_version"]
    assert event_count(seeded) == before


def test_a_version_for_a_record_that_does_not_exist_is_409(client, token, seeded):
    response = post(client, token["manager"], move(expected_version=4))
    assert response.status_code == 409
    assert response.get_json()["error"]["current"] is None
    assert event_count(seeded) == 0


INVALID = [
    # (changes to a good body, ... leaving the field out; the field the 422 names)
    ({"organisation": ...}, "organisation"),
    ({"organisation": ""}, "organisation"),
    ({"organisation": "ZZZ"}, "organisation"),
    ({"intervention": "XX-99"}, "intervention"),
    ({"intervention": ...}, "intervention"),
    ({"stage": "finished"}, "stage"),
    ({"stage": ...}, "stage"),
    ({"stage": 3}, "stage"),
    ({"effective_date": TOMORROW}, "effective_date"),
    ({"effective_date": "1/3/2022"}, "effective_date"),
    ({"effective_date": "2022-02-30"}, "effective_date"),
    ({"effective_date": ...}, "effective_date"),
    ({"effective_date": 20220301}, "effective_date"),
    ({"wards_using": 9, "wards_in_scope": 5}, "wards_using"),
    ({"wards_using": "2"}, "wards_using"),
    ({"wards_using": 2.5}, "wards_using"),
    ({"wards_using": True}, "wards_using"),
    ({"wards_in_scope": -1}, "wards_in_scope"),
    ({"wards_in_scope": 10**30}, "wards_in_scope"),
    ({"stage": "discontinued"}, "discontinued_reason"),
    ({"stage": "discontinued", "discontinued_reason": "bored"}, "discontinued_reason"),
    ({"discontinued_reason": "staffing"}, "discontinued_reason"),
    ({"stage": "discontinued", "discontinued_reason": "other", "note": ""}, "note"),
    ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
    ({"evidence_url": "ftp://example.nhs.uk/x"}, "evidence_url"),
    ({"note": "x" * 4001}, "note"),
    ({"note": ["a list"]}, "note"),
    ({"note": "nul \x00 here"}, "note"),
    ({"expected_version": "0"}, "expected_version"),
    ({"expected_version": -1}, "expected_version"),
    ({"corrects": 10**30}, "corrects"),
    ({"corrects": 999}, "corrects"),
    ({"wards_used": 2}, "wards_used"),  # a typo is not silently dropped
]


@pytest.mark.parametrize("changes, field", INVALID)
def test_bad_input_is_422_by_field_and_writes_nothing(client, token, seeded, changes, field):
    response = post(client, token["manager"], move(**on_the_day(changes)))
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert_error({"error": error}, 422)
    assert field in error["fields"], error
    assert error["fields"][field]
    assert event_count(seeded) == 0


@pytest.mark.parametrize(
    "data, content_type",
    [
        ("not json", "application/json"),
        ('{"organisation": ', "application/json"),
        ("", "application/json"),
        ("null", "application/json"),
        ("[]", "application/json"),
        ('[{"organisation": "RNU"}]', "application/json"),
        ('"RNU"', "application/json"),
        ("[" * 100_000, "application/json"),  # deeper than the JSON parser goes
        ("organisation=RNU&stage=testing", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_422(client, token, seeded, data, content_type):
    response = post(client, token["manager"], data=data, content_type=content_type)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "JSON object" in response.get_json()["error"]["fields"]["body"]
    assert event_count(seeded) == 0


def test_every_problem_is_named_at_once(client, token, seeded):
    response = post(client, token["manager"], {"stage": 1, "wards_using": "two", "extra": True})
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {
        *("organisation", "intervention", "stage", "effective_date", "wards_using", "extra"),
        "expected_version",  # issue 10: every edit says which version it read
    }


def test_faculty_may_not_log_against_draft_ideas(client, token, seeded):
    add_draft_package(seeded)
    response = post(client, token["faculty"], move(intervention="DR-01"))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"intervention": "No intervention has the code DR-01"}
    assert post(client, token["manager"], move(intervention="DR-01")).status_code == 201


def test_api_writes_are_audited_as_the_tokens_user(client, token, seeded):
    response = post(client, token["manager"], move())
    assert response.status_code == 201
    event_id = response.get_json()["event"]["id"]
    seeded.rollback()
    rows = list(
        seeded.scalars(
            select(AuditEvent).filter_by(action="create").where(AuditEvent.entity.in_(["adoption_events", "adoptions"]))
        )
    )
    assert {r.entity for r in rows} == {"adoption_events", "adoptions"}
    [event_row] = [r for r in rows if r.entity == "adoption_events"]
    assert (event_row.actor_email, event_row.actor_role, event_row.path) == (
        "manager@demo.invalid",
        "manager",
        "POST /api/v1/adoptions",
    )
    assert event_row.after["id"] == event_id and event_row.after["channel"] == "api"


def test_without_credentials_posting_is_401(seeded, client):
    response = client.post("/api/v1/adoptions", json=move())
    assert response.status_code == 401
    assert_error(response.get_json(), 401)
    assert event_count(seeded) == 0


# --- CSRF: required with a session cookie, not with a token --------------------------------------


def test_a_session_cookie_post_needs_the_csrf_header(signed_in, seeded):
    client = signed_in("faculty")
    response = client.post("/api/v1/adoptions", json=move())
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "X-CSRFToken" in error["message"]
    assert event_count(seeded) == 0
    response = client.post("/api/v1/adoptions", json=move(), headers={"X-CSRFToken": "not-the-token"})
    assert response.status_code == 400
    response = client.post("/api/v1/adoptions", json=move(), headers={"X-CSRFToken": client.csrf_token("/")})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert event_count(seeded) == 1


def test_a_session_cookie_post_from_a_role_that_may_not_log_is_403_whatever_its_csrf(signed_in, seeded):
    client = signed_in("trust")
    assert client.post("/api/v1/adoptions", json=move()).status_code == 403


def test_a_token_post_needs_no_csrf_and_sets_no_cookie(client, token, seeded):
    response = post(client, token["faculty"], move())
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers


def test_a_token_post_with_a_session_cookie_is_the_tokens(signed_in, token, seeded):
    """The cookie is ignored when a token is sent, so no CSRF check applies (and none is needed)."""
    client = signed_in("admin")
    response = client.post("/api/v1/adoptions", json=move(), headers=auth(token["faculty"]))
    assert response.status_code == 201
    assert response.get_json()["event"]["logged_by"] == "Demo Faculty Member"


# --- statement counts ---------------------------------------------------------------------------


def grow(session, n: int = 12) -> None:
    """n more organisations, each with events on several ideas (some backdated)."""
    for k in range(n):
        session.add(
            Organisation(
                ods_code=f"Z{k:02d}",
                name=f"Demo trust {k}",
                kind=OrganisationKind.ACUTE_TRUST,
                network_id=1,
                is_demo=True,
            )
        )
    session.commit()
    for k in range(n):
        for code in ("RP-01", "SS-02", "SSH-03"):
            log(session, f"Z{k:02d}", code, "testing", date(2022, 1, 1 + k))
            log(session, f"Z{k:02d}", code, "implementing", date(2023, 1, 1 + k))
            log(session, f"Z{k:02d}", code, "considering", date(2021, 1, 1 + k))


COUNTED = [
    "/api/v1/adoptions",
    "/api/v1/adoptions?as_of=2022-06-01",
    "/api/v1/adoptions?organisation=RNU&intervention=RP-01&ambition=RP&network=OXF",
    "/api/v1/adoptions/history",
    "/api/v1/adoptions/history?network=OXF&as_of=2022-06-01",
]


def test_statement_counts_do_not_grow_with_the_ledger(client, token, ledger, seeded, statement_counter):
    raw = token["trust"]
    get_json(client, "/api/v1/networks", raw)  # the token's first use (an hourly write) out of the way

    def counts() -> dict[str, int]:
        result = {}
        for url in COUNTED:
            with statement_counter() as statements:
                get_json(client, url, raw)
            result[url] = len(statements)
        return result

    def post_count(ods: str) -> int:
        with statement_counter() as statements:
            assert post(client, token["manager"], move(organisation=ods)).status_code == 201
        return len(statements)

    get_json(client, "/api/v1/networks", token["manager"])
    before, posted_before = counts(), post_count("RW1")
    grow(seeded)
    after, posted_after = counts(), post_count("RDY")
    assert after == before
    assert posted_after == posted_before
    assert max(before.values()) <= 10, before
    assert len(get_json(client, "/api/v1/adoptions", raw)["adoptions"]) == 4 + 1 + 36 + 1
