"""MFA: administrators and managers who sign in with a password give a TOTP code too; enrolment, recovery
codes, replay and throttling, re-authentication before sensitive changes, and an administrator's reset.

Codes are computed with pyotp's algorithm (tracker.auth.totp) from the secret the database holds, as an
authenticator app would from the QR code.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.helpers import EXPECTED, auth, next_code, page_text, rows_of
from tracker.auth import totp
from tracker.models import AuditEvent, RecoveryCode, User, utcnow
from tracker.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET

MANAGER = "manager@demo.invalid"
ADMIN = "admin@demo.invalid"
TRUST = "trust@demo.invalid"
SECRET_ON_PAGE = re.compile(r'<code id="secret-key">([A-Z2-7 ]+)</code>')
RECOVERY_ON_PAGE = re.compile(r"<li><code>([A-Z0-9-]{19})</code></li>")
# Reachable half-way through signing in (the password checked, the second factor not yet given).
HALF_WAY_OPEN = {"auth.second_step", "mfa.enrol", "auth.sign_out"}


def _user(session, email: str) -> User:
    """The account as it is now, detached: reading it later starts no transaction (SQLite would keep its
    snapshot, and the test would not see the requests' writes)."""
    session.commit()
    user = session.scalar(select(User).where(User.email == email))
    session.expunge(user)
    session.commit()
    return user


def _forget_mfa(session, email: str) -> None:
    """The account as if it never set MFA up."""
    session.execute(
        update(User).where(User.email == email).values(mfa_secret=None, mfa_enrolled_at=None, mfa_last_step=None)
    )
    session.commit()


def _actions(session, action: str) -> list[AuditEvent]:
    session.commit()
    rows = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
    session.commit()
    return rows


def _code(secret: str, steps_from_now: int = 0) -> str:
    return totp.code_at_step(secret, totp.step_of(utcnow()) + steps_from_now)


def _age_the_proof(client, minutes: int = 11) -> None:
    """As if the password (and code) were given `minutes` ago."""
    with client.session_transaction() as s:
        s["proved_at"] -= minutes * 60


def _enrol(client, session, email: str) -> list[str]:
    """Set MFA up on the enrolment page (the browser is signed in or half-way); the recovery codes shown."""
    page = client.get("/account/mfa/set-up").get_data(as_text=True)
    secret = SECRET_ON_PAGE.search(page).group(1).replace(" ", "")
    response = client.submit("/account/mfa/set-up", {"code": _code(secret)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _user(session, email).mfa_secret == secret
    client.recovery_page = response.get_data(as_text=True)
    return RECOVERY_ON_PAGE.findall(client.recovery_page)


def _half_sign_in(client, email: str, expected: str):
    response = client.sign_in(email)
    assert response.status_code == 302 and response.headers["Location"] == expected
    return response


def _urls(app):
    """Every route's URL and methods, with a placeholder id where the table names a row."""
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            _allowed, values = EXPECTED[rule.endpoint]
            values = {
                k: 1 if v in ("driver", "user", "token", "ward", "value", "target") else v for k, v in values.items()
            }
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url_for(rule.endpoint, **values)


def test_a_manager_without_mfa_is_sent_to_enrolment_and_every_other_route_refuses(app, seeded, client):
    _forget_mfa(seeded, MANAGER)
    _half_sign_in(client, MANAGER, "/account/mfa/set-up")
    wrong = []
    for endpoint, method, url in _urls(app):
        if endpoint in HALF_WAY_OPEN or "anonymous" in EXPECTED[endpoint][0]:
            continue
        response = client.open(url, method=method)
        response.close()
        refused = response.status_code == 401 or (
            response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")
        )
        if not refused:
            wrong.append(f"{method} {url}: {response.status_code}")
    assert not wrong, "reached half-way through signing in:\n" + "\n".join(wrong)
    page = client.get("/account/mfa/set-up")
    assert page.status_code == 200
    markup = page.get_data(as_text=True)
    assert re.search(r'<svg role="img" aria-label="QR code to add Spread Tracker to your authenticator app"', markup)
    assert SECRET_ON_PAGE.search(markup), "the key to type by hand"
    assert "<script>" not in markup and "style=" not in markup


def test_a_wrong_code_at_enrolment_is_refused_and_changes_nothing(app, seeded, client):
    _forget_mfa(seeded, MANAGER)
    _half_sign_in(client, MANAGER, "/account/mfa/set-up")
    markup = client.get("/account/mfa/set-up").get_data(as_text=True)
    secret = SECRET_ON_PAGE.search(markup).group(1).replace(" ", "")
    for typed, message in (
        ("", "Enter the 6-digit code"),
        ("12345", "The code is not correct"),
        ("abcdef", "not correct"),
    ):
        wrong = _code(secret, -5) if typed == "12345" else typed  # a code of the secret, but minutes old
        response = client.submit("/account/mfa/set-up", {"code": wrong})
        assert response.status_code == 200
        assert message in page_text(response.get_data(as_text=True))
    user = _user(seeded, MANAGER)
    assert user.mfa_secret is None and user.mfa_enrolled_at is None
    assert seeded.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert _actions(seeded, "mfa_enrolled") == []
    # The same key stays on the page until a code confirms it.
    again = client.get("/account/mfa/set-up").get_data(as_text=True)
    assert SECRET_ON_PAGE.search(again).group(1).replace(" ", "") == secret
    assert client.get("/").status_code == 302  # still not signed in


def test_enrolment_shows_ten_recovery_codes_once_stores_them_hashed_and_signs_in(app, seeded, client):
    _forget_mfa(seeded, MANAGER)
    _half_sign_in(client, MANAGER, "/account/mfa/set-up")
    codes = _enrol(client, seeded, MANAGER)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(seeded.scalars(select(RecoveryCode.code_hash)))
    assert stored == {totp.recovery_hash(c) for c in codes} and not stored & set(codes)
    assert client.get("/").status_code == 200, "signed in once enrolled"
    [enrolled] = _actions(seeded, "mfa_enrolled")
    assert enrolled.entity_key == MANAGER and enrolled.actor_email == MANAGER
    # The download sends back the codes the page holds, as a file (with the page's own CSRF token).
    token = client.CSRF.search(client.recovery_page).group(1)
    download = client.post("/account/mfa/recovery-codes.txt", data={"code": codes, "csrf_token": token})
    assert download.status_code == 200 and download.mimetype == "text/plain"
    assert "attachment" in download.headers["Content-Disposition"]
    assert all(c in download.get_data(as_text=True) for c in codes)
    # Never shown again: the account page counts them, and shows neither them nor the key.
    account = client.get("/account/mfa").get_data(as_text=True)
    assert "Recovery codes left" in page_text(account) and codes[0] not in account
    assert _user(seeded, MANAGER).mfa_secret not in account


def test_the_second_step_refuses_wrong_replayed_and_expired_codes(make_app, seeded):
    from tests.helpers import FormClient

    app = make_app(SIGN_IN_FREE_FAILURES=100)  # no wait between these attempts (the throttle is tested below)
    client = FormClient(app.test_client())
    _half_sign_in(client, ADMIN, "/sign-in/code")
    for code, message in (
        ("000000" if _code(DEMO_TOTP_SECRET) != "000000" else "111111", "The code is not correct"),
        (_code(DEMO_TOTP_SECRET, -2), "The code is not correct"),  # a minute old: outside the ±30 s window
        ("12ab", "The code is not correct"),
    ):
        response = client.submit("/sign-in/code", {"code": code})
        assert response.status_code == 200
        assert message in page_text(response.get_data(as_text=True))
        assert client.get("/").status_code == 302
    good = next_code(app, ADMIN)
    assert client.submit("/sign-in/code", {"code": good}).status_code == 302
    assert client.get("/").status_code == 200
    # The same code again, from another browser that has the password: a replay.
    other = type(client)(app.test_client())
    _half_sign_in(other, ADMIN, "/sign-in/code")
    replay = other.submit("/sign-in/code", {"code": good})
    assert "already been used" in page_text(replay.get_data(as_text=True))
    assert other.get("/").status_code == 302
    failures = _actions(seeded, "mfa_failed")
    assert [f.detail for f in failures][-1] == "sign-in: code already used" and len(failures) == 4


def test_wrong_codes_are_throttled_then_locked_and_the_lock_is_audited(make_app, seeded):
    from tests.helpers import FormClient

    app = make_app(SIGN_IN_FREE_FAILURES=100, SIGN_IN_LOCK_AFTER=3)
    client = FormClient(app.test_client())
    _half_sign_in(client, ADMIN, "/sign-in/code")
    for _ in range(3):
        client.submit("/sign-in/code", {"code": "000001"})
    locked = client.submit("/sign-in/code", {"code": next_code(app, ADMIN)})
    assert "Too many failed attempts" in page_text(locked.get_data(as_text=True))
    assert client.get("/").status_code == 302
    assert len(_actions(seeded, "mfa_locked")) == 1
    assert len(_actions(seeded, "mfa_refused")) == 1


def test_the_default_throttle_makes_the_fourth_wrong_code_wait(seeded, client):
    _half_sign_in(client, ADMIN, "/sign-in/code")
    for _ in range(3):
        client.submit("/sign-in/code", {"code": "000001"})
    waiting = client.submit("/sign-in/code", {"code": "000001"})
    assert re.search(r"Wait \d+ seconds? and try again", page_text(waiting.get_data(as_text=True)))


def test_a_recovery_code_signs_in_once(app, seeded, client):
    _forget_mfa(seeded, MANAGER)
    _half_sign_in(client, MANAGER, "/account/mfa/set-up")
    codes = _enrol(client, seeded, MANAGER)
    client.submit("/sign-out", page="/")
    _half_sign_in(client, MANAGER, "/sign-in/code")
    assert client.submit("/sign-in/code", {"code": codes[3].lower().replace("-", " ")}).status_code == 302
    assert client.get("/").status_code == 200
    [used] = _actions(seeded, "recovery_code_used")
    assert used.detail == "9 left, at sign-in"
    client.submit("/sign-out", page="/")
    _half_sign_in(client, MANAGER, "/sign-in/code")
    again = client.submit("/sign-in/code", {"code": codes[3]})
    assert "recovery code is not correct or has already been used" in page_text(again.get_data(as_text=True))
    assert client.get("/").status_code == 302


def test_the_half_way_state_expires_and_sign_out_ends_it(make_app, seeded):
    from tests.helpers import FormClient

    app = make_app(MFA_STEP_MINUTES=0)  # every half-finished sign-in is already too old
    client = FormClient(app.test_client())
    _half_sign_in(client, ADMIN, "/sign-in/code")
    response = client.get("/sign-in/code")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    fresh = FormClient(make_app().test_client())
    _half_sign_in(fresh, ADMIN, "/sign-in/code")
    assert fresh.submit("/sign-out", page="/sign-in/code").status_code == 302
    assert fresh.get("/sign-in/code").headers["Location"].startswith("/sign-in?next=")


def test_trust_staff_may_enrol_and_then_sign_in_with_a_code_and_turn_it_off(app, seeded, client):
    client.sign_in_as("trust")
    assert "Off" in page_text(client.get("/account/mfa").get_data(as_text=True))
    _enrol(client, seeded, TRUST)
    client.submit("/sign-out", page="/")
    _half_sign_in(client, TRUST, "/sign-in/code")
    assert client.submit("/sign-in/code", {"code": next_code(app, TRUST)}).status_code == 302
    assert client.submit("/account/mfa/remove", page="/account/mfa").status_code == 302
    user = _user(seeded, TRUST)
    assert user.mfa_secret is None and seeded.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert len(_actions(seeded, "mfa_removed")) == 1


def test_managers_cannot_turn_mfa_off(app, seeded, signed_in):
    client = signed_in("manager")
    response = client.submit("/account/mfa/remove", page="/account/mfa", follow_redirects=True)
    assert "Your role requires MFA" in page_text(response.get_data(as_text=True))
    assert _user(seeded, MANAGER).mfa_enrolled


def test_changing_your_password_asks_you_to_confirm_it_is_you_first(app, seeded, signed_in):
    client = signed_in("trust")
    assert client.get("/account/password").status_code == 200  # just signed in: proved recently
    _age_the_proof(client)
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/confirm?next=/account/password"
    wrong = client.submit("/account/confirm?next=/account/password", {"password": "not my password at all"})
    assert "Your password is not correct" in page_text(wrong.get_data(as_text=True))
    right = client.submit("/account/confirm?next=/account/password", {"password": DEMO_PASSWORD})
    assert right.status_code == 302 and right.headers["Location"] == "/account/password"
    assert client.get("/account/password").status_code == 200
    assert len(_actions(seeded, "reauth_failed")) == 1


def test_changing_a_role_asks_the_administrator_for_password_and_code_first(app, seeded, signed_in):
    client = signed_in("admin")
    trust = _user(seeded, TRUST)
    edit = f"/admin/users/{trust.id}/edit"
    form = {"name": trust.name, "role": "faculty", "networks": ["OXF"], "active": "y", "row_version": trust.row_version}
    _age_the_proof(client)
    response = client.submit(edit, form)
    assert response.status_code == 302 and response.headers["Location"] == f"/account/confirm?next={edit}"
    assert _user(seeded, TRUST).role.value == "trust", "nothing changed"
    confirm = f"/account/confirm?next={edit}"
    no_code = client.submit(confirm, {"password": DEMO_PASSWORD})
    assert "Enter the 6-digit code" in page_text(no_code.get_data(as_text=True))
    back = client.submit(confirm, {"password": DEMO_PASSWORD, "code": next_code(app, ADMIN)})
    assert back.status_code == 302 and back.headers["Location"] == edit
    assert client.submit(edit, form).status_code == 302
    assert _user(seeded, TRUST).role.value == "faculty"


def test_a_name_change_needs_no_confirmation(app, seeded, signed_in):
    client = signed_in("admin")
    trust = _user(seeded, TRUST)
    _age_the_proof(client)
    form = {"name": "Renamed", "role": "trust", "organisation": "RNU", "active": "y", "row_version": trust.row_version}
    assert client.submit(f"/admin/users/{trust.id}/edit", form).headers["Location"] == "/admin/users"
    assert _user(seeded, TRUST).name == "Renamed"


def test_an_administrator_resets_mfa_audited_and_the_manager_must_enrol_again(app, seeded, signed_in):
    from tests.helpers import FormClient

    manager_browser = FormClient(app.test_client())
    manager_browser.sign_in_as("manager")
    admin = signed_in("admin")
    manager = _user(seeded, MANAGER)
    page = f"/admin/users/{manager.id}/edit"
    assert "Reset MFA" in admin.get(page).get_data(as_text=True)
    assert admin.submit(f"/admin/users/{manager.id}/mfa/reset", page=page).status_code == 302
    manager = _user(seeded, MANAGER)
    assert manager.mfa_secret is None and manager.mfa_enrolled_at is None
    assert manager_browser.get("/").status_code == 302, "the manager's sessions ended"
    _half_sign_in(manager_browser, MANAGER, "/account/mfa/set-up")
    [reset] = _actions(seeded, "mfa_reset")
    assert reset.actor_email == ADMIN and reset.entity_key == MANAGER
    audit = page_text(admin.get("/admin/audit").get_data(as_text=True))
    assert (
        f"Administrator reset the MFA of {MANAGER}; every session of the account ended and it must set MFA up again"
        in audit
    )


def test_resetting_mfa_also_asks_for_a_recent_confirmation(app, seeded, signed_in):
    admin = signed_in("admin")
    manager = _user(seeded, MANAGER)
    page = f"/admin/users/{manager.id}/edit"
    _age_the_proof(admin)
    response = admin.submit(f"/admin/users/{manager.id}/mfa/reset", page=page, headers={"Referer": page})
    assert response.status_code == 302 and response.headers["Location"] == f"/account/confirm?next={page}"
    assert _user(seeded, MANAGER).mfa_enrolled


def test_api_tokens_are_not_asked_for_a_code(app, seeded, token):
    _forget_mfa(seeded, MANAGER)
    for role in ("admin", "manager"):
        assert app.test_client().get("/api/v1/ambitions", headers=auth(token[role])).status_code == 200


def test_the_recovery_code_file_echoes_only_recovery_codes(seeded, signed_in):
    client = signed_in("trust")
    refused = client.submit("/account/mfa/recovery-codes.txt", {"code": ["<script>"]}, page="/account/mfa")
    assert refused.status_code == 400


def test_the_demo_code_command_serves_demo_accounts_only(app, seeded):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "demo-code", ADMIN])
    assert result.exit_code == 0 and result.output.strip() == _code(DEMO_TOTP_SECRET)
    seeded.execute(update(User).where(User.email == ADMIN).values(is_demo=False))
    seeded.commit()
    refused = runner.invoke(args=["users", "demo-code", ADMIN])
    assert refused.exit_code != 0 and "not a demo account" in refused.output


def test_the_reset_command_makes_the_account_enrol_again(app, seeded, client):
    result = app.test_cli_runner().invoke(args=["users", "reset-mfa", ADMIN])
    assert result.exit_code == 0, result.output
    _half_sign_in(client, ADMIN, "/account/mfa/set-up")
    [reset] = _actions(seeded, "mfa_reset")
    assert reset.actor_role == "cli"


@pytest.mark.parametrize("last_step_offset, accepted", [(None, True), (-1, True), (0, False), (1, False)])
def test_a_code_is_accepted_only_for_a_step_after_the_last_one_used(last_step_offset, accepted):
    now = utcnow()
    step = totp.step_of(now)
    last = None if last_step_offset is None else step + last_step_offset
    code = totp.code_at_step(DEMO_TOTP_SECRET, step)
    assert (totp.accepted_step(DEMO_TOTP_SECRET, code, now, last) == step) is accepted
    # ±1 step of clock drift either way, no more.
    assert totp.accepted_step(DEMO_TOTP_SECRET, totp.code_at_step(DEMO_TOTP_SECRET, step + 1), now, None) == step + 1
    later = now + timedelta(seconds=90)
    assert totp.accepted_step(DEMO_TOTP_SECRET, code, later, None) is None


def test_the_demo_seed_says_how_to_sign_in_with_mfa(app):
    result = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert "admin@demo.invalid       Administrator (then a security code: see below)" in result.output
    assert DEMO_TOTP_SECRET in result.output and "users demo-code admin@demo.invalid" in result.output


def test_a_session_from_before_mfa_was_required_is_signed_out_to_enrol(app, seeded, signed_in):
    client = signed_in("manager")
    _forget_mfa(seeded, MANAGER)  # as a manager signed in before this release, or promoted without MFA
    response = client.get("/organisations")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in?next=/organisations"
    assert client.get("/api/v1/ambitions").status_code == 401
    _half_sign_in(client, MANAGER, "/account/mfa/set-up")


def test_the_second_step_costs_a_handful_of_statements(app, seeded, client, statement_counter):
    _half_sign_in(client, ADMIN, "/sign-in/code")
    token = client.csrf_token("/sign-in/code")
    code = next_code(app, ADMIN)
    with statement_counter() as statements:
        assert client.post("/sign-in/code", data={"code": code, "csrf_token": token}).status_code == 302
    # The account by its session token, the throttle's row, the UPDATE that moves the last step on, the
    # sign-in's time and its audit row (only now has the person signed in), and the account read again after
    # that commit, for the session cookie.
    assert [s.split()[0] for s in statements] == ["SELECT", "SELECT", "UPDATE", "UPDATE", "INSERT", "SELECT"]


def test_the_accounts_list_shows_who_has_mfa(seeded, signed_in):
    _forget_mfa(seeded, MANAGER)
    rows = {row[0]: row[4] for row in rows_of(signed_in("admin").get("/admin/users").get_data(as_text=True))}
    assert rows[ADMIN] == "Active Demo MFA"
    assert rows[MANAGER] == "Active Demo MFA not set up"
    assert rows[TRUST] == "Active Demo"


def test_mfa_is_asked_only_of_password_sign_ins(app, seeded, signed_in):
    client = signed_in("manager")
    with client.session_transaction() as s:
        assert s["signed_in_with"] == "password"
        s["signed_in_with"] = "identity provider"  # what another sign-in, which checks its own factors, says
    _forget_mfa(seeded, MANAGER)
    assert client.get("/organisations").status_code == 200


def test_half_way_with_mfa_set_up_the_enrolment_page_leads_back_to_the_code(seeded, client):
    _half_sign_in(client, ADMIN, "/sign-in/code")
    response = client.get("/account/mfa/set-up")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in/code"
    assert _user(seeded, ADMIN).mfa_secret == DEMO_TOTP_SECRET, "nothing replaced"
