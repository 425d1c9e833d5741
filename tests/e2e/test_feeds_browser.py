"""A trust user finds the data dictionary from the Spreadsheets page by keyboard alone, reads a feed's columns,
and downloads the feed in the browser (signed in by the session); each page is axe-checked at desktop and
phone widths (site.checked)."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tracker.feeds.dictionary import FEEDS


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_the_data_dictionary_is_reached_by_keyboard_and_its_feed_downloads(site, width):
    page = site.sign_in("trust")
    page.set_viewport_size({"width": width, "height": 800})
    site.goto("/spreadsheets")
    page.get_by_role("link", name="The feeds, how to connect to them, and what every column means").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Data dictionary: feeds for Power BI and Excel")

    page.get_by_role("link", name="Current records", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(site.base_url + "/spreadsheets/data-dictionary#records")
    columns = page.get_by_role("table", name="The 18 columns of current records, in order")
    expect(columns.get_by_role("row")).to_have_count(len(FEEDS["records"].columns) + 1)
    expect(columns).to_contain_text("stage_since")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="events.csv (adoption events as CSV)").focus()
        page.keyboard.press("Enter")
    with open(downloading.value.path(), encoding="utf-8", newline="") as file:
        header = next(csv.reader(io.StringIO(file.read())))
    assert header == list(FEEDS["events"].column_names)
