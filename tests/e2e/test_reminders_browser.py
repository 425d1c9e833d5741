"""A faculty member follows a change idea by keyboard alone, sees it on their account page, and finds the
records that need an update through the menu, each page axe-checked at desktop and phone widths."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.factories import add_events
from tracker.calendar import people_date, today


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_follow_an_idea_and_see_what_needs_an_update_by_keyboard(site, seeded, width):
    confirmed = today() - timedelta(days=200)
    add_events(seeded, [("RNU", "RP-01", "implementing", confirmed)])
    page = site.sign_in("faculty")
    page.set_viewport_size({"width": width, "height": 800})

    site.goto("/ideas/RP-01")
    follow = page.get_by_role("button", name="Follow RP-01")
    follow.focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("alert")).to_contain_text("You follow RP-01")
    expect(page.get_by_role("button", name="Stop following RP-01")).to_be_visible()

    page.get_by_role("link", name="(your account").focus()  # the header's account link
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_role("main")).to_contain_text("RP-01")

    site.goto("/needs-an-update")
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs an update")
    table = page.get_by_role("table", name="Records not confirmed for 90 days or more, oldest first")
    expect(table).to_contain_text(f"6 months ago, on {people_date(confirmed)}")
    link = page.get_by_role("link", name="Log an update for RP-01 at")
    link.focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page).to_have_url(site.base_url + "/organisations/RNU/adoption/RP-01/log")
