"""Publishing a new version of a change package by keyboard alone, at 1280 and 375 px: the editor sees
what would change, publishes, lands on the new version's page with its changes, and the list shows it.
The `site` fixture checks every page with axe-core and for sideways scrolling at both widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import add_driver, add_idea


def tab_to(page, name: str, limit: int = 200) -> None:
    """Press Tab until the link or button named `name` has the focus (the keyboard's own path)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.innerText.trim()")
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


@pytest.mark.parametrize("width", [1280, 375])
def test_an_editor_publishes_a_version_by_keyboard_and_reads_its_changes(site, seeded, width):
    driver = add_driver(seeded, "RRP", "Calm ward environment")
    add_idea(seeded, "RRP", "RP-50", "Sensory room with patient-chosen items", driver_id=driver)
    site.page.set_viewport_size({"width": width, "height": 900})
    site.sign_in("manager")
    page = site.goto("/packages/RRP")
    page.locator("body").focus()
    tab_to(page, "Publish a new version")
    page = site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Versions")
    expect(page.locator("main")).to_contain_text("Publishing now would make version 2")
    expect(page.locator("main")).to_contain_text("RP-50 Sensory room with patient-chosen items")
    tab_to(page, "Publish version 2")
    page = site.navigates(lambda: page.keyboard.press("Enter"))
    assert page.url.endswith("/packages/RRP/versions/2")
    main = page.locator("main")
    expect(main).to_contain_text("Version 2 of RRP published")
    expect(main).to_contain_text("What changed since version 1")
    expect(main).to_contain_text("Drivers added (1)")
    expect(main.get_by_role("link", name="RP-50").first).to_be_visible()
    tab_to(page, "All versions of RRP")
    page = site.navigates(lambda: page.keyboard.press("Enter"))
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(3)  # the header, version 2, version 1
    expect(rows.nth(1)).to_contain_text("Version 2")
    expect(rows.nth(1)).to_contain_text("Demo Project Manager")
    expect(rows.nth(2)).to_contain_text("First version")
