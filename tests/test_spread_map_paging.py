"""The spread map at any size (issue 15): a collaborative of hundreds of organisations gets a page of
bounded size, its tables summarised by network and paged, every organisation and link on exactly one
page, and the map's labels only where they fit; a small one still sees its whole tables at once."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import delete, select

from tests.helpers import count_statements
from tracker.adoption import services
from tracker.adoption.rules import EventInput
from tracker.maps import service, svg, tables
from tracker.maps.drawing import Drawing, Mark
from tracker.maps.outline import load_outline
from tracker.models import (
    ChangeIdea,
    LearningLink,
    LinkKind,
    LinkStatus,
    Network,
    Organisation,
    OrganisationKind,
    User,
)

PAGE = "/spread-map?ambition=RP&as_of=2025-01-01"
ROW = re.compile(r'<tr class="nhsuk-table__row" data-ods="([A-Z0-9]+)" data-stage="[a-z]+"')
LINK_ROW = re.compile(
    r"<td class=\"nhsuk-table__cell\"><span [^>]*>Between </span>[^<]*\(([A-Z0-9]+)\)</td>\s*"
    r"<td class=\"nhsuk-table__cell\"><span [^>]*>And </span>[^<]*\(([A-Z0-9]+)\)</td>\s*"
    r"<td class=\"nhsuk-table__cell\"><span [^>]*>Kind </span>([^<]+)</td>"
)
NEXT = re.compile(
    r'<a class="nhsuk-pagination__link nhsuk-pagination__link--next" href="([^"]+)#spread-map-organisations-heading"'
)
EXTRA = 330  # organisations added to the demo's 14: more than three pages of PAGE_SIZE


@pytest.fixture
def large(seeded):
    """The demo collaborative with EXTRA more trusts across its networks, a chain of links between
    them all and some adoptions: a few hundred organisations, as a national collaborative has."""
    seeded.execute(delete(LearningLink))  # the chain below, without the demo's
    networks = list(seeded.scalars(select(Network).order_by(Network.code)))
    for n in range(EXTRA):
        seeded.add(
            Organisation(
                ods_code=f"ZZ{n:03d}",
                name=f"Test trust {n:03d}",
                kind=OrganisationKind.MENTAL_HEALTH_TRUST,
                network=networks[n % len(networks)],
                latitude=50.8 + (n % 30) * 0.04,
                longitude=-3.0 + (n // 30) * 0.2,
            )
        )
    seeded.flush()
    trusts = list(seeded.scalars(select(Organisation).order_by(Organisation.id)))
    for first, second in zip(trusts, trusts[1:], strict=False):
        kind = LinkKind.BUDDY_PAIR if first.id % 2 else LinkKind.LEARNING_SET
        seeded.add(LearningLink(source=first, target=second, kind=kind, weight=2, status=LinkStatus.CONFIRMED))
    manager = seeded.scalar(select(User).filter_by(email="manager@demo.invalid"))
    idea = seeded.scalar(select(ChangeIdea).filter_by(code="RP-01"))
    for trust in trusts[::7]:
        services.append_event(
            seeded, manager, trust, idea, EventInput(stage="implementing", effective_date=date(2024, 3, 1))
        )
    seeded.commit()
    return seeded


def every_page(client, url: str) -> list[str]:
    """The pages of a table, following its Next links from the address given."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        pages.append(html)
        found = NEXT.findall(html)
        assert len(set(found)) <= 1  # one Next link, above and below the table
        url = unescape(found[0]) if found else None
        assert len(pages) <= 20, "the pages never end"
    return pages


def open_codes(session) -> list[str]:
    return list(session.scalars(select(Organisation.ods_code).where(Organisation.is_open_on(date(2025, 1, 1)))))


def test_the_page_of_a_large_collaborative_stays_small(large, signed_in):
    html = signed_in("faculty").get(PAGE).get_data(as_text=True)
    total = len(open_codes(large))
    assert total > 3 * tables.PAGE_SIZE
    assert len(html.encode()) < 400_000  # bounded whatever the size: the page of 14 organisations weighs 60 kB
    assert len(ROW.findall(html)) == tables.PAGE_SIZE  # one page of the organisations, not every row
    assert len(LINK_ROW.findall(html)) == tables.PAGE_SIZE
    assert "<circle" not in html and "data-frame" not in html  # the map is an image of its own address
    assert f"1 to {tables.PAGE_SIZE} of {total}" in html


def test_paging_reaches_every_organisation_and_every_link_exactly_once(large, signed_in):
    client = signed_in("trust")
    pages = every_page(client, PAGE)
    assert len(pages) == -(-len(open_codes(large)) // tables.PAGE_SIZE)
    seen = [ods for html in pages for ods in ROW.findall(html)]
    assert sorted(seen) == sorted(open_codes(large))  # each once
    # The learning links' table has Next links of its own (to its heading).
    links = []
    url = PAGE
    while url:
        html = client.get(url).get_data(as_text=True)
        links += LINK_ROW.findall(html)
        found = re.findall(r'href="([^"]+)#spread-map-links"><span class="nhsuk-pagination__title">Next', html)
        url = unescape(found[0]) if found else None
    network = service.network(large, service.Filters("RP", None, date(2025, 1, 1)))
    assert len(links) == len(set(links)) == len(network.learning_links) > 3 * tables.PAGE_SIZE


def test_the_networks_summary_counts_every_organisation_and_leads_to_each_networks_own(large, signed_in):
    client = signed_in("manager")
    html = client.get(PAGE).get_data(as_text=True)
    summary = re.findall(
        r'<tr class="nhsuk-table__row" data-network="([A-Z]+)">.*?Organisations </span>(\d+)</td>.*?'
        r"Adopted </span>(\d+)</td>",
        html,
        re.S,
    )
    networks = large.scalars(select(Network.code)).all()
    assert sorted(code for code, _n, _a in summary) == sorted(networks)
    assert sum(int(n) for _c, n, _a in summary) == len(open_codes(large))
    seen = []
    for code, count, _adopted in summary:
        link = re.search(rf'href="([^"]+network={code}[^"]*)#spread-map-organisations-heading"', html)[1]
        rows = [ods for page in every_page(client, unescape(link)) for ods in ROW.findall(page)]
        assert len(rows) == int(count)
        members = large.scalars(
            select(Organisation.ods_code)
            .join(Network)
            .where(Network.code == code, Organisation.is_open_on(date(2025, 1, 1)))
        ).all()
        assert sorted(rows) == sorted(members)
        seen += rows
    assert sorted(seen) == sorted(open_codes(large))


def test_a_small_collaborative_sees_its_whole_tables_at_once(seeded, signed_in):
    html = signed_in("trust").get(PAGE).get_data(as_text=True)
    assert len(ROW.findall(html)) == 13 and "nhsuk-pagination" not in html
    assert 'id="spread-map-networks"' in html  # and the summary by network


@pytest.mark.parametrize(
    ("query", "status"),
    [("page=0", 400), ("page=two", 400), ("links_page=-1", 400), ("page=" + "9" * 5000, 400), ("network=NOPE", 404)],
)
def test_bad_paging_is_refused_with_a_reason(seeded, signed_in, query, status):
    response = signed_in("trust").get(f"{PAGE}&{query}")
    assert response.status_code == status
    if status == 400:
        assert "The page number" in response.get_data(as_text=True)


def test_a_page_past_the_last_is_the_last(large, signed_in):
    html = signed_in("trust").get(PAGE + "&page=99").get_data(as_text=True)
    assert ROW.findall(html) and not NEXT.findall(html)


def test_statements_do_not_grow_with_the_page_or_the_network_asked_for(large, app, signed_in):
    client = signed_in("trust")
    counts = []
    for day, query in (("2024-12-01", ""), ("2024-12-02", "&page=3"), ("2024-12-03", "&network=OXF&page=1")):
        with count_statements(app) as statements:
            assert client.get(f"/spread-map?ambition=RP&as_of={day}{query}").status_code == 200
        counts.append(len(statements) - ("network=" in query))  # naming a network reads the networks once
    assert counts[0] == counts[1] == counts[2]


# Labels only where they fit (pure) -------------------------------------------------------------------------


def mark(ods: str, x: float, y: float) -> Mark:
    return Mark(ods, ods, x, y, "none", "#fff", "#000", False, (ods, "N1"), None, ods)


def test_labels_are_drawn_only_where_they_fit():
    apart = [mark(f"A{k}", 40 + 100 * k, 100) for k in range(5)]
    assert svg.labelled(apart) == {m.id for m in apart}
    crowded = [mark(f"B{k:03d}", 100 + (k % 10) * 3, 100 + (k // 10) * 3) for k in range(100)]
    found = svg.labelled(crowded)
    assert 1 <= len(found) <= 4  # a crowd at one place gets a label or few, not a hundred on one another
    drawn = svg.map_svg(
        Drawing("geographic", 800, 600, tuple(crowded), (), ()), load_outline(), title="t", description="d"
    )
    assert drawn.count("<circle") == 100 and drawn.count("<text x=") - 2 == len(found)  # (2: the attribution)


def test_the_large_maps_image_labels_fewer_organisations_than_it_draws(large, signed_in):
    client = signed_in("trust")
    html = client.get(PAGE).get_data(as_text=True)
    image = client.get(unescape(re.search(r'id="spread-map-image" src="([^"]+)"', html)[1])).get_data(as_text=True)
    circles = image.count("<circle")
    assert circles == len(open_codes(large))
    labels = image.count("<text x=") - 2
    assert 0 < labels < circles
