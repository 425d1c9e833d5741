"""Signing in and out in a real browser, by keyboard alone."""

from playwright.sync_api import expect

from tracker.seed import DEMO_PASSWORD


def test_sign_in_page_has_no_inline_script_and_passes_axe(site):
    page = site.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    assert page.locator("script:not([src])").count() == 0


def test_wrong_password_shows_error_summary(site):
    page = site.goto("/sign-in")
    page.get_by_label("Email address").fill("trust@demo.invalid")
    page.get_by_label("Password").fill("not the password at all")
    site.navigates(page.get_by_role("button", name="Sign in").click)
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a correct email address and password")


def test_sign_in_and_out_by_keyboard(site):
    page = site.goto("/sign-in")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(".nhsuk-skip-link")).to_be_focused()
    page.get_by_label("Email address").focus()
    page.keyboard.type("trust@demo.invalid")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Demo Trust Lead")
    page.get_by_role("button", name="Sign out").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have signed out")
