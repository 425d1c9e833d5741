"""The summary matrix of measures in a real browser: filtered by keyboard alone, each cell's chart link
reachable by keyboard, axe-core clean and without sideways scrolling at a desktop and a phone width
(the `site` fixture checks every page at both)."""

from __future__ import annotations

from playwright.sync_api import expect


def test_a_trust_lead_filters_the_matrix_by_keyboard_and_reaches_a_chart_link(site, demo_history):
    page = site.sign_in("trust")
    site.goto("/measures/summary")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Summary of every chart")
    expect(page.locator(".app-demo-note")).to_contain_text("Demo data")
    expect(page.locator("table tbody tr")).to_have_count(13)  # every organisation open today

    # Keyboard only: choose the network and the ambition by typing, then press the button.
    page.get_by_label("Network (optional)").focus()
    page.keyboard.type("Health Innovation Kent")
    page.keyboard.press("Tab")
    page.keyboard.type("Reduce restrictive")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show the summary")).to_be_focused()
    site.navigates(lambda: page.keyboard.press("Enter"))
    assert "network=KSS" in page.url and "ambition=RP" in page.url
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(3)
    expect(page.get_by_label("Network (optional)")).to_have_value("KSS")

    # Tab on from the download links' side of the page backwards into the table: a cell link takes focus.
    first = page.locator("table tbody tr").first.get_by_role("link").first
    page.get_by_role("button", name="Show the summary").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('app-summary-link')"):
            break
    expect(first).to_be_focused()
    name = first.evaluate("a => a.textContent.replace(/\\s+/g, ' ').trim()")
    assert name.startswith("Chart of restraint at Kent and Medway")
    assert first.get_attribute("href") == "/measures/RP-RESTRAINT/chart?organisation=RXY"


def test_the_matrix_fits_a_phone_with_the_cells_stacked(site, demo_history):
    page = site.sign_in("manager")
    page.set_viewport_size({"width": 375, "height": 800})
    site.goto("/measures/summary?ambition=RP")  # checked at both widths, the phone's last
    cell = page.locator("table tbody tr").first.locator("td").first
    expect(cell.locator(".nhsuk-table__heading")).to_have_text("Restraint ")
    expect(cell.get_by_role("link")).to_be_visible()
