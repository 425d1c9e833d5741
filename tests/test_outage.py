"""The database goes down and comes back: 503 with Retry-After (the NHS page, or JSON for the API),
the security headers and a request id, never a bare 500; and the same signed-in browser carries on
once it is back, with no restart of the app.

PostgreSQL: a throwaway cluster of the test's own (initdb, pg_ctl), stopped and started again under a
running app. SQLite: the folder holding the database file goes away (a volume not mounted, say) and
comes back, under a server process started while it was gone.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import BASE_CONFIG, FormClient, assert_security_headers, next_code, page_text
from tracker import audit_trail as audit
from tracker import create_app, migrate
from tracker import db as tracker_db
from tracker.auth import mfa, totp
from tracker.models import User, utcnow

EMAIL, PASSWORD = "ops.lead@nhs.example", "harbour kettle violin 7391"
RETRY_AFTER = 45


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    """A PostgreSQL server of the test's own on a loopback port, run as the postgres user when root."""

    bin: Path
    directory: Path
    port: int
    as_postgres: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        command = [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-w", "-l", str(self.directory / "server.log"), "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-w", "-m", mode, "stop")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    directory = Path(tempfile.mkdtemp(prefix="tracker-outage-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(directory, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    initdb = [*as_postgres, str(pg_bin / "initdb"), "-D", str(directory / "data"), "-U", "postgres"]
    subprocess.run([*initdb, "--auth=trust", "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)
    server = Cluster(pg_bin, directory, _free_port(), as_postgres)
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


def _app(url: str):
    return create_app({**BASE_CONFIG, "DATABASE_URL": url, "RETRY_AFTER_SECONDS": RETRY_AFTER})


def _add_account(app) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", EMAIL, "--role", "admin", "--name", "Olu Adeyemi", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    # Administrators who sign in with a password use MFA: set up an authenticator app as enrolment does.
    with tracker_db.write_session(app) as session:
        audit.set_actor(session, audit.Actor(email="test", role="test"))
        user = session.scalar(select(User).filter_by(email=EMAIL))
        secret = totp.new_secret()
        mfa.enrol(session, user, secret, totp.code_at_step(secret, totp.step_of(utcnow())))


def _signed_in(app) -> FormClient:
    client = FormClient(app.test_client())
    response = client.sign_in(EMAIL, PASSWORD)
    assert response.status_code == 302, page_text(response.get_data(as_text=True))
    response = client.submit("/sign-in/code", {"code": next_code(app, EMAIL)})
    assert response.status_code == 302, page_text(response.get_data(as_text=True))
    assert client.get("/organisations").status_code == 200
    return client


def assert_down(client: FormClient, token: str) -> None:
    """What a signed-in browser, an API client and the load balancer see while the database is down.

    token: the CSRF token of a form the browser opened before the database went down.
    """
    page = client.get("/organisations", headers={"X-Request-ID": "outage-check-1"})
    assert page.status_code == 503
    assert page.headers["Retry-After"] == str(RETRY_AFTER)
    assert page.mimetype == "text/html"
    assert_security_headers(page)
    assert page.headers["X-Request-ID"] == "outage-check-1"
    markup = page.get_data(as_text=True)
    assert 'class="nhsuk-header' in markup and "nhsuk-frontend.min.css" in markup  # the NHS page, not a bare one
    text = page_text(markup)
    assert "Sorry, the service is unavailable" in text
    assert "quote this reference: outage-check-1" in text
    assert "Sign out" not in text  # drawn as for someone signed out: the user could not be loaded

    api = client.get("/api/v1/ambitions")
    assert api.status_code == 503 and api.mimetype == "application/json"
    assert api.headers["Retry-After"] == str(RETRY_AFTER)
    assert_security_headers(api)
    assert api.get_json()["error"]["status"] == 503

    write = client.post("/organisations/new", data={"name": "Nowhere", "csrf_token": token})
    assert write.status_code == 503 and "Sorry, the service is unavailable" in page_text(write.get_data(as_text=True))

    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["reason"] == "the database does not answer"
    assert client.get("/healthz").status_code == 200


def assert_back(client: FormClient) -> None:
    page = client.get("/organisations")
    assert page.status_code == 200
    assert "Sign out" in page_text(page.get_data(as_text=True))  # still signed in: the same session
    assert client.get("/api/v1/ambitions").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_postgres_stopped_and_started_under_a_running_app(cluster):
    app = _app(cluster.url)
    migrate.upgrade(app)
    _add_account(app)
    client = _signed_in(app)
    token = client.csrf_token("/organisations/new")

    cluster.stop("fast")
    try:
        assert_down(client, token)
    finally:
        cluster.start()
    assert_back(client)
    tracker_db.get_engine(app).dispose()


def test_sqlite_file_gone_then_back(tmp_path):
    volume = tmp_path / "volume"
    volume.mkdir()
    url = f"sqlite:///{volume / 'tracker.sqlite3'}"
    first = _app(url)
    migrate.upgrade(first)
    _add_account(first)
    signed_in = _signed_in(first)
    cookie = signed_in.get_cookie("tracker_session").value
    token = signed_in.csrf_token("/organisations/new")
    tracker_db.get_engine(first).dispose()

    volume.rename(tmp_path / "unmounted")
    # A server process (a gunicorn worker, say) that starts while the database cannot be opened.
    app = _app(url)
    client = FormClient(app.test_client())
    client.set_cookie("tracker_session", cookie)
    assert_down(client, token)

    (tmp_path / "unmounted").rename(volume)
    assert_back(client)
    tracker_db.get_engine(app).dispose()
