"""Each flat feed against its data dictionary: the CSV header and the JSON keys are the dictionary's columns in
its order, and every value has the column's type (non-optional columns are never empty), on the demo history.
The same rows come out as CSV and as JSON, read with a read-scoped API token as Power BI would."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests.helpers import auth
from tracker.auth import tokens
from tracker.feeds import dictionary
from tracker.feeds.dictionary import FEEDS
from tracker.models import DiscontinuedReason, Membership, OrganisationKind, PackageStatus, Stage, TokenScope, User

QUERY = {"coverage-monthly": "?ambition=RP&start=2024-01-01&end=2025-06-15"}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00")


@pytest.fixture
def read_token(demo_history) -> str:
    """A read-only token of the demo trust user, as an analyst's Power BI report would hold."""
    user = demo_history.scalar(select(User).filter_by(email="trust@demo.invalid"))
    raw = tokens.issue_token(demo_history, user, tokens.TokenRequest("Power BI", TokenScope.READ, 30))
    demo_history.commit()
    return raw


def _url(name: str, fmt: str) -> str:
    return f"/api/v1/feeds/{name}.{fmt}{QUERY.get(name, '')}"


def _json_type_ok(kind: str, value) -> bool:
    if kind == dictionary.TEXT:
        return isinstance(value, str)
    if kind == dictionary.INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == dictionary.DECIMAL:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == dictionary.DATE:
        return isinstance(value, str) and ISO_DAY.fullmatch(value) and date.fromisoformat(value)
    if kind == dictionary.DATETIME:
        return isinstance(value, str) and ISO_MOMENT.fullmatch(value) and datetime.fromisoformat(value)
    if kind == dictionary.BOOLEAN:
        return isinstance(value, bool)
    raise AssertionError(f"a type the dictionary does not define: {kind}")


def _csv_type_ok(kind: str, cell: str) -> bool:
    if kind == dictionary.TEXT:
        return True
    if kind == dictionary.INTEGER:
        return re.fullmatch(r"-?\d+", cell) is not None
    if kind == dictionary.DECIMAL:
        return float(cell) == float(cell)
    if kind == dictionary.BOOLEAN:
        return cell in ("true", "false")
    return _json_type_ok(kind, cell)


def _json_rows(client, name: str, token: str) -> list[dict]:
    response = client.get(_url(name, "json"), headers=auth(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["feed"] == name
    assert body["columns"] == list(FEEDS[name].column_names)
    return body["rows"]


def _csv_rows(client, name: str, token: str) -> tuple[list[str], list[list[str]]]:
    response = client.get(_url(name, "csv"), headers=auth(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    text = response.get_data(as_text=True)
    assert not text.startswith("\ufeff"), "no byte order mark: the first column's name is read as it is"
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    return header, rows


@pytest.mark.parametrize("name", list(FEEDS))
def test_the_json_feed_has_the_dictionarys_columns_and_types(client, read_token, name):
    feed = FEEDS[name]
    rows = _json_rows(client, name, read_token)
    assert rows, f"the demo history gives {name} rows"
    wrong = []
    for number, row in enumerate(rows):
        assert list(row) == list(feed.column_names), f"row {number}: keys in the dictionary's order"
        for column in feed.columns:
            value = row[column.name]
            if value is None:
                if not column.optional:
                    wrong.append(f"row {number} {column.name}: null, but the column is never empty")
            elif not _json_type_ok(column.type, value):
                wrong.append(f"row {number} {column.name}: {value!r} is not {column.type}")
    assert not wrong, "\n".join(wrong[:20])


@pytest.mark.parametrize("name", list(FEEDS))
def test_the_csv_feed_has_the_dictionarys_header_types_and_the_json_feeds_rows(client, read_token, name):
    feed = FEEDS[name]
    header, rows = _csv_rows(client, name, read_token)
    assert header == list(feed.column_names)
    as_json = _json_rows(client, name, read_token)
    assert len(rows) == len(as_json)
    wrong = []
    for number, (cells, row) in enumerate(zip(rows, as_json, strict=True)):
        for column, cell in zip(feed.columns, cells, strict=True):
            value = row[column.name]
            if cell == "":
                if value not in (None, ""):
                    wrong.append(f"row {number} {column.name}: empty in CSV, {value!r} in JSON")
            elif not _csv_type_ok(column.type, cell):
                wrong.append(f"row {number} {column.name}: {cell!r} is not {column.type}")
            elif column.type == dictionary.DECIMAL:
                assert float(cell) == pytest.approx(value)
            elif column.type == dictionary.BOOLEAN:
                assert cell == ("true" if value else "false")
            elif column.type != dictionary.TEXT or not cell.startswith("'"):
                assert cell == str(value), f"row {number} {column.name}"
    assert not wrong, "\n".join(wrong[:20])


def test_every_column_has_a_known_type_and_a_meaning_and_names_are_unique():
    for feed in FEEDS.values():
        assert len(set(feed.column_names)) == len(feed.columns), feed.name
        for column in feed.columns:
            assert column.type in dictionary.TYPES, (feed.name, column.name)
            assert re.fullmatch(r"[a-z][a-z0-9_]*", column.name), (feed.name, column.name)
            assert column.meaning.strip(), (feed.name, column.name)


def _meaning(feed: str, column: str) -> str:
    return next(c.meaning for c in FEEDS[feed].columns if c.name == column)


@pytest.mark.parametrize(
    ("feed", "column", "values"),
    [
        ("events", "stage", Stage),
        ("records", "stage", Stage),
        ("events", "discontinued_reason", DiscontinuedReason),
        ("organisations", "kind", OrganisationKind),
        ("organisations", "membership", Membership),
        ("interventions", "package_status", PackageStatus),
    ],
)
def test_the_dictionary_names_every_value_a_coded_column_may_hold(feed, column, values):
    meaning = _meaning(feed, column)
    assert [v.value for v in values if v.value not in meaning] == []
