"""Paging of every list the API answers (tracker.api.paging): limit and cursor, the next link, totals.

A client walks every page of each list (JSON lists, the feeds as JSON and as CSV through the Link
header) while rows are added through the database between its requests, some sorting before where
it has got to and some after: every row that was there when it started comes exactly once, a new
row at most once, and nothing else. Bad limits and cursors are 400 naming the parameter; next keeps
the filters and is null on the last page; a page is as many statements whatever its size.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date
from itertools import count

import pytest
from sqlalchemy import insert, select

from tests.factories import add_draft_package, add_events, add_idea, add_organisation
from tests.helpers import assert_error, auth
from tracker.models import (
    ChangeIdea,
    LearningLink,
    LinkKind,
    Measure,
    MeasureValue,
    Network,
    Organisation,
)

API = "/api/v1"
LINK = re.compile(r'^<([^>]+)>; rel="next"$')
_numbers = count(1)


def _get(client, url: str, raw: str):
    response = client.get(url, headers=auth(raw))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def _page(client, url: str, raw: str) -> tuple[list, str | None]:
    """One page's rows and the next page's address, from a JSON body or a CSV's Link header."""
    response = _get(client, url, raw)
    if response.mimetype == "text/csv":
        link = response.headers.get("Link")
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
        return rows, LINK.match(link).group(1) if link else None
    body = response.get_json()
    field = next(k for k in body if isinstance(body[k], list) and k != "columns")
    return body[field], body["next"]


def _walk(client, url: str, raw: str, key, between=lambda: None) -> list:
    """Every page's rows' keys, in the order given; `between` runs after each page but the last."""
    seen = []
    while url:
        rows, url = _page(client, url, raw)
        seen += [key(r) for r in rows]
        if url:
            between()
    return seen


def _by_code(session, model, code):
    return session.scalar(select(model).filter_by(**code))


# --- what each list is, and how a row is added to it ---------------------------------------------


def _new_organisations(session):
    n = next(_numbers)
    for ods in (f"A{n:02}", f"ZZ{n:02}"):  # one before any cursor, one after
        add_organisation(session, ods)
    session.commit()


def _new_networks(session):
    n = next(_numbers)
    session.add_all([Network(code=f"A{n:02}", name=f"Network A{n}"), Network(code=f"ZZ{n:02}", name=f"Net Z{n}")])
    session.commit()


def _new_ideas(session):
    n = next(_numbers)
    add_idea(session, "RRP", f"RP-{100 + n}", f"A new idea {n}")
    add_idea(session, "RRP", f"RP-{600 + n}", f"Another new idea {n}")


def _new_events(session):
    ideas = session.scalars(select(ChangeIdea.code).order_by(ChangeIdea.code)).all()
    organisations = session.scalars(select(Organisation.ods_code).order_by(Organisation.ods_code)).all()
    n = next(_numbers)
    # An early and a late event, on a record that may be new (a new record, too).
    ods, idea = organisations[n % len(organisations)], ideas[(3 * n) % len(ideas)]
    add_events(
        session, [(ods, idea, "considering", date(2019, 1, n % 28 + 1)), (ods, idea, "testing", date(2025, 6, 1))]
    )


def _new_links(session):
    ids = session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    taken = set(session.execute(select(LearningLink.source_id, LearningLink.target_id)).all())
    free = [(a, b) for a in ids for b in ids if a < b and (a, b) not in taken]
    session.execute(
        insert(LearningLink), [{"source_id": a, "target_id": b, "kind": LinkKind.OTHER} for a, b in free[:2]]
    )
    session.commit()


def _new_values(session):
    measure = _by_code(session, Measure, {"code": "RP-RESTRAINT"})
    organisations = session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    n = next(_numbers)
    session.execute(
        insert(MeasureValue),
        [
            {"measure_id": measure.id, "organisation_id": o, "month": date(1000 + n, 1, 1), "numerator": n}
            for o in (organisations[0], organisations[-1])
        ],
    )
    session.commit()


def _event_key(r):
    return int(r.get("id") or r["event_id"])


LISTS = {
    # name: (address, key of a row, add rows)
    "adoptions": (f"{API}/adoptions", lambda r: (r["organisation"], r["intervention"]), _new_events),
    "history": (f"{API}/adoptions/history", _event_key, _new_events),
    "organisations": (f"{API}/organisations", lambda r: r["ods"], _new_organisations),
    "networks": (f"{API}/networks", lambda r: r["code"], _new_networks),
    "interventions": (f"{API}/interventions", lambda r: r["code"], _new_ideas),
    "links": (f"{API}/links", lambda r: r["id"], _new_links),
    "values": (f"{API}/measures/RP-RESTRAINT/values", lambda r: r["id"], _new_values),
    "events.json": (f"{API}/feeds/events.json", _event_key, _new_events),
    "events.csv": (f"{API}/feeds/events.csv", _event_key, _new_events),
    "records.csv": (f"{API}/feeds/records.csv", lambda r: (r["ods_code"], r["intervention_code"]), _new_events),
    "organisations.csv": (f"{API}/feeds/organisations.csv", lambda r: r["ods_code"], _new_organisations),
    "interventions.json": (f"{API}/feeds/interventions.json", lambda r: r["intervention_code"], _new_ideas),
}


def _every_row(client, url, raw, key) -> list:
    return _walk(client, f"{url}?limit=2000", raw, key)


@pytest.mark.parametrize("name", LISTS)
def test_walking_every_page_while_rows_are_added_gives_each_row_exactly_once(demo_history, client, token, name):
    url, key, add = LISTS[name]
    raw = token["manager"]
    add(demo_history)  # at least a few rows in every list
    if name == "links":
        _new_links(demo_history)
    before = _every_row(client, url, raw, key)
    assert len(set(before)) == len(before) >= 3, before
    limit = max(2, len(before) // 6)  # six pages or so, each followed by new rows
    seen = _walk(client, f"{url}?limit={limit}", raw, key, between=lambda: add(demo_history))
    after = _every_row(client, url, raw, key)
    assert [k for k, n in Counter(seen).items() if n > 1] == []
    assert set(before) <= set(seen) <= set(after)
    assert len(after) > len(before), "rows were added while the client walked"


# --- limit, cursor and next -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("limit=0", "limit"),
        ("limit=2001", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("limit=", "limit"),
        ("limit=1.5", "limit"),
        ("cursor=", "cursor"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=WyJaMDAwNCJd.forged", "cursor"),
    ],
)
def test_a_bad_limit_or_cursor_is_400_naming_it(seeded, client, token, query, parameter):
    for url in (f"{API}/organisations", f"{API}/adoptions/history", f"{API}/feeds/events.csv", f"{API}/links"):
        response = client.get(f"{url}?{query}", headers=auth(token["trust"]))
        assert_error(response.get_json(), 400, parameter)
        assert parameter in response.get_json()["error"]["message"]


def test_a_tampered_or_foreign_cursor_is_refused(demo_history, client, token):
    raw = token["trust"]
    first = _get(client, f"{API}/organisations?limit=2", raw).get_json()
    cursor = first["next"].split("cursor=")[1]
    payload, signature = cursor.split(".")
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    for url in (f"{API}/organisations?cursor={tampered}", f"{API}/networks?cursor={cursor}"):
        assert_error(client.get(url, headers=auth(raw)).get_json(), 400, "cursor")


def test_next_keeps_the_filters_and_is_null_on_the_last_page(demo_history, client, token):
    raw = token["faculty"]
    url = f"{API}/adoptions/history?organisation=RNU&ambition=RP&as_of=2024-12-31&limit=3&unknown=kept"
    everything = _get(client, f"{API}/adoptions/history?organisation=RNU&ambition=RP&as_of=2024-12-31", raw)
    expected = [e["id"] for e in everything.get_json()["events"]]
    assert len(expected) > 3
    seen, pages = [], 0
    while url:
        body = _get(client, url, raw).get_json()
        seen += [e["id"] for e in body["events"]]
        pages += 1
        url = body["next"]
        if url:
            assert url.startswith("http://localhost/api/v1/adoptions/history?")
            for kept in ("organisation=RNU", "ambition=RP", "as_of=2024-12-31", "limit=3", "unknown=kept"):
                assert kept in url
    assert seen == expected and pages == -(-len(expected) // 3)
    assert body["next"] is None


def test_next_keeps_parameters_named_like_the_address_builders_own(demo_history, client, token):
    query = "limit=1&_external=0&_anchor=x&code=RP-RESTRAINT&organisation=RNU"
    body = _get(client, f"{API}/measures/RP-RESTRAINT/values?{query}", token["trust"]).get_json()
    assert body["next"].startswith(f"http://localhost{API}/measures/RP-RESTRAINT/values?{query}&cursor=")
    assert "#" not in body["next"]


def test_totals_count_every_page_on_the_same_filters(demo_history, client, token):
    raw = token["trust"]
    body = _get(client, f"{API}/organisations?limit=1", raw).get_json()
    assert len(body["organisations"]) == 1
    assert body["total"] == len(_every_row(client, f"{API}/organisations", raw, lambda r: r["ods"])) > 1
    network = _get(client, f"{API}/organisations?network=OXF&limit=1", raw).get_json()
    everyone = _every_row(client, f"{API}/organisations", raw, lambda r: r["network"])
    assert network["total"] == everyone.count("OXF") > 1
    assert network["total"] < body["total"]
    assert "total" not in _get(client, f"{API}/adoptions/history?limit=1", raw).get_json()
    feed = _get(client, f"{API}/feeds/organisations.json?limit=1", raw).get_json()
    assert feed["total"] == body["total"] and feed["next"]


def test_a_csv_page_is_plain_and_names_the_next_in_a_link_header(demo_history, client, token):
    raw = token["trust"]
    response = _get(client, f"{API}/feeds/events.csv?since=2020-01-01&limit=5", raw)
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 6 and lines[0].startswith("event_id,effective_date,")
    link = LINK.match(response.headers["Link"]).group(1)
    assert "since=2020-01-01" in link and "limit=5" in link
    last = _get(client, f"{API}/feeds/events.csv?since=2100-01-01", raw)
    assert "Link" not in last.headers and last.get_data(as_text=True).count("\r\n") == 1


@pytest.mark.parametrize("name", LISTS)
def test_a_page_of_two_rows_is_as_many_statements_as_a_page_of_fifty(
    demo_history, client, token, statement_counter, name
):
    url, key, add = LISTS[name]
    raw = token["manager"]
    while len(_every_row(client, url, raw, key)) <= 50:  # the read also records the token's use, once
        add(demo_history)
    counts = []
    for limit in (2, 50):
        with statement_counter() as statements:
            rows, following = _page(client, f"{url}?limit={limit}", raw)
        assert following and len(rows) == limit, "more rows follow: the pages compared are full"
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 6, counts


def test_drafts_never_take_a_place_in_a_page(demo_history, client, token):
    """Draft ideas are left out in the database, so a page of a non-editor's list is full of rows they see."""
    add_draft_package(demo_history)
    add_events(demo_history, [("RNU", "DR-01", "testing", date(2015, 1, 1))])
    events = _get(client, f"{API}/adoptions/history?limit=5", token["trust"]).get_json()["events"]
    assert len(events) == 5 and "DR-01" not in {e["intervention"] for e in events}
    mine = _get(client, f"{API}/adoptions/history?limit=5", token["manager"]).get_json()["events"]
    assert mine[0]["intervention"] == "DR-01"
