"""The audit log: a row for every write, refused requests, and no way to change what it says."""

import html
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tracker import audit_trail as audit
from tracker.adoption import services as adoption_services
from tracker.adoption.rules import EventInput
from tracker.models import AnonymousDenial, AuditEvent, ChangeIdea, LearningLink, Organisation, PackageStatus, User


def audit_rows(session, **filters):
    session.expire_all()
    rows = list(session.scalars(select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)))
    session.commit()
    return rows


def test_logging_adoption_is_audited_with_who_and_what(signed_in, seeded):
    client = signed_in("faculty")
    response = client.submit(
        "/organisations/RNU/adoption/RP-01/log",
        {"stage": "testing", "effective_date": "2022-03-01", "row_version": "0", "discontinued_reason": ""},
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


def test_anonymous_api_calls_are_counted_not_audited(client, seeded):
    client.get("/api/v1/ambitions")
    assert audit_rows(seeded, action="denied") == []
    [counted] = seeded.scalars(select(AnonymousDenial))
    assert (counted.route, counted.status, counted.count) == ("GET /api/v1/ambitions", 401, 1)


def test_nothing_is_audited_when_the_write_is_refused(signed_in, seeded):
    client = signed_in("faculty")
    before = len(audit_rows(seeded))
    client.submit(
        "/organisations/RNU/adoption/RP-01/log",
        {"stage": "testing", "effective_date": "2099-01-01", "row_version": "0"},
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
            expected_version=0,  # the first event of each record
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
    from tests.helpers import FormClient

    client = FormClient(make_app(SIGN_IN_FREE_FAILURES=100, SIGN_IN_LOCK_AFTER=2).test_client())
    for _ in range(3):
        client.sign_in("faculty@demo.invalid", "definitely not it at all")
    assert [r.action for r in audit_rows(seeded) if r.action.startswith("sign_in")] == [
        "sign_in_failed",
        "sign_in_failed",
        "sign_in_refused",
    ]


# The page: every kind of entry reads as a sentence, with people's dates -------------------------

SENTENCE = re.compile(r'<span class="app-audit-sentence">(.*?)</span>')


def sentences(client, query: str = "") -> list[str]:
    """The "What happened" sentences on the audit page, newest first."""
    page = client.get(f"/admin/audit{query}").get_data(as_text=True)
    return [html.unescape(s) for s in SENTENCE.findall(page)]


def acting_as(session, email: str) -> User:
    user = session.scalar(select(User).filter_by(email=email))
    audit.set_actor(session, audit.Actor(id=user.id, email=user.email, role=user.role.value))
    return user


def test_logging_and_correcting_read_as_sentences(signed_in, seeded):
    client = signed_in("faculty")
    form = {"stage": "testing", "effective_date": "2022-03-01", "row_version": "0"}
    assert client.submit("/organisations/RNU/adoption/RP-01/log", form).status_code == 302
    [first] = audit_rows(seeded, entity="adoption_events")
    correction = {"stage": "implementing", "effective_date": "2022-05-01", "row_version": "1"}
    correction["corrects_event_id"] = str(first.entity_key)
    assert client.submit("/organisations/RNU/adoption/RP-01/log", correction).status_code == 302
    client.submit("/sign-out", {}, page="/")
    said = sentences(signed_in("admin"), "?actor=faculty@")
    assert said[:5] == [
        "Faculty member signed out",
        "Faculty member moved the adoption record of RNU × RP-01 to implementing from 1 May 2022",
        f"Faculty member logged implementing for RNU × RP-01 from 1 May 2022, correcting entry {first.entity_key}",
        "Faculty member started the adoption record of RNU × RP-01: testing from 1 March 2022",
        "Faculty member logged testing for RNU × RP-01 from 1 March 2022",
    ]


def test_the_details_name_things_and_write_dates_and_times_for_people(signed_in, seeded):
    client = signed_in("faculty")
    form = {"stage": "testing", "effective_date": "2022-03-01", "row_version": "0", "wards_using": "2"}
    client.submit("/organisations/RNU/adoption/RP-01/log", form)
    client.submit("/sign-out", {}, page="/")
    page = signed_in("admin").get("/admin/audit?entity=adoption_events").get_data(as_text=True)
    assert "<strong>Organisation</strong>: RNU" in page and "<strong>Change idea</strong>: RP-01" in page
    assert "<strong>Date it took effect</strong>: 1 March 2022" in page
    assert "<strong>Logged by</strong>: faculty@demo.invalid" in page
    assert re.search(r"<strong>Logged at</strong>: \d{1,2} [A-Z][a-z]+ 20\d\d at \d\d:\d\d<", page)
    assert "2022-03-01" not in page and " UTC" not in page


def test_catalogue_organisation_and_link_changes_read_as_sentences(signed_in, seeded):
    acting_as(seeded, "manager@demo.invalid")
    seeded.scalar(select(ChangeIdea).filter_by(code="RP-03")).title = "Safety huddles twice a day"
    seeded.commit()
    organisation = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    organisation.name = "Oxford Health"
    seeded.commit()
    organisation.closed_on = date(2024, 10, 1)
    seeded.commit()
    organisation.closed_on = None
    seeded.commit()
    rxx = seeded.scalar(select(Organisation).filter_by(ods_code="RXY"))
    link = LearningLink(
        source_id=min(organisation.id, rxx.id), target_id=max(organisation.id, rxx.id), kind="buddy_pair"
    )
    seeded.add(link)
    seeded.commit()
    link.note = "Monthly calls"
    seeded.commit()
    said = sentences(signed_in("admin"), "?actor=manager@")
    pair = "RNU and RXY" if organisation.id < rxx.id else "RXY and RNU"
    assert said[:6] == [
        f"Project manager changed the learning link between {pair}",
        f"Project manager linked {pair} (buddy pair)",
        "Project manager reopened organisation RNU",
        "Project manager closed organisation RNU on 1 October 2024",
        "Project manager renamed organisation RNU to “Oxford Health”",
        "Project manager renamed change idea RP-03 from “"
        + audit_rows(seeded, entity="change_ideas", action="update")[0].before["title"]
        + "” to “Safety huddles twice a day”",
    ]


def test_publishing_a_package_reads_as_a_sentence(signed_in, seeded):
    from tests.factories import add_draft_package

    package = add_draft_package(seeded)
    seeded.commit()
    acting_as(seeded, "manager@demo.invalid")
    package.status = PackageStatus.PUBLISHED
    seeded.commit()
    assert (
        sentences(signed_in("admin"), "?actor=manager@")[0]
        == f"Project manager published change package {package.code}"
    )


def test_account_changes_read_as_sentences(signed_in, seeded):
    acting_as(seeded, "admin@demo.invalid")
    trust = seeded.scalar(select(User).filter_by(email="trust@demo.invalid"))
    trust.active = False
    seeded.commit()
    faculty = seeded.scalar(select(User).filter_by(email="faculty@demo.invalid"))
    faculty.networks = []
    seeded.commit()
    said = sentences(signed_in("admin"), "?entity=users&action=update")
    assert said == [
        "Administrator changed the networks of faculty@demo.invalid to none",
        "Administrator disabled the account of trust@demo.invalid",
    ]


def test_sign_ins_passwords_and_refusals_read_as_sentences(make_app, seeded):
    from tests.helpers import FormClient

    client = FormClient(make_app(SIGN_IN_FREE_FAILURES=100, SIGN_IN_LOCK_AFTER=2).test_client())
    for _ in range(3):
        client.sign_in("faculty@demo.invalid", "definitely not it at all")
    client.sign_in("nobody@example.nhs.uk", "whatever it is they typed")
    client.sign_in("trust@demo.invalid")
    client.get("/admin/audit")
    client.submit(
        "/account/password",
        {
            "current_password": "spread-tracker-demo-2021",
            "new_password": "mossy granite lantern orbit",
            "confirm_password": "mossy granite lantern orbit",
        },
    )
    client.submit("/sign-out", {}, page="/")
    client.get("/api/v1/ambitions")
    client.sign_in_as("admin")  # with the security code
    said = sentences(client)
    # The anonymous 401 is counted, not audited (tests/test_audit_noise.py).
    assert said[1:9] == [
        "Trust user signed out",
        "Trust user changed their own password; every session of the account ended",
        "Refused: a trust user tried to open the audit log (403)",
        "Trust user signed in",
        "Sign-in failed for nobody@example.nhs.uk: no account has this email address",
        "Sign-in refused for faculty@demo.invalid: account locked after too many failed attempts",
        "Sign-in failed for faculty@demo.invalid: wrong password",
        "Sign-in failed for faculty@demo.invalid: wrong password",
    ]
    assert said[0] == "Administrator signed in with their password and a security code"
    menus = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="denied">Request refused</option>' in menus
    assert '<option value="users">Accounts</option>' in menus


def test_a_refused_form_names_what_was_tried(signed_in, seeded):
    client = signed_in("trust")
    client.client.post("/organisations/RNU/adoption/RP-01/log", data={"stage": "testing"})
    client.submit("/sign-out", {}, page="/")
    assert "Refused: a trust user tried to log a stage for RNU × RP-01 (403)" in sentences(signed_in("admin"))


def test_command_line_imports_read_as_sentences(app, signed_in, seeded, tmp_path):
    path = tmp_path / "adoption.csv"
    path.write_text(
        "ods_code,intervention_code,stage,effective_date,wards_using,wards_in_scope,note,evidence_url,"
        "discontinued_reason\r\nRNU,SS-01,implementing,2024-05-01,2,10,,,\r\n"
    )
    seeded.commit()
    result = app.test_cli_runner().invoke(args=["adoption", "import", str(path), "--as", "manager@demo.invalid"])
    assert result.exit_code == 0, result.output
    said = sentences(signed_in("admin"), "?entity=adoption_events")
    assert said == ["manager@demo.invalid at the command line imported implementing for RNU × SS-01 from 1 May 2024"]


def test_the_audit_page_shows_uk_times_and_filters_by_uk_days(signed_in, seeded):
    """An entry at 23:30 UTC on 30 June is 00:30 on 1 July in England: it shows and filters as 1 July."""
    seeded.add(AuditEvent(at=datetime(2024, 6, 30, 23, 30, tzinfo=UTC), action="sign_out", actor_email="x@nhs.net"))
    seeded.commit()
    client = signed_in("admin")
    page = client.get("/admin/audit?since=2024-07-01&until=2024-07-01").get_data(as_text=True)
    assert "1 entry." in page and "1 July 2024 at 00:30" in page
    assert "0 entries." in client.get("/admin/audit?since=2024-06-30&until=2024-06-30").get_data(as_text=True)
