"""API tokens from the administrators' pages: create one (shown once), the list, revoke after asking,
the scopes a token carries on the API, expiry, the audit trail's sentences, and the command line's rules."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import FormClient, auth, move, page_text
from tracker.models import Adoption, ApiToken, AuditEvent, LearningLink, TokenScope, User, utcnow

MANAGER = "manager@demo.invalid"
TOKEN = re.compile(r'id="new-token" type="text" value="(st_[A-Za-z0-9_-]{43})"')
SENTENCE = re.compile(r'<span class="app-audit-sentence">(.*?)</span>')
NEW = "/admin/tokens/new"


def user_id(session, email: str = MANAGER) -> int:
    session.rollback()
    found = session.scalar(select(User.id).filter_by(email=email))
    session.rollback()
    return found


def rows(session) -> list[ApiToken]:
    session.rollback()
    found = list(session.scalars(select(ApiToken).order_by(ApiToken.id)))
    session.rollback()
    return found


def create(client: FormClient, session, **changes):
    """POST the new-token form: the manager's "Power BI refresh", read only, for 30 days, with the changes."""
    data = {"user": str(user_id(session)), "name": "Power BI refresh", "scope": "read", "expires": "30"}
    data.update(changes)
    return client.submit(NEW, {k: v for k, v in data.items() if v is not None})


def issued(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    match = TOKEN.search(response.get_data(as_text=True))
    assert match, "the new token is not on the page"
    return match.group(1)


def sentences(client) -> list[str]:
    page = client.get("/admin/audit?entity=api_tokens").get_data(as_text=True)
    return [html.unescape(s) for s in SENTENCE.findall(page)]


# --- creating ------------------------------------------------------------------------------------


def test_an_administrator_creates_a_token_that_is_shown_once(signed_in, seeded):
    client = signed_in("admin")
    response = create(client, seeded)
    raw = issued(response)
    assert response.headers["Cache-Control"] == "no-store"
    text = page_text(response.get_data(as_text=True))
    assert "This is the only time it is shown" in text
    assert "Power BI refresh" in text and MANAGER in text and "Read only" in text

    [row] = rows(seeded)
    assert (row.name, row.scope, row.prefix) == ("Power BI refresh", TokenScope.READ, raw[:10])
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert timedelta(days=30) - (row.expires_at - row.created_at) < timedelta(seconds=1)

    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert raw[:10] in listing and raw not in listing and raw[10:] not in listing
    assert client.get("/api/v1/networks", headers=auth(raw)).status_code == 200


def test_the_list_shows_name_account_scope_dates_last_use_and_status(signed_in, seeded, runner_tokens):
    live, expired, revoked = runner_tokens
    client = signed_in("admin")
    assert client.get("/api/v1/networks", headers=auth(live)).status_code == 200  # a last use to show
    listing = client.get("/admin/tokens").get_data(as_text=True)
    table = [page_text(r) for r in re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", listing, re.S)][1:]
    by_prefix = {next(raw[:10] for raw in runner_tokens if raw[:10] in row): row for row in table}
    assert "Nightly export" in by_prefix[live[:10]] and MANAGER in by_prefix[live[:10]]
    assert "Read and write" in by_prefix[live[:10]] and "Active" in by_prefix[live[:10]]
    assert "Never" not in by_prefix[live[:10]] and "Revoke" in by_prefix[live[:10]]
    assert "Expired" in by_prefix[expired[:10]] and "Revoke" not in by_prefix[expired[:10]]
    assert "Revoked" in by_prefix[revoked[:10]] and "Never" in by_prefix[revoked[:10]]
    # One account's tokens, from its page and with ?user=
    mine = client.get(f"/admin/tokens?user={user_id(seeded)}").get_data(as_text=True)
    assert live[:10] in mine and f"/admin/tokens/new?user={user_id(seeded)}" in mine
    assert live[:10] not in client.get(f"/admin/tokens?user={user_id(seeded, 'trust@demo.invalid')}").get_data(
        as_text=True
    )
    edit_page = client.get(f"/admin/users/{user_id(seeded)}/edit").get_data(as_text=True)
    assert live[:10] in edit_page and "Create an API token for this account" in edit_page


@pytest.fixture
def runner_tokens(app, seeded):
    """Three of the manager's tokens made at the command line: live, expired (by the clock), and revoked."""
    runner = app.test_cli_runner()
    made = []
    for name in ("Nightly export", "Old script", "Retired"):
        result = runner.invoke(args=["users", "token", MANAGER, "--name", name, "--expires", "10"])
        assert result.exit_code == 0, result.output
        made.append(result.stdout.strip().splitlines()[-1])
    seeded.rollback()
    old = seeded.scalar(select(ApiToken).filter_by(name="Old script"))
    old.expires_at = utcnow() - timedelta(minutes=1)
    seeded.commit()
    assert runner.invoke(args=["users", "revoke-token", made[2][:10]]).exit_code == 0
    return made


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter a name that says what the token is for"),
        ({"name": "x" * 81}, "name", "The name must be 80 characters or fewer"),
        ({"name": "tab\there"}, "name", "must not contain control characters"),
        ({"scope": None}, "scope", "Choose read only, or read and write"),
        ({"scope": "admin"}, "scope", "Choose read only, or read and write"),
        ({"expires": ""}, "expires", "Enter how many days the token lasts"),
        ({"expires": "0"}, "expires", "A token lasts from 1 to 365 days"),
        ({"expires": "366"}, "expires", "A token lasts from 1 to 365 days"),
        ({"expires": "soon"}, "expires", "whole number"),
        ({"expires": "9" * 400}, "expires", "smaller number"),
        ({"user": ""}, "user", "Choose the account the token is for"),
        ({"user": "999999"}, "user", "Choose the account the token is for"),
        ({"user": "me"}, "user", "Choose the account the token is for"),
    ],
)
def test_bad_input_gets_a_clear_message_and_creates_nothing(signed_in, seeded, changes, field, message):
    client = signed_in("admin")
    response = create(client, seeded, **changes)
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    assert "There is a problem" in markup and message in page_text(markup)
    assert f'id="{field}-error"' in markup
    assert 'id="new-token"' not in markup
    assert rows(seeded) == []
    assert seeded.scalar(select(func.count()).select_from(AuditEvent).filter_by(entity="api_tokens")) == 0


def test_no_token_for_a_disabled_account(signed_in, seeded, app):
    assert app.test_cli_runner().invoke(args=["users", "disable", MANAGER]).exit_code == 0
    client = signed_in("admin")
    assert f">{MANAGER}" not in client.get(NEW).get_data(as_text=True)  # not offered …
    response = create(client, seeded)  # … and refused when sent anyway
    assert "is disabled: its tokens would not work" in page_text(response.get_data(as_text=True))
    assert rows(seeded) == []


def test_the_longest_expiry_is_a_setting(make_app, seeded):
    client = FormClient(make_app(API_TOKEN_MAX_DAYS=30).test_client())
    client.sign_in_as("admin")
    assert "From 1 to 30 days" in client.get(NEW).get_data(as_text=True)
    assert "A token lasts from 1 to 30 days" in page_text(create(client, seeded, expires="31").get_data(as_text=True))
    assert rows(seeded) == []
    issued(create(client, seeded, expires="30"))


def test_creating_needs_csrf(signed_in, seeded):
    client = signed_in("admin")
    response = client.post(NEW, data={"user": user_id(seeded), "name": "x", "scope": "read", "expires": "3"})
    assert response.status_code == 400
    assert rows(seeded) == []


@pytest.mark.parametrize("role", ["trust", "faculty", "manager"])
def test_only_administrators_create_or_revoke(signed_in, seeded, role, runner_tokens):
    client = signed_in(role)
    csrf = client.csrf_token("/")
    data = {"csrf_token": csrf, "user": user_id(seeded), "name": "x", "scope": "write", "expires": "3"}
    assert client.post(NEW, data=data).status_code == 403
    live = rows(seeded)[0]
    assert client.post(f"/admin/tokens/{live.id}/revoke", data={"csrf_token": csrf}).status_code == 403
    assert len(rows(seeded)) == 3 and rows(seeded)[0].revoked_at is None


# --- revoking ------------------------------------------------------------------------------------


def test_revoking_asks_first_then_refuses_the_token(signed_in, seeded, runner_tokens):
    live = runner_tokens[0]
    client = signed_in("admin")
    [row] = [r for r in rows(seeded) if r.prefix == live[:10]]
    url = f"/admin/tokens/{row.id}/revoke"
    question = page_text(client.get(url).get_data(as_text=True))
    assert "Revoke an API token" in question and "Nightly export" in question and "Revoke token" in question
    assert rows(seeded)[0].revoked_at is None  # asking changes nothing

    assert client.post(url).status_code == 400  # no CSRF token
    assert rows(seeded)[0].revoked_at is None
    response = client.submit(url)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/tokens")
    assert "revoked. Programs using it can no longer use the service" in page_text(
        client.get("/admin/tokens").get_data(as_text=True)
    )
    assert rows(seeded)[0].revoked_at is not None
    refused = client.get("/api/v1/networks", headers=auth(live))
    assert refused.status_code == 401 and "revoked" in refused.get_json()["error"]["message"]
    # A second press (another administrator's tab) is harmless, and the page no longer offers it.
    assert client.submit(url, page="/admin/tokens").status_code == 302
    assert "was already revoked" in page_text(client.get("/admin/tokens").get_data(as_text=True))
    assert "Revoke token" not in page_text(client.get(url).get_data(as_text=True))


def test_an_unknown_token_is_404(signed_in, seeded):
    client = signed_in("admin")
    assert client.get("/admin/tokens/999999/revoke").status_code == 404
    assert client.submit("/admin/tokens/999999/revoke", page="/admin/tokens").status_code == 404


def test_creating_and_revoking_read_as_sentences_in_the_audit_log(signed_in, seeded):
    client = signed_in("admin")
    raw = issued(create(client, seeded))
    [row] = rows(seeded)
    client.submit(f"/admin/tokens/{row.id}/revoke")
    revoked, created = sentences(client)
    prefix = raw[:10]
    assert created.startswith(f"Administrator issued API token {prefix}… “Power BI refresh” (read only, until ")
    assert created.endswith(f") to {MANAGER}")
    assert revoked == f"Administrator revoked API token {prefix}… “Power BI refresh” of {MANAGER}"
    assert raw[10:] not in client.get("/admin/audit").get_data(as_text=True)


# --- what a token may do -------------------------------------------------------------------------


def read_only_token(client, seeded) -> str:
    return issued(create(client, seeded, scope="read"))


def test_a_read_only_token_reads_but_every_api_write_is_403(signed_in, seeded):
    client = signed_in("admin")
    raw = read_only_token(client, seeded)
    assert client.get("/api/v1/adoptions", headers=auth(raw)).status_code == 200
    spc = client.post(
        "/api/v1/spc",
        headers=auth(raw),
        json={"values": [4, 6, 5], "dates": ["2024-01-01", "2024-02-01", "2024-03-01"]},
    )
    assert spc.status_code == 200  # a computation, not a write
    writes = [
        ("POST", "/api/v1/adoptions", move()),
        ("POST", "/api/v1/links", {"source": "RNU", "target": "RTH", "kind": "visit"}),
        ("DELETE", "/api/v1/links/1", None),
        ("POST", "/api/v1/measures/RP-RESTRAINT/values", {"organisation": "RNU", "month": "2024-03"}),
    ]
    for method, url, body in writes:
        response = client.open(url, method=method, headers=auth(raw), json=body)
        assert response.status_code == 403, (url, response.get_data(as_text=True))
        message = response.get_json()["error"]["message"]
        assert "may only read" in message and f"{method} {url}" in message and "read and write" in message
    seeded.rollback()
    assert seeded.scalar(select(func.count()).select_from(Adoption)) == 0
    assert seeded.get(LearningLink, 1) is not None


def test_a_read_and_write_token_writes(signed_in, seeded):
    client = signed_in("admin")
    raw = issued(create(client, seeded, scope="write"))
    response = client.post("/api/v1/adoptions", headers=auth(raw), json=move())
    assert response.status_code == 201, response.get_data(as_text=True)


def test_an_expired_token_is_401_and_says_so(signed_in, seeded, runner_tokens):
    expired = runner_tokens[1]
    response = signed_in("admin").get("/api/v1/networks", headers=auth(expired))
    assert response.status_code == 401
    assert "expired" in response.get_json()["error"]["message"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


# --- the command line keeps the same rules -------------------------------------------------------


def test_the_command_line_takes_scope_and_expiry(app, seeded):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "token", MANAGER, "--name", "Cron", "--scope", "read", "--expires", "7"])
    assert result.exit_code == 0, result.output
    assert "read only" in result.stderr and "Cron" in result.stderr
    [row] = rows(seeded)
    assert (row.name, row.scope) == ("Cron", TokenScope.READ)
    assert timedelta(days=7) - (row.expires_at - row.created_at) < timedelta(seconds=1)
    # Without options: read and write, for the longest expiry allowed.
    assert runner.invoke(args=["users", "token", MANAGER]).exit_code == 0
    default = rows(seeded)[1]
    assert default.scope is TokenScope.WRITE
    assert timedelta(days=365) - (default.expires_at - default.created_at) < timedelta(seconds=1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expires", "0"], "A token lasts from 1 to 365 days"),
        (["--expires", "400"], "A token lasts from 1 to 365 days"),
        (["--name", " "], "Enter a name"),
        (["--scope", "admin"], "'admin' is not one of 'read', 'write'"),
    ],
)
def test_the_command_line_refuses_what_the_page_refuses(app, seeded, args, message):
    result = app.test_cli_runner().invoke(args=["users", "token", MANAGER, *args])
    assert result.exit_code != 0 and message in result.output
    assert rows(seeded) == []


def test_the_list_costs_the_same_statements_for_one_token_or_many(app, signed_in, seeded, statement_counter):
    client = signed_in("admin")
    runner = app.test_cli_runner()

    def statements() -> int:
        with statement_counter() as seen:
            assert client.get("/admin/tokens").status_code == 200
        return len(seen)

    for email in (MANAGER, "trust@demo.invalid"):
        assert runner.invoke(args=["users", "token", email]).exit_code == 0
    few = statements()
    for email in (MANAGER, "faculty@demo.invalid", "admin@demo.invalid") * 3:
        assert runner.invoke(args=["users", "token", email]).exit_code == 0
    assert statements() == few <= 4
