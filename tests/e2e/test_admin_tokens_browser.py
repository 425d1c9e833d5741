"""An administrator creates an API token and revokes it, by keyboard alone, in a real browser; a program
calling the live server with the token is let in, then refused. Every page is checked with axe-core at
a desktop and a phone width (Site.checked)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

from playwright.sync_api import expect

TOKEN = re.compile(r"st_[A-Za-z0-9_-]{43}")


def api_status(base_url: str, raw: str) -> tuple[int, str]:
    request = urllib.request.Request(base_url + "/api/v1/networks", headers={"Authorization": f"Bearer {raw}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the test's own loopback server
            return response.status, ""
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())["error"]["message"]


def press_on(site, page, locator, key: str = "Enter"):
    """Move the focus to an element and press a key there, as a keyboard user does after tabbing to it."""
    locator.focus()
    expect(locator).to_be_focused()
    return site.navigates(lambda: page.keyboard.press(key))


def test_create_and_revoke_a_token_by_keyboard(site):
    page = site.sign_in("admin")
    page = site.goto("/admin/users")
    press_on(site, page, page.get_by_role("link", name="API tokens"))
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    press_on(site, page, page.get_by_role("button", name="Create an API token"))

    # The account: the select takes the arrow keys until it shows the manager.
    account = page.get_by_role("combobox", name="Account")
    account.focus()
    for _ in range(10):
        if "manager@demo.invalid" in account.evaluate("el => el.options[el.selectedIndex].text"):
            break
        page.keyboard.press("ArrowDown")
    expect(account.locator("option:checked")).to_contain_text("manager@demo.invalid")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Name")).to_be_focused()
    page.keyboard.type("Power BI refresh")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Read only")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Read only")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Days until it expires")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("400")  # too long: refused, with the reason
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("A token lasts from 1 to 365 days")
    days = page.get_by_label("Days until it expires")
    days.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    site.navigates(lambda: page.keyboard.press("Enter"))

    expect(page.get_by_role("heading", level=1)).to_have_text("API token created")
    raw = page.get_by_label("The token").input_value()
    assert TOKEN.fullmatch(raw)
    assert api_status(site.base_url, raw) == (200, "")

    press_on(site, page, page.get_by_role("link", name="Go to the API tokens"))
    row = page.get_by_role("row").filter(has_text="Power BI refresh")
    expect(row).to_contain_text("manager@demo.invalid")
    expect(row).to_contain_text("Read only")
    expect(row).to_contain_text("Active")
    assert raw not in page.content()
    press_on(site, page, row.get_by_role("link", name="Revoke the token Power BI refresh"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Power BI refresh")
    press_on(site, page, page.get_by_role("button", name="Revoke token"))
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("revoked")
    expect(page.get_by_role("row").filter(has_text="Power BI refresh")).to_contain_text("Revoked")
    status, message = api_status(site.base_url, raw)
    assert status == 401 and "revoked" in message
