"""gunicorn with gunicorn.conf.py on loopback: the JSON access log carries the request id that the
response header and the error pages show, and a browser's cookie jar on plain http meets the https page.

The server's database cannot be opened (its folder does not exist), so the same server shows a 503.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import queue
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import page_text
from tracker import create_app

ROOT = Path(__file__).resolve().parent.parent
KEY = "gunicorn-test-secret-key-that-is-long-enough-0123456789"
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


class Server:
    def __init__(self, process: subprocess.Popen, port: int):
        self.process, self.port = process, port
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, path: str, data: dict | None = None, **headers):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(self.url(path), data=body, headers=headers), timeout=60) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def access_line(self, request_id: str) -> dict:
        """The access log's line of a request (written once its response is sent: readline waits for it)."""
        while True:
            line = json.loads(self.process.stdout.readline())
            if line["request_id"] == request_id:
                return line


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Server:
    missing = tmp_path_factory.mktemp("gunicorn") / "not-mounted" / "tracker.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "FLASK_"))},
        "SECRET_KEY": KEY,
        "DATABASE_URL": f"sqlite:///{missing}",
        "TRACKER_BIND": "127.0.0.1:0",
        "TRACKER_WORKERS": "1",
        "RETRY_AFTER_SECONDS": "20",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    errors: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [errors.put(line) for line in process.stderr], daemon=True)
    reader.start()
    try:
        while True:
            line = errors.get(timeout=60)
            if match := LISTENING.search(line):
                break
        # Once listening, connections queue until the worker has loaded the app: no waiting needed.
        yield Server(process, int(match.group(1)))
    finally:
        process.terminate()
        process.wait(timeout=60)
        reader.join(timeout=60)  # the pipe ends with the process
        process.stdout.close()
        process.stderr.close()


def test_a_normal_response_and_its_log_line_carry_the_request_id(server):
    status, headers, body = server.request("/healthz", **{"X-Request-ID": "lb-0001-abc"})
    assert status == 200 and json.loads(body) == {"status": "ok"}
    assert headers["X-Request-ID"] == "lb-0001-abc"
    line = server.access_line("lb-0001-abc")
    assert line["method"] == "GET" and line["path"] == "/healthz" and line["status"] == 200
    assert line["remote_addr"] == "127.0.0.1" and line["duration_ms"] >= 0


def test_the_404_page_the_header_and_the_log_line_share_one_generated_reference(server):
    status, headers, body = server.request("/no-such-page", **{"X-Request-ID": "bad id\twith tab"})
    assert status == 404
    reference = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", reference)  # the malformed one was not kept
    assert f"quote this reference: {reference}" in page_text(body)
    assert server.access_line(reference)["status"] == 404


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
    assert server.access_line(headers["X-Request-ID"])["status"] == 503

    status, headers, body = server.request("/readyz")
    assert status == 503 and json.loads(body)["reason"] == "the database does not answer"
    assert server.access_line(headers["X-Request-ID"])["status"] == 503


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
    assert server.access_line(headers["X-Request-ID"])["status"] == 400
