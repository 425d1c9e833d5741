"""gunicorn with gunicorn.conf.py on loopback: the JSON access log carries the request id that the
response header and the error pages show, and a browser's cookie jar on plain http meets the https page.

The server's database cannot be opened (its folder does not exist), so the same server shows a 503.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.gunicorn_server import Server, gunicorn
from tests.helpers import page_text
from tracker import create_app

KEY = "gunicorn-test-secret-key-that-is-long-enough-0123456789"


def access_line(server: Server, request_id: str) -> dict:
    """The access log's line of a request (written once its response is sent: this waits for it)."""
    while True:
        line = json.loads(server.stdout_line())
        if line["request_id"] == request_id:
            return line


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Server:
    missing = tmp_path_factory.mktemp("gunicorn") / "not-mounted" / "tracker.sqlite3"
    with gunicorn({"SECRET_KEY": KEY, "DATABASE_URL": f"sqlite:///{missing}", "RETRY_AFTER_SECONDS": "20"}) as server:
        yield server


def test_a_normal_response_and_its_log_line_carry_the_request_id(server):
    status, headers, body = server.request("/healthz", **{"X-Request-ID": "lb-0001-abc"})
    assert status == 200 and json.loads(body) == {"status": "ok"}
    assert headers["X-Request-ID"] == "lb-0001-abc"
    line = access_line(server, "lb-0001-abc")
    assert line["method"] == "GET" and line["path"] == "/healthz" and line["status"] == 200
    assert line["remote_addr"] == "127.0.0.1" and line["duration_ms"] >= 0


def test_the_404_page_the_header_and_the_log_line_share_one_generated_reference(server):
    status, headers, body = server.request("/no-such-page", **{"X-Request-ID": "bad id\twith tab"})
    assert status == 404
    reference = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", reference)  # the malformed one was not kept
    assert f"quote this reference: {reference}" in page_text(body)
    assert access_line(server, reference)["status"] == 404


def test_the_503_page_when_the_database_cannot_be_opened(server):
    # A session cookie as a signed-in browser would send: loading its user needs the database.
    app = create_app({"SECRET_KEY": KEY, "TESTING": True})
    cookie = app.session_interface.get_signing_serializer(app).dumps({"_user_id": "a-session-token"})
    status, headers, body = server.request("/organisations", Cookie=f"tracker_session={cookie}")
    assert status == 503
    assert headers["Retry-After"] == "20"
    assert "Sorry, the service is unavailable" in page_text(body)
    assert f"quote this reference: {headers['X-Request-ID']}" in page_text(body)
    assert headers["Content-Security-Policy"] and headers["X-Frame-Options"] == "DENY"
    assert access_line(server, headers["X-Request-ID"])["status"] == 503

    status, headers, body = server.request("/readyz")
    assert status == 503 and json.loads(body)["reason"] == "the database does not answer"
    assert access_line(server, headers["X-Request-ID"])["status"] == 503


def test_a_cookie_jar_on_plain_http_gets_the_https_page_not_form_expired(server):
    """The cookie jar, like a browser, keeps the Secure session cookie away from plain http."""
    status, headers, body = server.request("/sign-in")
    assert status == 200 and "Secure" in headers["Set-Cookie"]
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', body).group(1)
    status, headers, body = server.request(
        "/sign-in", {"email": "someone@nhs.net", "password": "x", "csrf_token": token}
    )
    assert status == 400
    text = page_text(body)
    assert "Use the secure (https) address of this service" in text and "Your form expired" not in text
    assert access_line(server, headers["X-Request-ID"])["status"] == 400
