"""A measure's SPC chart in a real browser: the SVG chart and its table agree, the download works, and a
manager adds a rebase by keyboard alone. Every page is checked by the `site` fixture (axe-core, CSP, and
no sideways scrolling at desktop and phone widths: the chart scales with its viewBox)."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

from playwright.sync_api import expect

from tests.factories import add_count_measure, add_events, add_spc_values

CHART = "/measures/RP-RESTRAINT/chart?organisation=RNU"
SHIFT = [10, 11] * 6 + [8, 9] * 4  # a shift down after a year: special cause improvement for restraint


def test_the_chart_matches_its_table_downloads_and_takes_a_rebase_by_keyboard(site, seeded, tmp_path):
    add_spc_values(seeded, "RP-RESTRAINT", "RNU", date(2023, 1, 1), SHIFT, is_demo=True)
    add_events(seeded, [("RNU", "RP-01", "implementing", date(2024, 1, 3))])
    site.sign_in("manager")
    page = site.goto(CHART)

    chart = page.get_by_role("img", name=re.compile(r"^Restraint, Oxford Health NHS Foundation Trust, by month"))
    expect(chart).to_be_visible()
    assert chart.get_attribute("viewBox") == "0 0 760 400"
    points = chart.locator("path[data-kind]")
    rows = page.locator("#spc-table tbody tr")
    expect(points).to_have_count(len(SHIFT))
    expect(rows).to_have_count(len(SHIFT))
    assert points.evaluate_all("ps => ps.map(p => p.dataset.kind)") == rows.evaluate_all(
        "rs => rs.map(r => r.dataset.kind)"
    )
    assert points.nth(19).locator("title").text_content() == (
        "Aug 2024: 9.00, special cause improvement (7 points in a row below the mean)"
    )
    expect(rows.nth(19)).to_contain_text("Special cause improvement")
    expect(page.locator('[data-icon="variation"]')).to_contain_text("improving nature")
    expect(page.locator("#events + ol")).to_contain_text("RP-01")
    expect(page.get_by_text("Demo", exact=True)).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^CSV")).click()
    saved = Path(tmp_path) / "chart.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8-sig") as file:
        table = list(csv.DictReader(file))
    assert [r["month"] for r in table][:2] == ["2023-01-01", "2023-02-01"] and len(table) == len(SHIFT)

    # A rebase by keyboard alone: the month, the reason, the button.
    page.get_by_label("Month the new limits start from").focus()
    page.keyboard.type("January 2024")
    page.keyboard.press("Tab")
    page.keyboard.type("Safety huddles implemented on every ward")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add the rebase")).to_be_focused()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("alert")).to_contain_text("The chart now starts new limits from January 2024")
    expect(page.locator(".app-spc-rebases")).to_contain_text("January 2024: Safety huddles implemented on every ward")
    expect(rows.nth(12)).to_contain_text("Jan 2024 (rebase)")
    expect(chart.locator(".app-spc__rebase")).to_have_count(1)
    expect(chart.locator(".app-spc__mean")).to_have_count(2)  # the limits break at the rebase

    # An empty reason is refused plainly, by keyboard too.
    page.get_by_label("Month the new limits start from").focus()
    page.keyboard.type("March 2023")
    page.get_by_role("button", name="Add the rebase").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the reason for the rebase")


def test_a_chart_without_values_and_the_coverage_report_spc_pass_for_trust_staff(site, demo_history):
    add_count_measure(demo_history)  # the demo values are of the five reference measures, not this one
    site.sign_in("trust")
    page = site.goto("/measures/RP-COUNT/chart?network=OXF")
    expect(page.get_by_text("No values have been recorded for this chart yet")).to_be_visible()
    expect(page.get_by_role("button", name="Add the rebase")).to_have_count(0)
    page = site.goto("/coverage?ambition=RP&as_of=2024-03-31")
    expect(
        page.get_by_role("img", name=re.compile(r"^Reach of reduce restrictive practice by month as an SPC chart"))
    ).to_be_visible()
