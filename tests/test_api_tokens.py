"""API tokens: the CLI that issues and revokes them, and bearer sign-in on /api/ (the admin pages: test_admin_tokens)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tracker import db as tracker_db
from tracker.auth import tokens
from tracker.models import AnonymousDenial, ApiToken, AuditEvent, User, utcnow

MANAGER = "manager@demo.invalid"
TRUST = "trust@demo.invalid"
ADMIN = "admin@demo.invalid"
TOKEN = re.compile(r"st_[A-Za-z0-9_-]{43}")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def issue(session, email: str) -> str:
    """A token for the account, issued through the service; the test's transaction ends."""
    raw = tokens.issue_token(session, session.scalar(select(User).filter_by(email=email)))
    session.commit()
    return raw


def token_rows(session, **filters) -> list[ApiToken]:
    session.rollback()
    rows = list(session.scalars(select(ApiToken).filter_by(**filters).order_by(ApiToken.id)))
    session.rollback()
    return rows


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def assert_401_json(response, invalid_token: bool = True):
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["status"] == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    assert ('error="invalid_token"' in challenge) is invalid_token


# --- the CLI ------------------------------------------------------------------------------------


def test_token_is_printed_once_and_only_its_hash_is_stored(seeded, runner):
    seeded.commit()
    result = runner.invoke(args=["users", "token", MANAGER])
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip()
    assert TOKEN.fullmatch(raw)  # stdout holds the token alone, for scripts
    assert "shown only now" in result.stderr and raw[:10] in result.stderr
    [row] = token_rows(seeded)
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert row.prefix == raw[:10]
    assert (row.revoked_at, row.last_used_at) == (None, None)
    assert row.user.email == MANAGER
    # The audit trail records the token without its secret.
    [audit] = seeded.scalars(select(AuditEvent).filter_by(entity="api_tokens", action="create"))
    assert audit.after["token_hash"] == "(hidden)" and audit.entity_key == raw[:10]
    assert raw not in str(audit.after)


def test_each_token_is_new(seeded, runner):
    seeded.commit()
    first = runner.invoke(args=["users", "token", MANAGER]).stdout.strip()
    second = runner.invoke(args=["users", "token", MANAGER]).stdout.strip()
    assert first != second
    assert len(token_rows(seeded)) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["users", "token", "nobody@example.nhs.uk"], "No account has the email address nobody@example.nhs.uk"),
        (["users", "revoke-token", "st_nothing"], "No API token has the prefix st_nothing"),
        (
            ["users", "revoke-token", "--all", "nobody@example.nhs.uk"],
            "No account has the email address nobody@example.nhs.uk",
        ),
    ],
)
def test_unknown_accounts_and_prefixes_fail_clearly(seeded, runner, args, message):
    seeded.commit()
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


@pytest.mark.parametrize("args", [["users", "revoke-token"], ["users", "revoke-token", "st_abc", "--all", MANAGER]])
def test_revoke_needs_a_prefix_or_all_but_not_both(seeded, runner, args):
    seeded.commit()
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert "Give either a token's PREFIX or --all EMAIL" in result.output


def test_no_token_for_a_disabled_account(seeded, runner):
    seeded.scalar(select(User).filter_by(email=MANAGER)).active = False
    seeded.commit()
    result = runner.invoke(args=["users", "token", MANAGER])
    assert result.exit_code != 0
    assert "disabled" in result.output
    assert token_rows(seeded) == []


def test_revoke_by_prefix(seeded, runner):
    keep, drop = issue(seeded, MANAGER), issue(seeded, MANAGER)
    result = runner.invoke(args=["users", "revoke-token", drop[:10]])
    assert result.exit_code == 0, result.output
    assert f"Revoked token {drop[:10]} of {MANAGER}." in result.output
    rows = {row.prefix: row for row in token_rows(seeded)}
    assert rows[drop[:10]].revoked_at is not None
    assert rows[keep[:10]].revoked_at is None
    again = runner.invoke(args=["users", "revoke-token", drop[:10]])
    assert again.exit_code == 0 and "already revoked" in again.output


def test_revoke_by_the_whole_token(seeded, runner):
    raw = issue(seeded, MANAGER)
    assert runner.invoke(args=["users", "revoke-token", raw]).exit_code == 0
    [row] = token_rows(seeded)
    assert row.revoked_at is not None


def test_revoke_all_of_an_account(seeded, runner):
    issue(seeded, MANAGER), issue(seeded, MANAGER)
    other = issue(seeded, TRUST)
    result = runner.invoke(args=["users", "revoke-token", "--all", MANAGER])
    assert result.exit_code == 0, result.output
    assert f"Revoked 2 tokens of {MANAGER}." in result.output
    assert [r.revoked_at is not None for r in token_rows(seeded)] == [True, True, False]
    assert token_rows(seeded, prefix=other[:10])[0].revoked_at is None
    assert "Revoked 0 tokens" in runner.invoke(args=["users", "revoke-token", "--all", MANAGER]).output


# --- the lookup ---------------------------------------------------------------------------------


def test_match_token(app, seeded):
    raw = issue(seeded, MANAGER)
    now = utcnow()
    with app.app_context():
        match = tokens.match_token(seeded, raw, now=now)
        assert match.user.email == MANAGER and match.use_due
        seeded.rollback()
        for wrong in ("", "st_", raw[:-1], raw + "x", raw.upper(), "st_" + "A" * 43, f"Bearer {raw}"):
            assert isinstance(tokens.match_token(seeded, wrong, now=now), tokens.TokenRefused)


def test_a_request_that_records_a_tokens_use_holds_one_connection_at_a_time(app, seeded, client):
    """Each request holding one pooled connection while it waits for a second drains the pool under load."""
    raw = issue(seeded, TRUST)
    seeded.close()
    engine = tracker_db.get_engine(app)
    held, most = 0, 0

    def checkout(*_):
        nonlocal held, most
        held += 1
        most = max(most, held)

    def checkin(*_):
        nonlocal held
        held -= 1

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        assert client.get("/api/v1/networks", headers=bearer(raw)).status_code == 200
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)
    assert token_rows(seeded)[0].last_used_at is not None  # the use was recorded …
    assert most == 1  # … without a second connection while the first was held


def test_last_use_is_written_at_most_once_a_minute(app, seeded, client, statement_counter):
    raw = issue(seeded, TRUST)

    def call() -> list[str]:
        with statement_counter() as statements:
            assert client.get("/api/v1/networks", headers=bearer(raw)).status_code == 200
        return [s for s in statements if s.lstrip().upper().startswith("UPDATE")]

    assert len(call()) == 1
    [row] = token_rows(seeded)
    first_use = row.last_used_at
    assert utcnow() - first_use < timedelta(minutes=1)
    assert call() == [] and call() == []  # within the minute: no write
    assert token_rows(seeded)[0].last_used_at == first_use

    row = seeded.get(ApiToken, row.id)
    row.last_used_at = utcnow() - timedelta(seconds=61)
    seeded.commit()
    assert len(call()) == 1
    assert token_rows(seeded)[0].last_used_at > first_use


def test_a_token_post_can_record_its_use_without_waiting_on_itself(seeded, client):
    """A POST's own session takes SQLite's write lock at once; recording the use must not wait on it."""
    raw = issue(seeded, MANAGER)
    response = client.post("/api/v1/adoptions", headers=bearer(raw), json={})
    assert response.status_code == 422  # answered at once, not "database is locked" after 30 s
    assert token_rows(seeded)[0].last_used_at is not None


# --- bearer sign-in over HTTP -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["trust", "faculty", "manager", "admin"])
def test_every_role_reads_the_api_with_a_token(seeded, client, role):
    raw = issue(seeded, f"{role}@demo.invalid")
    response = client.get("/api/v1/ambitions", headers=bearer(raw))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer nope",
        "Bearer st_" + "A" * 43,  # well formed, unknown
        "Basic dXNlcjpwYXNz",
        "Token {raw}",
        "{raw}",
        "",
    ],
)
def test_malformed_or_unknown_tokens_are_401(seeded, client, header):
    raw = issue(seeded, MANAGER)
    response = client.get("/api/v1/ambitions", headers={"Authorization": header.format(raw=raw)})
    assert_401_json(response)
    assert "valid API token" in response.get_json()["error"]["message"]
    assert "Set-Cookie" not in response.headers


def test_the_scheme_is_case_insensitive(seeded, client):
    raw = issue(seeded, MANAGER)
    assert client.get("/api/v1/ambitions", headers={"Authorization": f"bearer {raw}"}).status_code == 200


def test_a_revoked_token_is_401(seeded, client, runner):
    raw = issue(seeded, MANAGER)
    assert client.get("/api/v1/networks", headers=bearer(raw)).status_code == 200
    assert runner.invoke(args=["users", "revoke-token", raw[:10]]).exit_code == 0
    assert_401_json(client.get("/api/v1/networks", headers=bearer(raw)))


def test_a_disabled_accounts_token_is_401(seeded, client, runner):
    raw = issue(seeded, MANAGER)
    assert runner.invoke(args=["users", "disable", MANAGER]).exit_code == 0
    assert_401_json(client.get("/api/v1/networks", headers=bearer(raw)))


def test_no_credentials_is_401_without_invalid_token(seeded, client):
    assert_401_json(client.get("/api/v1/networks"), invalid_token=False)


def test_a_bad_token_does_not_fall_back_to_the_session_cookie(signed_in):
    client = signed_in("admin")
    assert client.get("/api/v1/networks").status_code == 200  # the cookie alone works
    assert_401_json(client.get("/api/v1/networks", headers={"Authorization": "Bearer st_" + "B" * 43}))
    assert_401_json(client.get("/api/v1/networks", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}))


def test_a_token_outranks_the_session_cookie(signed_in, seeded):
    client = signed_in("admin")
    raw = issue(seeded, TRUST)
    # Trust staff may not log adoption: the token decides who is calling, not the admin's cookie.
    response = client.post("/api/v1/adoptions", headers=bearer(raw), json={})
    assert response.status_code == 403
    [denied] = seeded.scalars(select(AuditEvent).filter_by(action="denied"))
    assert denied.actor_email == TRUST


def test_tokens_are_ignored_outside_the_api(seeded, client):
    raw = issue(seeded, ADMIN)
    response = client.get("/organisations", headers=bearer(raw))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert "Set-Cookie" not in response.headers


def test_a_refused_token_is_counted_not_audited(seeded, client):
    assert_401_json(client.get("/api/v1/networks", headers=bearer("st_" + "C" * 43)))
    assert list(seeded.scalars(select(AuditEvent).filter_by(action="denied"))) == []
    [counted] = seeded.scalars(select(AnonymousDenial))
    assert (counted.route, counted.subnet, counted.status, counted.count) == (
        "GET /api/v1/networks",
        "127.0.0.0/24",
        401,
        1,
    )
