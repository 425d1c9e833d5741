"""The forecast page in a real browser: the fan chart and its table, the filter form by keyboard alone, and
whom to engage next reached by keyboard by a faculty member (never shown to trust staff). Every page is
checked by the `site` fixture (axe-core, CSP, console, failed requests, no sideways scroll at desktop and
phone widths)."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from tracker.calendar import today
from tracker.models import Ambition, AmbitionTarget

CHART = re.compile(r"^Forecast reach of reduce restrictive practice by month")


def _board_target(session) -> None:
    ambition = session.scalar(select(Ambition).filter_by(code="RP"))
    ahead = date(today().year + 1, today().month, 1)
    session.add(
        AmbitionTarget(ambition=ambition, label="Board", text="At least 80% of trusts engaged", target_date=ahead)
    )
    session.commit()


def test_the_fan_chart_its_table_and_the_filters_by_keyboard(site, demo_history):
    _board_target(demo_history)
    page = site.sign_in("trust")
    site.navigates(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Forecast").click)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reduce restrictive practice")
    chart = page.get_by_role("img", name=CHART)
    expect(chart).to_be_visible()
    expect(chart.locator(".app-fan__band")).to_have_count(1)
    expect(chart.locator(".app-fan__target")).to_have_count(1)  # the board's: the passed two are in the table
    expect(page.locator("#targets-table tr[data-target='Board'] [data-figure='chance']")).to_have_text(
        re.compile(r"\d+% ?$")
    )
    expect(page.get_by_text("This is decision support, not a prediction.")).to_be_visible()
    expect(page.get_by_role("heading", name="Whom to engage next")).to_have_count(0)  # trust staff

    table = page.locator("#fan-table")
    expect(table).to_be_hidden()
    page.get_by_text("Show the monthly figures as a table").click()
    expect(table).to_be_visible()

    # The filters by keyboard alone: Tab from field to field, choose by typing, submit with Enter.
    page.get_by_label("Ambition").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Network")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Counts as adopting from")).to_be_focused()
    page.keyboard.type("Testing")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Months to forecast (optional)")).to_be_focused()
    page.keyboard.type("6")
    site.navigates(lambda: page.keyboard.press("Enter"))
    assert "min_stage=testing" in page.url and "horizon_months=6" in page.url
    expect(page.locator(".nhsuk-lede-text")).to_contain_text("6 months ahead")
    expect(page.get_by_label("Months to forecast (optional)")).to_have_value("6")
    page.get_by_text("Show the monthly figures as a table").click()
    medians = page.locator("#fan-table tbody td:nth-of-type(2)")  # after the month and the observed reach
    expect(medians.filter(has_not_text="None")).to_have_count(6)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV file of the forecast’s monthly figures").click()
    saved = Path(download.value.path())
    with saved.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["month", "observed_reach", "forecast_median", "band_80_low", "band_80_high"]
    assert sum(1 for row in rows[1:] if row[2]) == 6

    # A wrong value: the error summary, linked to its field, and no forecast.
    page.get_by_label("Months to forecast (optional)").fill("200")
    site.navigates(lambda: page.keyboard.press("Enter"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Months to forecast must be a whole number from 1 to 120")
    expect(page.get_by_role("img", name=CHART)).to_have_count(0)


def test_a_faculty_member_reaches_whom_to_engage_by_keyboard(site, demo_history):
    page = site.sign_in("faculty")
    site.goto("/forecast?ambition=RP")
    section = page.locator("#engage")
    expect(section.get_by_role("heading", name="Whom to engage next")).to_be_visible()
    expect(section.locator("[data-ods]")).not_to_have_count(0)
    expect(section.get_by_role("link", name="See these organisations highlighted on the spread map")).to_have_attribute(
        "href", re.compile(r"engage=5")
    )

    page.get_by_role("link", name="Skip to main content").focus()
    for _ in range(200):  # Tab through the page until focus is inside the section
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#engage') !== null"):
            break
    else:
        raise AssertionError("the recommendations cannot be reached by Tab")
    focused = page.evaluate("document.activeElement.textContent")
    first = section.locator("[data-ods] h3 a").first
    expect(first).to_be_focused()
    assert focused == first.text_content()
