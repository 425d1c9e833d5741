"""A trust user records a month of a measure for their own trust by keyboard only, sees it listed and
changes it; every page is axe-checked at desktop and phone widths (site.checked)."""

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_a_trust_user_records_a_month_by_keyboard_sees_it_listed_and_changes_it(site, width):
    page = site.sign_in("trust")
    page.set_viewport_size({"width": width, "height": 800})
    site.goto("/organisations/RNU/values?measure=RP-RESTRAINT")
    expect(page.locator("main")).to_contain_text("No months are recorded")

    page.get_by_role("button", name="Record a month").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a month of restraint")

    # Keyboard only: type each field, Tab to the next, Enter on the button.
    page.get_by_label("Month", exact=True).focus()
    page.keyboard.type("2024-03")
    page.keyboard.press("Tab")  # the ward: the organisation as a whole, as it is
    page.keyboard.press("Tab")
    page.keyboard.type("12")
    page.keyboard.press("Tab")
    page.keyboard.type("2890")
    page.keyboard.press("Tab")
    page.keyboard.type("Ward 3 closed for a week")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Record this month")).to_be_focused()
    site.navigates(lambda: page.keyboard.press("Enter"))

    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "March 2024 for Oxford Health NHS Foundation Trust as a whole has been recorded."
    )
    row = page.locator("tbody tr", has_text="March 2024")
    expect(row).to_contain_text("2,890")
    expect(row).to_contain_text("4.15")  # 12 restraints per 2,890 bed days, per 1,000

    row.get_by_role("link", name="Change March 2024").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    numerator = page.get_by_label("Restraint incidents")
    expect(numerator).to_have_value("12")
    numerator.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("14")
    page.get_by_role("button", name="Save changes").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))

    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("has been saved")
    expect(page.locator("tbody tr", has_text="March 2024")).to_contain_text("4.84")


def test_bad_input_is_summarised_and_linked_to_its_field(site):
    page = site.sign_in("trust")
    site.goto("/organisations/RNU/values/RP-RESTRAINT/new")
    page.get_by_label("Month", exact=True).fill("2024-03")
    page.get_by_label("Restraint incidents").fill("-1")
    page.get_by_label("Occupied bed days").fill("0")
    site.navigates(page.get_by_role("button", name="Record this month").click)
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("cannot be negative")
    expect(summary).to_contain_text("must be more than 0")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Restraint incidents")).to_be_focused()
