"""Signing in and out, throttling, session cookies, password changes, safe redirects, CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.helpers import BASE_CONFIG, FormClient
from tracker import create_app
from tracker import db as tracker_db
from tracker.auth import services
from tracker.auth.passwords import TOO_EASY, TOO_SHORT, verify_password
from tracker.auth.session import safe_next
from tracker.models import SignInAttempts, User, utcnow
from tracker.seed import DEMO_PASSWORD

TRUST = "trust@demo.invalid"
GOOD_PASSWORD = "amber kettle lantern orchard"
POLICY = services.ThrottlePolicy(
    free_failures=3,
    lock_after=10,
    lock_minutes=15,
    window_minutes=15,
    hash_iterations=1_000,
)


def page(response) -> str:
    return response.get_data(as_text=True)


def read(session, query):
    """One row as it is now, detached, with the transaction ended.

    The test's session writes (BEGIN IMMEDIATE on SQLite): left open, it would hold the write lock
    while the app, serving the test client, waits for it.
    """
    session.rollback()
    row = session.scalar(query)
    if row is not None:
        session.expunge(row)
    session.rollback()
    return row


def attempts(session, email: str) -> SignInAttempts | None:
    return read(session, select(SignInAttempts).where(SignInAttempts.email == email))


def user(session, email: str) -> User:
    return read(session, select(User).where(User.email == email))


def fresh_client(app, cookie: str | None = None) -> FormClient:
    client = FormClient(app.test_client())
    if cookie is not None:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return client


def session_cookie(client, app) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


# --- signing in -------------------------------------------------------------------------------


def test_sign_in_page_is_public_and_has_a_csrf_token(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert 'name="csrf_token"' in page(response)
    assert 'autocomplete="current-password"' in page(response)


def test_pages_send_anonymous_visitors_to_sign_in_with_next(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/account/password"


@pytest.mark.parametrize("email", [TRUST, "TRUST@Demo.Invalid", "  trust@demo.invalid  "])
def test_sign_in_by_email_in_any_case(seeded, client, email):
    response = client.sign_in(email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/account/password").status_code == 200
    assert user(seeded, TRUST).last_signed_in_at is not None


def test_wrong_password_and_unknown_email_get_the_same_answer(seeded, client):
    wrong = client.sign_in(TRUST, "not the password at all")
    unknown = client.sign_in("nobody@demo.invalid", "not the password at all")
    assert wrong.status_code == unknown.status_code == 200
    assert services.BAD_CREDENTIALS in page(wrong)
    assert services.BAD_CREDENTIALS in page(unknown)
    assert "There is a problem" in page(wrong)
    # Both count, in the database, so every server process sees them.
    assert attempts(seeded, TRUST).failures == 1
    assert attempts(seeded, "nobody@demo.invalid").failures == 1


def test_missing_fields_are_named(client):
    response = client.submit("/sign-in", {"email": "", "password": ""})
    assert "Enter your email address" in page(response)
    assert "Enter your password" in page(response)


def test_disabled_accounts_cannot_sign_in(seeded, client):
    seeded.execute(update(User).where(User.email == TRUST).values(active=False))
    seeded.commit()
    response = client.sign_in(TRUST)
    assert response.status_code == 200
    assert services.BAD_CREDENTIALS in page(response)


def test_success_clears_the_failure_count(seeded, client):
    client.sign_in(TRUST, "wrong password one")
    client.sign_in(TRUST, "wrong password two")
    assert attempts(seeded, TRUST).failures == 2
    assert client.sign_in(TRUST).status_code == 302
    assert attempts(seeded, TRUST) is None


def test_signing_in_does_not_make_an_open_edit_form_stale(seeded, client):
    before = user(seeded, TRUST).row_version
    client.sign_in(TRUST)
    assert user(seeded, TRUST).row_version == before


# --- throttling, with a clock the test controls --------------------------------------------------


def fail(session, email: str, at, times: int = 1) -> services.SignInResult:
    result = None
    for _ in range(times):
        result = services.sign_in(session, email, "wrong password", POLICY, now=at)
    return result


def test_after_the_free_failures_each_attempt_must_wait_twice_as_long(seeded):
    t0 = utcnow()
    assert fail(seeded, TRUST, t0, times=3).error == services.BAD_CREDENTIALS
    # The fourth attempt at once must wait 2^(3-3) = 1 second, even with the right password.
    refused = services.sign_in(seeded, TRUST, DEMO_PASSWORD, POLICY, now=t0)
    assert refused.user is None and "Wait 1 second " in refused.error
    assert attempts(seeded, TRUST).failures == 3  # a refused attempt is not a failure
    # After the wait it is checked again: wrong, so the fifth must wait 2 seconds.
    assert fail(seeded, TRUST, t0 + timedelta(seconds=1)).error == services.BAD_CREDENTIALS
    assert (
        "Wait 2 seconds" in services.sign_in(seeded, TRUST, DEMO_PASSWORD, POLICY, now=t0 + timedelta(seconds=1)).error
    )
    assert fail(seeded, TRUST, t0 + timedelta(seconds=3)).error == services.BAD_CREDENTIALS
    assert (
        "Wait 4 seconds" in services.sign_in(seeded, TRUST, DEMO_PASSWORD, POLICY, now=t0 + timedelta(seconds=3)).error
    )
    # Waited: the right password works and the count is cleared.
    assert services.sign_in(seeded, TRUST, DEMO_PASSWORD, POLICY, now=t0 + timedelta(seconds=7)).user is not None
    assert attempts(seeded, TRUST) is None


def lock_out(session, email: str, t0):
    """Fail POLICY.lock_after times, each just after the wait the previous one imposed; the last one's time."""
    at = t0
    for n in range(POLICY.lock_after):
        assert fail(session, email, at).error == services.BAD_CREDENTIALS
        last, at = at, at + POLICY.wait_after(n + 1)
    return last


@pytest.mark.parametrize("email", [TRUST, "nobody@demo.invalid"], ids=["known", "unknown"])
def test_many_failures_lock_the_address_even_for_the_right_password(seeded, email):
    t0 = utcnow()
    at = lock_out(seeded, email, t0)
    record = attempts(seeded, email)
    assert record.failures == POLICY.lock_after
    assert record.locked_until is not None
    right = DEMO_PASSWORD if email == TRUST else "anything"
    refused = services.sign_in(seeded, email, right, POLICY, now=at)
    assert refused.user is None
    assert "Too many failed attempts to sign in with this email address" in refused.error
    assert "Try again in 15 minutes." in refused.error
    # Still locked a minute before the end, open at the end.
    end = record.locked_until
    assert services.sign_in(seeded, email, right, POLICY, now=end - timedelta(minutes=1)).user is None
    if email == TRUST:
        assert services.sign_in(seeded, email, DEMO_PASSWORD, POLICY, now=end).user is not None
        assert attempts(seeded, email) is None


def test_old_failures_are_forgotten(seeded):
    t0 = utcnow()
    fail(seeded, TRUST, t0, times=3)
    later = t0 + timedelta(minutes=POLICY.window_minutes + 1)
    assert services.sign_in(seeded, TRUST, DEMO_PASSWORD, POLICY, now=later).user is not None


def test_the_wait_is_shown_through_the_web(seeded, client):
    for _ in range(3):
        assert services.BAD_CREDENTIALS in page(client.sign_in(TRUST, "wrong password"))
    # Five more failures (2^5 = 32 seconds to wait), so a slow machine cannot outlast the wait.
    seeded.execute(update(SignInAttempts).where(SignInAttempts.email == TRUST).values(failures=8))
    seeded.commit()
    response = client.sign_in(TRUST)  # the right password, too soon
    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 32
    assert re.search(
        r"Too many failed attempts\. Wait (3[0-2]|[12][0-9]) seconds and try again\.",
        page(response),
    )
    assert client.get("/account/password").status_code == 302


def test_the_lock_through_the_web(seeded, make_app):
    app = make_app(SIGN_IN_FREE_FAILURES=100, SIGN_IN_LOCK_AFTER=5)
    client = fresh_client(app)
    for _ in range(5):
        assert services.BAD_CREDENTIALS in page(client.sign_in(TRUST, "wrong password"))
    response = client.sign_in(TRUST)
    assert "Too many failed attempts to sign in with this email address" in page(response)
    assert "Try again in 15 minutes" in page(response)
    assert client.get("/account/password").status_code == 302  # not signed in
    # Another process (another app on the same database) sees the same lock.
    other = fresh_client(make_app(SIGN_IN_FREE_FAILURES=100, SIGN_IN_LOCK_AFTER=5))
    assert "Too many failed attempts" in page(other.sign_in(TRUST))


# --- the session cookie ---------------------------------------------------------------------------


def test_session_cookie_is_http_only_lax_and_secure_in_production(make_app):
    app = make_app(TESTING=False)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/sign-in")  # the CSRF token starts a session
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(app.config["SESSION_COOKIE_NAME"] + "=")
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert "; SameSite=Lax" in cookie


@pytest.mark.parametrize("config", [{"TESTING": True}, {"TESTING": False, "DEBUG": True}])
def test_session_cookie_is_not_secure_on_plain_http_in_debug_and_tests(make_app, config):
    app = make_app(**config)
    cookie = app.test_client().get("/sign-in").headers["Set-Cookie"]
    assert "; Secure" not in cookie
    assert "; HttpOnly" in cookie
    assert "; SameSite=Lax" in cookie


# --- signing out ----------------------------------------------------------------------------------


def test_sign_out_is_post_only(signed_in):
    client = signed_in("trust")
    assert client.get("/sign-out").status_code == 405
    assert client.get("/account/password").status_code == 200


def test_sign_out_without_csrf_token_is_refused(signed_in):
    client = signed_in("trust")
    response = client.post("/sign-out")
    assert response.status_code == 400
    assert "Your form expired" in page(response)
    assert client.get("/account/password").status_code == 200  # still signed in


def test_replaying_the_cookie_after_sign_out_does_not_sign_in(app, signed_in):
    client = signed_in("trust")
    old_cookie = session_cookie(client, app)
    response = client.submit("/sign-out", page="/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/account/password").status_code == 302

    replay = fresh_client(app, old_cookie)
    response = replay.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_signing_out_ends_the_users_other_sessions_too(app, seeded):
    first, second = fresh_client(app), fresh_client(app)
    first.sign_in_as("trust")
    second.sign_in_as("trust")
    first.submit("/sign-out", page="/account/password")
    assert second.get("/account/password").status_code == 302


# --- changing your password -----------------------------------------------------------------------


def change(client, current=DEMO_PASSWORD, new=GOOD_PASSWORD, confirm=None):
    return client.submit(
        "/account/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def test_changing_your_password_keeps_this_session_and_ends_the_others(app, seeded):
    here, elsewhere = fresh_client(app), fresh_client(app)
    here.sign_in_as("trust")
    elsewhere.sign_in_as("trust")
    old_cookie = session_cookie(here, app)

    response = change(here)
    assert response.status_code == 302
    assert here.get("/account/password").status_code == 200
    assert elsewhere.get("/account/password").status_code == 302
    assert fresh_client(app, old_cookie).get("/account/password").status_code == 302

    account = user(seeded, TRUST)
    assert verify_password(account.password_hash, GOOD_PASSWORD)
    assert fresh_client(app).sign_in(TRUST, DEMO_PASSWORD).status_code == 200  # the old one fails
    assert fresh_client(app).sign_in(TRUST, GOOD_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message"),
    [
        (
            "not my password",
            GOOD_PASSWORD,
            None,
            "current_password",
            services.WRONG_CURRENT_PASSWORD,
        ),
        (DEMO_PASSWORD, "password1234", None, "new_password", TOO_EASY),
        (DEMO_PASSWORD, "qwertyuiop123", None, "new_password", TOO_EASY),
        (DEMO_PASSWORD, "short", None, "new_password", TOO_SHORT),
        (DEMO_PASSWORD, "trust@demo.invalid", None, "new_password", TOO_EASY),
        (
            DEMO_PASSWORD,
            GOOD_PASSWORD,
            "something else entirely",
            "confirm_password",
            "The passwords do not match",
        ),
        (DEMO_PASSWORD, DEMO_PASSWORD, None, "new_password", services.SAME_PASSWORD),
        ("", "", "", "current_password", "Enter your current password"),
    ],
)
def test_a_refused_password_change_changes_nothing(seeded, signed_in, current, new, confirm, field, message):
    client = signed_in("trust")
    before = user(seeded, TRUST)
    old_hash, old_token = before.password_hash, before.session_token
    response = change(client, current, new, confirm)
    assert response.status_code == 200
    html = page(response)
    assert "There is a problem" in html
    assert f'href="#{field}">{message}' in html
    assert f'id="{field}-error"' in html
    after = user(seeded, TRUST)
    assert (after.password_hash, after.session_token) == (old_hash, old_token)


def test_wrong_current_passwords_count_as_failed_sign_ins(seeded, signed_in):
    client = signed_in("trust")
    for _ in range(3):
        change(client, current="not my password")
    assert attempts(seeded, TRUST).failures == 3
    response = change(client)  # right, but too soon
    assert "Wait 1 second" in page(response)
    assert verify_password(user(seeded, TRUST).password_hash, DEMO_PASSWORD)


# --- where sign-in leads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "http:/evil",
        "http:evil.example",
        "evil.example",
        "",
    ],
)
def test_next_never_leads_off_the_site(seeded, client, target):
    response = client.post(
        "/sign-in",
        query_string={"next": target},
        data={
            "email": TRUST,
            "password": DEMO_PASSWORD,
            "csrf_token": client.csrf_token(),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    # Once signed in, the sign-in page redirects the same way.
    again = client.get("/sign-in", query_string={"next": target})
    assert again.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/ambitions", "/organisations?network=OXF"])
def test_next_leads_to_a_page_of_this_site(seeded, client, target):
    response = client.post(
        "/sign-in",
        query_string={"next": target},
        data={
            "email": TRUST,
            "password": DEMO_PASSWORD,
            "csrf_token": client.csrf_token(),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_safe_next_unit():
    assert safe_next("/ambitions/RP") == "/ambitions/RP"
    assert safe_next(None) is None
    assert safe_next("/\r\n/evil.example") is None


# --- password hashing ---------------------------------------------------------------------------


def test_passwords_are_hashed_with_pbkdf2_sha256_600000_by_default(database_url, tmp_path):
    config = {k: v for k, v in BASE_CONFIG.items() if k != "PASSWORD_HASH_ITERATIONS"}
    app = create_app({**config, "DATABASE_URL": database_url})
    app.instance_path = str(tmp_path / "instance")
    try:
        assert app.config["PASSWORD_HASH_ITERATIONS"] == 600_000
        result = app.test_cli_runner().invoke(
            args=[
                "users",
                "create",
                "hash@example.nhs.uk",
                "--role",
                "manager",
                "--password-stdin",
            ],
            input=GOOD_PASSWORD + "\n",
        )
        assert result.exit_code == 0, result.output
        with tracker_db.write_session(app) as session:
            stored = session.scalar(select(User.password_hash).where(User.email == "hash@example.nhs.uk"))
        assert stored.startswith("pbkdf2:sha256:600000$")
        assert GOOD_PASSWORD not in stored
        assert verify_password(stored, GOOD_PASSWORD)
    finally:
        with tracker_db.write_session(app) as session:  # PostgreSQL: leave the shared schema empty
            session.execute(User.__table__.delete())
            session.commit()
        tracker_db.get_engine(app).dispose()


# --- CSRF -----------------------------------------------------------------------------------------


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(seeded, signed_in):
    client = signed_in("trust")
    old_hash = user(seeded, TRUST).password_hash
    response = client.post(
        "/account/password",
        data={
            "current_password": DEMO_PASSWORD,
            "new_password": GOOD_PASSWORD,
            "confirm_password": GOOD_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "Your form expired or was sent from elsewhere" in page(response)
    assert user(seeded, TRUST).password_hash == old_hash


def test_sign_in_without_csrf_token_is_refused(seeded, client):
    response = client.post("/sign-in", data={"email": TRUST, "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert seeded.scalar(select(func.count()).select_from(SignInAttempts)) == 0
    assert client.get("/account/password").status_code == 302
