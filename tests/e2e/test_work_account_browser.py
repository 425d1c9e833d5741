"""Signing in with an NHS work account in a real browser, by keyboard alone, through the suite's identity
provider (tests/oidc_provider.py); our pages are axe-clean at a desktop and a phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.oidc_provider import NHS_TENANT, OTHER_TENANT, app_settings
from tracker.admin.services import AccountDetails, create_user

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def app(make_app, oidc_provider):
    return make_app(**app_settings(oidc_provider))


def tab_to(page, name: str, limit: int = 30) -> None:
    """Press Tab until the element of this accessible name has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"{name!r} never had the focus")


def sign_in_at_provider(site, tenant: str, object_id: str, email: str) -> None:
    """On the provider's page, by keyboard: its first field has the focus after one Tab."""
    page = site.page
    page.keyboard.press("Tab")
    expect(page.get_by_label("Tenant id")).to_be_focused()
    page.keyboard.type(tenant)
    page.keyboard.press("Tab")
    page.keyboard.type(object_id)
    page.keyboard.press("Tab")
    page.keyboard.type(email)
    site.navigates(lambda: page.keyboard.press("Enter"))  # back to our callback, then our page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_invited_person_signs_in_and_out_by_keyboard(work_account_site, seeded, viewport):
    create_user(seeded, AccountDetails(email="alex.morgan@nhs.net", role="manager", name="Alex Morgan"), None, 1000)
    seeded.commit()
    site = work_account_site
    site.page.set_viewport_size(viewport)
    page = site.goto("/sign-in")
    tab_to(page, "Sign in with your NHS work account")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")
    sign_in_at_provider(site, NHS_TENANT, "0b8e6f5a-1111-4c3e-9d2a-6a1f0c9e7b21", "alex.morgan@nhs.net")
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Alex Morgan")
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Project manager")
    page.get_by_role("button", name="Sign out").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have signed out")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_refused_person_reads_why_and_whom_to_ask(work_account_site, seeded, viewport):
    site = work_account_site
    site.page.set_viewport_size(viewport)
    page = site.goto("/sign-in")
    tab_to(page, "Sign in with your NHS work account")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    sign_in_at_provider(site, OTHER_TENANT, "x-1", "someone@other.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your organisation cannot sign in to Spread Tracker")
    expect(page.get_by_role("main")).to_contain_text("the Spread Tracker team (spread.tracker@nhs.net)")
    page.get_by_role("link", name="Go back to the sign-in page").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Spread Tracker")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_administrator_without_a_password_confirms_it_is_them_by_keyboard(work_account_site, seeded, viewport):
    """The confirm page offers the work account alone; the provider asks again though it remembers the
    sign-in; another work account is refused with a way to try again; their own brings them back."""
    create_user(seeded, AccountDetails(email="pat.okafor@nhs.net", role="admin", name="Pat Okafor"), None, 1000)
    seeded.commit()
    site = work_account_site
    site.page.set_viewport_size(viewport)
    page = site.goto("/sign-in")
    tab_to(page, "Sign in with your NHS work account")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    sign_in_at_provider(site, NHS_TENANT, "pat-object-id", "pat.okafor@nhs.net")
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Pat Okafor")
    page = site.goto("/account/confirm?next=/account/mfa")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    expect(page.get_by_label("Password")).to_have_count(0)
    tab_to(page, "Sign in again with your NHS work account")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")
    sign_in_at_provider(site, NHS_TENANT, "someone-elses-object-id", "sam.lee@nhs.net")
    expect(page.get_by_role("heading", level=1)).to_have_text("That was a different work account")
    page.get_by_role("link", name="Try again").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    tab_to(page, "Sign in again with your NHS work account")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    sign_in_at_provider(site, NHS_TENANT, "pat-object-id", "pat.okafor@nhs.net")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in (MFA)")
    assert page.url.endswith("/account/mfa")
