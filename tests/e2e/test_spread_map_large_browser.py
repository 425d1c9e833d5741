"""The spread map of a collaborative of hundreds of organisations in a real browser (issue 15): the page
loads at a bounded size, its tables page (to another page, and to one network's organisations) by
keyboard, and the timeline plays from its one compact answer, the map and the month changing as it goes.
Checked with axe at desktop and phone widths, with no sideways scrolling and no console error (Site)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import HASH_ITERATIONS
from tracker.admin.services import AccountDetails, create_user
from tracker.maps import tables
from tracker.synth import HazardSpec, load_hazard, make_history

EMAIL, PASSWORD = "faculty@example.nhs.uk", "lantern-orbit-meadow-2026"
# 400 organisations over four years, about 1,000 learning links: enough for pages, quick to make (a second).
SPEC = HazardSpec(organisations=400, background=0.01, transmission=0.1, months=48, seed=3)


@pytest.fixture
def large_collaborative(session):
    """A database holding the synthetic collaborative only (synthetic data is never mixed with the
    demo's), and a faculty member's account to sign in with."""
    load_hazard(session, make_history(SPEC))
    create_user(session, AccountDetails(email=EMAIL, role="faculty", name="Faculty member"), PASSWORD, HASH_ITERATIONS)
    session.commit()
    return session


def drawn(page: Page, as_of: str | None = None) -> dict[str, str]:
    """Wait until map.js has drawn (the month of as_of, if given), then the map's ODS → stage."""
    figure = page.locator("#spread-map")
    if as_of:
        expect(figure).to_have_attribute("data-drawn-as-of", as_of, timeout=15_000)
    expect(figure).to_have_attribute("data-state", "ready", timeout=15_000)
    colours = json.loads(figure.get_attribute("data-colours"))
    assert int(figure.get_attribute("data-node-count")) == len(colours)
    return colours


def rows(page: Page) -> list[str]:
    found = page.locator("#spread-map-organisations tbody tr[data-ods]")
    return [found.nth(k).get_attribute("data-ods") for k in range(found.count())]


def test_a_large_map_loads_pages_and_plays(large_collaborative, bare_site):
    site = bare_site
    site.goto("/sign-in")
    page = site.page
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    site.navigates(page.get_by_role("button", name="Sign in").click)
    as_of = SPEC.as_of.isoformat()
    with page.expect_response(lambda r: "/spread-map/timeline" in r.url) as answer:
        site.goto(f"/spread-map?ambition=RP&as_of={as_of}")
    assert answer.value.ok
    html = page.content()
    assert len(html.encode()) < 400_000  # one page of each table, not 400 organisations' rows
    now = drawn(page, as_of)
    assert len(now) == 400
    expect(page.locator("#spread-map")).to_have_attribute("data-label-px", "0")  # too many to label
    first = rows(page)
    assert len(first) == tables.PAGE_SIZE
    assert {ods: now[ods] for ods in first} == {
        ods: page.locator(f"tr[data-ods='{ods}']").get_attribute("data-stage") for ods in first
    }

    # The timeline plays from the one answer: the month and the drawing change, and no month is fetched.
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "/spread-map" in request.url else None)
    month = page.get_by_label("Month shown")
    month.focus()
    page.keyboard.press("Home")
    april = drawn(page, "2021-04-30")
    expect(page.locator("#spread-map-month-label")).to_have_text("April 2021")
    expect(page.locator("#spread-map-announce")).to_contain_text("April 2021: ")
    assert april != now
    page.keyboard.press("ArrowRight")
    drawn(page, "2021-05-31")
    expect(page.locator("#spread-map-month-label")).to_have_text("May 2021")
    page.get_by_role("button", name="Play").press("Enter")
    expect(page.locator("#spread-map-month-label")).to_have_text("July 2021", timeout=10_000)
    page.get_by_role("button", name="Pause").press("Enter")
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    assert fetched == []
    month.focus()
    page.keyboard.press("End")
    assert drawn(page, as_of) == now
    site.assert_clean()  # no console error, no failed request while playing

    # The next page of organisations, by keyboard: other organisations, none seen twice.
    next_page = page.get_by_role("navigation", name="Pages of organisations").first.get_by_role("link", name="Next")
    next_page.focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    assert "page=2" in page.url
    second = rows(page)
    assert len(second) == tables.PAGE_SIZE and not set(second) & set(first)
    drawn(page, as_of)

    # One network's organisations, from the summary by network.
    summary = page.locator("#spread-map-networks tbody tr[data-network]").first
    code = summary.get_attribute("data-network")
    count = int(summary.locator("td").nth(1).inner_text().split()[-1])
    summary.get_by_role("link").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    assert f"network={code}" in page.url
    listed = rows(page)
    assert len(listed) == min(count, tables.PAGE_SIZE)
    expect(page.get_by_role("heading", level=2, name="Organisations of")).to_be_visible()
    drawn(page, as_of)
