"""The audit log: a row for every write, refused requests, and no way to change what it says."""

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tracker import audit
from tracker.adoption import services as adoption_services
from tracker.adoption.rules import EventInput
from tracker.models import AuditEvent, ChangeIdea, Organisation, User


def audit_rows(session, **filters):
    session.expire_all()
    rows = list(session.scalars(select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)))
    session.commit()
    return rows


def test_logging_adoption_is_audited_with_who_and_what(signed_in, seeded):
    client = signed_in("faculty")
    response = client.submit(
        "/organisations/RNU/adoption/RP-01/log",
        {"stage": "testing", "effective_date": "2022-03-01", "expected_version": "0", "discontinued_reason": ""},
    )
    assert response.status_code == 302
    [event_row] = audit_rows(seeded, entity="adoption_events")
    assert (event_row.action, event_row.actor_email, event_row.actor_role) == (
        "create",
        "faculty@demo.invalid",
        "faculty",
    )
    assert event_row.after["stage"] == "testing" and event_row.after["effective_date"] == "2022-03-01"
    assert event_row.remote_addr == "127.0.0.1"
    assert event_row.path == "POST /organisations/RNU/adoption/RP-01/log"
    [record_row] = audit_rows(seeded, entity="adoptions")
    assert record_row.action == "create"


def test_an_update_records_the_values_before_and_after(seeded):
    organisation = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    organisation.town = "Littlemore"
    seeded.commit()
    [row] = audit_rows(seeded, entity="organisations", action="update", entity_key="RNU")
    assert (row.before, row.after) == ({"town": "Oxford"}, {"town": "Littlemore"})
    assert row.actor_email == "test"


def test_account_changes_are_audited_without_secrets(seeded):
    user = seeded.scalar(select(User).filter_by(email="trust@demo.invalid"))
    user.password_hash = "pbkdf2:sha256:600000$new$hash"
    user.name = "Renamed"
    seeded.commit()
    [row] = audit_rows(seeded, entity="users", action="update")
    assert row.before["password_hash"] == "(hidden)" and row.after["password_hash"] == "(hidden)"
    assert row.after["name"] == "Renamed"
    created = audit_rows(seeded, entity="users", action="create")
    assert created and all(r.after["session_token"] == "(hidden)" for r in created)


def test_catalogue_and_faculty_network_changes_are_audited(seeded):
    idea = seeded.scalar(select(ChangeIdea).filter_by(code="RP-01"))
    idea.title = "Collaborative care planning with patients"
    faculty = seeded.scalar(select(User).filter_by(email="faculty@demo.invalid"))
    faculty.networks = []
    seeded.commit()
    [idea_row] = audit_rows(seeded, entity="change_ideas", action="update")
    assert idea_row.entity_key == "RP-01"
    assert idea_row.after == {"title": "Collaborative care planning with patients"}
    [user_row] = audit_rows(seeded, entity="users", action="update")
    assert user_row.before == {"networks": ["OXF", "WSX"]} and user_row.after == {"networks": []}


def test_refused_requests_are_audited(signed_in, seeded):
    signed_in("trust").get("/admin/audit")
    [row] = audit_rows(seeded, action="denied")
    assert (row.actor_email, row.path, row.detail) == ("trust@demo.invalid", "GET /admin/audit", "Answered 403")


def test_a_refused_post_is_audited_too(signed_in, seeded):
    response = signed_in("trust").client.post("/organisations/RNU/adoption/RP-01/log", data={"stage": "testing"})
    assert response.status_code == 403
    assert [r.path for r in audit_rows(seeded, action="denied")] == ["POST /organisations/RNU/adoption/RP-01/log"]


def test_anonymous_api_calls_are_audited(client, seeded):
    client.get("/api/v1/ambitions")
    [row] = audit_rows(seeded, action="denied")
    assert (row.actor_role, row.detail) == ("anonymous", "Answered 401")


def test_nothing_is_audited_when_the_write_is_refused(signed_in, seeded):
    client = signed_in("faculty")
    before = len(audit_rows(seeded))
    client.submit(
        "/organisations/RNU/adoption/RP-01/log",
        {"stage": "testing", "effective_date": "2099-01-01", "expected_version": "0"},
    )
    assert len(audit_rows(seeded)) == before


def test_audit_rows_cannot_be_changed_or_deleted_through_the_app(seeded):
    """The ORM refuses first; the database refuses even raw SQL on the application's connection."""
    seeded.scalar(select(Organisation).filter_by(ods_code="RNU")).town = "Elsewhere"
    seeded.commit()
    row = audit_rows(seeded)[0]
    row.detail = "tampered"
    with pytest.raises(PermissionError):
        seeded.commit()
    seeded.rollback()
    seeded.delete(seeded.get(AuditEvent, row.id))
    with pytest.raises(PermissionError):
        seeded.commit()
    seeded.rollback()
    for statement in ("UPDATE audit_events SET detail = 'tampered'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            seeded.execute(text(statement))
        seeded.rollback()
    assert all(r.detail != "tampered" for r in audit_rows(seeded))


@pytest.mark.parametrize("role, status", [("trust", 403), ("faculty", 403), ("manager", 403), ("admin", 200)])
def test_only_administrators_read_the_audit_log(signed_in, role, status):
    assert signed_in(role).get("/admin/audit").status_code == status


def test_audit_page_filters_by_action_entity_and_person(signed_in, seeded):
    audit.set_actor(seeded, audit.Actor(email="editor@example.test", role="manager"))
    organisation = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    organisation.town = "Littlemore"
    seeded.commit()
    client = signed_in("admin")
    page = client.get("/admin/audit?action=update&entity=organisations&actor=EDITOR@example").get_data(as_text=True)
    assert "1 entry." in page and "Littlemore" in page
    assert "0 entries." in client.get("/admin/audit?action=update&actor=nobody-like-this").get_data(as_text=True)
    bad = client.get("/admin/audit?since=not-a-date")
    assert bad.status_code == 200 and "There is a problem" in bad.get_data(as_text=True)


def test_audit_page_statement_count_is_fixed(signed_in, seeded, statement_counter):
    client = signed_in("admin")
    with statement_counter() as few:
        client.get("/admin/audit")
    manager = seeded.scalar(select(User).filter_by(email="manager@demo.invalid"))
    seeded.commit()
    for code in ("RP-01", "RP-02", "RP-03"):
        adoption_services.log_adoption(
            seeded,
            manager,
            seeded.scalar(select(Organisation).filter_by(ods_code="RNU")),
            seeded.scalar(select(ChangeIdea).filter_by(code=code)),
            EventInput("testing", date(2022, 1, 1)),
            expected_version=None,
            on_day=date(2025, 1, 1),
        )
    with statement_counter() as many:
        client.get("/admin/audit")
    assert len(many) == len(few)


def test_sign_ins_are_audited_success_and_failure_alike(client, seeded):
    client.sign_in("trust@demo.invalid", "not the right password at all")
    client.sign_in("nobody@example.nhs.uk", "whatever it is they typed")
    client.sign_in("TRUST@demo.invalid")
    rows = [
        (r.action, r.actor_email, r.actor_role, r.detail) for r in audit_rows(seeded) if r.action.startswith("sign_in")
    ]
    assert rows == [
        ("sign_in_failed", "trust@demo.invalid", "anonymous", "wrong password"),
        ("sign_in_failed", "nobody@example.nhs.uk", "anonymous", "unknown email"),
        ("sign_in", "trust@demo.invalid", "trust", ""),
    ]
    assert all(r.remote_addr == "127.0.0.1" for r in audit_rows(seeded) if r.action.startswith("sign_in"))


def test_sign_out_and_password_changes_are_audited(signed_in, seeded):
    client = signed_in("trust")
    client.submit(
        "/account/password",
        {
            "current_password": "spread-tracker-demo-2021",
            "new_password": "mossy granite lantern orbit",
            "confirm_password": "mossy granite lantern orbit",
        },
    )
    client.submit("/sign-out", {}, page="/")
    actions = [(r.action, r.actor_email) for r in audit_rows(seeded) if r.action in ("password_set", "sign_out")]
    assert actions == [("password_set", "trust@demo.invalid"), ("sign_out", "trust@demo.invalid")]


def test_locked_sign_in_attempts_are_audited(make_app, seeded):
    from tests.conftest import FormClient

    client = FormClient(make_app(SIGN_IN_FREE_FAILURES=100, SIGN_IN_LOCK_AFTER=2).test_client())
    for _ in range(3):
        client.sign_in("faculty@demo.invalid", "definitely not it at all")
    assert [r.action for r in audit_rows(seeded) if r.action.startswith("sign_in")] == [
        "sign_in_failed",
        "sign_in_failed",
        "sign_in_refused",
    ]
