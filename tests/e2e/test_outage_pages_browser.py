"""The pages an operations problem shows, in Chromium with axe-core: the 503 page while the database
cannot be opened, and the page for a sign-in posted over plain http while cookies are Secure."""

from __future__ import annotations

import shutil

import pytest

from tests.helpers import ON_POSTGRES
from tracker import db as tracker_db
from tracker.seed import DEMO_PASSWORD


@pytest.fixture
def database_url(request, database_templates, tmp_path) -> str:
    """SQLite: the test's database in a folder of its own (a volume the test can take away)."""
    url = database_templates.database_url("seeded", tmp_path)
    if ON_POSTGRES:
        return url
    volume = tmp_path / "volume"
    volume.mkdir()
    shutil.move(url.removeprefix("sqlite:///"), volume / "tracker.sqlite3")
    return f"sqlite:///{volume / 'tracker.sqlite3'}"


@pytest.fixture
def app(make_app):
    return make_app(SESSION_COOKIE_SECURE=True)


def _fill_sign_in(site) -> None:
    site.page.get_by_label("Email address").fill("trust@demo.invalid")
    site.page.get_by_label("Password").fill(DEMO_PASSWORD)


def test_the_plain_http_page_says_to_use_https(site):
    site.goto("/sign-in")
    # Chromium keeps Secure cookies on loopback; on any other http address it would not: as there.
    site.page.context.clear_cookies()
    _fill_sign_in(site)
    page = site.navigates(site.page.get_by_role("button", name="Sign in").click)
    assert page.get_by_role("heading", level=1).inner_text() == "Use the secure (https) address of this service"
    assert (
        page.get_by_role("link", name="Open this page at its https address")
        .get_attribute("href")
        .startswith("https://127.0.0.1:")
    )


@pytest.mark.skipif(ON_POSTGRES, reason="takes the SQLite file away; PostgreSQL stopping is in tests/test_outage.py")
def test_the_503_page_while_the_database_cannot_be_opened(site, app, tmp_path):
    site.goto("/sign-in")
    (tmp_path / "volume").rename(tmp_path / "unmounted")
    tracker_db.get_engine(app).dispose()  # as a worker restarted while it is gone
    _fill_sign_in(site)
    page = site.navigates(site.page.get_by_role("button", name="Sign in").click)
    assert page.get_by_role("heading", level=1).inner_text() == "Sorry, the service is unavailable"
    assert "quote this reference:" in page.inner_text("main")
    (tmp_path / "unmounted").rename(tmp_path / "volume")
