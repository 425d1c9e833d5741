"""Whom to engage next on the spread map, in a real browser: chosen by keyboard alone, ringed on the live
map (Cytoscape's nodes, as map.js reports them) and listed in the table, only on the page's own day; and
never for trust staff."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from tracker.calendar import today
from tracker.core.stages import DEFAULT_THRESHOLD
from tracker.forecast import service
from tracker.reports.service import ambition_named

RUNS = min(200, service.ENGAGE_RUNS)  # the tests' FORECAST_RUNS, as the page uses it


def engaged(page: Page, as_of: str) -> list[str]:
    """Wait until map.js has drawn the day, then the ODS codes its Cytoscape nodes ring, in rank order."""
    figure = page.locator("#spread-map")
    expect(figure).to_have_attribute("data-drawn-as-of", as_of)
    expect(figure).to_have_attribute("data-state", "ready")
    return json.loads(figure.get_attribute("data-engaged"))


def tab_to(page: Page, element_id: str, presses: int = 80) -> None:
    """Press Tab until the element has the focus, as someone using the keyboard alone would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_faculty_highlight_whom_to_engage_by_keyboard(site, demo_history):
    ambition = ambition_named(demo_history, "RP")
    picks = [
        s.ods
        for s in service.engage(demo_history, ambition, None, DEFAULT_THRESHOLD, today(), 5, runs=RUNS).organisations
    ]
    assert picks

    page = site.sign_in("faculty")
    site.goto("/spread-map?ambition=RP")
    assert engaged(page, today().isoformat()) == []

    # Keyboard only: Tab to the field, choose "The best 5" with the arrow keys, Tab to the button, Enter.
    tab_to(page, "engage")
    field = page.get_by_label("Highlight whom to engage next")
    expect(field).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(field).to_have_value("5")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show the map")).to_be_focused()
    site.navigates(lambda: page.keyboard.press("Enter"))
    assert "engage=5" in page.url

    assert engaged(page, today().isoformat()) == picks
    rows = page.locator("#spread-map-engage-table tbody tr")
    expect(rows).to_have_count(len(picks))
    assert [rows.nth(k).get_attribute("data-ods") for k in range(len(picks))] == picks
    expect(page.get_by_role("heading", name="Whom to engage next")).to_be_visible()
    expect(page.locator("#spread-map-engage-key")).to_contain_text("ring and a number")
    site.checked()  # axe, no sideways scroll at desktop and phone widths, no console error, no failed request

    # The highlight is as of the page's day: other months show none, and it comes back on that day.
    page.get_by_label("Month shown").focus()
    page.keyboard.press("Home")
    assert engaged(page, "2021-04-30") == []
    page.keyboard.press("End")
    assert engaged(page, today().isoformat()) == picks
    site.checked()


def test_trust_staff_see_no_highlight(site, demo_history):
    page = site.sign_in("trust")
    site.goto("/spread-map?ambition=RP")
    assert engaged(page, today().isoformat()) == []
    expect(page.get_by_label("Highlight whom to engage next")).to_have_count(0)
    expect(page.get_by_text("Whom to engage next")).to_have_count(0)
    response = page.goto(site.base_url + "/spread-map?ambition=RP&engage=5")
    assert response is not None and response.status == 403
    site.checked()
    expect(page.locator("#spread-map")).to_have_count(0)
