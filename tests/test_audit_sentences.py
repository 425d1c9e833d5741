"""Audit rows as sentences (tracker.audit.sentences): pure, on plain rows, for each kind of entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from tracker.audit.sentences import Change, Names, changes, entry, sentence

NAMES = Names(
    organisations={1: "RNU", 2: "RXX"},
    ideas={7: "RP-01"},
    idea_titles={"RP-03": "Safety huddles"},
    users={5: ("fran@nhs.net", "Fran Faculty"), 9: ("x@nhs.net", "")},
    adoptions={3: "RXX × RP-01"},
    drivers={4: "Least restrictive practice"},
    links={6: "RNU and RXX"},
    packages={8: "RP"},
    requests={
        "GET /admin/audit": ("audit.events", {}),
        "POST /ideas/RP-03/edit": ("catalogue.edit_idea", {"code": "RP-03"}),
    },
)


@dataclass
class Row:
    action: str
    entity: str = ""
    entity_key: str = ""
    before: dict | None = None
    after: dict | None = None
    detail: str = ""
    actor_role: str = "manager"
    actor_email: str = "pat@nhs.net"
    actor_id: int | None = None
    path: str = ""
    remote_addr: str = ""
    at: datetime = datetime(2024, 10, 1, 13, 5, tzinfo=UTC)
    id: int = 1


EVENT = {"organisation_id": 2, "change_idea_id": 7, "stage": "implementing", "effective_date": "2024-05-01"}

CASES = [
    (
        Row("create", "adoption_events", "12", after=EVENT | {"channel": "form"}, actor_role="faculty"),
        "Faculty member logged implementing for RXX × RP-01 from 1 May 2024",
    ),
    (
        Row("create", "adoption_events", "13", after=EVENT | {"channel": "api", "corrects_event_id": 12}),
        "Project manager logged implementing for RXX × RP-01 from 1 May 2024, correcting entry 12, through the API",
    ),
    (
        Row(
            "create",
            "adoption_events",
            "14",
            after=EVENT | {"stage": "discontinued", "discontinued_reason": "staffing", "channel": "import"},
        ),
        "Project manager imported discontinued (staffing) for RXX × RP-01 from 1 May 2024",
    ),
    (
        Row(
            "update", "adoptions", "3", {"stage": "testing"}, {"stage": "implementing", "effective_date": "2024-05-01"}
        ),
        "Project manager moved the adoption record of RXX × RP-01 to implementing from 1 May 2024",
    ),
    (
        Row("update", "adoptions", "3", {"last_logged_by_id": 9}, {"last_logged_by_id": 5}),
        "Project manager updated the adoption record of RXX × RP-01 (its current stage stays)",
    ),
    (
        Row("update", "change_ideas", "RP-03", {"title": "Huddles"}, {"title": "Safety huddles"}),
        "Project manager renamed change idea RP-03 from “Huddles” to “Safety huddles”",
    ),
    (
        Row("update", "change_ideas", "RP-03", {"description": "a"}, {"description": "b"}),
        "Project manager changed change idea RP-03 (“Safety huddles”)",
    ),
    (
        Row("update", "change_ideas", "RP-03", {"driver_id": None}, {"driver_id": 4}),
        "Project manager moved change idea RP-03 to the driver “Least restrictive practice”",
    ),
    (
        Row("create", "change_ideas", "RP-09", after={"title": "Sensory rooms", "package_id": 8}),
        "Project manager created change idea RP-09 (“Sensory rooms”)",
    ),
    (
        Row("update", "change_packages", "RP", {"status": "published"}, {"status": "draft"}),
        "Project manager returned change package RP to draft",
    ),
    (
        Row("create", "package_versions", "3", after={"package_id": 8, "number": 2, "snapshot": {"ideas": []}}),
        "Project manager published version 2 of change package RP",
    ),
    (
        Row(
            "create",
            "package_versions",
            "4",
            after={"package_id": 99, "number": 1},
            actor_role="cli",
            actor_email="command line",
        ),
        "Someone at the command line published version 1 of change package number 99",
    ),
    (
        Row("update", "change_ideas", "RP-03", {"retired": False}, {"retired": True}),
        "Project manager retired change idea RP-03 from its package",
    ),
    (
        Row("update", "change_ideas", "RP-03", {"retired": True}, {"retired": False}),
        "Project manager brought change idea RP-03 back into its package",
    ),
    (
        Row("create", "drivers", "4", after={"title": "Least restrictive practice", "package_id": 8}),
        "Project manager added the driver “Least restrictive practice” to change package RP",
    ),
    (
        Row("update", "drivers", "4", {"position": 1}, {"position": 2}),
        "Project manager moved the driver “Least restrictive practice”",
    ),
    (Row("delete", "drivers", "4", before={"title": "Old"}), "Project manager deleted the driver “Old”"),
    (
        Row("update", "users", "x@nhs.net", {"active": True}, {"active": False}, actor_role="admin"),
        "Administrator disabled the account of x@nhs.net",
    ),
    (
        Row("update", "users", "x@nhs.net", {"role": "trust"}, {"role": "faculty"}, actor_role="admin"),
        "Administrator changed the role of x@nhs.net from trust staff to improvement faculty",
    ),
    (
        Row("create", "users", "x@nhs.net", after={"role": "manager"}, actor_role="admin"),
        "Administrator created the account of x@nhs.net (project manager)",
    ),
    (
        Row("create", "api_tokens", "st_abc", after={"user_id": 9}, actor_role="cli", actor_email="command line"),
        "Someone at the command line issued API token st_abc… to x@nhs.net",
    ),
    (
        Row("update", "api_tokens", "st_abc", {"revoked_at": None}, {"revoked_at": "2024-10-01T13:05:00+00:00"}),
        "Project manager revoked API token st_abc…",
    ),
    (
        Row(
            "create",
            "api_tokens",
            "st_abc",
            after={"user_id": 9, "name": "Power BI", "scope": "read", "expires_at": "2025-03-01T12:00:00+00:00"},
            actor_role="admin",
        ),
        "Administrator issued API token st_abc… “Power BI” (read only, until 1 March 2025 at 12:00) to x@nhs.net",
    ),
    (
        Row(
            "update",
            "api_tokens",
            "st_abc",
            {"revoked_at": None},
            {"revoked_at": "2024-10-01T13:05:00+00:00"},
            detail="“Power BI” of x@nhs.net",
            actor_role="admin",
        ),
        "Administrator revoked API token st_abc… “Power BI” of x@nhs.net",
    ),
    (
        Row(
            "restored",
            detail="from tracker-2024-10-01.dump, made at migration 9c4e2a7b1f06",
            actor_role="cli",
            actor_email="command line",
        ),
        "Someone at the command line restored the database from a backup "
        "(from tracker-2024-10-01.dump, made at migration 9c4e2a7b1f06)",
    ),
    (
        Row("update", "organisations", "RNU", {"closed_on": None}, {"closed_on": "2024-10-01", "successor_id": 2}),
        "Project manager closed organisation RNU on 1 October 2024, succeeded by RXX",
    ),
    (
        Row("update", "organisations", "RNU", {"membership": "unverified"}, {"membership": "member"}),
        "Project manager marked organisation RNU as member",
    ),
    (
        Row("update", "networks", "WSX", {"name": "Wessex AHSN"}, {"name": "Health Innovation Wessex"}),
        "Project manager renamed network WSX from “Wessex AHSN” to “Health Innovation Wessex”",
    ),
    (
        Row("update", "learning_links", "6", {"status": "proposed"}, {"status": "confirmed"}),
        "Project manager confirmed the learning link between RNU and RXX",
    ),
    (
        Row("delete", "learning_links", "99", before={"source_id": 1, "target_id": 2}),
        "Project manager removed the learning link between RNU and RXX",
    ),
    (
        Row("sign_in_refused", "users", "x@nhs.net", detail="Too many failed attempts. Wait 4 seconds and try again."),
        "Sign-in refused for x@nhs.net: too many failed attempts in a row",
    ),
    (
        Row("sign_in", "users", "x@nhs.net", detail="work account", actor_role="trust"),
        "Trust user signed in with their NHS work account",
    ),
    (Row("sign_in", "users", "x@nhs.net", actor_role="trust"), "Trust user signed in"),
    (
        Row("sign_in", "users", "x@nhs.net", detail="password and security code", actor_role="admin"),
        "Administrator signed in with their password and a security code",
    ),
    (
        Row("sign_in", "users", "x@nhs.net", detail="password and recovery code", actor_role="manager"),
        "Project manager signed in with their password and a recovery code",
    ),
    (
        Row("sign_in", "users", "x@nhs.net", detail="password and a newly set up authenticator app"),
        "Project manager signed in with their password and a code from the authenticator app they had just set up",
    ),
    (
        Row("work_account_refused", "users", "x@nhs.net", detail="no account for this email address"),
        "Sign-in with a work account refused for x@nhs.net: no account for this email address",
    ),
    (
        Row("work_account_refused", "users", "", detail="sign-in not completed: id_token signature did not verify"),
        "Sign-in with a work account refused for someone not identified: sign-in not completed: "
        "id_token signature did not verify",
    ),
    (
        Row(
            "update",
            "users",
            "x@nhs.net",
            {"oidc_tenant_id": "t", "oidc_object_id": "o", "session_token": "(hidden)"},
            {"oidc_tenant_id": None, "oidc_object_id": None, "session_token": "(hidden)"},
            actor_role="admin",
        ),
        "Administrator unlinked the NHS work account of x@nhs.net",
    ),
    (
        Row("work_account_linked", "users", "x@nhs.net", detail="tid/oid", actor_role="faculty"),
        "The account of x@nhs.net was linked to the NHS work account that signed in to it for the first time",
    ),
    (
        Row("password_set", "users", "x@nhs.net", detail="sessions ended", actor_role="admin"),
        "Administrator set the password of x@nhs.net; every session of the account ended",
    ),
    # MFA (tracker.auth.mfa).
    (
        Row("mfa_enrolled", "users", "pat@nhs.net"),
        "Project manager set up MFA",
    ),
    (
        Row("mfa_enrolled", "users", "pat@nhs.net", detail="a new authenticator app replaced the old one"),
        "Project manager set up MFA; the new authenticator app replaced the old one",
    ),
    (
        Row("mfa_failed", "users", "pat@nhs.net", detail="sign-in: code already used"),
        "Wrong security code for pat@nhs.net (sign-in: code already used)",
    ),
    (
        Row("mfa_locked", "users", "pat@nhs.net", detail="sign-in: wrong code"),
        "Security codes locked for pat@nhs.net after too many wrong codes (sign-in: wrong code)",
    ),
    (
        Row("mfa_refused", "users", "pat@nhs.net", detail="Too many failed attempts. Wait 2 seconds and try again."),
        "Security code refused for pat@nhs.net: too many wrong codes",
    ),
    (
        Row("recovery_code_used", "users", "pat@nhs.net", detail="9 left, at sign-in"),
        "Project manager used a recovery code (9 left, at sign-in)",
    ),
    (Row("mfa_removed", "users", "pat@nhs.net", actor_role="trust"), "Trust user turned MFA off for their account"),
    (
        Row("mfa_reset", "users", "x@nhs.net", detail="sessions ended", actor_role="admin"),
        "Administrator reset the MFA of x@nhs.net; every session of the account ended and it must set MFA up again",
    ),
    (
        Row("reauth_failed", "users", "pat@nhs.net", detail="wrong password"),
        "Confirming it was them failed for pat@nhs.net: wrong password",
    ),
    (
        Row("denied", detail="Answered 403", path="GET /admin/audit", actor_role="trust"),
        "Refused: a trust user tried to open the audit log (403)",
    ),
    (
        Row("denied", detail="Answered 403", path="POST /ideas/RP-03/edit", actor_role="admin"),
        "Refused: an administrator tried to edit change idea RP-03 (403)",
    ),
    (
        Row("denied", detail="Answered 401", path="GET /nowhere?x=1", actor_role="anonymous", actor_email=""),
        "Refused: someone not signed in tried to open /nowhere (401)",
    ),
    # Following (tracker.reminders.follows) and the weekly email digest setting, each a personal setting kept
    # in the trail like the others.
    (
        Row(
            "create",
            "follows",
            "4",
            after={"user_id": 5, "change_idea_id": 7, "organisation_id": None},
            actor_role="faculty",
            actor_id=5,
        ),
        "Faculty member followed change idea RP-01",
    ),
    (
        Row(
            "delete",
            "follows",
            "4",
            before={"user_id": 5, "change_idea_id": None, "organisation_id": 1},
            actor_role="faculty",
            actor_id=5,
        ),
        "Faculty member stopped following organisation RNU",
    ),
    (
        Row(
            "update",
            "users",
            "fran@nhs.net",
            {"email_reminders": True},
            {"email_reminders": False},
            actor_role="faculty",
        ),
        "Faculty member turned the weekly email digest off for fran@nhs.net",
    ),
    # Kinds this module does not know yet still read as words.
    (
        Row("update", "package_resources", "17", {"title": "a"}, {"title": "b"}),
        "Project manager changed package resource 17",
    ),
    (Row("closure_confirmed", "organisations", "RNU"), "Project manager: closure confirmed (organisation RNU)"),
]


@pytest.mark.parametrize("row, expected", CASES, ids=[c[1][:60] for c in CASES])
def test_each_kind_of_entry_reads_as_a_sentence(row, expected):
    assert sentence(row, NAMES) == expected


def test_changes_are_in_words_with_dates_and_times_for_people():
    row = Row(
        "create",
        "adoption_events",
        "12",
        after=EVENT | {"id": 12, "logged_by_id": 5, "logged_at": "2024-10-01T13:05:00+00:00", "wards_using": None},
    )
    assert changes(row, NAMES) == [
        Change("Organisation", None, "RXX"),
        Change("Change idea", None, "RP-01"),
        Change("Stage", None, "implementing"),
        Change("Date it took effect", None, "1 May 2024"),
        Change("Logged by", None, "fran@nhs.net"),
        Change("Logged at", None, "1 October 2024 at 14:05"),
        Change("Wards using it", None, "none"),
    ]
    update = Row("update", "organisations", "RNU", {"closed_on": None}, {"closed_on": "2024-10-01"})
    assert changes(update, NAMES) == [Change("Closed on", "none", "1 October 2024")]


def test_an_entry_says_when_in_uk_time_and_who_by_name():
    shown = entry(
        Row("sign_in", "users", "fran@nhs.net", actor_role="faculty", actor_email="fran@nhs.net", actor_id=5), NAMES
    )
    assert (shown.when, shown.who, shown.sentence) == (
        "1 October 2024 at 14:05",
        "Fran Faculty (fran@nhs.net)",
        "Faculty member signed in",
    )


def test_how_a_password_sign_in_was_completed_is_said_once():
    """The sentence says the second factor; the note does not repeat the stored detail."""
    shown = entry(Row("sign_in", "users", "x@nhs.net", detail="password and security code"), NAMES)
    assert shown.sentence.endswith("signed in with their password and a security code") and shown.note == ""


def test_a_prune_from_before_it_removed_import_files_says_nothing_of_them():
    counts = {"audit_entries": 2, "sign_in_attempts": 0, "sign_in_throttles": 1, "anonymous_denials": 1}
    older = Row("pruned", after={"days": 30, "before": "2026-05-01T00:00:00+00:00", **counts}, actor_role="cli")
    assert sentence(older, NAMES).endswith("1 hourly count of anonymous refusals")
    newer = Row("pruned", after={"days": 30, "before": "2026-05-01T00:00:00+00:00", **counts, "checked_uploads": 3})
    assert sentence(newer, NAMES).endswith("; and 3 checked import files nobody could confirm any more")
