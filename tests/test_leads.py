"""Whom to ask: naming a record's lead and Life QI project and an organisation's QI lead, consent to be named,
and who sees names (signed-in people only, only with consent), through the pages and the API."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import add_events, log_events
from tests.helpers import FormClient, auth
from tracker.leads import services
from tracker.leads.rules import HTTPS_ONLY
from tracker.leads.services import LeadChoice
from tracker.models import (
    AdoptionLead,
    AuditEvent,
    ChangeIdea,
    ContactConsent,
    Network,
    Organisation,
    OrganisationLead,
    User,
)

LEAD = "trust@demo.invalid"
LEAD_NAME = "Demo Trust Lead"
FORM = "/organisations/RNU/adoption/RP-01/lead"
QI_FORM = "/organisations/RNU/qi-lead"
PROJECT = "https://www.lifeqisystem.com/projects/4521"


def client_as(app, role: str) -> FormClient:
    client = FormClient(app.test_client())
    client.sign_in_as(role)
    return client


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def lead_rows(session) -> list[tuple]:
    session.rollback()
    rows = session.execute(select(AdoptionLead.lead_id, AdoptionLead.lifeqi_url, AdoptionLead.row_version)).all()
    session.rollback()
    return [tuple(r) for r in rows]


def consent_row(session, email: str = LEAD) -> ContactConsent | None:
    session.rollback()
    return session.scalar(
        select(ContactConsent).join(User, User.id == ContactConsent.user_id).where(User.email == email)
    )


def audit_count(session) -> int:
    session.rollback()
    n = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.in_(("create", "update"))))
    session.rollback()
    return n


def api(app, url: str, raw_token: str) -> dict:
    """The JSON answer of the API to a caller with this token."""
    response = app.test_client().get(url, headers=auth(raw_token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def records(seeded):
    """RNU's records of RP-01, RP-02 and RP-03 (RNU is in the demo faculty member's network)."""
    log_events(seeded)
    return seeded


def test_faculty_names_a_lead_who_agreed_and_the_idea_page_lists_them_with_the_stage(app, records):
    faculty = client_as(app, "faculty")
    assert LEAD not in text(faculty, "/ideas/RP-01")
    response = faculty.submit(
        FORM, {"row_version": "0", "lead_email": LEAD.upper(), "lead_agreed": "y", "lifeqi_url": PROJECT}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/organisations/RNU/adoption/RP-01")
    idea_page = text(faculty, "/ideas/RP-01")
    assert LEAD_NAME in idea_page and f'href="mailto:{LEAD}"' in idea_page and PROJECT in idea_page
    assert "Spreading" in idea_page  # the stage beside the lead
    history = text(faculty, "/organisations/RNU/adoption/RP-01")
    assert LEAD_NAME in history and PROJECT in history and ">Life QI project<" in history
    # Consent recorded: by whom, when.
    consent = consent_row(records)
    faculty_id = records.scalar(select(User.id).where(User.email == "faculty@demo.invalid"))
    assert consent.given_by_id == faculty_id and consent.given_at is not None and consent.withdrawn_at is None
    # Any signed-in role sees the name; the form's audit reads as sentences.
    assert LEAD_NAME in text(client_as(app, "trust"), "/ideas/RP-01")
    audit_page = text(client_as(app, "admin"), "/admin/audit")
    assert "named trust@demo.invalid as the lead of RNU × RP-01; linked the Life QI project" in audit_page
    assert "recorded that trust@demo.invalid agreed to be named as a contact" in audit_page


def test_a_lead_who_has_not_agreed_is_not_shown_until_they_agree_on_their_account_page(app, records):
    faculty = client_as(app, "faculty")
    assert faculty.submit(FORM, {"row_version": "0", "lead_email": LEAD}).status_code == 302
    page = text(faculty, "/ideas/RP-01")
    assert LEAD_NAME not in page and LEAD not in page and "None shown" in page
    form = text(faculty, FORM)
    assert LEAD not in form and "has not agreed to be shown" in form  # hidden on the form too
    trust = client_as(app, "trust")
    account = text(trust, "/account/contact")
    assert "You have not agreed to be named" in account and "Lead of RP-01" in account
    assert (
        trust.submit(
            "/account/contact/consent", {"give": "yes", "row_version": "0"}, page="/account/contact"
        ).status_code
        == 302
    )
    assert "You agree to be named" in text(trust, "/account/contact")
    assert LEAD_NAME in text(faculty, "/ideas/RP-01")


def test_withdrawing_consent_hides_the_name_everywhere_at_once(app, records, token):
    faculty = client_as(app, "faculty")
    faculty.submit(FORM, {"row_version": "0", "lead_email": LEAD, "lead_agreed": "y"})
    faculty.submit(QI_FORM, {"row_version": "0", "lead_email": LEAD})
    places = ["/ideas/RP-01", "/organisations/RNU", "/organisations/RNU/adoption/RP-01"]
    assert all(LEAD in text(faculty, url) for url in places)
    answer = api(app, "/api/v1/interventions/RP-01/leads", token["trust"])
    assert answer["organisations"][0]["lead"] == {"name": LEAD_NAME, "email": LEAD}

    trust = client_as(app, "trust")
    version = consent_row(records).row_version
    response = trust.submit(
        "/account/contact/consent", {"give": "no", "row_version": str(version)}, page="/account/contact"
    )
    assert response.status_code == 302
    assert "your name is not shown" in text(trust, "/account/contact")
    for url in places:
        assert LEAD not in text(faculty, url) and LEAD_NAME not in text(faculty, url), url
    assert api(app, "/api/v1/interventions/RP-01/leads", token["manager"])["organisations"][0]["lead"] is None
    assert api(app, "/api/v1/organisations/RNU", token["manager"])["qi_lead"] is None
    # Whoever named them cannot record consent again for them: only the person may.
    before = lead_rows(records)
    form_version = str(before[0][2])
    refused = faculty.submit(FORM, {"row_version": form_version, "lead_email": LEAD, "lead_agreed": "y"})
    assert refused.status_code == 200 and "has withdrawn their consent to be named" in refused.get_data(as_text=True)
    assert lead_rows(records) == before and consent_row(records).withdrawn_at is not None
    assert "withdrew their consent to be named as a contact" in text(client_as(app, "admin"), "/admin/audit")
    # They agree again themselves: shown again.
    version = consent_row(records).row_version
    trust.submit("/account/contact/consent", {"give": "yes", "row_version": str(version)}, page="/account/contact")
    assert LEAD_NAME in text(faculty, "/ideas/RP-01") and LEAD_NAME in text(faculty, "/organisations/RNU")


@pytest.mark.parametrize(
    "data, field_message",
    [
        ({"lifeqi_url": "http://www.lifeqisystem.com/projects/1"}, HTTPS_ONLY.partition("'")[2]),
        ({"lifeqi_url": "lifeqi project 12"}, "with no spaces"),
        ({"lead_email": "nobody@nhs.net"}, "No active Spread Tracker account has this email address"),
        ({"row_version": ""}, "did not say which version you opened"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(app, records, data, field_message):
    faculty = client_as(app, "faculty")
    audited = audit_count(records)
    response = faculty.submit(FORM, {"row_version": "0", "lead_email": LEAD, "lead_agreed": "y", **data})
    assert response.status_code == 200
    assert field_message in response.get_data(as_text=True)
    assert lead_rows(records) == [] and consent_row(records) is None and audit_count(records) == audited


def test_a_lead_belongs_to_a_record_so_none_is_named_before_anything_is_logged(app, records):
    response = client_as(app, "faculty").submit(
        "/organisations/RNU/adoption/RP-04/lead", {"row_version": "0", "lead_email": LEAD}
    )
    assert response.status_code == 200 and "Log a stage for this change idea first" in response.get_data(as_text=True)
    assert lead_rows(records) == []


def test_an_edit_from_an_old_version_is_a_conflict_and_saves_nothing(app, records):
    faculty = client_as(app, "faculty")
    faculty.submit(FORM, {"row_version": "0", "lead_email": LEAD, "lead_agreed": "y"})
    before = lead_rows(records)
    response = faculty.submit(FORM, {"row_version": "0", "lead_email": "", "lifeqi_url": PROJECT})
    assert response.status_code == 200 and "changed by someone else since you opened it" in response.get_data(
        as_text=True
    )
    assert lead_rows(records) == before


def test_the_lead_and_link_are_cleared_and_a_hidden_lead_kept_or_removed(app, records):
    faculty = client_as(app, "faculty")
    faculty.submit(FORM, {"row_version": "0", "lead_email": LEAD, "lifeqi_url": PROJECT})  # not agreed: hidden
    ((lead_id, url, version),) = lead_rows(records)
    assert lead_id is not None and url == PROJECT
    # The form cannot show the hidden lead: an empty address keeps them while the box is ticked.
    faculty.submit(FORM, {"row_version": str(version), "keep_hidden": "y", "lifeqi_url": PROJECT})
    ((kept, _, version),) = lead_rows(records)
    assert kept == lead_id
    faculty.submit(FORM, {"row_version": str(version), "lifeqi_url": ""})
    assert lead_rows(records)[0][:2] == (None, "")
    assert "cleared the lead of RNU × RP-01" in text(client_as(app, "admin"), "/admin/audit")


def test_faculty_name_leads_only_in_their_networks(app, records):
    records.rollback()
    outside = records.scalar(
        select(Organisation.ods_code)
        .join(Network, Network.id == Organisation.network_id)
        .where(Network.code.not_in(("OXF", "WSX")))
        .limit(1)
    )
    records.rollback()
    faculty = client_as(app, "faculty")
    assert faculty.get(f"/organisations/{outside}/qi-lead").status_code == 403
    assert faculty.get(f"/organisations/{outside}/adoption/RP-01/lead").status_code == 403
    assert "Change the QI lead" not in text(faculty, f"/organisations/{outside}")
    assert "Change the QI lead" in text(faculty, "/organisations/RNU")
    assert "Change the QI lead" not in text(client_as(app, "trust"), "/organisations/RNU")


def test_an_organisations_qi_lead_shows_on_its_page_and_in_the_api_only_with_consent(app, records, token):
    manager = client_as(app, "manager")
    assert manager.submit(QI_FORM, {"row_version": "0", "lead_email": "faculty@demo.invalid"}).status_code == 302
    assert api(app, "/api/v1/organisations/RNU", token["trust"])["qi_lead"] is None
    assert "Demo Faculty Member" not in text(manager, "/organisations/RNU")
    version = records.scalar(select(OrganisationLead.row_version))
    records.rollback()
    manager.submit(QI_FORM, {"row_version": str(version), "lead_email": "faculty@demo.invalid", "lead_agreed": "y"})
    assert "Demo Faculty Member" in text(manager, "/organisations/RNU")
    shown = api(app, "/api/v1/organisations/RNU", token["trust"])["qi_lead"]
    assert shown == {"name": "Demo Faculty Member", "email": "faculty@demo.invalid"}
    assert "named faculty@demo.invalid as the QI lead of RNU" in text(client_as(app, "admin"), "/admin/audit")


def test_names_in_the_api_go_only_to_authenticated_callers(app, records, token):
    client_as(app, "faculty").submit(
        FORM, {"row_version": "0", "lead_email": LEAD, "lead_agreed": "y", "lifeqi_url": PROJECT}
    )
    anonymous = app.test_client()
    for url in ("/api/v1/interventions/RP-01/leads", "/api/v1/organisations/RNU"):
        response = anonymous.get(url)
        assert response.status_code == 401 and LEAD not in response.get_data(as_text=True)
    body = api(app, "/api/v1/interventions/RP-01/leads", token["trust"])
    assert body["organisations"] == [
        {
            "organisation": "RNU",
            "name": body["organisations"][0]["name"],
            "stage": "spreading",
            "since": "2024-08-01",
            "lead": {"name": LEAD_NAME, "email": LEAD},
            "lifeqi_url": PROJECT,
        }
    ]
    assert anonymous.get("/api/v1/interventions/NOPE-1/leads", headers=auth(token["trust"])).status_code == 404


def _name_leads(session, codes: list[str]) -> None:
    """Records of RP-01 at these organisations, each with the demo trust user as its consenting lead."""
    add_events(session, [(ods, "RP-01", "testing", date(2024, 1, 1)) for ods in codes])
    manager = session.scalar(select(User).where(User.email == "manager@demo.invalid"))
    idea = session.scalar(select(ChangeIdea).where(ChangeIdea.code == "RP-01"))
    for ods in codes:
        organisation = session.scalar(select(Organisation).where(Organisation.ods_code == ods))
        services.set_record_lead(
            session, manager, organisation, idea, LeadChoice(LEAD, agreed=True), PROJECT, 0, has_record=True
        )
    session.rollback()


def test_the_idea_pages_trusts_and_leads_take_a_fixed_number_of_statements(app, seeded, statement_counter):
    seeded.rollback()
    codes = list(seeded.scalars(select(Organisation.ods_code).order_by(Organisation.ods_code).limit(4)))
    seeded.rollback()
    client = client_as(app, "trust")
    _name_leads(seeded, codes[:1])
    with statement_counter() as few:
        page = text(client, "/ideas/RP-01")
    assert page.count(f"mailto:{LEAD}") == 1
    _name_leads(seeded, codes[1:])
    with statement_counter() as many:
        page = text(client, "/ideas/RP-01")
    assert page.count(f"mailto:{LEAD}") == 4
    assert len(few) == len(many)
