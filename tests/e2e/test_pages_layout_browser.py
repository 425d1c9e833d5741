"""What pages look like at a desktop and a phone width: tables that show every column, assets that
all come from the app, the adoption matrix and the spread map on a phone.

Every page reached through `site` is also checked for sideways scrolling, tables wider than their
box, failed or outside requests and console errors (tests/e2e/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import HEADER

PHONE = {"width": 375, "height": 812}


def box(locator) -> dict[str, float]:
    locator.scroll_into_view_if_needed()
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def upload(site, path: Path, content: str) -> Page:
    page = site.page
    path.write_text(content, encoding="utf-8")
    site.goto("/spreadsheets/import")
    page.locator("input[type=file]").set_input_files(str(path))
    return site.navigates(page.get_by_role("button", name="Check the file").click)


def assert_full_width_with_every_column_shown(page: Page, table, last_column: str) -> None:
    """The table's box spans the page's main column, and its last column shows inside that box."""
    main, shown = box(page.locator("main")), box(table.locator("xpath=.."))
    assert shown["width"] >= 0.95 * main["width"], f"the table's box is {shown['width']} px wide in {main['width']} px"
    header = box(table.get_by_role("columnheader", name=last_column))
    assert header["x"] + header["width"] <= shown["x"] + shown["width"] + 0.5


def test_the_import_preview_and_its_problems_use_the_full_width(site, tmp_path):
    page = site.sign_in("manager")
    upload(site, tmp_path / "good.csv", f"{HEADER}\nRNU,SS-01,implementing,2024-05-01,2,10,On Ward 3,,\n")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the import")
    assert_full_width_with_every_column_shown(page, page.locator("table", has_text="What happens"), "What happens")
    expect(page.get_by_role("row", name="2 Oxford Health")).to_contain_text("Import")

    upload(site, tmp_path / "bad.csv", f"{HEADER}\nZZZ,SS-01,implementing,2024-05-01,,,,,\n")
    assert_full_width_with_every_column_shown(page, page.locator("table", has_text="Problem"), "Problem")
    expect(page.locator("table", has_text="Problem")).to_contain_text("ZZZ")


@pytest.mark.parametrize(
    "role, path, last_column",
    [("manager", "/coverage", "Depth"), ("manager", "/links", "Actions"), ("admin", "/admin/users", "Actions")],
)
def test_no_table_needs_a_scroll_bar_at_desktop_width(site, role, path, last_column):
    page = site.sign_in(role)
    site.goto(path)
    scroll_boxes = page.locator(".nhsuk-scroll__content")
    assert scroll_boxes.count() > 0
    for k in range(scroll_boxes.count()):
        widths = scroll_boxes.nth(k).evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert widths[0] <= widths[1], f"{path}: table {k} needs a scroll bar: {widths[0]} px in {widths[1]} px"
    table = scroll_boxes.first.locator("table")
    header = box(table.get_by_role("columnheader", name=last_column))
    content = box(scroll_boxes.first)
    assert header["x"] + header["width"] <= content["x"] + content["width"] + 0.5


def test_every_asset_comes_from_the_app_and_answers(site):
    """The header search's clear icon (drawn from the NHS stylesheet) and the type: from the app only."""
    responses = []
    site.page.on("response", lambda r: responses.append((r.url, r.status)))
    page = site.sign_in("trust")
    site.goto("/search?q=care")  # a filled search box shows the clear icon
    icons = [(url, status) for url, status in responses if "nhsuk-icon-" in url]
    assert icons and all(status == 200 for _, status in icons), icons
    assert all(url.startswith(site.base_url + "/") for url, _ in responses), responses
    assert page.evaluate("getComputedStyle(document.body).fontFamily") == "arial, sans-serif"


def test_on_a_phone_the_log_link_stands_clear_of_the_text_beside_it(site, demo_history):
    page = site.sign_in("faculty")
    page.set_viewport_size(PHONE)
    site.goto("/organisations/RNU/adoption")
    link = page.get_by_role("link", name="Log adoption of RP-02")
    cell = link.locator("xpath=ancestor::td[1]")
    expect(cell).to_contain_text(" by ")  # a logged record: the date and who logged it, then the link
    overlaps = cell.evaluate(
        """(cell) => {
          const link = cell.querySelector("a").getBoundingClientRect();
          const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
          const gap = 3; // px of clear space between the link and any word beside it
          const clashes = [];
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent;
            if (cell.querySelector("a").contains(node) || !text.trim()) continue;
            const range = document.createRange(); // the words only, not the spaces around them
            range.setStart(node, text.length - text.trimStart().length);
            range.setEnd(node, text.trimEnd().length);
            for (const r of range.getClientRects()) {
              const apart =
                r.right + gap <= link.left || link.right + gap <= r.left || r.bottom <= link.top || link.bottom <= r.top;
              if (!apart && r.width > 0) clashes.push(text.trim());
            }
          }
          return clashes;
        }"""
    )
    assert overlaps == [], overlaps


def test_on_a_phone_the_spread_map_fills_the_width_with_readable_labels_and_its_key_below(site):
    page = site.sign_in("manager")
    page.set_viewport_size(PHONE)
    site.goto("/spread-map")
    figure = page.locator("#spread-map")
    expect(figure).to_have_attribute("data-state", "ready")
    canvas = box(page.locator("#spread-map-canvas"))
    assert canvas["width"] >= 0.9 * PHONE["width"]
    assert float(figure.get_attribute("data-label-px") or 0) >= 12  # Cytoscape's rendered label size
    key = box(page.get_by_role("heading", name="Key"))
    assert key["y"] >= canvas["y"] + canvas["height"]
