"""Passwords built from the service's own words are refused; the demo password is for the demo accounts alone."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tests.helpers import FormClient
from tracker.admin import services as admin_services
from tracker.auth.password_words import built_from_words, words_of
from tracker.auth.passwords import DEMO_ONLY, SERVICE_WORDS_USED, password_problem, verify_password
from tracker.models import User
from tracker.seed import DEMO_PASSWORD

GOOD = "amber kettle lantern orchard"
TRUST = "trust@demo.invalid"


@pytest.mark.parametrize(
    "password",
    [
        "SpreadTracker2026!",
        "Spr3ad-Tr4ck3r-NHS",
        "nhs-spread-nhs-spread",
        "TRACKERtracker1234",
        "spread tracker demo 2025",
    ],
)
def test_passwords_of_the_service_words_are_refused(password):
    assert password_problem(password) == SERVICE_WORDS_USED


def test_the_email_local_part_and_given_words_count_too():
    assert password_problem("jones-spread-2026!", email="jones@example.nhs.uk") == SERVICE_WORDS_USED
    assert password_problem("jones-spread-2026!", email="other@example.nhs.uk") != SERVICE_WORDS_USED
    organisation = words_of("Oxford Health NHS Foundation Trust")
    assert organisation == {"oxford", "health", "foundation", "trust"}
    assert password_problem("OxfordHealthTrust1!", words=organisation) == SERVICE_WORDS_USED


def test_a_passphrase_that_mentions_a_service_word_is_still_fine():
    assert password_problem(GOOD) is None
    assert password_problem("spread amber kettle lantern orchard") is None
    assert not built_from_words("granite lantern orbit", ())


def test_the_demo_password_is_refused_with_its_own_message():
    assert password_problem(DEMO_PASSWORD) == DEMO_ONLY


def stored_hash(session, email: str) -> str:
    session.rollback()
    value = session.scalar(select(User.password_hash).where(User.email == email))
    session.rollback()
    return value


def change(client: FormClient, current: str, new: str):
    return client.submit(
        "/account/password",
        {"current_password": current, "new_password": new, "confirm_password": new},
    )


def test_changing_your_password_refuses_service_and_organisation_words(seeded, signed_in):
    client = signed_in("trust")
    before = stored_hash(seeded, TRUST)
    # The trust user's organisation is Oxford Health NHS Foundation Trust: its words are known to the service.
    for refused in ("Spr3adTracker-2026!", "oxford-health-2026!!"):
        response = change(client, DEMO_PASSWORD, refused)
        assert response.status_code == 200
        assert SERVICE_WORDS_USED in html.unescape(response.get_data(as_text=True))
    assert stored_hash(seeded, TRUST) == before


def test_a_non_demo_account_may_not_be_given_the_demo_password(seeded, signed_in):
    client = signed_in("trust")
    assert change(client, DEMO_PASSWORD, GOOD).status_code == 302
    # Back to the demo password, from an account that no longer has it: refused.
    response = change(client, GOOD, DEMO_PASSWORD)
    assert DEMO_ONLY in html.unescape(response.get_data(as_text=True))
    assert verify_password(stored_hash(seeded, TRUST), GOOD)


def test_the_admin_pages_refuse_the_demo_password(seeded, signed_in):
    admin = signed_in("admin")
    data = {"email": "new.person@example.nhs.uk", "name": "New Person", "role": "trust", "organisation": "RNU"}
    response = admin.submit("/admin/users/new", {**data, "password": DEMO_PASSWORD, "confirm_password": DEMO_PASSWORD})
    assert response.status_code == 200 and DEMO_ONLY in html.unescape(response.get_data(as_text=True))
    assert seeded.scalar(select(User).filter_by(email="new.person@example.nhs.uk")) is None
    seeded.rollback()
    user_id = seeded.scalar(select(User.id).filter_by(email=TRUST))
    before = stored_hash(seeded, TRUST)
    response = admin.submit(
        f"/admin/users/{user_id}/password", {"password": "NHS-Tracker-2026!", "confirm_password": "NHS-Tracker-2026!"}
    )
    assert SERVICE_WORDS_USED in html.unescape(response.get_data(as_text=True))
    assert stored_hash(seeded, TRUST) == before


def test_the_cli_refuses_the_demo_password_and_service_words(seeded, app):
    runner = app.test_cli_runner()
    for password, message in ((DEMO_PASSWORD, DEMO_ONLY), ("spread-tracker-nhs-1", SERVICE_WORDS_USED)):
        result = runner.invoke(
            args=["users", "create", "cli.person@example.nhs.uk", "--role", "manager", "--password-stdin"],
            input=password + "\n",
        )
        assert result.exit_code == 1 and message in result.output
    assert seeded.scalar(select(User).filter_by(email="cli.person@example.nhs.uk")) is None


def test_the_service_checks_organisation_words_the_form_cannot_know(seeded):
    user = seeded.scalar(select(User).filter_by(email=TRUST))
    with pytest.raises(admin_services.AccountError) as refused:
        admin_services.reset_password(seeded, user, "berkshire-healthcare-1", 1_000)
    assert refused.value.errors == {"password": SERVICE_WORDS_USED}
