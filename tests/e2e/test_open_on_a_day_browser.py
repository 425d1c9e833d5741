"""An organisation that opens next month, as a manager sees it: listed as opening, not offered for logging."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from tracker.calendar import people_date, today
from tracker.models import Organisation


def test_an_organisation_that_opens_next_month_says_so_and_is_not_offered_for_logging(site, seeded):
    opens = (today().replace(day=1) + timedelta(days=32)).replace(day=1)
    seeded.scalar(select(Organisation).where(Organisation.ods_code == "RNU")).opened_on = opens
    seeded.commit()
    page = site.sign_in("manager")

    site.goto("/organisations")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Oxford Health NHS Foundation Trust"))
    expect(row).to_contain_text(f"Opens on {people_date(opens)}")
    expect(page.get_by_role("row").filter(has_text="RWX")).to_contain_text("Open")

    site.goto("/organisations/RNU")
    expect(page.locator(".nhsuk-inset-text")).to_contain_text(f"This organisation opens on {people_date(opens)}.")

    site.goto("/ideas/RP-01")
    choices = page.get_by_label("Log adoption of RP-01 at")
    expect(choices.locator('option[value="RWX"]')).to_have_count(1)
    expect(choices.locator('option[value="RNU"]')).to_have_count(0)
