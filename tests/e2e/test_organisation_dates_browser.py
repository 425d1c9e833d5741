"""A manager closing an organisation before events it has sees them, follows them, and confirms leaving them out."""

from playwright.sync_api import expect

from tests.factories import log_events


def test_closing_before_events_shows_them_and_saves_only_once_confirmed(site, seeded):
    log_events(seeded)
    page = site.sign_in("manager")
    site.goto("/organisations/RNU/close")
    page.get_by_label("Date it closed").fill("2024-07-01")
    site.navigates(page.get_by_role("button", name="Save closure").click)

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("3 adoption events are dated on or after 1 July 2024")
    callout = page.locator(".nhsuk-warning-callout")
    expect(callout).to_contain_text("2 events, from 1 September 2024 to 1 October 2024")
    box = page.get_by_label("Yes, leave these 3 events out of every figure")
    expect(box).not_to_be_checked()

    # Each change idea's events are one link away, in the record's history.
    link = callout.get_by_role("link", name="RP-02 Creating a recovery tree")
    expect(link).to_have_attribute("href", "/organisations/RNU/adoption/RP-02")

    box.check()
    site.navigates(page.get_by_role("button", name="Save closure").click)
    expect(page.locator("main")).to_contain_text("This organisation closed on 1 July 2024.")
    site.goto("/organisations/RNU/adoption/RP-02")
    expect(page.locator("#history")).to_contain_text("1 October 2024")
