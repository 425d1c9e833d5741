"""A project manager downloads the Excel template, uploads a workbook, checks it and confirms it, by keyboard
alone; a workbook with a bad row shows its problems by the sheet's row numbers and imports nothing. Every
page is axe-checked at desktop and phone widths (site.checked)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from tests.helpers import HEADER, counts

IMPORT = "/spreadsheets/import"


def choose_file_by_keyboard(page, path: Path) -> None:
    """From the CSV template link, Tab to the file upload's button and press Space: the file chooser opens."""
    page.get_by_role("link", name="Download the CSV template").focus()
    page.keyboard.press("Tab")
    chooser_button = page.locator(".nhsuk-file-upload__drop-button")
    expect(chooser_button).to_be_focused()
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(path))
    expect(chooser_button).to_contain_text(path.name)


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_a_manager_imports_the_filled_in_excel_template_by_keyboard(site, app, tmp_path, width):
    page = site.sign_in("manager")
    page.set_viewport_size({"width": width, "height": 800})
    site.goto(IMPORT)

    link = page.get_by_role("link", name="Download the Excel template (.xlsx)")
    link.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == "adoption-import-template.xlsx"
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book.sheetnames == ["Adoption records", "Allowed values"]

    # Fill it in as a person would: the example row becomes a real one, a second row is added.
    sheet = book["Adoption records"]
    sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"], sheet["G2"] = (
        "RNU",
        "RP-02",
        "implementing",
        date(2023, 2, 14),
        "",
    )
    sheet.append(["RWX", "SS-01", "testing", "14/03/2024", 2.0, 6.0, "PDSA on one ward", None, None])
    path = tmp_path / "Q1 records.xlsx"
    book.save(path)

    before = counts(app)
    choose_file_by_keyboard(page, path)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Check the file")).to_be_focused()
    site.navigates(lambda: page.keyboard.press("Enter"))

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the import")
    main = page.locator("main")
    expect(main).to_contain_text("Q1 records.xlsx")
    expect(main).to_contain_text(
        "Read the sheet 'Adoption records', the workbook's first; its other sheet ('Allowed values') was not read."
    )
    expect(page.get_by_role("row", name="2 Oxford Health")).to_contain_text("14 February 2023")
    expect(page.locator("tbody tr", has_text="RWX")).to_contain_text("2 / 6")
    page.get_by_role("button", name="Confirm import").focus()
    site.navigates(lambda: page.keyboard.press("Enter"))

    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Imported 2 events (0 duplicates skipped)")
    assert counts(app) == (before[0] + 2, before[1] + 2)


def test_a_workbook_with_a_bad_row_lists_it_by_the_sheets_row_number(site, app, tmp_path):
    page = site.sign_in("manager")
    site.goto(IMPORT)
    book = Workbook()
    book.active.title = "Records"
    book.active.append(HEADER.split(","))
    book.active.append([])
    book.active.append(["RNU", "SS-01", "implemented", date(2024, 1, 1)])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    before = counts(app)

    choose_file_by_keyboard(page, path)
    page.keyboard.press("Tab")
    site.navigates(lambda: page.keyboard.press("Enter"))

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The file has 1 problem, so nothing was imported")
    problems = page.locator("table", has_text="Problem")
    expect(problems.get_by_role("row", name="3 stage")).to_contain_text("'implemented' is not a stage")
    expect(page.locator("main")).to_contain_text("Read the sheet 'Records', the workbook's first.")
    assert counts(app) == before
