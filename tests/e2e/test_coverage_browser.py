"""A project manager reads coverage in a real browser: from the menu, changes the date, downloads a table.

Every page reached is checked with axe-core by the `site` fixture.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from tracker.models import Ambition, Stage
from tracker.reports import queries, service


def core(session, day: date):
    ambition = session.scalar(select(Ambition).where(Ambition.code == "RP"))
    return queries.coverage_on(session, service.scope(session, ambition, None), day, Stage.IMPLEMENTING)


def test_manager_changes_the_date_and_downloads_a_table(site, demo_history):
    page = site.sign_in("manager")
    site.navigates(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Coverage").click)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reduce restrictive practice")
    reach = page.locator('[data-figure="reach"]')
    latest = core(demo_history, date(2025, 6, 30))  # the demo history ends then; today's figures are the same
    expect(reach).to_have_text(f"{latest.reach * 100:.1f}%")

    # Change the as-of date through the form: the numbers follow.
    page.get_by_label("Figures as of").fill("2022-06-30")
    site.navigates(page.get_by_role("button", name="Show coverage").click)
    assert "as_of=2022-06-30" in page.url
    then = core(demo_history, date(2022, 6, 30))
    assert then.reach != latest.reach
    expect(page.locator(".nhsuk-lede-text")).to_contain_text("As of 30 June 2022")
    expect(reach).to_have_text(f"{then.reach * 100:.1f}%")
    expect(page.locator('[data-figure="reached"]')).to_have_text(
        f"{then.organisations_reached} of {then.organisations_total}"
    )
    expect(page.get_by_label("Figures as of")).to_have_value("2022-06-30")

    # The chart is an image with a name, and its figures are a table a click away.
    expect(
        page.get_by_role("img", name=re.compile(r"^Reach and depth of reduce restrictive practice by month"))
    ).to_be_visible()
    table = page.locator("#monthly-table table")
    expect(table).to_be_hidden()
    page.get_by_text("Show the monthly figures as a table").click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(15)  # April 2021 to June 2022
    expect(table.locator("tbody tr").last).to_contain_text(
        f"June 2022 {then.organisations_total} {then.organisations_reached} {then.reach * 100:.1f}%",
        use_inner_text=True,  # as shown: each cell also holds its column's heading for phones, hidden here
    )

    # Download the figures by network as CSV and read it back.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV file of the figures by network").click()
    download = download_info.value
    assert download.suggested_filename == "coverage-RP-2022-06-30-networks.csv"
    with Path(download.path()).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["network_code", "network_name", "organisations_open", "organisations_reached", "reach", "depth"]
    assert [(r[0], int(r[2]), int(r[3]), r[4]) for r in rows[1:]] == [
        (n.network, n.organisations_total, n.organisations_reached, f"{n.reach:.4f}") for n in then.by_network
    ]
    on_page = page.locator("#networks-caption").locator("xpath=..").locator("tbody tr")
    expect(on_page).to_have_count(len(rows) - 1)
    for position, row in enumerate(rows[1:]):
        expect(on_page.nth(position)).to_contain_text(f"{float(row[4]) * 100:.1f}%")


def test_a_bad_date_is_summarised_and_linked_to_its_field(site):
    page = site.sign_in("trust")
    site.goto("/coverage")
    page.get_by_label("Figures as of").fill("2021-03-01")
    site.navigates(page.get_by_role("button", name="Show coverage").click)
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("must be on or after 1 April 2021")
    expect(summary).to_be_focused()
    summary.get_by_role("link").click()
    expect(page.get_by_label("Figures as of")).to_be_focused()
