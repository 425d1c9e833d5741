"""Two app servers over one PostgreSQL, as behind a load balancer: nothing lives in one process alone.

Two gunicorn instances (gunicorn.conf.py, one worker each, their own loopback ports) share one
database and SECRET_KEY. What each must share, and where it lives:
- sessions: a signed cookie naming a session token that is a column of the user's row, so the
  cookie one server sets is good on the other (and the CSRF secret travels in it too);
- sign-in throttling: counted in sign_in_attempts (per email) and sign_in_throttles (per address,
  per subnet, the service cap), never in memory;
- the import's checked file: in the checked_uploads table, not under instance/, so the
  confirmation may reach the other server;
- figures: each process caches coverage and network results in memory, but keyed by the database's
  data version (a value every write changes), so a write through one server makes the other's
  cached entries unreachable: its next answer is computed afresh. The test warms both caches first.
Per-process state left as it is, because it cannot be stale: the compiled outline of the map and
month spans (read-only), the migration heads of the code, and the set of anonymous-denial counters
this process found full for the hour (it only saves writes; each process learns it on its own).

PostgreSQL only: two servers on one SQLite file is not a deployment anyone should run.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from urllib.parse import urljoin

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.gunicorn_server import ROOT, Browser, Server, gunicorn
from tests.helpers import (
    BASE_CONFIG,
    GOOD,
    HASH_ITERATIONS,
    HEADER,
    ON_POSTGRES,
    TEST_DATABASE_URL,
    csv_bytes,
    next_code,
    page_text,
    with_search_path,
)
from tracker import audit_trail as audit
from tracker import create_app, migrate
from tracker import db as tracker_db
from tracker.auth import tokens
from tracker.models import User
from tracker.seed import DEMO_PASSWORD, load_demo, load_reference

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="two app servers share a PostgreSQL database: set TEST_DATABASE_URL=postgresql+psycopg://…",
)

KEY = "two-servers-test-secret-key-that-is-long-enough-0123456789"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
TICKET = re.compile(r'name="ticket" value="([^"]+)"')
COVERAGE = "/api/v1/coverage?ambition=RP"
NETWORK = "/api/v1/network?intervention=RP-01"


@pytest.fixture(scope="module")
def database() -> Iterator[tuple[str, str]]:
    """A schema of its own, migrated and seeded once (reference and demo data); (its URL, a manager's API token)."""
    schema = f"two_servers_{uuid.uuid4().hex[:10]}"
    admin = create_engine(TEST_DATABASE_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = with_search_path(TEST_DATABASE_URL, schema)
    try:
        app = create_app({**BASE_CONFIG, "DATABASE_URL": url})
        migrate.upgrade(app)
        with Session(bind=tracker_db.get_engine(app)) as session:
            audit.set_actor(session, audit.Actor(email="test", role="test"))
            load_reference(session)
            load_demo(session, HASH_ITERATIONS, history=False)
            manager = session.scalar(select(User).filter_by(email="manager@demo.invalid"))
            token = tokens.issue_token(session, manager)
            session.commit()
        tracker_db.get_engine(app).dispose()
        yield url, token
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def servers(database) -> Iterator[tuple[Server, Server]]:
    url, _token = database
    environ = {
        "SECRET_KEY": KEY,
        "DATABASE_URL": url,
        "SESSION_COOKIE_SECURE": "false",  # plain http on loopback
        "PASSWORD_HASH_ITERATIONS": str(HASH_ITERATIONS),
        "TRACKER_PROXY_FOR": "1",  # the tests speak from addresses of their own through X-Forwarded-For
        "SIGN_IN_FREE_FAILURES": "3",
        "SIGN_IN_LOCK_AFTER": "3",
        "SIGN_IN_ADDRESS_FREE_FAILURES": "3",
        "SIGN_IN_ADDRESS_LOCK_AFTER": "3",
        "SIGN_IN_NEW_ADDRESS_BURST": "1000",  # the service-wide cap is not what these tests are about
    }
    with ExitStack() as stack:
        a = stack.enter_context(gunicorn(environ, "A"))
        b = stack.enter_context(gunicorn(environ, "B"))
        for server in (a, b):
            status, _headers, body = server.request("/healthz")
            assert status == 200, body
        assert a.port != b.port
        yield a, b


def csrf_token(browser: Browser, url: str) -> str:
    status, _headers, body = browser.request(url)
    assert status == 200, body
    return CSRF.search(body).group(1)


def sign_in(browser: Browser, server: Server, email: str, password: str, address: str):
    token = csrf_token(browser, server.url("/sign-in"))
    return browser.request(
        server.url("/sign-in"),
        {"email": email, "password": password, "csrf_token": token},
        **{"X-Forwarded-For": address},
    )


def security_code(database_url: str, email: str) -> str:
    """A code the demo account's authenticator app would show now (the demo admin and manager use MFA)."""
    app = create_app({**BASE_CONFIG, "DATABASE_URL": database_url})
    try:
        return next_code(app, email)
    finally:
        tracker_db.get_engine(app).dispose()


def second_step(browser: Browser, server: Server, code: str, address: str):
    """The security code, after the password: answers 302 onwards when it is accepted."""
    token = csrf_token(browser, server.url("/sign-in/code"))
    return browser.request(
        server.url("/sign-in/code"), {"code": code, "csrf_token": token}, **{"X-Forwarded-For": address}
    )


def api(server: Server, token: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    data = json.dumps(body).encode() if body is not None else None
    status, _headers, text = Browser().request(server.url(path), data, **headers)
    return status, json.loads(text)


def test_a_session_begun_on_one_server_is_good_on_the_other(servers, database):
    a, b = servers
    url, _token = database
    browser = Browser()
    status, headers, _body = sign_in(browser, a, "manager@demo.invalid", DEMO_PASSWORD, "192.0.2.10")
    assert status == 302 and headers["Location"].endswith("/sign-in/code")
    assert [cookie.name for cookie in browser.jar] == ["tracker_session"]  # set by A
    # Half-way (password checked on A), the security code is taken by B.
    code = security_code(url, "manager@demo.invalid")
    assert second_step(browser, b, code, "192.0.2.10")[0] == 302
    status, _headers, body = browser.request(b.url("/account/password"))
    assert status == 200, body
    assert "Signed in as manager@demo.invalid" in page_text(body)
    cookie = f"tracker_session={next(iter(browser.jar)).value}"
    assert Browser().request(a.url("/account/password"), Cookie=cookie)[0] == 200  # the cookie alone is enough
    # Signing out on B ends the session everywhere: the same cookie, replayed on A, is no longer good.
    assert browser.request(b.url("/sign-out"), {"csrf_token": CSRF.search(body).group(1)})[0] == 302
    status, headers, _body = Browser().request(a.url("/account/password"), Cookie=cookie)
    assert status == 302 and "/sign-in" in headers["Location"]


def test_a_write_through_one_server_is_in_the_others_next_coverage_and_network(servers, database):
    a, b = servers
    _url, token = database
    before = {}
    for server in (a, b):  # warm both servers' caches: a per-process cache would now answer from the old data
        for path in (COVERAGE, NETWORK):
            status, answer = api(server, token, path)
            assert status == 200, answer
            before[server.port, path] = answer
    assert before[a.port, COVERAGE] == before[b.port, COVERAGE]
    adopters = {row["intervention"]: row["adopters"] for row in before[b.port, COVERAGE]["by_intervention"]}
    [rnu] = [node for node in before[b.port, NETWORK]["nodes"] if node["id"] == "RNU"]
    assert not rnu["adopted"]

    move = {"organisation": "RNU", "intervention": "RP-01", "stage": "spreading", "effective_date": "2025-06-01"}
    status, answer = api(a, token, "/api/v1/adoptions", {**move, "expected_version": 0})
    assert status == 201, answer

    status, coverage = api(b, token, COVERAGE)
    assert status == 200
    after = {row["intervention"]: row["adopters"] for row in coverage["by_intervention"]}
    assert after == {**adopters, "RP-01": adopters["RP-01"] + 1}
    status, network = api(b, token, NETWORK)
    [rnu] = [node for node in network["nodes"] if node["id"] == "RNU"]
    assert status == 200 and rnu["adopted"] and rnu["stage"] == "spreading"


def test_an_import_checked_on_one_server_is_confirmed_on_the_other(servers, database):
    a, b = servers
    url, token = database
    browser = Browser()
    assert sign_in(browser, a, "manager@demo.invalid", DEMO_PASSWORD, "192.0.2.11")[0] == 302
    assert second_step(browser, a, security_code(url, "manager@demo.invalid"), "192.0.2.11")[0] == 302
    on_disk = sorted((ROOT / "instance").rglob("*"))  # both servers' instance folder
    upload = FileStorage(io.BytesIO(csv_bytes(HEADER, GOOD)), filename="records.csv", content_type="text/csv")
    boundary, body = encode_multipart(
        {"csrf_token": csrf_token(browser, a.url("/spreadsheets/import")), "file": upload}
    )
    status, _headers, page = browser.request(
        a.url("/spreadsheets/import"), body, **{"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert status == 200, page
    ticket = TICKET.search(page).group(1)
    assert sorted((ROOT / "instance").rglob("*")) == on_disk  # the checked file is in the database only

    form = {"ticket": ticket, "csrf_token": CSRF.search(page).group(1)}
    status, headers, page = browser.request(b.url("/spreadsheets/import/confirm"), form)
    assert status == 302, page
    status, _headers, page = browser.request(urljoin(b.url("/"), headers["Location"]))
    assert status == 200 and "Imported 1 event" in page_text(page), page
    status, records = api(a, token, "/api/v1/adoptions?organisation=RNU&intervention=SS-01")
    assert status == 200 and [r["stage"] for r in records["adoptions"]] == ["implementing"]


def failed_until_refused(server: Server, emails, address) -> tuple[int, str]:
    """Wrong passwords on one server, one email after another, until it refuses to check them (429)."""
    for attempt, email in zip(range(10), emails, strict=False):
        status, _headers, body = sign_in(Browser(), server, email, "not the password", address(attempt))
        if status == 429:
            return attempt, page_text(body)
        assert status == 200 and "Enter a correct email address and password" in page_text(body)
    pytest.fail("ten wrong passwords and still no refusal")


def test_an_email_throttled_on_one_server_is_refused_by_the_other(servers):
    a, b = servers
    emails = ["admin@demo.invalid"] * 10
    attempts, refusal = failed_until_refused(a, emails, lambda n: f"198.51.100.{n + 1}")  # from many addresses
    assert attempts == 3 and "Too many failed attempts to sign in with this email address" in refusal
    # B, from an address never seen, with the right password: refused before the password is checked.
    status, headers, body = sign_in(Browser(), b, "admin@demo.invalid", DEMO_PASSWORD, "198.51.100.99")
    assert status == 429 and int(headers["Retry-After"]) > 0
    assert "Too many failed attempts to sign in with this email address" in page_text(body)


def test_an_address_throttled_on_one_server_is_refused_by_the_other(servers):
    a, b = servers
    emails = [f"nobody{n}@nhs.net" for n in range(10)]  # a different email each time: only the address repeats
    attempts, refusal = failed_until_refused(a, emails, lambda n: "203.0.113.7")
    assert attempts >= 3 and "Too many attempts to sign in from your network" in refusal
    status, headers, body = sign_in(Browser(), b, "trust@demo.invalid", DEMO_PASSWORD, "203.0.113.7")
    assert status == 429 and int(headers["Retry-After"]) > 0
    assert "Too many attempts to sign in from your network" in page_text(body)
    # The same account from another address signs in on B: the refusal was the address's.
    assert sign_in(Browser(), b, "trust@demo.invalid", DEMO_PASSWORD, "192.0.2.12")[0] == 302
