"""Configuration from the environment: every setting, the README's one table of them, bad values
refused at start-up, the proxies to trust, and a sign-in over plain http while cookies are Secure."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import BASE_CONFIG, page_text
from tracker import config as defaults
from tracker import create_app
from tracker.envconfig import ConfigError, settings_from
from tracker.models import AuditEvent
from tracker.seed import DEMO_PASSWORD
from tracker.serving import SERVER_SETTINGS, default_workers, settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings_from(defaults)
KEY = "an-environment-secret-key-long-enough-for-production-1234"


def _changed(name: str, kind: type) -> tuple[str, object]:
    """A value for the setting that differs from its default: the text to set and what it means."""
    default = getattr(defaults, name)
    if kind is bool:
        return ("false", False) if default else ("true", True)
    if kind is int:
        number = (default or 0) + 7  # a default of None (e.g. RETENTION_DAYS unset): any whole number
        return str(number), number
    if kind is float:
        return "0.75", 0.75
    if kind is tuple:
        return "a, b  c", ("a", "b", "c")
    value = {"DATABASE_URL": "sqlite:////srv/tracker/tracker.sqlite3", "SECRET_KEY": KEY}.get(name, f"{name} set")
    return value, value


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_read_from_the_environment(monkeypatch, name):
    raw, expected = _changed(name, SETTINGS[name])
    monkeypatch.setenv(name, raw)
    app = create_app({"TESTING": True} if name == "SECRET_KEY" else {"TESTING": True, "SECRET_KEY": KEY})
    assert app.config[name] == expected


def _readme_table() -> dict[str, tuple[str, str]]:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Configuration") : readme.index("\n## ", readme.index("## Configuration") + 1)]
    rows = re.findall(r"^\| `([A-Z_]+)` \| (.+?) \| (.+?) \|$", section, re.M)
    return {name: (default, meaning) for name, default, meaning in rows}


def test_the_readme_documents_every_setting_in_one_table():
    table = _readme_table()
    assert set(table) == set(SETTINGS) | set(SERVER_SETTINGS)
    for name, (default, meaning) in table.items():
        assert default.strip() and len(meaning) > 10, name


@pytest.mark.parametrize(
    "name, raw, says",
    [
        ("PASSWORD_HASH_ITERATIONS", "lots", "PASSWORD_HASH_ITERATIONS must be a whole number, not 'lots'"),
        ("SESSION_COOKIE_SECURE", "maybe", "SESSION_COOKIE_SECURE must be true or false"),
        ("TRACKER_PROXY_FOR", "-1", "TRACKER_PROXY_FOR must be at least 0, not -1"),
        ("COVERAGE_GOAL", "most", "COVERAGE_GOAL must be a number, not 'most'"),
        ("RETRY_AFTER_SECONDS", "1.5", "RETRY_AFTER_SECONDS must be a whole number"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_setting(monkeypatch, name, raw, says):
    monkeypatch.setenv(name, raw)
    with pytest.raises(ConfigError, match=re.escape(says)):
        create_app({**BASE_CONFIG})


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS and k not in SERVER_SETTINGS}
    return {**env, "SECRET_KEY": KEY, **extra}


def test_flask_refuses_to_start_with_a_bad_value_and_says_why():
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tracker", "routes"],
        cwd=ROOT,
        env=_environment(FORECAST_RUNS="a thousand", SQL_ECHO="perhaps"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "FORECAST_RUNS must be a whole number, not 'a thousand'" in result.stderr
    assert "SQL_ECHO must be true or false" in result.stderr  # every bad one, not just the first


def test_gunicorn_refuses_to_start_with_a_bad_value_and_says_why():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=_environment(TRACKER_WORKERS="four", TRACKER_PROXY_PROTO="yes"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Spread Tracker cannot start" in result.stderr
    assert "TRACKER_PROXY_PROTO must be a whole number, not 'yes'" in result.stderr
    assert "TRACKER_WORKERS must be a whole number, not 'four'" in result.stderr


def test_gunicorn_settings_from_the_environment():
    assert default_workers(2) == 5 and default_workers(16) == 8 and default_workers(None) == 3
    chosen = settings({"TRACKER_WORKERS": "3", "TRACKER_TIMEOUT": "60", "FORWARDED_ALLOW_IPS": "10.0.0.5"}, 2)
    assert chosen["workers"] == 3 and chosen["timeout"] == 60 and chosen["forwarded_allow_ips"] == "10.0.0.5"
    assert settings({}, 2) == {
        "bind": "127.0.0.1:8000",
        "workers": 5,
        "timeout": 30,
        "graceful_timeout": 30,
        "keepalive": 5,
        "forwarded_allow_ips": "127.0.0.1,::1",
        "accesslog": "-",
    }
    assert settings({"TRACKER_ACCESS_LOG": "off"}, 2)["accesslog"] is None
    assert (
        settings({"TRACKER_ACCESS_LOG": "/var/log/tracker/access.log"}, 2)["accesslog"] == "/var/log/tracker/access.log"
    )
    with pytest.raises(ConfigError, match="TRACKER_TIMEOUT must be at least 1, not 0"):
        settings({"TRACKER_TIMEOUT": "0"}, 2)


# --- the proxies to trust, and Secure cookies over plain http ---------------------------------------


CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _post_sign_in(client, page, **kwargs):
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    form = {"email": "trust@demo.invalid", "password": DEMO_PASSWORD, "csrf_token": token}
    return client.post("/sign-in", data=form, **kwargs)


def test_a_sign_in_over_plain_http_with_secure_cookies_says_to_use_https(seeded, make_app):
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    page = client.get("/sign-in")
    assert "Secure" in page.headers["Set-Cookie"]
    # A browser keeps a Secure cookie only for https, so the form comes back without it (Werkzeug's
    # test client would send it anyway: take it away as the browser does).
    client.delete_cookie("tracker_session")
    response = _post_sign_in(client, page)
    assert response.status_code == 400
    text = page_text(response.get_data(as_text=True))
    assert "Use the secure (https) address of this service" in text
    assert "SESSION_COOKIE_SECURE" in text and "TRACKER_PROXY_PROTO" in text
    assert "Your form expired" not in text
    assert 'href="https://localhost/sign-in"' in response.get_data(as_text=True)
    assert f"quote this reference: {response.headers['X-Request-ID']}" in text


def test_over_https_the_same_sign_in_works(seeded, make_app):
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    page = client.get("/sign-in", base_url="https://localhost")
    # Over https Flask-WTF also checks the Referer, which browsers send for the same origin.
    response = _post_sign_in(
        client, page, base_url="https://localhost", headers={"Referer": "https://localhost/sign-in"}
    )
    assert response.status_code == 302


def test_a_stale_form_with_its_cookie_still_says_the_form_expired(seeded, make_app):
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    client.get("/sign-in")  # the cookie is kept: only its token is wrong
    response = client.post("/sign-in", data={"email": "trust@demo.invalid", "password": "x", "csrf_token": "stale"})
    assert response.status_code == 400
    assert "Your form expired" in page_text(response.get_data(as_text=True))


def test_a_trusted_proxy_says_the_request_was_https_and_whom_it_came_from(seeded, make_app, monkeypatch):
    monkeypatch.setenv("TRACKER_PROXY_FOR", "1")
    monkeypatch.setenv("TRACKER_PROXY_PROTO", "1")
    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "Referer": "https://localhost/sign-in"}
    page = client.get("/sign-in", headers=forwarded)
    assert "Secure" in page.headers["Set-Cookie"]
    response = _post_sign_in(client, page, headers=forwarded)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    seeded.expire_all()
    signed_in = seeded.scalars(select(AuditEvent).filter_by(action="sign_in")).all()[-1]
    assert signed_in.remote_addr == "203.0.113.9"


def test_forwarded_headers_are_ignored_unless_trusted(seeded, make_app):
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    page = client.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    client.delete_cookie("tracker_session")  # as the browser on plain http would
    response = _post_sign_in(client, page, headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 400
    assert "Use the secure (https) address" in page_text(response.get_data(as_text=True))
