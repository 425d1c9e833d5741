"""Long lists in a browser: a manager pages through the learning links, a change idea's users (by network
first) and the records that need an update by keyboard alone; each page is axe-checked, and neither the
paging controls nor the tables by network scroll sideways at desktop or phone width (Site.checked)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import EXTRA, add_many


def _press(site, link) -> None:
    """Follow a link as a keyboard user does: focus it, then Enter."""
    link.focus()
    expect(link).to_be_focused()
    site.navigates(lambda: site.page.keyboard.press("Enter"))


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_paging_through_long_lists_by_keyboard(site, seeded, width):
    add_many(seeded)
    page = site.sign_in("manager")
    page.set_viewport_size({"width": width, "height": 800})

    site.goto("/links?kind=buddy_pair")
    pages = page.get_by_role("navigation", name="Pages of links")
    expect(pages.get_by_role("link", name="Page 1")).to_have_attribute("aria-current", "page")
    _press(site, pages.get_by_role("link", name="Next page"))
    expect(page).to_have_url(site.base_url + "/links?kind=buddy_pair&page=2")
    expect(page.get_by_text("Showing 51 to 100 of")).to_be_visible()
    expect(page.get_by_label("Kind")).to_have_value("buddy_pair")  # the filter keeps its value
    pages = page.get_by_role("navigation", name="Pages of links")
    _press(site, pages.get_by_role("link", name="Page 3"))
    expect(page.get_by_text("Showing 101 to")).to_be_visible()
    _press(site, page.get_by_role("navigation", name="Pages of links").get_by_role("link", name="Previous page"))
    expect(page).to_have_url(site.base_url + "/links?kind=buddy_pair&page=2")

    site.goto("/ideas/RP-01")
    expect(page.get_by_text(f"{EXTRA} organisations have a record of RP-01")).to_be_visible()
    summary = page.get_by_role("table", name="Organisations by network and stage")
    _press(site, summary.get_by_role("link", name="show its organisations").first)
    expect(page.get_by_role("heading", name="Organisations in")).to_be_visible()
    _press(site, page.get_by_role("link", name="Show the organisations of every network"))
    # On a phone the design system shows only the first, current and last page numbers: Next is always there.
    using = page.get_by_role("navigation", name="Pages of organisations using RP-01")
    _press(site, using.get_by_role("link", name="Next page"))
    expect(page.get_by_text("Showing 51 to 100 of")).to_be_visible()

    site.goto("/needs-an-update")
    by_network = page.get_by_role("table", name="By network")
    _press(site, by_network.get_by_role("link", name="show its records").first)
    expect(page.get_by_role("link", name="Show the records of every network")).to_be_visible()
    site.goto("/needs-an-update?page=2")
    expect(page.get_by_text("Showing 51 to 100 of")).to_be_visible()

    site.goto("/coverage?ambition=RP")
    expect(page.get_by_text("Choose a network in the table by network to list its organisations").first).to_be_visible()
    site.goto("/organisations?page=2")
    site.goto("/measures/summary?page=2")
    site.goto("/networks")
