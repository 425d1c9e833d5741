"""Browser tests: Playwright drives Debian's Chromium against the app served on loopback.

Every page a test visits is checked with axe-core; a serious or critical violation fails the test.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from tracker.seed import DEMO_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package or set CHROMIUM_PATH")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app, seeded) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical axe-core violation on the page as it is now."""
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in blocking
    )
    assert not blocking, f"Accessibility violations on {page.url}:\n{report}"


class Site:
    """A browser tab on the live app, checking accessibility on every page it reaches."""

    def __init__(self, page: Page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))

    def goto(self, path: str) -> Page:
        response = self.page.goto(self.base_url + path)
        assert response is not None
        self.checked()
        return self.page

    def navigates(self, action) -> Page:
        """Do something that loads a new page (a click, Enter in a form), then check that page."""
        with self.page.expect_navigation():
            action()
        return self.checked()

    def checked(self) -> Page:
        self.page.wait_for_load_state("load")
        assert_accessible(self.page)
        return self.page

    def sign_in(self, role: str) -> Page:
        self.goto("/sign-in")
        self.page.get_by_label("Email address").fill(f"{role}@demo.invalid")
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        return self.navigates(self.page.get_by_role("button", name="Sign in").click)


@pytest.fixture
def site(browser, live_server) -> Iterator[Site]:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    yield Site(page, live_server.url)
    context.close()
