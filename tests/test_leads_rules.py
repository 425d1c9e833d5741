"""Whom to ask, as pure rules and sentences: when a lead shows, which project links are taken, how the audit reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from tracker.audit.sentences import Names, changes, sentence
from tracker.leads.rules import HTTPS_ONLY, NOT_AN_ADDRESS, TOO_LONG, Contact, is_life_qi, project_link_problem, shown

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_a_lead_shows_only_while_their_consent_is_in_force_and_their_account_is_active():
    assert shown("Ann Lead", "ann@nhs.net", True, True, None) == Contact("Ann Lead", "ann@nhs.net")
    assert shown("", "ann@nhs.net", True, True, None) == Contact("ann@nhs.net", "ann@nhs.net")
    assert shown("Ann Lead", "ann@nhs.net", True, False, None) is None  # never agreed
    assert shown("Ann Lead", "ann@nhs.net", True, True, NOW) is None  # withdrew
    assert shown("Ann Lead", "ann@nhs.net", False, True, None) is None  # account disabled
    assert shown(None, None, None, False, None) is None  # no lead named


@pytest.mark.parametrize(
    "url, problem",
    [
        ("", None),
        ("https://www.lifeqisystem.com/projects/12345", None),
        ("https://qi.example.nhs.uk/project/7", None),
        ("http://www.lifeqisystem.com/projects/12345", HTTPS_ONLY),
        ("www.lifeqisystem.com/projects/12345", HTTPS_ONLY),
        ("javascript:alert(1)", HTTPS_ONLY),
        ("https://localhost/projects/1", NOT_AN_ADDRESS),
        ("https://www.lifeqisystem.com/my project", NOT_AN_ADDRESS),
        ("https://" + "a" * 495 + ".com", TOO_LONG),
    ],
)
def test_a_project_link_must_be_a_full_https_address(url, problem):
    assert project_link_problem(url) == problem


def test_life_qi_links_are_told_apart():
    assert is_life_qi("https://lifeqisystem.com/p/1") and is_life_qi("https://www.LifeQISystem.com/p/1")
    assert not is_life_qi("https://lifeqisystem.com.evil.example/p/1")


NAMES = Names(
    organisations={1: "RNU"},
    ideas={7: "RP-01"},
    users={5: ("fran@nhs.net", "Fran Faculty"), 9: ("ann@nhs.net", "Ann Lead")},
    lead_records={3: "RNU × RP-01"},
)


@dataclass
class Row:
    action: str
    entity: str = ""
    entity_key: str = ""
    before: dict | None = None
    after: dict | None = None
    detail: str = ""
    actor_role: str = "faculty"
    actor_email: str = "fran@nhs.net"
    actor_id: int | None = 5
    path: str = ""
    remote_addr: str = ""
    at: datetime = NOW
    id: int = 1


CASES = [
    (
        Row(
            "create",
            "adoption_leads",
            "3",
            after={"organisation_id": 1, "change_idea_id": 7, "lead_id": 9, "lifeqi_url": ""},
        ),
        "Faculty member named ann@nhs.net as the lead of RNU × RP-01",
    ),
    (
        Row(
            "create",
            "adoption_leads",
            "3",
            after={"organisation_id": 1, "change_idea_id": 7, "lead_id": 9, "lifeqi_url": "https://x.org/p/1"},
        ),
        "Faculty member named ann@nhs.net as the lead of RNU × RP-01; linked the Life QI project https://x.org/p/1",
    ),
    (
        Row("update", "adoption_leads", "3", before={"lead_id": 9}, after={"lead_id": None}),
        "Faculty member cleared the lead of RNU × RP-01",
    ),
    (
        Row("update", "adoption_leads", "3", before={"lifeqi_url": ""}, after={"lifeqi_url": "https://x.org/p/1"}),
        "Faculty member linked the Life QI project https://x.org/p/1 of RNU × RP-01",
    ),
    (
        Row("update", "adoption_leads", "3", before={"lifeqi_url": "https://x.org/p/1"}, after={"lifeqi_url": ""}),
        "Faculty member removed the Life QI project link of RNU × RP-01",
    ),
    (
        Row("create", "organisation_leads", "1", after={"organisation_id": 1, "lead_id": 9}),
        "Faculty member named ann@nhs.net as the QI lead of RNU",
    ),
    (
        Row("update", "organisation_leads", "1", before={"lead_id": 9}, after={"lead_id": None}),
        "Faculty member cleared the QI lead of RNU",
    ),
    (
        Row("create", "contact_consents", "9", after={"user_id": 9, "given_by_id": 5, "withdrawn_at": None}),
        "Faculty member recorded that ann@nhs.net agreed to be named as a contact",
    ),
    (
        Row(
            "update",
            "contact_consents",
            "9",
            before={"withdrawn_at": None},
            after={"withdrawn_at": NOW.isoformat()},
            actor_role="trust",
            actor_email="ann@nhs.net",
            actor_id=9,
        ),
        "Trust user withdrew their consent to be named as a contact",
    ),
    (
        Row(
            "update",
            "contact_consents",
            "9",
            before={"withdrawn_at": NOW.isoformat()},
            after={"withdrawn_at": None},
            actor_role="trust",
            actor_email="ann@nhs.net",
            actor_id=9,
        ),
        "Trust user agreed to be named as a contact again",
    ),
    (
        Row("create", "contact_consents", "9", after={"user_id": 9, "given_by_id": 9}, actor_role="trust", actor_id=9),
        "Trust user agreed to be named as a contact",
    ),
]


@pytest.mark.parametrize("row, expected", CASES, ids=[c[1][:60] for c in CASES])
def test_whom_to_ask_entries_read_as_sentences(row, expected):
    assert sentence(row, NAMES) == expected


def test_a_lead_change_names_the_people_in_its_changes():
    row = Row("update", "adoption_leads", "3", before={"lead_id": 5}, after={"lead_id": 9})
    assert [(c.label, c.before, c.after) for c in changes(row, NAMES)] == [("Lead", "fran@nhs.net", "ann@nhs.net")]
