"""Sign-in with an NHS work account, through the suite's real OpenID Connect provider on loopback.

Every sign-in goes as a browser's would: our start route, the provider's sign-in page over HTTP (where the
test says who signs in), our callback, which exchanges the code with the provider over HTTP and checks the
id_token against its published keys. Nothing is mocked.
"""

from __future__ import annotations

import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from tests.helpers import FormClient
from tests.oidc_provider import NHS_TENANT, OTHER_TENANT, Person, app_settings, authorise_as, sign_in_through
from tracker.admin.services import AccountDetails, create_user
from tracker.models import AuditEvent, Role, User
from tracker.seed import DEMO_PASSWORD

CONTACT = "the Spread Tracker team (spread.tracker@nhs.net)"
ALEX = Person(NHS_TENANT, "0b8e6f5a-1111-4c3e-9d2a-6a1f0c9e7b21", "alex.morgan@nhs.net", "Alex Morgan")


@pytest.fixture
def app(make_app, oidc_provider):
    return make_app(**app_settings(oidc_provider))


def invite(session, email: str = ALEX.email, role: str = "faculty", networks=("WSX",)) -> User:
    """What an administrator's account form does for a person who signs in with a work account."""
    user = create_user(session, AccountDetails(email=email, role=role, name="", networks=list(networks)), None, 1000)
    session.commit()
    return user


def audit_rows(session, action: str) -> list[AuditEvent]:
    session.commit()  # a new snapshot: the requests wrote since
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def users_count(session) -> int:
    session.commit()
    return session.scalar(select(func.count()).select_from(User))


def page(response) -> str:
    return response.get_data(as_text=True)


def test_the_sign_in_page_offers_the_work_account_and_the_password(client):
    text = page(client.get("/sign-in"))
    assert "Sign in with your NHS work account" in text and 'href="/sign-in/oidc"' in text
    assert 'name="password"' in text
    assert f"ask {CONTACT}" in text


def test_without_settings_there_is_no_work_account_button_and_its_routes_are_not_found(make_app):
    plain = make_app()
    client = plain.test_client()
    assert "NHS work account" not in page(client.get("/sign-in"))
    assert client.get("/sign-in/oidc").status_code == 404
    assert client.get("/sign-in/oidc/callback?code=x&state=y").status_code == 404


def test_the_start_asks_for_a_code_with_pkce_s256_a_state_and_a_nonce(client, oidc_provider):
    started = client.get("/sign-in/oidc")
    target = urlsplit(started.headers["Location"])
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}" == oidc_provider.url
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["redirect_uri"] == ["http://localhost/sign-in/oidc/callback"]


def test_the_redirect_uri_setting_names_the_callback_as_registered(make_app, oidc_provider):
    registered = "https://tracker.example.nhs.uk/sign-in/oidc/callback"
    app = make_app(**app_settings(oidc_provider), OIDC_REDIRECT_URI=registered)
    started = app.test_client().get("/sign-in/oidc")
    assert parse_qs(urlsplit(started.headers["Location"]).query)["redirect_uri"] == [registered]


def test_an_invited_person_signs_in_with_the_role_the_administrator_gave(client, seeded):
    invited = invite(seeded)
    signed_in = sign_in_through(client, ALEX)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    home = page(client.get("/"))
    assert "Improvement faculty" in home and "Sign out" in home
    seeded.expire_all()
    user = seeded.get(User, invited.id)
    assert (user.oidc_tenant_id, user.oidc_object_id) == (ALEX.tenant_id, ALEX.object_id)
    assert user.role is Role.FACULTY and [n.code for n in user.networks] == ["WSX"]
    assert user.last_signed_in_at is not None
    assert user.row_version == invited.row_version  # an open edit form of the account is not made stale
    assert [r.detail for r in audit_rows(seeded, "work_account_linked")] == [f"{ALEX.tenant_id}/{ALEX.object_id}"]
    (row,) = audit_rows(seeded, "sign_in")
    assert (row.actor_email, row.actor_role, row.detail) == (ALEX.email, "faculty", "work account")


def test_the_page_asked_for_before_signing_in_is_where_the_person_lands(client, seeded):
    invite(seeded)
    assert client.get("/ambitions").headers["Location"].startswith("/sign-in?next=")
    assert 'href="/sign-in/oidc?next=/ambitions"' in page(client.get("/sign-in?next=/ambitions"))
    signed_in = sign_in_through(client, ALEX, start="/sign-in/oidc?next=/ambitions")
    assert signed_in.headers["Location"] == "/ambitions"


def test_someone_nobody_invited_is_told_whom_to_ask_and_gets_no_account(client, seeded):
    before = users_count(seeded)
    refused = sign_in_through(client, ALEX)
    assert refused.status_code == 403
    text = page(refused)
    assert "You do not have an account yet" in text and f"Ask {CONTACT} to invite {ALEX.email}" in text
    assert users_count(seeded) == before
    assert client.get("/").status_code == 302  # not signed in
    (row,) = audit_rows(seeded, "work_account_refused")
    assert (row.entity_key, row.detail) == (ALEX.email, "no account for this email address")


def test_a_person_of_a_tenant_not_allowed_is_refused_even_when_invited(client, seeded):
    invite(seeded)
    refused = sign_in_through(client, Person(OTHER_TENANT, ALEX.object_id, ALEX.email))
    assert refused.status_code == 403
    assert "Your organisation cannot sign in to Spread Tracker" in page(refused)
    assert client.get("/").status_code == 302
    seeded.expire_all()
    assert seeded.scalar(select(User).filter_by(email=ALEX.email)).oidc_object_id is None
    (row,) = audit_rows(seeded, "work_account_refused")
    assert row.detail == f"organisation (tenant) not allowed: tenant {OTHER_TENANT}"


def test_a_token_whose_issuer_is_another_tenants_is_refused(client, seeded, oidc_provider):
    invite(seeded)
    oidc_provider.misbehave["issuer_tenant"] = OTHER_TENANT
    refused = sign_in_through(client, ALEX)
    assert refused.status_code == 400 and "Sign-in did not complete" in page(refused)
    assert audit_rows(seeded, "work_account_refused")[0].detail == "sign-in not completed: id_token claim iss was wrong"


def test_a_callback_from_a_sign_in_started_elsewhere_is_refused(client, app, seeded, caplog):
    """The state ties the answer to the browser that asked: another browser's callback is refused, and so is
    the same callback a second time. Neither browser has a sign-in under way then, so these go to the log,
    not the audit trail (anyone may send them, as often as they like)."""
    invite(seeded)
    started = client.get("/sign-in/oidc")
    with requests.Session() as browser:
        back = authorise_as(browser, started.headers["Location"], ALEX)
    victim = app.test_client()
    refused = victim.get(back)
    assert refused.status_code == 400 and "Sign-in did not complete" in page(refused)
    assert victim.get("/").status_code == 302
    assert client.get(back).status_code == 302  # the browser that asked signs in
    assert app.test_client().get(back).status_code == 400  # the same answer again
    assert audit_rows(seeded, "work_account_refused") == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "tracker.auth.oidc_routes"]
    assert (
        warnings
        == [
            "work account callback without a sign-in started here: state did not match: not started here, or already used"
        ]
        * 2
    )


def test_a_tampered_state_is_refused(client, seeded):
    invite(seeded)
    started = client.get("/sign-in/oidc")
    with requests.Session() as browser:
        back = authorise_as(browser, started.headers["Location"], ALEX)
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    refused = client.get(f"{parts.path}?code={query['code'][0]}&state=not-the-state")
    assert refused.status_code == 400
    assert client.get("/").status_code == 302
    detail = audit_rows(seeded, "work_account_refused")[0].detail
    assert detail == "sign-in not completed: state did not match: not started here, or already used"


def test_an_id_token_with_another_sign_ins_nonce_is_refused(client, seeded, oidc_provider):
    """A replayed id_token carries the nonce of the sign-in it was issued for, not this one's."""
    invite(seeded)
    oidc_provider.misbehave["nonce"] = "the-nonce-of-an-earlier-sign-in"
    refused = sign_in_through(client, ALEX)
    assert refused.status_code == 400
    assert client.get("/").status_code == 302
    assert (
        audit_rows(seeded, "work_account_refused")[0].detail == "sign-in not completed: id_token claim nonce was wrong"
    )


def test_an_id_token_signed_by_another_key_is_refused(client, seeded, oidc_provider):
    invite(seeded)
    oidc_provider.misbehave["rogue_key"] = True
    refused = sign_in_through(client, ALEX)
    assert refused.status_code == 400
    assert client.get("/").status_code == 302
    seeded.expire_all()
    assert seeded.scalar(select(User).filter_by(email=ALEX.email)).oidc_object_id is None
    detail = audit_rows(seeded, "work_account_refused")[0].detail
    assert detail == "sign-in not completed: id_token signature did not verify"


def test_the_binding_holds_when_the_email_changes_and_refuses_another_identity_with_the_email(app, seeded):
    invite(seeded)
    assert sign_in_through(app.test_client(), ALEX).status_code == 302
    renamed = Person(ALEX.tenant_id, ALEX.object_id, "alex.morgan2@nhs.net")
    assert sign_in_through(app.test_client(), renamed).status_code == 302
    impostor = Person(NHS_TENANT, "ffffffff-2222-4c3e-9d2a-6a1f0c9e7b21", ALEX.email)
    client = app.test_client()
    refused = sign_in_through(client, impostor)
    assert refused.status_code == 403
    assert "This email address belongs to another work account" in page(refused)
    assert client.get("/").status_code == 302
    signed_in = [r.detail for r in audit_rows(seeded, "sign_in")]
    assert signed_in == ["work account", "work account, now alex.morgan2@nhs.net"]
    (row,) = audit_rows(seeded, "work_account_refused")
    assert row.detail == f"email address linked to another work account: {NHS_TENANT}/{impostor.object_id}"
    seeded.expire_all()
    assert seeded.scalar(select(User).filter_by(email=ALEX.email)).oidc_object_id == ALEX.object_id


def test_a_disabled_account_is_refused(client, seeded):
    user = invite(seeded)
    user.active = False
    seeded.commit()
    refused = sign_in_through(client, ALEX)
    assert refused.status_code == 403 and "Your account is disabled" in page(refused)
    assert audit_rows(seeded, "work_account_refused")[0].detail == "account disabled"


def test_signing_out_is_audited_and_the_audit_page_reads_each_step(app, client, seeded):
    invite(seeded)
    sign_in_through(client, ALEX)
    client.submit("/sign-out", page="/")
    assert client.get("/").status_code == 302
    sign_in_through(app.test_client(), Person(OTHER_TENANT, "x-1", "someone@other.example"))
    assert [r.actor_email for r in audit_rows(seeded, "sign_out")] == [ALEX.email]
    client.sign_in_as("admin")
    text = page(client.get("/admin/audit"))
    assert "Faculty member signed in with their NHS work account" in text
    assert f"The account of {ALEX.email} was linked to the NHS work account" in text
    assert "Faculty member signed out" in text
    assert "Sign-in with a work account refused for someone@other.example: organisation (tenant) not allowed" in text


def test_an_administrator_invites_without_a_password_when_work_accounts_are_on(client, seeded):
    client.sign_in_as("admin")
    assert "Leave it empty if they will sign in with their NHS work account" in page(client.get("/admin/users/new"))
    added = client.submit(
        "/admin/users/new", {"email": "Sam.Lee@nhs.net", "role": "manager", "password": "", "confirm_password": ""}
    )
    assert added.status_code == 302
    seeded.expire_all()
    sam = seeded.scalar(select(User).filter_by(email="sam.lee@nhs.net"))
    assert sam.role is Role.MANAGER and sam.oidc_object_id is None
    other = FormClient(client.application.test_client())
    assert other.sign_in("sam.lee@nhs.net", "!").status_code == 200  # no password signs in to it
    assert sign_in_through(other, Person(NHS_TENANT, "sam-oid", "sam.lee@nhs.net")).status_code == 302
    assert "Project manager" in page(other.get("/"))


@pytest.fixture
def no_passwords_app(make_app, oidc_provider):
    return make_app(**app_settings(oidc_provider), PASSWORD_SIGN_IN=False)


def test_with_passwords_off_the_form_is_gone_and_its_post_refused(make_app, no_passwords_app, oidc_provider, seeded):
    client = FormClient(no_passwords_app.test_client())
    text = page(client.get("/sign-in"))
    assert 'name="password"' not in text and "Sign in with your NHS work account" in text
    # The page has no form, so no CSRF token to send: a post with the right password that passes every other
    # check (CSRF off) is still refused.
    unchecked = make_app(**app_settings(oidc_provider), PASSWORD_SIGN_IN=False, WTF_CSRF_ENABLED=False).test_client()
    refused = unchecked.post("/sign-in", data={"email": "admin@demo.invalid", "password": DEMO_PASSWORD})
    assert refused.status_code == 403 and "Signing in with a password is switched off" in page(refused)
    assert unchecked.get("/").status_code == 302
    assert client.post("/sign-in", data={"email": "admin@demo.invalid", "password": DEMO_PASSWORD}).status_code == 400
    assert audit_rows(seeded, "sign_in") == [] and audit_rows(seeded, "sign_in_failed") == []
    invite(seeded, "pat@nhs.net", role="admin", networks=())
    assert sign_in_through(client, Person(NHS_TENANT, "pat-oid", "pat@nhs.net")).status_code == 302
    form = page(client.get("/admin/users/new"))
    assert 'name="password"' not in form and "They sign in with the NHS work account" in form
    assert "Set password" not in page(client.get("/admin/users"))
    assert client.get("/account/password").status_code == 200
    assert "you sign in with your NHS work account" in page(client.get("/account/password"))
    added = client.submit("/admin/users/new", {"email": "kim@nhs.net", "role": "manager"})
    assert added.status_code == 302


def test_the_command_line_invites_a_work_account_without_a_password(app, client, seeded):
    result = app.test_cli_runner().invoke(args=["users", "create", "Pat@nhs.net", "--role", "admin", "--no-password"])
    assert result.exit_code == 0, result.output
    assert result.output == "Created pat@nhs.net (Administrator) to sign in with their NHS work account.\n"
    assert sign_in_through(client, Person(NHS_TENANT, "pat-oid", "pat@nhs.net")).status_code == 302
    assert "Administrator" in page(client.get("/"))


def test_a_person_who_cancels_at_the_provider_is_told_the_sign_in_did_not_complete(client, seeded):
    state = parse_qs(urlsplit(client.get("/sign-in/oidc").headers["Location"]).query)["state"][0]
    refused = client.get(f"/sign-in/oidc/callback?error=access_denied&error_description=cancelled&state={state}")
    assert refused.status_code == 400 and "Sign-in did not complete" in page(refused)
    assert (
        audit_rows(seeded, "work_account_refused")[0].detail == "sign-in not completed: provider answered access_denied"
    )


def test_a_provider_that_does_not_answer_gets_a_clear_page(make_app, oidc_provider, seeded, caplog):
    with socket.socket() as probe:  # a loopback port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = {**app_settings(oidc_provider), "OIDC_DISCOVERY_URL": f"http://127.0.0.1:{port}/x"}
    refused = make_app(**settings).test_client().get("/sign-in/oidc")
    assert refused.status_code == 400 and "Sign-in did not complete" in page(refused)
    (logged,) = [r.getMessage() for r in caplog.records if r.name == "tracker.auth.oidc_routes"]
    assert logged == "work account sign-in could not start: provider unreachable (ConnectionError)"
    assert audit_rows(seeded, "work_account_refused") == []


def test_a_returning_person_signs_in_in_four_statements_and_the_sign_in_page_needs_none(
    app, client, seeded, statement_counter
):
    invite(seeded)
    assert sign_in_through(app.test_client(), ALEX).status_code == 302
    started = client.get("/sign-in/oidc")
    with requests.Session() as browser:
        back = authorise_as(browser, started.headers["Location"], ALEX)
    with statement_counter() as statements:
        assert client.get(back).status_code == 302
    # The account by its work account, its sign-in time, the audit row, the account again for the session.
    assert [s.split()[0] for s in statements] == ["SELECT", "UPDATE", "INSERT", "SELECT"]
    with statement_counter() as page_statements:
        assert app.test_client().get("/sign-in").status_code == 200
    assert page_statements == []


def test_an_administrator_unlinks_a_changed_work_account_so_the_new_one_links(app, client, seeded):
    user = invite(seeded)
    assert sign_in_through(app.test_client(), ALEX).status_code == 302
    moved = Person(NHS_TENANT, "a-new-object-id-after-moving", ALEX.email)
    assert sign_in_through(app.test_client(), moved).status_code == 403
    client.sign_in_as("admin")
    edit = page(client.get(f"/admin/users/{user.id}/edit"))
    assert "Linked at their first sign-in with it" in edit and "Unlink work account" in edit
    unlinked = client.submit(f"/admin/users/{user.id}/work-account/unlink", page=f"/admin/users/{user.id}/edit")
    assert unlinked.status_code == 302
    assert "Not linked yet" in page(client.get(f"/admin/users/{user.id}/edit"))
    assert sign_in_through(app.test_client(), moved).status_code == 302
    seeded.commit()
    assert seeded.get(User, user.id).oidc_object_id == moved.object_id
    assert "Administrator unlinked the NHS work account of alex.morgan@nhs.net" in page(client.get("/admin/audit"))
