"""The drawn driver diagram on a change package's page: its SVG, the trusts using each idea, drafts and
statement counts, through the real database."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import add_draft_package, add_driver, add_events, add_idea
from tracker.catalogue import queries
from tracker.core.driver_layout import SHADES
from tracker.models import ChangePackage

SVG = "{http://www.w3.org/2000/svg}"


def page(client, code: str = "RRP") -> str:
    response = client.get(f"/packages/{code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def svg_of(html: str) -> ET.Element:
    """The diagram's SVG, parsed as XML (so it is well-formed)."""
    return ET.fromstring(re.search(r'<svg class="app-driver-svg".*?</svg>', html, re.S).group(0))


def links(svg: ET.Element) -> dict[str, ET.Element]:
    return {a.get("data-idea"): a for a in svg.iter(f"{SVG}a")}


def box_text(element: ET.Element) -> str:
    return " ".join(t.text for t in element.iter(f"{SVG}tspan"))


def test_the_package_page_draws_its_diagram_with_each_idea_linked_and_shaded(seeded, signed_in):
    primary = add_driver(seeded, "RRP", "Patients shape their own care")
    secondary = add_driver(seeded, "RRP", "Care plans written with patients", parent_id=primary)
    add_driver(seeded, "RRP", "Calm ward environment")  # nothing under it yet
    add_idea(seeded, "RRP", "RP-05", "Safety huddles", driver_id=secondary)
    add_events(
        seeded,
        [
            ("RNU", "RP-05", "implementing", date(2024, 1, 1)),
            ("RWX", "RP-05", "sustained", date(2024, 1, 1)),
            ("RW1", "RP-05", "spreading", date(2024, 1, 1)),
            ("RDY", "RP-05", "testing", date(2024, 1, 1)),
            ("RX2", "RP-05", "discontinued", date(2024, 1, 1)),  # stopped: not counted
            ("R1C", "RP-05", "sustained", date(2024, 1, 1)),  # closed in October 2024: not counted
            ("RNU", "RP-01", "considering", date(2024, 1, 1)),
        ],
    )
    html = page(signed_in("trust"))
    svg = svg_of(html)
    assert svg.get("role") == "group" and svg.find(f"{SVG}title").text == (
        "Driver diagram: Reducing Restrictive Practice (RRP) theory of change and change package"
    )
    # The columns' titles, the aim, the drivers and the gaps, in reading order.
    text = " ".join(t.text or "" for t in svg.iter() if t.tag in (f"{SVG}tspan", f"{SVG}text"))
    for words in ("Aim", "Primary drivers", "Secondary drivers", "Change ideas", "Pilot: cut restraint"):
        assert words in text
    reading = [
        "Patients shape their own care",
        "Care plans written with patients",
        "RP-05",
        "Calm ward environment",
        "No secondary drivers or change ideas yet",
        "Not yet placed under a",
        "RP-01",
        "RP-04",
    ]
    assert [text.index(w) for w in reading] == sorted(text.index(w) for w in reading)
    # Every idea is a link to its page, named with what its box says, shaded by the trusts using it.
    ideas = links(svg)
    assert list(ideas) == ["RP-05", "RP-01", "RP-02", "RP-03", "RP-04"]
    huddles = ideas["RP-05"]
    assert huddles.get("href") == "/ideas/RP-05"
    assert huddles.get("aria-label") == "RP-05 Safety huddles: in use at 3 trusts, 1 more considering or testing"
    assert box_text(huddles) == "RP-05 Safety huddles In use at 3 trusts 1 more considering or testing"
    assert huddles.get("data-shade") == "2" and huddles.find(f"{SVG}rect").get("fill") == SHADES[2].fill
    assert ideas["RP-01"].get("aria-label") == (
        "RP-01 Collaborative care planning: not in use yet, 1 more considering or testing"
    )
    assert ideas["RP-02"].find(f"{SVG}rect").get("fill") == SHADES[0].fill
    # The key says what each shade means; the list after the drawing gives the same counts in words.
    key = html[html.index('class="app-driver-key"') :]
    for shade in SHADES:
        assert f'fill="{shade.fill}"' in key and shade.label in key
    listed = html[html.index('id="diagram-list"') :]
    assert "In use at 3 trusts, 1 more considering or testing" in listed[listed.index('id="idea-RP-05"') :]
    assert 'href="#diagram-list"' in html[html.index("<figcaption") : html.index("</figcaption>")]


def test_the_drawing_keeps_its_own_ids_apart_from_the_lists(seeded, signed_in):
    primary = add_driver(seeded, "RRP", "Patients shape their own care")
    add_idea(seeded, "RRP", "RP-05", "Safety huddles", driver_id=primary)
    html = page(signed_in("manager"))
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert html.count(f'id="driver-{primary}"') == 1 and html.count('id="idea-RP-05"') == 1


def test_a_package_without_drivers_or_ideas_says_so_in_the_drawing(seeded, signed_in):
    package = seeded.scalar(select(ChangePackage).filter_by(code="RRP"))
    for idea in list(package.ideas):
        seeded.delete(idea)
    seeded.commit()
    svg = svg_of(page(signed_in("trust")))
    assert not links(svg)
    assert "No drivers or change ideas recorded yet" in " ".join(t.text or "" for t in svg.iter(f"{SVG}tspan"))


def test_trusts_using_counts_open_trusts_once_in_one_statement(seeded, statement_counter, app):
    add_events(
        seeded,
        [
            ("RNU", "RP-01", "testing", date(2023, 1, 1)),
            ("RNU", "RP-01", "implementing", date(2024, 1, 1)),  # the current record counts, once
            ("RWX", "RP-01", "considering", date(2024, 1, 1)),
            ("RWX", "RP-02", "sustained", date(2024, 1, 1)),
            ("R1C", "RP-02", "sustained", date(2024, 1, 1)),  # closed
            ("RW1", "RP-02", "discontinued", date(2024, 1, 1)),
            ("RNU", "SS-01", "sustained", date(2024, 1, 1)),  # another package
        ],
    )
    package = seeded.scalar(select(ChangePackage).filter_by(code="RRP"))
    ids = {i.code: i.id for i in package.ideas}
    with statement_counter() as statements:
        trusts = queries.trusts_using(seeded, package.id)
    assert len(statements) == 1
    assert trusts == {ids["RP-01"]: (1, 1), ids["RP-02"]: (1, 0)}


def test_trusts_using_leaves_out_a_draft_package_unless_drafts_may_be_seen(seeded):
    draft = add_draft_package(seeded)
    add_events(seeded, [("RNU", "DR-01", "sustained", date(2024, 1, 1))])
    assert queries.trusts_using(seeded, draft.id) == {}
    idea_id = next(i.id for i in draft.ideas if i.code == "DR-01")
    assert queries.trusts_using(seeded, draft.id, include_drafts=True) == {idea_id: (1, 0)}


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_readers_get_no_drawing_of_a_draft_package(seeded, signed_in, role):
    add_draft_package(seeded)
    assert signed_in(role).get("/packages/DRAFT").status_code == 404


def test_editors_see_a_draft_package_drawn_with_its_trusts(seeded, signed_in):
    add_draft_package(seeded)
    add_events(seeded, [("RNU", "DR-01", "sustained", date(2024, 1, 1))])
    ideas = links(svg_of(page(signed_in("manager"), "DRAFT")))
    assert ideas["DR-01"].get("aria-label") == "DR-01 Draft idea: in use at 1 trust"
    assert ideas["DR-02"].get("aria-label") == "DR-02 Loose draft idea: not in use yet"


def test_the_statement_count_does_not_grow_with_adoption_records(seeded, signed_in, statement_counter):
    client = signed_in("trust")
    with statement_counter() as before:
        page(client)
    add_events(
        seeded,
        [
            (ods, code, "implementing", date(2024, 1, 1))
            for ods in ("RNU", "RWX", "RW1", "RDY")
            for code in ("RP-01", "RP-02", "RP-03")
        ],
    )
    with statement_counter() as after:
        html = page(client)
    assert len(after) == len(before)
    assert links(svg_of(html))["RP-03"].get("aria-label").endswith("in use at 4 trusts")
