"""A project manager adds dated targets by keyboard alone, at desktop and phone widths, and the dashboard then
says whether the programme is on course for each. Every page is checked by the `site` fixture (axe-core,
CSP, console, failed requests, no sideways scroll at 1280 and 375 px)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


def _add_by_keyboard(site, page, name: str, share: str, words: str) -> None:
    """From the ambition's page to the saved target, by keyboard: Tab through the form, Enter to send."""
    site.goto("/ambitions/RP")
    page.get_by_role("button", name="Add a target").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add a target")
    page.get_by_label("Name").focus()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Reach: the share of organisations")).to_be_focused()  # chosen already
    page.keyboard.press("Tab")
    expect(page.get_by_label("Share it aims at (%)")).to_be_focused()
    page.keyboard.type(share)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Due by")).to_be_focused()
    page.keyboard.type("12312030")  # month, day, year: the order of the browser's date field
    expect(page.get_by_label("Due by")).to_have_value("2030-12-31")
    page.keyboard.press("Tab")  # past the date field's calendar button
    page.keyboard.press("Tab")
    expect(page.get_by_label("For")).to_be_focused()  # the whole programme, as chosen already
    page.keyboard.press("Tab")
    expect(page.get_by_label("What the target says")).to_be_focused()
    page.keyboard.type(words)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add target")).to_be_focused()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.locator(".nhsuk-notification-banner, [role='alert'], main").first).to_contain_text(
        f"Target ‘{name}’ added"
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_a_manager_adds_targets_by_keyboard_and_the_dashboard_says_whether_it_is_on_course(site, demo_history, width):
    page = site.sign_in("manager")
    page.set_viewport_size({"width": width, "height": 800})
    _add_by_keyboard(site, page, "Low bar", "1", "At least 1% of trusts adopting")
    _add_by_keyboard(site, page, "Everyone", "100", "Every trust adopting")
    table = page.locator("table.app-targets-table")
    expect(table.get_by_role("row", name="Low bar")).to_contain_text("Reach 1%")
    expect(table.get_by_role("row", name="Everyone")).to_contain_text("31 December 2030")

    site.goto("/")
    card = page.locator("section#ambition-RP")
    expect(card).to_contain_text("Low bar target, 31 December 2030: On course: projected reach")
    expect(card).to_contain_text("Everyone target, 31 December 2030: Not on course: projected reach")
    expect(card).to_contain_text("short of 100.0%")
