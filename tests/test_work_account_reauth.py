"""Confirming it is you with an NHS work account, for an administrator who has no password.

Before a sensitive change (here: another account's role) the confirm page sends such a person to their
organisation's sign-in page again, asking for a fresh sign-in (`prompt=login`, `max_age=0`), and takes
back only their own work account, signed in after they were sent. Everything goes through the suite's real
OpenID Connect provider (tests/oidc_provider.py) over HTTP, with a browser (a requests.Session) that the
provider remembers, as Entra remembers who signed in.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from tests.helpers import FormClient, page_text
from tests.oidc_provider import NHS_TENANT, Person, app_settings, authorise_as
from tracker.admin.services import AccountDetails, create_user
from tracker.auth import oidc_client, work_account_reauth
from tracker.models import AuditEvent, User
from tracker.models.accounts import NO_PASSWORD

PAT = Person(NHS_TENANT, "5d1e7c3a-2222-4f4e-8a1b-0c9d8e7f6a5b", "pat.okafor@nhs.net", "Pat Okafor")
SAM = Person(NHS_TENANT, "9a8b7c6d-3333-4e2f-9b1c-1d2e3f4a5b6c", "sam.lee@nhs.net", "Sam Lee")
TRUST = "trust@demo.invalid"


@pytest.fixture
def app(make_app, oidc_provider):
    return make_app(**app_settings(oidc_provider))


@pytest.fixture
def browser():
    """The person's browser at the provider: it keeps the provider's cookie between visits."""
    with requests.Session() as session:
        yield session


def invite(session, person: Person, role: str = "admin") -> User:
    """An account that signs in only with its work account: no password."""
    user = create_user(session, AccountDetails(email=person.email, role=role, name=person.name), None, 1000)
    session.commit()
    return user


def signed_in_admin(app, seeded, browser) -> FormClient:
    """Pat, an administrator without a password, signed in with the work account a while ago."""
    invite(seeded, PAT)
    client = FormClient(app.test_client())
    started = client.get("/sign-in/oidc")
    assert client.get(authorise_as(browser, started.headers["Location"], PAT)).status_code == 302
    with client.session_transaction() as s:
        s["proved_at"] -= 11 * 60  # past REAUTH_MINUTES: a sensitive change asks again
    return client


def role_change(seeded) -> tuple[str, dict]:
    trust = seeded.scalar(select(User).filter_by(email=TRUST))
    seeded.commit()
    form = {"name": trust.name, "role": "faculty", "networks": ["OXF"], "active": "y", "row_version": trust.row_version}
    return f"/admin/users/{trust.id}/edit", form


def role_of(session, email: str) -> str:
    session.commit()
    return session.scalar(select(User.role).where(User.email == email)).value


def failures(session) -> list[str]:
    session.commit()
    return list(session.scalars(select(AuditEvent.detail).filter_by(action="reauth_failed").order_by(AuditEvent.id)))


def to_provider(client, next_url: str) -> str:
    """From the confirm page's button to the provider: the authorisation URL."""
    sent = client.get(f"/account/confirm/work-account?next={next_url}")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    return sent.headers["Location"]


def test_an_administrator_without_a_password_confirms_by_signing_in_again(app, seeded, browser, statement_counter):
    client = signed_in_admin(app, seeded, browser)
    edit, form = role_change(seeded)
    asked = client.submit(edit, form)
    assert asked.headers["Location"] == f"/account/confirm?next={edit}"
    assert role_of(seeded, TRUST) == "trust", "nothing changed"
    confirm = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "Sign in again with your NHS work account" in confirm
    assert f'href="/account/confirm/work-account?next={edit}"' in confirm
    assert 'name="password"' not in confirm  # Pat has none
    authorise = to_provider(client, edit)
    query = parse_qs(urlsplit(authorise).query)
    assert (query["prompt"], query["max_age"]) == (["login"], ["0"])
    # The provider remembers Pat's sign-in, but was asked for a fresh one: its sign-in page again.
    back = authorise_as(browser, authorise, PAT)
    with statement_counter() as statements:
        returned = client.get(back)
    assert returned.status_code == 302 and returned.headers["Location"] == edit
    # The signed-in account with its networks' ids, as on every page: the check itself reads and writes nothing.
    [found] = statements
    assert "FROM users" in found and "user_networks" in found and "session_token" in found
    assert client.submit(edit, form).status_code == 302
    assert role_of(seeded, TRUST) == "faculty"
    assert failures(seeded) == []
    seeded.commit()
    assert len(seeded.scalars(select(AuditEvent).filter_by(action="sign_in")).all()) == 1  # confirming is no sign-in


def test_without_prompt_the_provider_answers_from_its_remembered_sign_in(app, seeded, browser):
    """What prompt=login and max_age=0 are for: the provider's single sign-on answers at once otherwise."""
    signed_in_admin(app, seeded, browser)
    other = app.test_client()
    started = other.get("/sign-in/oidc")
    answered = browser.get(started.headers["Location"], allow_redirects=False, timeout=10)
    assert answered.status_code == 302 and "/sign-in/oidc/callback?" in answered.headers["Location"]


def test_another_work_account_is_refused_and_the_session_stays_pats(app, seeded, browser):
    client = signed_in_admin(app, seeded, browser)
    invite(seeded, SAM)  # an administrator too: signing in as Sam must not confirm Pat
    edit, form = role_change(seeded)
    back = authorise_as(browser, to_provider(client, edit), SAM)
    refused = client.get(back)
    assert refused.status_code == 403
    text = page_text(refused.get_data(as_text=True))
    assert "That was a different work account" in text and PAT.email in text
    assert f'href="/account/confirm?next={edit}"' in refused.get_data(as_text=True)  # try again
    assert client.submit(edit, form).headers["Location"] == f"/account/confirm?next={edit}", "not confirmed"
    assert "Pat Okafor" in client.get("/").get_data(as_text=True)
    assert failures(seeded) == [f"another work account signed in ({NHS_TENANT}/{SAM.object_id})"]
    assert role_of(seeded, TRUST) == "trust"


def test_a_provider_that_answers_from_an_old_sign_in_is_refused(app, seeded, browser, oidc_provider):
    client = signed_in_admin(app, seeded, browser)
    oidc_provider.misbehave["ignore_prompt"] = True  # single sign-on whatever it was asked
    oidc_provider.age_sign_ins(3600)  # Pat signed in there an hour ago
    edit, form = role_change(seeded)
    answered = browser.get(to_provider(client, edit), allow_redirects=False, timeout=10)
    assert answered.status_code == 302, "no sign-in page: the remembered sign-in answered"
    refused = client.get(answered.headers["Location"])
    assert refused.status_code == 403
    assert "did not ask you to sign in again" in page_text(refused.get_data(as_text=True))
    assert client.submit(edit, form).headers["Location"].startswith("/account/confirm")
    (detail,) = failures(seeded)
    assert re.fullmatch(
        r"the provider did not ask them to sign in again \(signed in 3,6\d\d seconds before .*\)", detail
    )


def test_an_id_token_without_auth_time_is_refused(app, seeded, browser, oidc_provider):
    client = signed_in_admin(app, seeded, browser)
    oidc_provider.misbehave["no_auth_time"] = True
    edit, _form = role_change(seeded)
    refused = client.get(authorise_as(browser, to_provider(client, edit), PAT))
    assert refused.status_code == 403
    assert "the time of sign-in (auth_time)" in page_text(refused.get_data(as_text=True))
    assert failures(seeded) == ["the provider did not say when they signed in (no auth_time)"]


def test_a_tampered_answer_is_refused_and_audited(app, seeded, browser):
    client = signed_in_admin(app, seeded, browser)
    back = authorise_as(browser, to_provider(client, "/admin/users"), PAT)
    code = parse_qs(urlsplit(back).query)["code"][0]
    refused = client.get(f"/sign-in/oidc/callback?code={code}&state=not-the-state")
    assert refused.status_code == 400 and "Confirming it is you did not complete" in refused.get_data(as_text=True)
    assert failures(seeded) == [
        "work account sign-in not completed (state did not match: not started here, or already used)"
    ]
    assert "Pat Okafor" in client.get("/").get_data(as_text=True)  # still signed in, as before


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_only_a_page_of_this_site_is_where_the_confirmation_returns(app, seeded, browser, next_url):
    client = signed_in_admin(app, seeded, browser)
    sent = client.get("/account/confirm/work-account", query_string={"next": next_url})
    returned = client.get(authorise_as(browser, sent.headers["Location"], PAT))
    assert returned.status_code == 302 and returned.headers["Location"] == "/"


def test_an_account_without_a_password_cannot_post_one(app, seeded, browser):
    client = signed_in_admin(app, seeded, browser)
    token = client.csrf_token("/admin/users")
    posted = client.post("/account/confirm", data={"password": "anything at all", "csrf_token": token})
    assert posted.status_code == 403
    assert failures(seeded) == []


def test_password_accounts_keep_the_password_and_only_linked_ones_see_the_work_account(app, seeded, browser):
    password_admin = FormClient(app.test_client())
    password_admin.sign_in_as("admin")
    page = password_admin.get("/account/confirm").get_data(as_text=True)
    assert 'name="password"' in page and "work account" not in page
    assert password_admin.get("/account/confirm/work-account").status_code == 404  # not linked to one
    linked = signed_in_admin(app, seeded, browser)
    assert linked.get("/account/confirm").status_code == 200


def test_the_audit_page_says_whose_confirmation_failed(app, seeded, browser):
    client = signed_in_admin(app, seeded, browser)
    invite(seeded, SAM)
    client.get(authorise_as(browser, to_provider(client, "/"), SAM))
    client.get(authorise_as(browser, to_provider(client, "/admin/audit"), PAT))
    text = page_text(client.get("/admin/audit?action=reauth_failed").get_data(as_text=True))
    assert (
        f"Confirming it was them failed for {PAT.email}: another work account signed in ({NHS_TENANT}/{SAM.object_id})"
        in text
    )


@pytest.mark.parametrize(
    ("auth_time", "refused"),
    [(1_000_000, None), (1_000_000 - 60, None), (1_000_000 - 61, "the provider did not ask them to sign in again")],
)
def test_a_sign_in_counts_as_fresh_from_a_minute_before_the_person_was_sent(auth_time, refused):
    """The provider's clock may be a little behind ours: up to CLOCK_SKEW_SECONDS is forgiven, no more."""
    user = User(email=PAT.email, oidc_tenant_id=PAT.tenant_id, oidc_object_id=PAT.object_id)
    identity = oidc_client.Identity(PAT.tenant_id, PAT.object_id, PAT.email, PAT.name, auth_time)
    found = work_account_reauth.check(user, identity, 1_000_000.0, (NHS_TENANT,))
    assert (found[0].value if found else None) == refused


def test_an_account_without_a_password_is_told_it_has_none_to_change(app, seeded, browser):
    """Not sent to confirm it is them first: there is nothing to confirm for."""
    client = signed_in_admin(app, seeded, browser)
    page = client.get("/account/password")
    assert page.status_code == 200
    assert "have no password on this service, so there is none to change" in page.get_data(as_text=True)
    token = client.csrf_token("/admin/users")
    posted = client.post(
        "/account/password",
        data={"current_password": "x", "new_password": "river-granite-lantern-9", "csrf_token": token},
    )
    assert posted.status_code == 403
    assert seeded.scalar(select(User.password_hash).where(User.email == PAT.email)) == NO_PASSWORD
