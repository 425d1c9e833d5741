"""The home page's "My work" in a real browser, by keyboard, at 1280 and 375 px: a trust lead goes from the
contents to their trust's records and opens one; a faculty member goes to the records waiting for an
update and opens the longest waiting. The `site` fixture checks every page with axe-core and for sideways
scrolling at both widths."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.factories import at, log
from tracker.calendar import today

WIDTHS = (1280, 375)


def arrange(seeded) -> None:
    """RNU (the demo trust lead's, in the demo faculty member's network) uses RP-01, last updated 200 days
    ago, and SS-01; Sussex Partnership (RX2) and Berkshire (RWX) use RP-01 too."""
    day = today()
    old = day - timedelta(days=200)
    log(seeded, [("RNU", "RP-01", "implementing", old)], logged_at=at(old))
    log(seeded, [("RNU", "SS-01", "testing", day - timedelta(days=2)), ("RX2", "RP-01", "spreading", day)])
    log(seeded, [("RWX", "RP-01", "testing", day - timedelta(days=1))])


def follow_contents_then_first_link(site, page, contents: str, first_link) -> None:
    """From the page's contents list by keyboard: Enter on the entry, Tab to the section's first link, Enter."""
    entry = page.get_by_role("navigation", name="On this page").get_by_role("link", name=contents)
    entry.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(first_link).to_be_focused()
    site.navigates(lambda: page.keyboard.press("Enter"))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_trust_lead_opens_a_record_from_my_work_by_keyboard(site, seeded, width):
    arrange(seeded)
    site.page.set_viewport_size({"width": width, "height": 800})
    page = site.sign_in("trust")  # lands on the home page: checked at both widths
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    records = page.locator("#my-records-table")
    expect(records.get_by_role("row")).to_have_count(3)  # the header and two records
    expect(page.locator("#peers-table").get_by_role("row").nth(1)).to_contain_text("Spreading 1")
    expect(page.get_by_role("heading", name="The programme’s coverage", level=2)).to_be_visible()
    first = records.get_by_role("link", name="RP-01", exact=False).first
    follow_contents_then_first_link(site, page, "Your trust’s records", first)
    assert page.url.endswith("/organisations/RNU/adoption/RP-01")
    expect(page.get_by_role("heading", level=1)).to_contain_text("RP-01")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_faculty_member_opens_a_record_waiting_for_an_update_by_keyboard(site, seeded, width):
    arrange(seeded)
    site.page.set_viewport_size({"width": width, "height": 800})
    page = site.sign_in("faculty")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.locator("#my-trusts-table")).to_contain_text("Oxford Health NHS Foundation Trust")
    stale = page.locator("#stale-table")
    expect(stale.get_by_role("row")).to_have_count(2)
    expect(stale).to_contain_text("200 days ago")
    expect(page.locator("#recent")).to_be_visible()
    first = stale.get_by_role("link").first
    follow_contents_then_first_link(site, page, "Records not updated for 90 days", first)
    assert page.url.endswith("/organisations/RNU/adoption/RP-01")
