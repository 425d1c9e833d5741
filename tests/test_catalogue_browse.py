"""Browsing the catalogue: ambitions, packages as driver diagrams, ideas, drafts, and query counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.factories import add_driver, add_idea
from tracker.catalogue import queries, services
from tracker.catalogue.services import IdeaDetails, PackageDetails
from tracker.models import Ambition, ChangeIdea, ChangePackage

# Arranging rows. Each helper ends its transaction before returning: the test's session writes
# with BEGIN IMMEDIATE, and an open one would hold SQLite's write lock while the app tries to write.


def add_draft_package(session, code: str = "DRAFTPK", idea_code: str = "DR-01") -> None:
    ambition_id = session.scalar(select(Ambition.id).where(Ambition.code == "RP"))
    package = services.create_package(
        session,
        PackageDetails(ambition_id, code, "Unpublished restraint package", "Demo publisher"),
    )
    services.create_idea(
        session,
        package,
        IdeaDetails(idea_code, "Secret draft huddle idea", "Only editors see this"),
    )
    session.rollback()


@pytest.fixture
def as_role(seeded, app, client):
    """A fresh client signed in as the demo account of a role (several roles in one test)."""

    def make(role: str):
        other = type(client)(app.test_client())
        other.sign_in_as(role)
        return other

    return make


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# Ambitions


def test_ambitions_page_shows_every_ambition_with_its_dated_targets_and_packages(
    signed_in,
):
    html = text_of(signed_in("trust").get("/ambitions"))
    for title in (
        "Reduce restrictive practice",
        "Reduce suicide and deliberate self-harm",
        "Improve sexual safety",
    ):
        assert title in html
    # Several dated targets per ambition, all kept.
    assert "Original" in html and "Revised" in html and "Pilot (2018–20)" in html
    assert "31 March 2024" in html and "30 September 2023" in html
    for code in ("RRP", "SSC", "NCISH"):
        assert f'href="/packages/{code}"' in html
    assert 'href="/ambitions/RP"' in html
    assert "Add a change package" not in html


def test_ambition_page_shows_summary_baseline_targets_with_sources_and_packages(
    signed_in,
):
    html = text_of(signed_in("faculty").get("/ambitions/RP"))
    assert "Reduce the incidence of restrictive practice" in html
    assert "Relative reduction against each ward" in html  # the baseline note
    assert html.count("(opens an external site)") >= 4  # three targets' sources and the ambition's
    assert "https://swahsn.com/programmes/mental-health-safety-improvement-programme/" in html
    assert "At least 25% reduction" in html and "one third (33%)" in html
    assert 'href="/packages/RRP"' in html
    assert '<a class="nhsuk-breadcrumb__link" href="/ambitions">Change packages</a>' in html


def test_an_ambition_without_a_dated_target_says_so(signed_in):
    html = text_of(signed_in("trust").get("/ambitions/SSH"))
    assert "No date published" in html
    assert "No numeric target or baseline found" in html


# Packages


def test_rrp_package_lists_the_nccmh_ideas_as_not_yet_placed(signed_in):
    html = text_of(signed_in("trust").get("/packages/RRP"))
    assert "National Collaborating Centre for Mental Health (NCCMH)" in html
    assert "No drivers have been recorded for this package yet." in html
    unplaced = html[html.index("Change ideas not yet placed under a driver") :]
    for code, title in [
        ("RP-01", "Collaborative care planning"),
        ("RP-02", "Creating a recovery tree"),
        ("RP-03", "Ward round preparation sheets"),
        ("RP-04", "Knowing patients&#39; preferences"),
    ]:
        assert code in unplaced and title in unplaced
    # Ideas keep their order.
    assert unplaced.index("RP-01") < unplaced.index("RP-02") < unplaced.index("RP-03") < unplaced.index("RP-04")
    # Resources and tools, provenance and source.
    assert "Dynamic Appraisal of Situational Aggression (DASA)" in html
    assert "Broset Violence Checklist" in html
    assert "The names of the RRP primary and secondary drivers were not found" in html
    assert "ideas-for-changing-practice" in html
    assert "Pilot: cut restraint, seclusion and rapid tranquillisation" in html  # the aim


def test_ncish_package_says_prominently_that_it_is_not_an_mhsip_package(signed_in):
    html = text_of(signed_in("trust").get("/packages/NCISH"))
    warning = html[html.index("nhsuk-card--warning") :]
    assert "A related framework, not an MHSIP change package" in warning[:1000]
    assert "National Confidential Inquiry into Suicide and Safety in Mental Health (NCISH)" in html
    assert "2017" in html  # version
    assert "SSH-10" in html and "Low turnover of non-medical staff" in html


def test_package_page_draws_the_driver_diagram(seeded, signed_in):
    primary = add_driver(seeded, "RRP", "Patients shape their own care")
    secondary = add_driver(seeded, "RRP", "Care plans written with patients", parent_id=primary)
    other = add_driver(seeded, "RRP", "Calm ward environment")
    add_idea(seeded, "RRP", "RP-05", "Safety huddles", driver_id=secondary)
    add_idea(seeded, "RRP", "RP-06", "Sensory room", driver_id=other)
    add_idea(seeded, "RRP", "RP-07", "Patient-led community meeting", driver_id=primary)

    html = text_of(signed_in("trust").get("/packages/RRP"))
    first = html[html.index(f'id="driver-{primary}"') : html.index(f'id="driver-{other}"')]
    assert "Primary driver</span> Patients shape their own care" in first
    assert "Secondary driver</span> Care plans written with patients" in first
    assert "RP-05" in first and "RP-07" in first and "RP-06" not in first
    assert first.index("Care plans written") < first.index("RP-05")
    assert "RP-06" in html[html.index(f'id="driver-{other}"') : html.index("Change ideas not yet placed")]
    # Unplaced ideas still listed; readers get no edit controls.
    assert "RP-01" in html[html.index("Change ideas not yet placed") :]
    assert "Move up" not in html and "Edit package details" not in html and "/edit" not in html


def test_editors_see_edit_controls_on_the_package_page(seeded, signed_in):
    add_driver(seeded, "RRP", "Patients shape their own care")
    html = text_of(signed_in("manager").get("/packages/RRP"))
    assert "Edit package details" in html
    assert "Return to draft" in html
    assert "Add a primary driver" in html and "Add a secondary driver" in html
    assert 'action="/ideas/RP-02/move"' in html
    assert 'Move down<span class="nhsuk-u-visually-hidden">: RP-01 Collaborative care planning</span>' in html
    # The first idea cannot move up, the last cannot move down.
    unplaced = html[html.index("Change ideas not yet placed") :]
    rp01 = unplaced[unplaced.index('id="idea-RP-01"') : unplaced.index('id="idea-RP-02"')]
    assert "Move up" not in rp01 and "Move down" in rp01


def test_package_breadcrumbs_lead_back_to_its_ambition(signed_in):
    html = text_of(signed_in("trust").get("/packages/SSC"))
    assert '<a class="nhsuk-breadcrumb__link" href="/ambitions/SS">Improve sexual safety</a>' in html


# Ideas


def test_idea_page_shows_description_place_publisher_source_and_provenance(signed_in):
    html = text_of(signed_in("trust").get("/ideas/RP-01"))
    assert "Collaborative care planning" in html
    assert "Care plan written with the patient, in their own words" in html
    assert "Reduce restrictive practice" in html
    assert 'href="/packages/RRP"' in html
    assert "Not yet placed under a driver" in html
    assert "National Collaborating Centre for Mental Health (NCCMH)" in html
    assert "Change idea published by NCCMH; its driver in the package is not yet known." in html
    assert "ideas-for-changing-practice" in html
    assert '<a class="nhsuk-breadcrumb__link" href="/packages/RRP">' in html


def test_idea_page_shows_its_primary_and_secondary_driver(seeded, signed_in):
    primary = add_driver(seeded, "RRP", "Patients shape their own care")
    secondary = add_driver(seeded, "RRP", "Care plans written with patients", parent_id=primary)
    add_idea(seeded, "RRP", "RP-05", "Safety huddles", driver_id=secondary)
    html = text_of(signed_in("trust").get("/ideas/RP-05"))
    sits = html[html.index("Where it sits") : html.index("Where it comes from")]
    assert (
        sits.index("Reduce restrictive practice")
        < sits.index("Patients shape their own care")
        < sits.index("Care plans written with patients")
    )
    assert (
        html.index("Reduce restrictive practice")
        < html.index("Patients shape their own care")
        < html.index("Care plans written with patients")
    )
    assert f'href="/packages/RRP#driver-{secondary}"' in html
    assert "Not yet placed under a driver" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/ambitions/XX",
        "/packages/NOPE",
        "/ideas/ZZ-99",
        "/ideas/rp-01",
        "/packages/rrp",
    ],
)
def test_unknown_codes_are_404(signed_in, url):
    response = signed_in("admin").get(url)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_catalogue_pages_need_sign_in(client, seeded):
    for url in (
        "/ambitions",
        "/ambitions/RP",
        "/packages/RRP",
        "/ideas/RP-01",
        "/search?q=care",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


# Drafts and demo content


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_readers_cannot_see_a_draft_package_or_its_ideas(seeded, as_role, role):
    add_draft_package(seeded)
    reader = as_role(role)
    assert reader.get("/packages/DRAFTPK").status_code == 404
    assert reader.get("/ideas/DR-01").status_code == 404
    for url in ("/ambitions", "/ambitions/RP", "/"):
        assert "Unpublished restraint package" not in text_of(reader.get(url))
    assert "DR-01" not in text_of(reader.get("/search?q=secret+huddle"))


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_editors_see_drafts_labelled_draft(seeded, as_role, role):
    add_draft_package(seeded)
    editor = as_role(role)
    package = text_of(editor.get("/packages/DRAFTPK"))
    assert '<strong class="nhsuk-tag nhsuk-tag--grey">Draft</strong>' in package
    assert "This package is a draft" in package
    assert "Publish package" in package
    idea = text_of(editor.get("/ideas/DR-01"))
    assert 'nhsuk-tag--grey">Draft</strong>' in idea
    listing = text_of(editor.get("/ambitions"))
    assert 'Unpublished restraint package</a> <strong class="nhsuk-tag nhsuk-tag--grey">Draft</strong>' in listing
    assert "Unpublished restraint package" in text_of(editor.get("/ambitions/RP"))
    results = text_of(editor.get("/search?q=secret+huddle"))
    assert "DR-01" in results and 'nhsuk-tag--grey">Draft</strong>' in results


def test_demo_content_is_labelled_demo(seeded, signed_in):
    seeded.execute(update(ChangePackage).where(ChangePackage.code == "SSC").values(is_demo=True))
    seeded.execute(update(ChangeIdea).where(ChangeIdea.code == "RP-02").values(is_demo=True))
    seeded.commit()
    client = signed_in("trust")
    demo = '<strong class="nhsuk-tag nhsuk-tag--yellow">Demo</strong>'
    assert demo in text_of(client.get("/packages/SSC"))
    assert demo in text_of(client.get("/ideas/RP-02"))
    rrp = text_of(client.get("/packages/RRP"))
    assert rrp.count(demo) == 1 and demo in rrp[rrp.index('id="idea-RP-02"') : rrp.index('id="idea-RP-03"')]
    assert demo in text_of(client.get("/ambitions"))
    assert demo not in text_of(client.get("/packages/NCISH"))


def test_home_page_counts_published_packages_and_ideas(seeded, signed_in):
    add_draft_package(seeded)
    html = text_of(signed_in("manager").get("/"))
    assert "1 change package, 4 change ideas" in html  # RP: the draft is not counted on the home page
    assert "1 change package, 10 change ideas" in html  # SSH


# Statement counts: a page's queries must not grow with the data.


def _grow_package(
    session,
    package_code: str,
    idea_prefix: str,
    primaries: int,
    secondaries: int,
    ideas: int,
) -> None:
    number = 10
    for p in range(primaries):
        primary = add_driver(session, package_code, f"Primary {p}")
        for s in range(secondaries):
            secondary = add_driver(session, package_code, f"Secondary {p}.{s}", parent_id=primary)
            for _ in range(ideas):
                number += 1
                add_idea(
                    session,
                    package_code,
                    f"{idea_prefix}-{number}",
                    f"Idea {number}",
                    driver_id=secondary,
                )


def _count(statement_counter, client, url: str) -> int:
    with statement_counter() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("role", ["trust", "manager"])
def test_package_page_statement_count_does_not_grow_with_drivers_and_ideas(seeded, as_role, statement_counter, role):
    client = as_role(role)
    add_idea(
        seeded,
        "RRP",
        "RP-05",
        "One more",
        driver_id=add_driver(seeded, "RRP", "Only driver"),
    )
    small = _count(statement_counter, client, "/packages/RRP")
    _grow_package(seeded, "RRP", "RP", primaries=3, secondaries=2, ideas=3)
    large = _count(statement_counter, client, "/packages/RRP")
    assert small == large
    assert large <= 9  # with the latest published version, for its link


@pytest.mark.parametrize("url", ["/ambitions", "/ambitions/RP", "/", "/search?q=idea", "/ideas/RP-11"])
def test_list_pages_statement_count_does_not_grow(seeded, as_role, statement_counter, url):
    client = as_role("manager")
    _grow_package(seeded, "RRP", "RP", primaries=1, secondaries=1, ideas=1)
    small = _count(statement_counter, client, url)
    _grow_package(seeded, "SSC", "SS", primaries=2, secondaries=2, ideas=3)
    _grow_package(seeded, "NCISH", "SSH", primaries=1, secondaries=2, ideas=2)
    add_draft_package(seeded)
    large = _count(statement_counter, client, url)
    assert small == large


# The diagram built from plain rows.


def test_driver_diagram_nests_drivers_and_places_ideas():
    class Row:
        def __init__(self, id, position, **kw):
            self.id, self.position = id, position
            self.__dict__.update(kw)

    drivers = [
        Row(2, 1, parent_id=None, title="B"),
        Row(1, 0, parent_id=None, title="A"),
        Row(3, 0, parent_id=1, title="A1"),
    ]
    ideas = [
        Row(10, 1, driver_id=3),
        Row(11, 0, driver_id=3),
        Row(12, 0, driver_id=None),
        Row(13, 0, driver_id=99),
    ]
    diagram = queries.driver_diagram(drivers, ideas)
    assert [n.driver.title for n in diagram.primary] == ["A", "B"]
    assert [c.driver.title for c in diagram.primary[0].children] == ["A1"]
    assert [i.id for i in diagram.primary[0].children[0].ideas] == [11, 10]
    assert [i.id for i in diagram.unplaced] == [
        12,
        13,
    ]  # an unknown driver counts as not yet placed
    assert queries.driver_choices(drivers) == [(1, "A"), (3, "A › A1"), (2, "B")]
