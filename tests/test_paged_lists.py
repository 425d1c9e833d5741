"""Long lists come a page at a time: links, organisations, a network's organisations, a change idea's users,
the records that need an update and the coverage report's organisations. Walking the pages reaches every
row exactly once, a page holds at most its size, filters stay in the page links, bad page numbers get a
clear answer, and a page runs the same statements however many rows there are."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import EXTRA, SHIFTED, add_many, add_values
from tests.helpers import count_statements, forget_pages, page_text
from tracker.calendar import today
from tracker.models import LearningLink, LinkKind, LinkStatus, Network, Organisation
from tracker.paging import PAGE_SIZE, BadPage, Page, PastTheEnd, page


def test_a_page_knows_its_rows_and_its_neighbours():
    assert Page(1, 50, 0).count == 1 and Page(1, 50, 0).first_row == 0
    third = Page(3, 50, 120)
    assert (third.count, third.offset, third.first_row, third.last_row) == (3, 100, 101, 120)
    assert (third.previous, third.next) == (2, None)
    assert third.rows(list(range(120))) == list(range(100, 120))
    assert Page(1, 50, 50).count == 1 and Page(1, 50, 51).count == 2


@pytest.mark.parametrize(
    "number, count, shown",
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 9, [1, 2, None, 9]),
        (3, 9, [1, 2, 3, 4, None, 9]),  # a gap of one page shows the page
        (5, 9, [1, None, 4, 5, 6, None, 9]),
        (9, 9, [1, None, 8, 9]),
    ],
)
def test_the_navigation_shows_the_ends_and_the_current_pages_neighbours(number, count, shown):
    assert Page(number, 10, count * 10).numbers() == shown


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "1.5", "²", " 2", "9" * 5000])
def test_what_is_not_a_page_number_is_refused_naming_the_pages(raw):
    with pytest.raises(BadPage, match="Pages are numbered from 1 to 3"):
        page(raw, 150, 50)


def test_a_page_after_the_last_names_the_last():
    with pytest.raises(PastTheEnd, match="There is no page 4: this list has 3 pages") as raised:
        page("4", 150, 50)
    assert raised.value.last == 3
    assert page(None, 150, 50).number == 1 and page("", 0, 50).number == 1 and page("3", 150, 50).number == 3


# The pages, with many organisations ---------------------------------------------------------------------


@pytest.fixture
def many(seeded):
    return add_many(seeded)


def _walk(client, first: str, row: str) -> list[list[str]]:
    """The rows (matches of the pattern `row`) of each page, following the Next links from the first page."""
    pages, url = [], first
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        markup = response.get_data(as_text=True)
        pages.append(re.findall(row, markup))
        following = re.search(r'<a class="nhsuk-link nhsuk-pagination__link" href="([^"]+)" rel="next">', markup)
        url = following.group(1).replace("&amp;", "&") if following else None
        assert len(pages) < 20, "the pages never end"
    return pages


def _every_once(pages: list[list[str]], expected) -> None:
    assert all(0 < len(rows) <= PAGE_SIZE for rows in pages), [len(rows) for rows in pages]
    walked = [r for rows in pages for r in rows]
    assert sorted(walked) == sorted(expected)
    assert len(set(walked)) == len(walked)


def test_walking_the_links_reaches_each_once(signed_in, seeded, many):
    client = signed_in("manager")
    ids = [str(i) for i in seeded.scalars(select(LearningLink.id))]
    pages = _walk(client, "/links", r'<tr class="nhsuk-table__row" id="link-(\d+)">')
    assert len(pages) == -(-len(ids) // PAGE_SIZE) > 2
    _every_once(pages, ids)
    first = page_text(client.get("/links").get_data(as_text=True))
    assert f"All organisations: {len(ids)} links" in first and f"Showing 1 to 50 of {len(ids)} links" in first


def test_the_links_filters_stay_in_the_page_links(signed_in, seeded, many):
    client = signed_in("manager")
    oxf = seeded.scalar(select(Network.id).filter_by(code="OXF"))
    expected = [
        str(link_id)
        for (link_id,) in seeded.execute(
            select(LearningLink.id)
            .join(Organisation, Organisation.id == LearningLink.source_id)
            .where(LearningLink.kind == LinkKind.BUDDY_PAIR, LearningLink.status == LinkStatus.CONFIRMED)
            .where(
                (Organisation.network_id == oxf)
                | LearningLink.target_id.in_(select(Organisation.id).where(Organisation.network_id == oxf))
            )
        )
    ]
    first = "/links?network=OXF&kind=buddy_pair&status=confirmed"
    markup = client.get(first).get_data(as_text=True)
    assert 'href="/links?network=OXF&amp;kind=buddy_pair&amp;status=confirmed&amp;page=2"' in markup
    assert '<option selected value="OXF">' in markup or 'value="OXF" selected' in markup
    _every_once(_walk(client, first, r'id="link-(\d+)"'), expected)


def test_query_keys_that_are_no_filter_stay_out_of_the_page_links(signed_in, many):
    client = signed_in("manager")
    response = client.get("/ideas/RP-01?code=XX&_external=1&endpoint=x&network=OXF")
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    assert 'href="/ideas/RP-01?network=OXF&amp;page=2#adopters-list"' in markup
    assert "_external" not in markup and "endpoint=" not in markup


def test_confirming_on_a_later_page_comes_back_to_it(signed_in, seeded, many):
    client = signed_in("manager")
    proposal = seeded.scalar(select(LearningLink).order_by(LearningLink.id))
    proposal.status = LinkStatus.PROPOSED
    seeded.commit()
    response = client.submit(
        f"/links/{proposal.id}/confirm",
        {"row_version": proposal.row_version, "network": "OXF", "kind": "buddy_pair", "status": "", "page": "2"},
        page="/links",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/links?network=OXF&kind=buddy_pair&page=2"


@pytest.mark.parametrize(
    "url", ["/links", "/organisations", "/needs-an-update", "/ideas/RP-01", "/networks/OXF", "/measures/summary"]
)
@pytest.mark.parametrize("bad", ["abc", "0", "-2", "1e3"])
def test_a_bad_page_number_is_refused_with_a_message(signed_in, many, url, bad):
    response = signed_in("manager").get(f"{url}?page={bad}")
    assert response.status_code == 400
    assert "is not a page number. Pages are numbered from 1 to" in page_text(response.get_data(as_text=True))


@pytest.mark.parametrize("url", ["/links", "/organisations", "/needs-an-update", "/ideas/RP-01"])
def test_a_page_after_the_last_goes_to_the_last_saying_so(signed_in, many, url):
    client = signed_in("manager")
    response = client.get(f"{url}?page=99")
    assert response.status_code == 302
    last = re.search(r"page=(\d+)$", response.headers["Location"])
    assert last and int(last.group(1)) > 1
    shown = page_text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"There is no page 99: this list has {last.group(1)} pages. This is the last page." in shown


def test_walking_the_organisations_reaches_each_once(signed_in, seeded, many):
    client = signed_in("manager")
    day = today()
    expected = [o.ods_code for o in seeded.scalars(select(Organisation)) if o.is_open_on(day)]
    _every_once(_walk(client, "/organisations", r'<td class="nhsuk-table__cell">([A-Z0-9]{3,6})</td>'), expected)
    in_oxf = seeded.scalars(select(Organisation.ods_code).join(Network).where(Network.code == "OXF"))
    every_oxf = [c for c in in_oxf if seeded.scalar(select(Organisation).filter_by(ods_code=c)).is_open_on(day)]
    pages = _walk(client, "/organisations?network=OXF", r'<td class="nhsuk-table__cell">([A-Z0-9]{3,6})</td>')
    _every_once(pages, every_oxf)
    pages = _walk(client, "/networks/OXF", r'<td class="nhsuk-table__cell">([A-Z0-9]{3,6})</td>')
    assert sorted(r for rows in pages for r in rows) == sorted(in_oxf_all(seeded))


def in_oxf_all(session) -> list[str]:
    return list(session.scalars(select(Organisation.ods_code).join(Network).where(Network.code == "OXF")))


def test_the_networks_page_counts_a_large_networks_organisations(signed_in, seeded, many):
    markup = signed_in("manager").get("/networks").get_data(as_text=True)
    oxf = len(in_oxf_all(seeded))
    assert f"{oxf} organisations. See the organisations in" in page_text(markup)
    assert "Q0003" not in markup  # listed on the network's own page, not here


def test_a_change_ideas_users_come_by_network_then_a_page_at_a_time(signed_in, seeded, many):
    client = signed_in("manager")
    markup = client.get("/ideas/RP-01").get_data(as_text=True)
    text = page_text(markup)
    assert f"{EXTRA} organisations have a record of RP-01" in text
    summary = re.search(r'id="adopters-by-network">.*?</table>', markup, re.S).group(0)
    oxf_name = seeded.scalar(select(Network.name).filter_by(code="OXF"))
    # Half the new organisations are in OXF, one in five of them (or so) at each stage.
    oxf_row = next(r for r in summary.split("<tr")[1:] if oxf_name in r)
    cells = [int(n) for n in re.findall(r"</span>(\d+)</td>", oxf_row)]
    assert cells[-1] == sum(cells[:-1]) == EXTRA // 2 and cells[0] > 0
    row = r'href="/organisations/([A-Z0-9]+)/adoption/RP-01">'
    _every_once(_walk(client, "/ideas/RP-01", row), many)
    oxf = [c for c in many if int(c[1:]) % 2]
    pages = _walk(client, "/ideas/RP-01?network=OXF", row)
    _every_once(pages, oxf)
    assert client.get("/ideas/RP-01?network=NOPE").status_code == 404


def test_a_small_collaborative_sees_whole_lists_without_pages(signed_in, seeded):
    client = signed_in("manager")
    for url in ("/organisations", "/links", "/ideas/RP-01", "/networks/OXF", "/needs-an-update"):
        markup = client.get(url).get_data(as_text=True)
        assert "nhsuk-pagination" not in markup and "Showing 1 to" not in markup, url
    assert "adopters-by-network" not in client.get("/ideas/RP-01").get_data(as_text=True)


def test_the_records_that_need_an_update_come_by_network_then_a_page_at_a_time(signed_in, seeded, many):
    client = signed_in("manager")
    markup = client.get("/needs-an-update").get_data(as_text=True)
    assert 'id="needs-an-update-by-network"' in markup
    assert f"{EXTRA} records need an update" in page_text(markup)
    row = r'href="/organisations/([A-Z0-9]+)/adoption/RP-01/log"'
    _every_once(_walk(client, "/needs-an-update", row), many)
    oxf = [c for c in many if int(c[1:]) % 2]
    _every_once(_walk(client, "/needs-an-update?network=OXF", row), oxf)
    assert client.get("/needs-an-update?network=NOPE").status_code == 404


def test_faculty_see_only_their_networks_records(signed_in, seeded, many):
    client = signed_in("faculty")
    other = seeded.scalar(select(Network.code).where(Network.code.not_in(["OXF", "WSX"])))
    assert client.get(f"/needs-an-update?network={other}").status_code == 404
    assert client.get("/needs-an-update?network=OXF").status_code == 200


def test_the_coverage_report_lists_organisations_by_network(signed_in, seeded, many):
    client = signed_in("manager")
    markup = client.get("/coverage?ambition=RP").get_data(as_text=True)
    text = page_text(markup)
    assert "Choose a network in the table by network to list its organisations" in text
    assert "Q0001" not in markup
    csv = client.get("/coverage/not-reached.csv?ambition=RP").get_data(as_text=True)
    not_reached = len(csv.strip().splitlines()) - 1
    assert f"Not yet reached ({not_reached})" in text
    row = r'<td class="nhsuk-table__cell">(Q[0-9]{4})</td>'
    oxf = [c for c in many if int(c[1:]) % 2]
    pages = _walk(client, "/coverage?ambition=RP&network=OXF&min_stage=considering", row)
    assert sorted(r for rows in pages for r in rows) == sorted(oxf)


def test_the_measures_summary_works_out_only_its_pages_charts(signed_in, seeded, many):
    add_values(seeded, "RP-RESTRAINT", "Q0129", SHIFTED)
    client = signed_in("manager")
    day = today()
    open_now = [o.ods_code for o in seeded.scalars(select(Organisation)) if o.is_open_on(day)]
    row = r'<span class="app-meta">\(([A-Z0-9]{3,6})\)</span></th>'
    pages = _walk(client, "/measures/summary?ambition=RP", row)
    _every_once(pages, open_now)
    last = client.get(f"/measures/summary?ambition=RP&page={len(pages)}").get_data(as_text=True)
    assert "Q0129" in pages[-1] and 'href="/measures/RP-RESTRAINT/chart?organisation=Q0129"' in last
    assert "app-summary-link" not in client.get("/measures/summary?ambition=RP").get_data(as_text=True)


PAGES = [
    "/measures/summary",
    "/links",
    "/organisations",
    "/networks",
    "/networks/OXF",
    "/needs-an-update",
    "/ideas/RP-01",
    "/coverage?ambition=RP",
    "/coverage?ambition=RP&network=OXF",
]


def _statements(app, client, pages) -> dict[str, int]:
    counted = {}
    for url in pages:
        forget_pages(app)
        with count_statements(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counted[url] = len(statements)
    return counted


def test_each_page_runs_the_same_statements_for_few_and_many_rows(app, signed_in, seeded):
    client = signed_in("manager")
    few = _statements(app, client, PAGES)
    add_many(seeded)
    assert _statements(app, client, PAGES) == few
    later = [
        "/links?page=3",
        "/organisations?page=3",
        "/needs-an-update?page=3",
        "/ideas/RP-01?page=3",
        "/measures/summary?page=3",
    ]
    assert list(_statements(app, client, later).values()) == [few[url.split("?")[0]] for url in later]
