"""Browser tests: Playwright drives Debian's Chromium against the app served on loopback.

Every page a test visits is checked with axe-core (a serious or critical violation fails the test) and
for broken layout at a desktop and a phone width; any failed or outside request, console error or CSP
report fails it too (see Site).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from tracker.auth import totp
from tracker.models import utcnow
from tracker.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET

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

# Every page is checked at a desktop and a phone width; a test sets its own viewport to start at another.
DESKTOP = {"width": 1280, "height": 800}
WIDTHS = (1280, 375)

# Collects the Content Security Policy's reports on every document, before any page script runs.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} refused ${e.blockedURI || "an inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""

# What a person would see as broken layout at the current width, once scripts have reacted to it.
LAYOUT_PROBLEMS = """
async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const problems = [];
  const describe = (el) => {
    const classes = (el.getAttribute("class") || "").trim().split(/\\s+/).filter(Boolean);
    return el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "") + classes.map((c) => `.${c}`).join("");
  };
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth} px of content in ${root.clientWidth} px`);
  }
  // A drawing kept at a readable size (a driver diagram on a phone) may scroll sideways in a region of
  // its own, made for it: .app-scroll-region, which a keyboard can reach (tabindex 0) and a screen
  // reader names (role region, labelled). Nothing else may.
  const scrollRegion = (el) => el.matches(".app-scroll-region") && el.getAttribute("role") === "region"
    && el.getAttribute("tabindex") === "0" && (el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby"));
  for (const el of document.querySelectorAll(".app-scroll-region")) {
    if (!scrollRegion(el)) problems.push(`${describe(el)} is made to scroll sideways but is not a focusable, labelled region`);
  }
  // Tables and figures fit the box they sit in (the nearest ancestor that is not inline).
  for (const el of document.querySelectorAll("table, figure, svg, canvas, img, pre")) {
    if (el.parentElement instanceof SVGElement || !el.getClientRects().length) continue;
    let box = el.parentElement;
    while (box && /^(inline|contents)/.test(getComputedStyle(box).display)) box = box.parentElement;
    if (box && scrollRegion(box)) continue;
    const width = Math.max(el.getBoundingClientRect().width, el.scrollWidth);
    if (box && width - box.clientWidth >= 1) {
      problems.push(`${describe(el)} is ${Math.round(width)} px wide in ${box.clientWidth} px (${describe(box)})`);
    }
  }
  // Nothing needs a sideways scroll bar (the NHS table container shows a shadow when it does).
  for (const el of document.body.querySelectorAll("*")) {
    if (el.scrollWidth <= el.clientWidth || scrollRegion(el)) continue; // most: no need to ask for their style
    const overflow = getComputedStyle(el).overflowX;
    if (overflow === "auto" || overflow === "scroll") {
      problems.push(`${describe(el)} scrolls sideways: ${el.scrollWidth} px of content in ${el.clientWidth} px`);
    }
  }
  return problems;
}
"""


# The page as axe-core sees it: its markup, what its form fields hold and its viewport, less what
# differs between two renders of the same page (the CSRF tokens; the live server's address, a new
# port for each test).
PAGE_STATE = """
(origin) => {
  let html = document.documentElement.outerHTML;
  const fields = [];
  for (const field of document.querySelectorAll("input, select, textarea")) {
    if (field.name === "csrf_token") {
      if (field.value) html = html.split(field.value).join("");
    } else {
      fields.push([field.name, field.value, field.checked ?? null]);
    }
  }
  return JSON.stringify([innerWidth, innerHeight, fields, html.split(origin).join("")]);
}
"""


class AxeVerdicts:
    """axe-core's blocking violations per page state, for the run: a state seen before (the sign-in
    page, a role's dashboard, a page two tests visit) gets the same verdict without axe running again.

    Under pytest-xdist the run's workers share their verdicts through files in the run's own
    temporary folder (never kept from one run to the next: the stylesheets may have changed).
    """

    def __init__(self, shared: Path | None = None):
        self.verdicts: dict[str, list[dict]] = {}
        self.shared = shared

    def blocking(self, page: Page) -> list[dict]:
        """The serious or critical axe-core violations on the page as it is now."""
        origin = re.match(r"^https?://[^/]+", page.url)
        state = hashlib.sha256(page.evaluate(PAGE_STATE, origin.group(0) if origin else "\0").encode()).hexdigest()
        verdict = self.verdicts.get(state)
        if verdict is None:
            verdict = self._read_shared(state)
        if verdict is None:
            results = _axe.run(page)
            verdict = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
            self._write_shared(state, verdict)
        self.verdicts[state] = verdict
        return verdict

    def _read_shared(self, state: str) -> list[dict] | None:
        path = self.shared and self.shared / f"{state}.json"
        return json.loads(path.read_text()) if path and path.exists() else None

    def _write_shared(self, state: str, verdict: list[dict]) -> None:
        if self.shared:
            partial = self.shared / f"{state}.{os.getpid()}"
            partial.write_text(json.dumps(verdict))
            partial.replace(self.shared / f"{state}.json")  # whole or not at all, for the other workers


_verdicts = AxeVerdicts()


@pytest.fixture(scope="session", autouse=True)
def shared_axe_verdicts(request, tmp_path_factory) -> None:
    """Under pytest-xdist, share the verdicts with the run's other workers."""
    if hasattr(request.config, "workerinput"):
        _verdicts.shared = tmp_path_factory.getbasetemp().parent / "axe-verdicts"
        _verdicts.shared.mkdir(exist_ok=True)


@pytest.fixture
def axe_violations():
    """The blocking violations of a page as it is now (AxeVerdicts), for the tests of the check itself."""
    return _verdicts.blocking


@pytest.fixture
def layout_problems():
    """What LAYOUT_PROBLEMS finds on a page as it is now, for the tests of the check itself."""
    return lambda page: page.evaluate(LAYOUT_PROBLEMS)


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical axe-core violation on the page as it is now."""
    blocking = _verdicts.blocking(page)
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in blocking
    )
    assert not blocking, f"Accessibility violations on {page.url}:\n{report}"


class Site:
    """A browser tab on the live app that fails a test on anything broken that a page shows or does.

    Always: a request for anything (CSS, scripts, images, fonts, API calls) that answers 4xx/5xx, fails,
    or goes to another host; a console error; an uncaught script error; a Content Security Policy report.
    On every page checked: axe-core, then at each of WIDTHS a page that scrolls sideways, a table or
    figure wider than its box, or anything needing a sideways scroll bar (but a focusable, labelled
    .app-scroll-region, made for a drawing kept at a readable size). The page itself may answer
    4xx: tests that go to one say which status they expect.
    """

    def __init__(self, page: Page, base_url: str, others: tuple[str, ...] = ()):
        self.page = page
        self.base_url = base_url
        self.others = others  # other origins this test's pages may go to (the test identity provider)
        self.problems: list[str] = []
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: script error: {error}"))

    def _ours(self, url: str) -> bool:
        return url.startswith((self.base_url + "/", "data:", "blob:", *(other + "/" for other in self.others)))

    def _is_page(self, request) -> bool:
        return request.is_navigation_request() and request.frame == self.page.main_frame

    def _request(self, request) -> None:
        if not self._ours(request.url):
            self.problems.append(f"{self.page.url} asked another host for {request.url}")

    def _response(self, response) -> None:
        if response.status >= 400 and not self._is_page(response.request):
            self.problems.append(f"{self.page.url}: {response.url} answered {response.status}")

    def _request_failed(self, request) -> None:
        # Another host's requests are refused by the context (and reported above). Aborted is not
        # failed: a download ends its navigation so, a page left for the next one its loads, and
        # map.js its fetch of a month passed over.
        if not self._ours(request.url) or request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"{self.page.url}: {request.url} failed ({request.failure})")

    def _console(self, message) -> None:
        # "Failed to load resource" repeats a response above, which names the resource (or is the page's own status).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"{self.page.url}: console error: {message.text}")

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
        page = self.page
        page.wait_for_load_state("load")
        assert_accessible(page)
        size = page.viewport_size
        for width in sorted(WIDTHS, key=lambda w: w == size["width"]):  # the current width last
            page.set_viewport_size({"width": width, "height": size["height"]})
            self.problems += [f"{page.url} at {width} px: {p}" for p in page.evaluate(LAYOUT_PROBLEMS)]
        if page.viewport_size != size:
            page.set_viewport_size(size)
        self.problems += [f"{page.url}: CSP: {v}" for v in page.evaluate("window.__cspViolations || []")]
        self.assert_clean()
        return page

    def assert_clean(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "\n".join(problems)

    def sign_in(self, role: str) -> Page:
        """Sign in as the demo account of the role; the demo administrator and manager also give a code
        from the published demo key (the next step's, if this step's was used by an earlier sign-in)."""
        self.goto("/sign-in")
        self.page.get_by_label("Email address").fill(f"{role}@demo.invalid")
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        page = self.navigates(self.page.get_by_role("button", name="Sign in").click)
        if "/sign-in/code" not in page.url:
            return page
        step = totp.step_of(utcnow())
        for code in (totp.code_at_step(DEMO_TOTP_SECRET, step), totp.code_at_step(DEMO_TOTP_SECRET, step + 1)):
            self.page.get_by_label("Security code").fill(code)
            page = self.navigates(self.page.get_by_role("button", name="Continue").click)
            if "/sign-in/code" not in page.url:
                return page
        raise AssertionError("the demo security code was refused")


def new_site(
    browser: Browser, base_url: str, others: tuple[str, ...] = (), **context_options
) -> tuple[Site, BrowserContext]:
    """A fresh browser context on the app (and any `others` origins): no request leaves the machine, every
    page reports its CSP."""
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, **context_options)
    allowed = "|".join(re.escape(origin) + "/" for origin in (base_url, *others))
    context.route(re.compile(rf"^(?!{allowed})(https?|wss?)://"), lambda route: route.abort())
    context.add_init_script(CSP_LISTENER)
    return Site(context.new_page(), base_url, others), context


@pytest.fixture
def site(browser, live_server) -> Iterator[Site]:
    site, context = new_site(browser, live_server.url)
    yield site
    try:
        site.assert_clean()  # whatever happened after the last page was checked
    finally:
        context.close()


@pytest.fixture
def work_account_site(browser, live_server, oidc_provider) -> Iterator[Site]:
    """A tab on the app that may also go to the suite's identity provider, whose client knows the live
    server's callback (the test's `app` is configured for the provider: tests/oidc_provider.app_settings)."""
    from tests.oidc_provider import CALLBACK, CLIENT_ID, CLIENT_SECRET

    oidc_provider.register(CLIENT_ID, CLIENT_SECRET, live_server.url + CALLBACK)
    site, context = new_site(browser, live_server.url, others=(oidc_provider.url,))
    yield site
    try:
        site.assert_clean()
    finally:
        context.close()


@pytest.fixture
def bare_site(browser, app) -> Iterator[Site]:
    """A tab on the app serving its database as the test leaves it before the first page (no demo data:
    for data sets that are never mixed with it, such as the synthetic ones). Start it after writing."""
    with LiveServer(app) as server:
        site, context = new_site(browser, server.url)
        yield site
        try:
            site.assert_clean()
        finally:
            context.close()
