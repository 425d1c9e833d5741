"""The flat feeds for Power BI and Excel (/api/v1/feeds/…): who may read them, their filters and the 400s
and 404s for bad ones, drafts, agreement with the rest of the API, a fixed number of statements whatever
the size of the ledger, paging (more in tests/test_api_paging.py), and the data-dictionary page linked
from the Spreadsheets page.
Their columns and types against the dictionary: tests/test_feeds_dictionary.py."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, insert, select

from tests.factories import add_draft_package, add_events
from tests.helpers import assert_error, auth, get_json, page_text
from tracker.feeds.dictionary import FEEDS
from tracker.models import AdoptionEvent, ChangeIdea, Organisation, Stage

ROLES = ("trust", "faculty", "manager", "admin")
NEEDS = {"coverage-monthly": "?ambition=RP"}


def _url(name: str, fmt: str = "json", query: str = "") -> str:
    return f"/api/v1/feeds/{name}.{fmt}{query or NEEDS.get(name, '')}"


def _rows(client, url: str, **kwargs) -> list[dict]:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["rows"]


# --- who may read them --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_feed_signed_in_and_with_a_token(demo_history, client, token, role):
    for name in FEEDS:
        for fmt in ("csv", "json"):
            response = client.get(_url(name, fmt), headers=auth(token[role]))
            assert response.status_code == 200, (name, fmt, response.get_data(as_text=True))
    client.sign_in_as(role)
    for name in FEEDS:
        assert client.get(_url(name, "csv")).status_code == 200


def test_without_credentials_or_with_a_bad_token_every_feed_is_401(seeded, client):
    for name in FEEDS:
        response = client.get(_url(name, "csv"))
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert client.get(_url(name), headers=auth("st_not-a-token")).status_code == 401


def test_without_an_extension_a_feed_is_json(demo_history, client):
    client.sign_in_as("trust")
    assert client.get("/api/v1/feeds/events").get_json()["feed"] == "events"
    assert client.get("/api/v1/feeds/events.xlsx").status_code == 404
    assert client.get("/api/v1/feeds/nothing.csv").status_code == 404


# --- filters and bad input ----------------------------------------------------------------------


def test_events_filters_narrow_the_ledger(demo_history, client):
    client.sign_in_as("trust")
    every = _rows(client, _url("events"))
    assert len(every) == demo_history.scalar(select(func.count()).select_from(AdoptionEvent))
    assert [r["event_id"] for r in every] == [
        r["event_id"] for r in sorted(every, key=lambda r: (r["effective_date"], r["event_id"]))
    ]
    since = _rows(client, _url("events", query="?since=2024-01-01&until=2024-12-31"))
    assert since and since == [r for r in every if "2024-01-01" <= r["effective_date"] <= "2024-12-31"]
    rnu = _rows(client, _url("events", query="?organisation=RNU&ambition=RP"))
    assert rnu and rnu == [r for r in every if r["ods_code"] == "RNU" and r["ambition_code"] == "RP"]
    network = _rows(client, _url("events", query="?network=OXF"))
    assert network and network == [r for r in every if r["network_code"] == "OXF"]
    idea = _rows(client, _url("events", query="?intervention=RP-01"))
    assert idea and idea == [r for r in every if r["intervention_code"] == "RP-01"]
    assert _rows(client, _url("events", query="?logged_since=2100-01-01")) == []
    assert _rows(client, _url("events", query="?logged_since=2000-01-01")) == every


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?since=2024-13-01", "since"),
        ("?until=01/02/2024", "until"),
        ("?logged_since=", "logged_since"),
        ("?since=2024-06-01&until=2024-01-01", "since"),
        ("?organisation=", "organisation"),
        ("?network=%20", "network"),
    ],
)
def test_a_malformed_events_filter_is_400_naming_it(seeded, client, query, parameter):
    client.sign_in_as("trust")
    for fmt in ("csv", "json"):
        assert_error(get_json(client, _url("events", fmt, query), 400), 400, parameter)


@pytest.mark.parametrize(
    ("name", "query", "status", "says"),
    [
        ("events", "?organisation=ZZZ", 404, "ZZZ"),
        ("records", "?intervention=NO-01", 404, "NO-01"),
        ("interventions", "?ambition=NOPE", 404, "NOPE"),
        ("organisations", "?network=NOPE", 404, "NOPE"),
        ("organisations", "?open_on=yesterday", 400, "open_on"),
        ("coverage-monthly", "?network=OXF", 400, "ambition"),
        ("coverage-monthly", "?ambition=RP&network=NOPE", 404, "NOPE"),
        ("coverage-monthly", "?ambition=RP&min_stage=done", 400, "min_stage"),
        ("coverage-monthly", "?ambition=RP&start=2025-01-01&end=2024-01-01", 400, "start"),
    ],
)
def test_bad_filters_are_refused_with_a_clear_message(seeded, client, name, query, status, says):
    client.sign_in_as("manager")
    body = get_json(client, _url(name, "csv", query), status)
    assert says in body["error"]["message"]


# --- what they hold -----------------------------------------------------------------------------


def test_monthly_coverage_is_the_coverage_series(demo_history, client):
    client.sign_in_as("faculty")
    query = "?ambition=RP&network=OXF&start=2023-01-01&end=2025-06-30&min_stage=testing"
    rows = _rows(client, _url("coverage-monthly", query=query))
    series = get_json(client, f"/api/v1/coverage/series{query}")["points"]
    assert [(r["month"], r["reach"], r["depth"]) for r in rows] == [
        (p["month"], p["reach"], p["depth"]) for p in series
    ]
    assert {(r["ambition_code"], r["network_code"], r["min_stage"]) for r in rows} == {("RP", "OXF", "testing")}
    assert rows[-1]["as_of"] == "2025-06-30" and rows[0]["month"] == "2023-01"
    assert any(r["organisations_reached"] for r in rows)


def test_records_organisations_and_interventions_agree_with_the_api(demo_history, client):
    client.sign_in_as("trust")
    records = _rows(client, _url("records"))
    adoptions = get_json(client, "/api/v1/adoptions")["adoptions"]
    assert records and {(r["ods_code"], r["intervention_code"], r["stage"], r["version"]) for r in records} == {
        (a["organisation"], a["intervention"], a["stage"], a["version"]) for a in adoptions
    }
    organisations = _rows(client, _url("organisations", query="?network=OXF&open_on=2024-01-01"))
    listed = get_json(client, "/api/v1/organisations?network=OXF&open_on=2024-01-01")["organisations"]
    assert [(o["ods_code"], o["network_code"], o["opened_on"]) for o in organisations] == [
        (o["ods"], o["network"], o["opened_on"]) for o in listed
    ]
    ideas = _rows(client, _url("interventions", query="?ambition=RP"))
    assert {i["intervention_code"] for i in ideas} == {
        i["code"] for i in get_json(client, "/api/v1/interventions?ambition=RP")["interventions"]
    }


def test_draft_ideas_and_their_events_only_for_editors(seeded, client, token):
    add_draft_package(seeded)
    add_events(seeded, [("RNU", "DR-01", "testing", date(2025, 1, 6))])
    for role, sees in (("trust", False), ("faculty", False), ("manager", True), ("admin", True)):
        ideas = {r["intervention_code"] for r in _rows(client, _url("interventions"), headers=auth(token[role]))}
        events = {r["intervention_code"] for r in _rows(client, _url("events"), headers=auth(token[role]))}
        records = {r["intervention_code"] for r in _rows(client, _url("records"), headers=auth(token[role]))}
        assert ("DR-01" in ideas, "DR-01" in events, "DR-01" in records) == (sees, sees, sees), role
        wanted = client.get(_url("events", query="?intervention=DR-01"), headers=auth(token[role]))
        assert wanted.status_code == (200 if sees else 404)


# --- efficiency and streaming -------------------------------------------------------------------


def _more_events(session, count: int, note: str = "") -> None:
    """count more events for RNU's RP-01, written straight into the ledger (its feeds read them as they are)."""
    organisation = session.scalar(select(Organisation.id).filter_by(ods_code="RNU"))
    idea = session.scalar(select(ChangeIdea.id).filter_by(code="RP-01"))
    session.execute(
        insert(AdoptionEvent),
        [
            {
                "organisation_id": organisation,
                "change_idea_id": idea,
                "stage": Stage.TESTING,
                "effective_date": date(2023, 1, 1 + n % 28),
                "note": note,
                "fingerprint": f"bulk-{n}",
                "channel": "import",
            }
            for n in range(count)
        ],
    )
    session.commit()


def _statements(client, statement_counter, url: str) -> int:
    with statement_counter() as statements:
        response = client.get(url)
        assert response.status_code == 200
        response.get_data()
    return len(statements)


def test_each_feed_is_a_fixed_number_of_statements_whatever_the_ledgers_size(demo_history, client, statement_counter):
    client.sign_in_as("manager")
    urls = [_url(name, "csv", {"coverage-monthly": "?ambition=RP&network=OXF"}.get(name, "")) for name in FEEDS]
    urls.append(_url("events", "json", "?organisation=RNU&ambition=RP&since=2021-01-01"))
    before = {url: _statements(client, statement_counter, url) for url in urls}
    _more_events(demo_history, 2_000)
    after = {url: _statements(client, statement_counter, url) for url in urls}
    assert after == before
    assert max(before.values()) <= 10, before


def test_a_long_feed_comes_a_page_at_a_time_and_keeps_formulas_as_text(demo_history, client):
    _more_events(demo_history, 2_500, note="=HYPERLINK(1)")
    client.sign_in_as("trust")
    url, rows, pages = "http://localhost" + _url("events", "csv"), [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200 and response.is_streamed
        page = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
        assert len(page) <= 500, "500 rows a page unless limit asks otherwise"
        rows += page
        pages += 1
        link = response.headers.get("Link")
        url = link and link.removeprefix("<").removesuffix('>; rel="next"')
    assert pages > 5 and len({r["event_id"] for r in rows}) == len(rows)
    formulas = [r for r in rows if r["note"].endswith("=HYPERLINK(1)")]
    assert len(formulas) == 2_500 and {r["note"] for r in formulas} == {"'=HYPERLINK(1)"}
    as_json = _rows(client, _url("events", query="?since=2023-01-01&until=2023-01-31"))
    assert {r["note"] for r in as_json if r["channel"] == "import"} >= {"=HYPERLINK(1)"}


# --- the data-dictionary page -------------------------------------------------------------------


def test_the_dictionary_page_lists_every_feed_and_column_and_is_linked_from_spreadsheets(seeded, client):
    client.sign_in_as("trust")
    spreadsheets = client.get("/spreadsheets").get_data(as_text=True)
    assert 'href="/spreadsheets/data-dictionary"' in spreadsheets
    response = client.get("/spreadsheets/data-dictionary")
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    text = page_text(markup)
    assert 'Web.Contents("http://localhost/", [ RelativePath = "api/v1/feeds/events.csv"' in text
    # The query follows the pages: the next page's cursor from the Link header, until there is none.
    assert 'Record.FieldOrDefault(Value.Metadata(Source)[Headers], "Link", null)' in text
    assert "[Query][cursor]" in text and "Table.Combine(Pages)" in text
    assert 'Authorization = "Bearer TOKEN"' in text
    for feed in FEEDS.values():
        assert f'href="/api/v1/feeds/{feed.name}.csv"' in markup
        table = markup[markup.index(f'data-feed="{feed.name}"') :]
        table = page_text(table[: table.index("</table>")])
        for column in feed.columns:
            kind = f"{column.type}, or empty" if column.optional else column.type
            assert f"{column.name} Type {kind} Meaning {column.meaning}" in table, (feed.name, column.name)
        for f in feed.filters:
            assert f.meaning in text
