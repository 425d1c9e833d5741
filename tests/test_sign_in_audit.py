"""When the audit trail says someone signed in: only once the sign-in is complete.

An administrator or manager who signs in with a password must also give a security code (or set MFA up
first). Someone who knows the password but not the code never gets in, so they leave no "signed in" row
(their wrong codes are audited as such); the row, and the account's sign-in time, come with the code.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import select, update

from tests.helpers import FormClient, next_code, page_text
from tracker.auth import totp
from tracker.models import AuditEvent, User, utcnow

ADMIN = "admin@demo.invalid"
MANAGER = "manager@demo.invalid"
TRUST = "trust@demo.invalid"
SECRET_ON_PAGE = re.compile(r'<code id="secret-key">([A-Z2-7 ]+)</code>')
RECOVERY_ON_PAGE = re.compile(r"<li><code>([A-Z0-9-]{19})</code></li>")


def rows(session, action: str) -> list[AuditEvent]:
    session.commit()  # a new snapshot: the requests wrote since
    found = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
    session.commit()
    return found


def last_signed_in(session, email: str):
    session.commit()
    at = session.scalar(select(User.last_signed_in_at).where(User.email == email))
    session.commit()
    return at


def half_sign_in(client: FormClient, email: str, expected: str) -> None:
    response = client.sign_in(email)
    assert response.status_code == 302 and response.headers["Location"] == expected


def test_the_right_password_without_the_code_is_no_sign_in_and_the_code_makes_it_one(app, seeded, client):
    half_sign_in(client, ADMIN, "/sign-in/code")
    assert client.get("/").status_code == 302  # not in
    assert rows(seeded, "sign_in") == []
    assert last_signed_in(seeded, ADMIN) is None
    wrong = "000000" if next_code(app, ADMIN) != "000000" else "111111"
    refused = client.submit("/sign-in/code", {"code": wrong})
    assert "The code is not correct" in page_text(refused.get_data(as_text=True))
    assert rows(seeded, "sign_in") == [], "a wrong code is not a sign-in"
    assert [r.detail for r in rows(seeded, "mfa_failed")] == ["sign-in: wrong code"]
    assert client.submit("/sign-in/code", {"code": next_code(app, ADMIN)}).status_code == 302
    assert client.get("/").status_code == 200
    (row,) = rows(seeded, "sign_in")
    assert (row.entity_key, row.actor_email, row.actor_role) == (ADMIN, ADMIN, "admin")
    assert (row.detail, row.remote_addr) == ("password and security code", "127.0.0.1")
    assert last_signed_in(seeded, ADMIN) is not None


def test_a_password_sign_in_abandoned_at_the_code_leaves_no_sign_in(seeded, client):
    half_sign_in(client, MANAGER, "/sign-in/code")
    assert client.submit("/sign-out", page="/sign-in/code").status_code == 302
    assert client.get("/sign-in/code").headers["Location"].startswith("/sign-in?next=")
    assert rows(seeded, "sign_in") == [] and rows(seeded, "sign_out") == []
    assert last_signed_in(seeded, MANAGER) is None


def test_without_mfa_the_password_signs_in_at_once(seeded, client):
    assert client.sign_in(TRUST).headers["Location"] == "/"
    (row,) = rows(seeded, "sign_in")
    assert (row.actor_email, row.detail) == (TRUST, "")


def test_setting_mfa_up_half_way_through_signing_in_is_the_sign_in(seeded, client):
    seeded.execute(
        update(User).where(User.email == MANAGER).values(mfa_secret=None, mfa_enrolled_at=None, mfa_last_step=None)
    )
    seeded.commit()
    half_sign_in(client, MANAGER, "/account/mfa/set-up")
    page = client.get("/account/mfa/set-up").get_data(as_text=True)
    assert rows(seeded, "sign_in") == []
    secret = SECRET_ON_PAGE.search(page).group(1).replace(" ", "")
    wrong = client.submit("/account/mfa/set-up", {"code": "12345"})
    assert wrong.status_code == 200 and rows(seeded, "sign_in") == []
    enrolled = client.submit("/account/mfa/set-up", {"code": totp.code_at_step(secret, totp.step_of(utcnow()))})
    assert enrolled.status_code == 200 and client.get("/").status_code == 200
    (row,) = rows(seeded, "sign_in")
    assert (row.actor_email, row.detail) == (MANAGER, "password and a newly set up authenticator app")
    assert [r.actor_email for r in rows(seeded, "mfa_enrolled")] == [MANAGER]
    # Then a recovery code, at the next sign-in, says so.
    codes = RECOVERY_ON_PAGE.findall(enrolled.get_data(as_text=True))
    client.submit("/sign-out", page="/")
    half_sign_in(client, MANAGER, "/sign-in/code")
    assert len(rows(seeded, "sign_in")) == 1
    assert client.submit("/sign-in/code", {"code": codes[0]}).status_code == 302
    assert [r.detail for r in rows(seeded, "sign_in")][-1] == "password and recovery code"


def test_the_audit_page_says_how_the_sign_in_was_completed(app, seeded, client):
    half_sign_in(client, ADMIN, "/sign-in/code")
    client.submit("/sign-in/code", {"code": next_code(app, ADMIN)})
    text = html.unescape(client.get("/admin/audit?action=sign_in").get_data(as_text=True))
    assert text.count("Administrator signed in with their password and a security code") == 1
