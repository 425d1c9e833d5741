"""A CSV file with a broken quotation mark is refused, naming its line; no rows are merged silently."""

from __future__ import annotations

import pytest

from tests.helpers import GOOD, HEADER, counts, csv_bytes, run, upload
from tracker.spreadsheets import importing, services

OTHER = "RWX,RP-02,testing,14/03/2024,,,,,"
UNCLOSED = csv_bytes(HEADER, GOOD, 'RNU,RP-01,testing,2024-02-01,,,"Started on ward 2,,', OTHER, GOOD)
TEXT_AFTER_QUOTE = csv_bytes(HEADER, GOOD, OTHER, 'RNU,RP-01,testing,2024-02-01,,,"Ward 2" and 3,,')
NEVER_CLOSED = "Line 3: A quotation mark opens a cell on this line and nothing closes it"
AFTER_QUOTE = "Line 4: A cell on this line has text after its closing quotation mark"


@pytest.mark.parametrize(("raw", "message"), [(UNCLOSED, NEVER_CLOSED), (TEXT_AFTER_QUOTE, AFTER_QUOTE)])
def test_a_broken_quotation_mark_is_a_problem_on_its_line(raw, message):
    parsed = importing.parse(raw)
    assert parsed.rows == []
    [problem] = parsed.problems
    assert str(problem).startswith(message)


def test_a_quoted_cell_with_line_breaks_is_still_one_good_cell(seeded):
    raw = csv_bytes(HEADER, 'RNU,SS-01,testing,2024-01-01,,,"Ward 2\nand ward 3, from May",,', OTHER)
    plan = services.check_file(seeded, raw)
    assert not plan.problems
    assert [row.data.note for row in plan.rows] == ["Ward 2\nand ward 3, from May", ""]


def test_the_upload_page_refuses_the_file_and_names_the_line(app, signed_in):
    client = signed_in("manager")
    before = counts(app)
    response = upload(client, UNCLOSED)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Every row of the file is good" not in html and "Confirm import" not in html
    assert "The file has 1 problem, so nothing was imported" in html
    assert "A quotation mark opens a cell on this line and nothing closes it" in html
    assert counts(app) == before


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_command_refuses_the_file_and_names_the_line(app, seeded, tmp_path, dry_run):
    path = tmp_path / "quotes.csv"
    path.write_bytes(UNCLOSED)
    before = counts(app)
    result = run(app, path, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 1
    assert NEVER_CLOSED in result.output
    assert "quotes.csv has 1 problem: nothing was imported." in result.output
    assert counts(app) == before
