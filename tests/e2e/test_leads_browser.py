"""Whom to ask, in a real browser by keyboard at 1280 and 375 px: a faculty member names a record's lead who
agreed, everyone signed in sees them on the idea's page; the lead withdraws consent and their name is gone."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.factories import add_events

PROJECT = "https://www.lifeqisystem.com/projects/4521"


def keyboard_submit(site, page, button: str) -> None:
    page.get_by_role("button", name=button).focus()
    site.navigates(lambda: page.keyboard.press("Enter"))


@pytest.mark.parametrize("width", [1280, 375])
def test_a_named_lead_shows_on_the_idea_page_until_they_withdraw(site, seeded, width):
    add_events(seeded, [("RNU", "RP-01", "implementing", date(2024, 1, 1))])
    page = site.page
    page.set_viewport_size({"width": width, "height": 900})
    site.sign_in("faculty")
    site.goto("/organisations/RNU/adoption/RP-01")
    link = page.get_by_role(
        "link", name="Change the lead or Life QI project of RP-01 at Oxford Health NHS Foundation Trust"
    )
    link.focus()
    site.navigates(lambda: page.keyboard.press("Enter"))

    # Keyboard only: a wrong link first, refused with its message; then the right one.
    page.get_by_label("Lead's email address").focus()
    page.keyboard.type("trust@demo.invalid")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # "They have agreed to be named"
    expect(page.get_by_label("They have agreed to be named as the contact for this")).to_be_checked()
    page.get_by_label("Life QI project link").focus()
    page.keyboard.type("http://www.lifeqisystem.com/projects/4521")
    keyboard_submit(site, page, "Save lead and link")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("starting with https://")
    page.get_by_label("Life QI project link").fill(PROJECT)
    page.get_by_label("They have agreed to be named as the contact for this").check()
    keyboard_submit(site, page, "Save lead and link")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("have been saved")
    expect(page.locator("main")).to_contain_text("Demo Trust Lead")

    site.goto("/ideas/RP-01")
    row = page.locator("#adopters ~ table tr", has_text="Oxford Health")
    expect(row).to_contain_text("Implementing")
    expect(row).to_contain_text("Demo Trust Lead")
    expect(row.get_by_role("link", name="trust@demo.invalid")).to_have_attribute("href", "mailto:trust@demo.invalid")
    expect(
        row.get_by_role("link", name="Life QI project of Oxford Health NHS Foundation Trust (opens an external site)")
    ).to_have_attribute("href", PROJECT)

    # The lead withdraws from their own account page, by keyboard.
    page.context.clear_cookies()
    site.sign_in("trust")
    site.goto("/account/password")
    page.get_by_role("link", name="Being named as a contact").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.locator("main")).to_contain_text("Lead of RP-01")
    keyboard_submit(site, page, "Withdraw my consent")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("your name no longer shows anywhere")

    site.goto("/ideas/RP-01")
    row = page.locator("#adopters ~ table tr", has_text="Oxford Health")
    expect(row).to_contain_text("None shown")
    expect(page.locator("main")).not_to_contain_text("Demo Trust Lead")
    expect(page.locator("main")).not_to_contain_text("trust@demo.invalid")
