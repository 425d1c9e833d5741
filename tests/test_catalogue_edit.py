"""Maintaining the catalogue: packages, drivers and ideas; validation, conflicts and access."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import db as tracker_db
from tracker.catalogue import services
from tracker.catalogue.services import DriverDetails, IdeaDetails, PackageDetails
from tracker.editing import CONFLICT_MESSAGE, VERSION_MISSING, EditConflict, InvalidInput
from tracker.models import Ambition, ChangeIdea, ChangePackage, Driver, PackageStatus

VERSION = re.compile(r'name="row_version" type="hidden" value="(\d*)"')
PROBLEM = "There is a problem"

# Arranging and checking rows. Each helper ends its transaction before returning: the test's
# session writes with BEGIN IMMEDIATE, and an open one would hold SQLite's write lock.


def _package(session, code: str) -> ChangePackage:
    return session.scalar(select(ChangePackage).where(ChangePackage.code == code))


def add_driver(session, package_code: str, title: str, parent_id: int | None = None) -> int:
    driver = services.create_driver(
        session,
        _package(session, package_code),
        DriverDetails(title, parent_id=parent_id),
    )
    driver_id = driver.id
    session.rollback()
    return driver_id


def add_idea(session, package_code: str, code: str, title: str, driver_id: int | None = None) -> None:
    services.create_idea(
        session,
        _package(session, package_code),
        IdeaDetails(code, title, driver_id=driver_id),
    )
    session.rollback()


def ambition_id(session, code: str) -> int:
    value = session.scalar(select(Ambition.id).where(Ambition.code == code))
    session.rollback()
    return value


def row(session, model, **key):
    """The row's current values as a plain namespace (read in a transaction of its own)."""
    obj = session.scalar(select(model).filter_by(**key))
    values = None if obj is None else SimpleNamespace(**{c.key: getattr(obj, c.key) for c in model.__table__.c})
    session.rollback()
    return values


def snapshot(session) -> dict:
    """Every catalogue row, to show that a refused edit wrote nothing."""
    tables = (Ambition, ChangePackage, Driver, ChangeIdea)
    rows = {m.__tablename__: session.execute(select(m.__table__).order_by(m.__table__.c.id)).all() for m in tables}
    session.rollback()
    return rows


def ordered_ideas(session, package_code: str, driver_id: int | None = None) -> list[str]:
    package = _package(session, package_code)
    codes = list(
        session.scalars(
            select(ChangeIdea.code)
            .where(ChangeIdea.package_id == package.id, ChangeIdea.driver_id == driver_id)
            .order_by(ChangeIdea.position, ChangeIdea.id)
        )
    )
    session.rollback()
    return codes


def ordered_drivers(session, package_code: str, parent_id: int | None = None) -> list[str]:
    package = _package(session, package_code)
    titles = list(
        session.scalars(
            select(Driver.title)
            .where(Driver.package_id == package.id, Driver.parent_id == parent_id)
            .order_by(Driver.position, Driver.id)
        )
    )
    session.rollback()
    return titles


def version_on(html: str) -> str:
    match = VERSION.search(html)
    assert match, "no row_version on the form"
    return match.group(1)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def manager(signed_in):
    return signed_in("manager")


@pytest.fixture
def as_role(seeded, app, client):
    def make(role: str):
        other = type(client)(app.test_client())
        other.sign_in_as(role)
        return other

    return make


def package_data(session, **changes) -> dict:
    data = {
        "ambition_id": ambition_id(session, "RP"),
        "code": "TIC",
        "title": "Therapeutic inpatient care package",
        "publisher": "Demo publisher",
        "version": "1.0",
        "status": "draft",
        "source_url": "https://example.org/tic",
        "summary": "Halve restraint on engaged wards by March 2026",
        "provenance_note": "Made up for testing",
    }
    data.update(changes)
    return data


def rrp_data(session, **changes) -> dict:
    """The RRP package as its edit form would post it."""
    rrp = row(session, ChangePackage, code="RRP")
    data = {
        k: getattr(rrp, k)
        for k in (
            "ambition_id",
            "code",
            "title",
            "publisher",
            "version",
            "source_url",
            "summary",
            "provenance_note",
        )
    }
    data["status"] = rrp.status.value
    data["row_version"] = rrp.row_version
    data.update(changes)
    return data


# Packages


def test_manager_adds_a_draft_package(seeded, manager):
    response = manager.submit("/packages/new", package_data(seeded, code="tic"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/packages/TIC"
    package = row(seeded, ChangePackage, code="TIC")  # the code is upper-cased
    assert package.title == "Therapeutic inpatient care package"
    assert package.status == PackageStatus.DRAFT
    assert package.version == "1.0" and package.source_url == "https://example.org/tic"
    assert package.summary.startswith("Halve restraint") and package.provenance_note == "Made up for testing"
    assert package.position > row(seeded, ChangePackage, code="RRP").position
    html = page(manager, "/packages/TIC")
    assert "Change package TIC added" in html and "Draft</strong>" in html


def test_new_package_form_preselects_the_ambition(seeded, manager):
    html = page(manager, "/packages/new?ambition=SS")
    ss = ambition_id(seeded, "SS")
    assert re.search(rf'value="{ss}" checked', html)
    assert 'value="draft" checked' in html
    assert page(manager, "/packages/new?ambition=NOPE")  # an unknown ambition preselects nothing


def test_manager_edits_a_package(seeded, manager):
    html = page(manager, "/packages/RRP/edit")
    data = rrp_data(
        seeded,
        title="RRP change package, second edition",
        version="2",
        row_version=version_on(html),
    )
    response = manager.submit("/packages/RRP/edit", data)
    assert response.status_code == 302
    package = row(seeded, ChangePackage, code="RRP")
    assert package.title == "RRP change package, second edition" and package.version == "2"
    assert package.row_version == int(data["row_version"]) + 1


def test_moving_a_package_to_another_ambition(seeded, manager):
    response = manager.submit("/packages/RRP/edit", rrp_data(seeded, ambition_id=ambition_id(seeded, "SS")))
    assert response.status_code == 302
    assert row(seeded, ChangePackage, code="RRP").ambition_id == ambition_id(seeded, "SS")
    assert "Reducing Restrictive Practice" in page(manager, "/ambitions/SS")


def test_publish_and_return_to_draft(seeded, manager, as_role):
    response = manager.submit("/packages/RRP/status", {"status": "draft"}, page="/packages/RRP")
    assert response.status_code == 302
    assert row(seeded, ChangePackage, code="RRP").status == PackageStatus.DRAFT
    assert "is a draft again" in page(manager, "/packages/RRP")
    assert as_role("trust").get("/packages/RRP").status_code == 404
    manager.submit("/packages/RRP/status", {"status": "published"}, page="/packages/RRP")
    assert row(seeded, ChangePackage, code="RRP").status == PackageStatus.PUBLISHED
    assert as_role("trust").get("/packages/RRP").status_code == 200


def test_an_unknown_status_is_a_bad_request(seeded, manager):
    before = snapshot(seeded)
    assert manager.submit("/packages/RRP/status", {"status": "gone"}, page="/packages/RRP").status_code == 400
    assert snapshot(seeded) == before


# Drivers


def test_manager_adds_primary_and_secondary_drivers(seeded, manager):
    response = manager.submit(
        "/packages/RRP/drivers/new",
        {
            "title": "Patients shape their care",
            "description": "Why it matters",
            "parent_id": "",
        },
    )
    assert response.status_code == 302
    primary = row(seeded, Driver, title="Patients shape their care")
    assert primary.parent_id is None and primary.description == "Why it matters"
    assert response.headers["Location"] == f"/packages/RRP#driver-{primary.id}"

    form = page(manager, f"/packages/RRP/drivers/new?parent={primary.id}")
    assert f'<option value="{primary.id}" selected>' in form
    response = manager.submit(
        f"/packages/RRP/drivers/new?parent={primary.id}",
        {"title": "Care plans", "parent_id": primary.id},
    )
    assert response.status_code == 302
    assert row(seeded, Driver, title="Care plans").parent_id == primary.id
    html = page(manager, "/packages/RRP")
    assert "Secondary driver added" in html
    assert html.index("Patients shape their care") < html.index("Secondary driver</span> Care plans")


def test_manager_edits_a_driver_and_makes_it_secondary(seeded, manager):
    first = add_driver(seeded, "RRP", "Leadership")
    second = add_driver(seeded, "RRP", "Ward rounds")
    url = f"/drivers/{second}/edit"
    response = manager.submit(
        url,
        {
            "title": "Patient-led ward rounds",
            "description": "",
            "parent_id": first,
            "row_version": version_on(page(manager, url)),
        },
    )
    assert response.status_code == 302
    edited = row(seeded, Driver, id=second)
    assert edited.title == "Patient-led ward rounds" and edited.parent_id == first
    # The driver's own name is not offered as its parent.
    assert f'<option value="{second}"' not in page(manager, f"/drivers/{first}/edit")


def test_deleting_a_driver_takes_its_secondaries_and_unplaces_its_ideas(seeded, manager):
    primary = add_driver(seeded, "RRP", "Patients shape their care")
    secondary = add_driver(seeded, "RRP", "Care plans", parent_id=primary)
    keep = add_driver(seeded, "RRP", "Calm wards")
    add_idea(seeded, "RRP", "RP-05", "Safety huddles", driver_id=primary)
    add_idea(seeded, "RRP", "RP-06", "Plan on a page", driver_id=secondary)
    add_idea(seeded, "RRP", "RP-07", "Sensory room", driver_id=keep)

    confirm = page(manager, f"/drivers/{primary}/delete")
    assert "Delete the primary driver ‘Patients shape their care’?" in confirm
    assert "Its 1 secondary driver will be deleted too" in confirm
    assert "2 change ideas are kept" in confirm and "RP-05" in confirm and "RP-06" in confirm
    assert row(seeded, Driver, id=primary) is not None  # the GET deleted nothing

    response = manager.submit(f"/drivers/{primary}/delete", {"row_version": version_on(confirm)})
    assert response.status_code == 302
    assert row(seeded, Driver, id=primary) is None and row(seeded, Driver, id=secondary) is None
    assert row(seeded, Driver, id=keep) is not None
    assert ordered_ideas(seeded, "RRP") == [
        "RP-01",
        "RP-02",
        "RP-03",
        "RP-04",
        "RP-05",
        "RP-06",
    ]
    assert row(seeded, ChangeIdea, code="RP-07").driver_id == keep
    html = page(manager, "/packages/RRP")
    assert "Driver ‘Patients shape their care’ deleted" in html
    unplaced = html[html.index("Change ideas not yet placed") :]
    assert "RP-05" in unplaced and "RP-06" in unplaced and "RP-07" not in unplaced


def test_deleting_a_secondary_driver_leaves_its_primary(seeded, manager):
    primary = add_driver(seeded, "RRP", "Patients shape their care")
    secondary = add_driver(seeded, "RRP", "Care plans", parent_id=primary)
    confirm = page(manager, f"/drivers/{secondary}/delete")
    assert "Delete the secondary driver" in confirm and "No change ideas sit under it." in confirm
    manager.submit(f"/drivers/{secondary}/delete", {"row_version": version_on(confirm)})
    assert row(seeded, Driver, id=secondary) is None and row(seeded, Driver, id=primary) is not None


def test_reordering_drivers(seeded, manager):
    add_driver(seeded, "RRP", "A")
    add_driver(seeded, "RRP", "B")
    c = add_driver(seeded, "RRP", "C")
    response = manager.submit(f"/drivers/{c}/move", {"direction": "up"}, page="/packages/RRP")
    assert response.status_code == 302 and response.headers["Location"] == f"/packages/RRP#driver-{c}"
    assert ordered_drivers(seeded, "RRP") == ["A", "C", "B"]
    manager.submit(f"/drivers/{c}/move", {"direction": "up"}, page="/packages/RRP")
    manager.submit(f"/drivers/{c}/move", {"direction": "up"}, page="/packages/RRP")  # already first: no change
    assert ordered_drivers(seeded, "RRP") == ["C", "A", "B"]
    manager.submit(f"/drivers/{c}/move", {"direction": "down"}, page="/packages/RRP")
    assert ordered_drivers(seeded, "RRP") == ["A", "C", "B"]
    html = page(manager, "/packages/RRP")
    assert html.index("</span> A</h3>") < html.index("</span> C</h3>") < html.index("</span> B</h3>")


def test_reordering_secondary_drivers_stays_among_siblings(seeded, manager):
    primary = add_driver(seeded, "RRP", "P")
    add_driver(seeded, "RRP", "Q")
    add_driver(seeded, "RRP", "P1", parent_id=primary)
    p2 = add_driver(seeded, "RRP", "P2", parent_id=primary)
    manager.submit(f"/drivers/{p2}/move", {"direction": "up"}, page="/packages/RRP")
    assert ordered_drivers(seeded, "RRP", primary) == ["P2", "P1"]
    assert ordered_drivers(seeded, "RRP") == ["P", "Q"]


@pytest.mark.parametrize("direction", ["", "sideways", None])
def test_a_bad_direction_is_a_bad_request(seeded, manager, direction):
    before = snapshot(seeded)
    data = {} if direction is None else {"direction": direction}
    assert manager.submit("/ideas/RP-02/move", data, page="/packages/RRP").status_code == 400
    assert snapshot(seeded) == before


# Change ideas


def test_manager_adds_a_change_idea_under_a_driver(seeded, manager):
    driver = add_driver(seeded, "RRP", "Patients shape their care")
    form = page(manager, f"/packages/RRP/ideas/new?driver={driver}")
    assert "The next free code here is RP-05." in form
    assert f'<option value="{driver}" selected>' in form
    response = manager.submit(
        "/packages/RRP/ideas/new",
        {
            "code": " rp-05 ",
            "title": "Safety huddles",
            "description": "Ten minutes at each shift change",
            "driver_id": driver,
            "source_url": "https://example.org/huddles",
            "provenance_note": "Reported by a participating ward",
        },
    )
    assert response.status_code == 302
    idea = row(seeded, ChangeIdea, code="RP-05")
    assert idea.title == "Safety huddles" and idea.driver_id == driver
    assert idea.package_id == row(seeded, ChangePackage, code="RRP").id
    assert idea.source_url == "https://example.org/huddles"
    html = page(manager, "/packages/RRP")
    assert "Change idea RP-05 added" in html
    assert "RP-05" in html[html.index(f'id="driver-{driver}"') : html.index("Change ideas not yet placed")]


def test_manager_edits_a_change_idea_and_places_it(seeded, manager):
    driver = add_driver(seeded, "RRP", "Patients shape their care")
    form = page(manager, "/ideas/RP-02/edit")
    response = manager.submit(
        "/ideas/RP-02/edit",
        {
            "code": "RP-02",
            "title": "Recovery tree",
            "description": "Ward mural",
            "driver_id": driver,
            "source_url": "",
            "provenance_note": "",
            "row_version": version_on(form),
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/ideas/RP-02"
    idea = row(seeded, ChangeIdea, code="RP-02")
    assert idea.title == "Recovery tree" and idea.driver_id == driver and idea.source_url == ""
    assert ordered_ideas(seeded, "RRP") == ["RP-01", "RP-03", "RP-04"]
    assert "Patients shape their care" in page(manager, "/ideas/RP-02")


def test_reordering_ideas(seeded, manager):
    response = manager.submit("/ideas/RP-03/move", {"direction": "up"}, page="/packages/RRP")
    assert response.status_code == 302 and response.headers["Location"] == "/packages/RRP#idea-RP-03"
    assert ordered_ideas(seeded, "RRP") == ["RP-01", "RP-03", "RP-02", "RP-04"]
    manager.submit("/ideas/RP-04/move", {"direction": "down"}, page="/packages/RRP")  # already last
    manager.submit("/ideas/RP-01/move", {"direction": "down"}, page="/packages/RRP")
    assert ordered_ideas(seeded, "RRP") == ["RP-03", "RP-01", "RP-02", "RP-04"]
    html = page(manager, "/packages/RRP")
    assert html.index('id="idea-RP-03"') < html.index('id="idea-RP-01"') < html.index('id="idea-RP-02"')


# Refused input: the form comes back with its errors and nothing is written.


@pytest.fixture
def world(seeded):
    """RRP with a primary driver P and its secondary S; SSC with a primary driver Q."""
    p = add_driver(seeded, "RRP", "P")
    s = add_driver(seeded, "RRP", "S", parent_id=p)
    q = add_driver(seeded, "SSC", "Q")
    return SimpleNamespace(p=p, s=s, q=q, session=seeded)


def _idea(**changes):
    data = {
        "code": "RP-05",
        "title": "Safety huddles",
        "description": "",
        "driver_id": "",
        "source_url": "",
        "provenance_note": "",
    }
    data.update(changes)
    return data


BAD_INPUT = [
    # (id, url, data, message)
    (
        "package empty title",
        "/packages/new",
        lambda w: package_data(w.session, title="  "),
        "Enter a title",
    ),
    (
        "package empty publisher",
        "/packages/new",
        lambda w: package_data(w.session, publisher=""),
        "Enter the publisher",
    ),
    (
        "package duplicate code",
        "/packages/new",
        lambda w: package_data(w.session, code="rrp"),
        services.PACKAGE_CODE_TAKEN,
    ),
    (
        "package malformed code",
        "/packages/new",
        lambda w: package_data(w.session, code="R R"),
        services.PACKAGE_CODE_FORMAT,
    ),
    (
        "package no ambition",
        "/packages/new",
        lambda w: package_data(w.session, ambition_id=""),
        services.CHOOSE_AMBITION,
    ),
    (
        "package unknown ambition",
        "/packages/new",
        lambda w: package_data(w.session, ambition_id="999"),
        services.CHOOSE_AMBITION,
    ),
    (
        "package javascript url",
        "/packages/new",
        lambda w: package_data(w.session, source_url="javascript:alert(1)"),
        services.WEB_ADDRESS,
    ),
    (
        "package bad status",
        "/packages/new",
        lambda w: package_data(w.session, status="archived"),
        "Choose draft or published",
    ),
    (
        "package long title",
        "/packages/new",
        lambda w: package_data(w.session, title="x" * 201),
        "Title must be 200 characters or fewer",
    ),
    (
        "package edit duplicate code",
        "/packages/RRP/edit",
        lambda w: rrp_data(w.session, code="SSC"),
        services.PACKAGE_CODE_TAKEN,
    ),
    (
        "package edit empty title",
        "/packages/RRP/edit",
        lambda w: rrp_data(w.session, title=""),
        "Enter a title",
    ),
    (
        "driver empty title",
        "/packages/RRP/drivers/new",
        lambda w: {"title": "", "parent_id": ""},
        "Enter a title",
    ),
    (
        "secondary under secondary",
        "/packages/RRP/drivers/new",
        lambda w: {"title": "Third level", "parent_id": w.s},
        services.PARENT_NOT_PRIMARY,
    ),
    (
        "parent from another package",
        "/packages/RRP/drivers/new",
        lambda w: {"title": "Stray", "parent_id": w.q},
        services.PARENT_NOT_PRIMARY,
    ),
    (
        "parent unknown",
        "/packages/RRP/drivers/new",
        lambda w: {"title": "Stray", "parent_id": 9999},
        services.PARENT_NOT_PRIMARY,
    ),
    (
        "parent garbled",
        "/packages/RRP/drivers/new",
        lambda w: {"title": "Stray", "parent_id": "abc"},
        services.PARENT_NOT_PRIMARY,
    ),
    (
        "primary with secondaries made secondary",
        lambda w: f"/drivers/{w.p}/edit",
        lambda w: {
            "title": "P",
            "parent_id": add_driver(w.session, "RRP", "Other"),
            "row_version": 1,
        },
        services.PARENT_HAS_CHILDREN,
    ),
    (
        "driver under itself",
        lambda w: f"/drivers/{w.p}/edit",
        lambda w: {"title": "P", "parent_id": w.p, "row_version": 1},
        services.PARENT_NOT_PRIMARY,
    ),
    (
        "idea empty title",
        "/packages/RRP/ideas/new",
        lambda w: _idea(title=""),
        "Enter a title",
    ),
    (
        "idea empty code",
        "/packages/RRP/ideas/new",
        lambda w: _idea(code=""),
        "Enter a code",
    ),
    (
        "idea duplicate code",
        "/packages/RRP/ideas/new",
        lambda w: _idea(code="RP-01"),
        services.IDEA_CODE_TAKEN,
    ),
    (
        "idea code of another package",
        "/packages/RRP/ideas/new",
        lambda w: _idea(code="SSH-01"),
        services.IDEA_CODE_TAKEN,
    ),
    (
        "idea code without hyphen",
        "/packages/RRP/ideas/new",
        lambda w: _idea(code="RP05"),
        "Code must look like RP-05",
    ),
    (
        "idea code one digit",
        "/packages/RRP/ideas/new",
        lambda w: _idea(code="RP-5"),
        "Code must look like RP-05",
    ),
    (
        "idea code four digits",
        "/packages/RRP/ideas/new",
        lambda w: _idea(code="RP-0005"),
        "Code must look like RP-05",
    ),
    (
        "idea code seven letters",
        "/packages/RRP/ideas/new",
        lambda w: _idea(code="ABCDEFG-01"),
        "Code must look like RP-05",
    ),
    (
        "idea driver from another package",
        "/packages/RRP/ideas/new",
        lambda w: _idea(driver_id=w.q),
        services.DRIVER_ELSEWHERE,
    ),
    (
        "idea unknown driver",
        "/packages/RRP/ideas/new",
        lambda w: _idea(driver_id=9999),
        services.DRIVER_ELSEWHERE,
    ),
    (
        "idea javascript url",
        "/packages/RRP/ideas/new",
        lambda w: _idea(source_url="javascript:alert(document.cookie)"),
        services.WEB_ADDRESS,
    ),
    (
        "idea data url",
        "/packages/RRP/ideas/new",
        lambda w: _idea(source_url="data:text/html,<script>x</script>"),
        services.WEB_ADDRESS,
    ),
    (
        "idea url without host",
        "/packages/RRP/ideas/new",
        lambda w: _idea(source_url="https://"),
        services.WEB_ADDRESS,
    ),
    (
        "idea url with a space",
        "/packages/RRP/ideas/new",
        lambda w: _idea(source_url="https://exa mple.org"),
        services.WEB_ADDRESS,
    ),
    (
        "idea edit duplicate code",
        "/ideas/RP-02/edit",
        lambda w: _idea(code="RP-01", row_version=1),
        services.IDEA_CODE_TAKEN,
    ),
    (
        "idea edit driver elsewhere",
        "/ideas/RP-02/edit",
        lambda w: _idea(code="RP-02", driver_id=w.q, row_version=1),
        services.DRIVER_ELSEWHERE,
    ),
]


@pytest.mark.parametrize(
    "url, data, message",
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input_is_refused_and_nothing_changes(world, manager, url, data, message):
    url = url(world) if callable(url) else url
    data = data(world)
    before = snapshot(world.session)
    response = manager.submit(url, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert PROBLEM in html
    assert message in html[html.index(PROBLEM) :]
    assert snapshot(world.session) == before


def test_html_in_text_fields_shows_as_text(seeded, manager, as_role):
    script = '<script>alert("x")</script>'
    driver_response = manager.submit("/packages/RRP/drivers/new", {"title": f"Driver {script}", "parent_id": ""})
    assert driver_response.status_code == 302
    response = manager.submit(
        "/packages/RRP/ideas/new",
        _idea(
            title=f"Huddles {script}",
            description="<b>bold</b> <img src=x onerror=alert(1)>",
        ),
    )
    assert response.status_code == 302
    for client in (manager, as_role("trust")):
        for url in ("/packages/RRP", "/ideas/RP-05", "/search?q=huddles"):
            html = page(client, url)
            assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
            assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert row(seeded, ChangeIdea, code="RP-05").title == f"Huddles {script}"  # stored as typed


# Stale edits: the second of two forms opened at the same version is refused.


def test_package_edit_conflict_keeps_the_first_change(seeded, manager):
    version = version_on(page(manager, "/packages/RRP/edit"))
    first = manager.submit(
        "/packages/RRP/edit",
        rrp_data(seeded, title="First editor's title", row_version=version),
    )
    assert first.status_code == 302
    second = manager.submit(
        "/packages/RRP/edit",
        rrp_data(seeded, title="Second editor's title", row_version=version),
    )
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert CONFLICT_MESSAGE in html and PROBLEM in html
    assert 'value="First editor&#39;s title"' in html  # the form now shows the saved version
    assert version_on(html) == str(int(version) + 1)
    assert row(seeded, ChangePackage, code="RRP").title == "First editor's title"


def test_driver_edit_conflict_keeps_the_first_change(seeded, manager):
    driver = add_driver(seeded, "RRP", "Original")
    url = f"/drivers/{driver}/edit"
    version = version_on(page(manager, url))
    assert manager.submit(url, {"title": "First", "parent_id": "", "row_version": version}).status_code == 302
    second = manager.submit(url, {"title": "Second", "parent_id": "", "row_version": version})
    assert second.status_code == 200 and CONFLICT_MESSAGE in second.get_data(as_text=True)
    assert 'value="First"' in second.get_data(as_text=True)
    assert row(seeded, Driver, id=driver).title == "First"


def test_idea_edit_conflict_keeps_the_first_change(seeded, manager):
    version = version_on(page(manager, "/ideas/RP-03/edit"))
    assert (
        manager.submit("/ideas/RP-03/edit", _idea(code="RP-03", title="First", row_version=version)).status_code == 302
    )
    second = manager.submit("/ideas/RP-03/edit", _idea(code="RP-03", title="Second", row_version=version))
    assert second.status_code == 200 and CONFLICT_MESSAGE in second.get_data(as_text=True)
    assert row(seeded, ChangeIdea, code="RP-03").title == "First"


def test_a_form_without_its_version_is_refused_not_an_overwrite(seeded, manager):
    response = manager.submit("/ideas/RP-03/edit", _idea(code="RP-03", title="Blind write"))
    assert response.status_code == 200 and VERSION_MISSING in response.get_data(as_text=True)
    assert row(seeded, ChangeIdea, code="RP-03").title == "Ward round preparation sheets"


def test_delete_of_a_driver_changed_since_confirming_is_refused(seeded, manager):
    driver = add_driver(seeded, "RRP", "Original")
    confirm = page(manager, f"/drivers/{driver}/delete")
    edit = page(manager, f"/drivers/{driver}/edit")
    manager.submit(
        f"/drivers/{driver}/edit",
        {"title": "Renamed", "parent_id": "", "row_version": version_on(edit)},
    )
    response = manager.submit(f"/drivers/{driver}/delete", {"row_version": version_on(confirm)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert CONFLICT_MESSAGE in html and "‘Renamed’" in html
    assert row(seeded, Driver, id=driver).title == "Renamed"


def test_a_save_racing_another_is_a_conflict(app, seeded):
    """Both editors pass the version check; the row's version_id_col stops the second UPDATE."""
    with Session(bind=tracker_db.get_engine(app), expire_on_commit=False) as mine:
        package = mine.scalar(select(ChangePackage).where(ChangePackage.code == "RRP"))
        details = PackageDetails(
            package.ambition_id,
            "RRP",
            "Mine",
            package.publisher,
            status=PackageStatus.PUBLISHED,
        )
        mine.commit()  # end the read; the loaded row (version 1) stays in memory
        services.update_package(
            seeded,
            _package(seeded, "RRP"),
            PackageDetails(
                package.ambition_id,
                "RRP",
                "Theirs",
                package.publisher,
                status=PackageStatus.PUBLISHED,
            ),
            expected_version=1,
        )
        with pytest.raises(EditConflict) as conflict:
            services.update_package(mine, package, details, expected_version=1)
        assert conflict.value.current.title == "Theirs"
    assert row(seeded, ChangePackage, code="RRP").title == "Theirs"


# Service rules, as the CLI and API meet them.


def test_services_refuse_a_third_level_and_foreign_drivers(seeded):
    rrp, ssc = _package(seeded, "RRP"), _package(seeded, "SSC")
    primary = services.create_driver(seeded, rrp, DriverDetails("P"))
    secondary = services.create_driver(seeded, rrp, DriverDetails("S", parent_id=primary.id))
    foreign = services.create_driver(seeded, ssc, DriverDetails("Q"))
    with pytest.raises(InvalidInput) as third:
        services.create_driver(seeded, rrp, DriverDetails("T", parent_id=secondary.id))
    assert third.value.errors == {"parent_id": services.PARENT_NOT_PRIMARY}
    with pytest.raises(InvalidInput):
        services.create_idea(seeded, rrp, IdeaDetails("RP-09", "Stray", driver_id=foreign.id))
    with pytest.raises(InvalidInput) as bad:
        services.create_idea(seeded, rrp, IdeaDetails("rp-9", "", source_url="file:///etc/passwd"))
    assert set(bad.value.errors) == {"code", "title", "source_url"}
    seeded.rollback()


def test_services_refuse_a_package_with_an_unknown_status_or_ambition(seeded):
    with pytest.raises(InvalidInput) as bad:
        services.create_package(seeded, PackageDetails(9999, "NEWPK", " ", "Publisher", status="archived"))
    assert set(bad.value.errors) == {"ambition_id", "title", "status"}
    seeded.rollback()
    assert row(seeded, ChangePackage, code="NEWPK") is None


def test_suggested_code_follows_the_package_style(seeded):
    assert services.suggest_idea_code(seeded, _package(seeded, "RRP")) == "RP-05"
    assert services.suggest_idea_code(seeded, _package(seeded, "NCISH")) == "SSH-11"
    seeded.rollback()


# Access: only project managers and administrators edit.

EDIT_ENDPOINTS = [
    ("GET", "/packages/new"),
    ("POST", "/packages/new"),
    ("GET", "/packages/RRP/edit"),
    ("POST", "/packages/RRP/edit"),
    ("POST", "/packages/RRP/status"),
    ("GET", "/packages/RRP/drivers/new"),
    ("POST", "/packages/RRP/drivers/new"),
    ("GET", "/drivers/{driver}/edit"),
    ("POST", "/drivers/{driver}/edit"),
    ("GET", "/drivers/{driver}/delete"),
    ("POST", "/drivers/{driver}/delete"),
    ("POST", "/drivers/{driver}/move"),
    ("GET", "/packages/RRP/ideas/new"),
    ("POST", "/packages/RRP/ideas/new"),
    ("GET", "/ideas/RP-01/edit"),
    ("POST", "/ideas/RP-01/edit"),
    ("POST", "/ideas/RP-01/move"),
]


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_readers_get_403_on_every_edit_endpoint(seeded, as_role, role):
    driver = add_driver(seeded, "RRP", "P")
    client = as_role(role)
    before = snapshot(seeded)
    for method, template in EDIT_ENDPOINTS:
        url = template.format(driver=driver)
        if method == "GET":
            response = client.get(url)
        else:
            data = {
                "title": "Hijack",
                "code": "RP-01",
                "direction": "up",
                "status": "draft",
                "parent_id": "",
                "row_version": 1,
            }
            response = client.submit(url, data, page="/ambitions")
        assert response.status_code == 403, (method, url, response.status_code)
    assert snapshot(seeded) == before
    page_html = page(client, "/packages/RRP")
    assert "Edit" not in page_html and "Move up" not in page_html and "Add a" not in page_html


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_editors_reach_every_edit_page(seeded, as_role, role):
    driver = add_driver(seeded, "RRP", "P")
    client = as_role(role)
    for method, template in EDIT_ENDPOINTS:
        if method == "GET":
            assert client.get(template.format(driver=driver)).status_code == 200, template


@pytest.mark.parametrize(
    "method, url",
    [
        ("GET", "/packages/NOPE/edit"),
        ("GET", "/packages/NOPE/drivers/new"),
        ("GET", "/packages/NOPE/ideas/new"),
        ("GET", "/drivers/9999/edit"),
        ("GET", "/drivers/9999/delete"),
        ("GET", "/ideas/ZZ-99/edit"),
        ("POST", "/packages/NOPE/status"),
        ("POST", "/drivers/9999/move"),
        ("POST", "/ideas/ZZ-99/move"),
        ("POST", "/drivers/9999/delete"),
    ],
)
def test_editing_something_unknown_is_404(seeded, manager, method, url):
    if method == "GET":
        response = manager.get(url)
    else:
        response = manager.submit(
            url,
            {"direction": "up", "status": "draft", "row_version": 1},
            page="/ambitions",
        )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "service, url",
    [
        ("move_idea", "/ideas/RP-02/move"),
        ("set_package_status", "/packages/RRP/status"),
    ],
)
def test_a_button_meeting_a_simultaneous_change_says_so(seeded, manager, monkeypatch, service, url):
    def lose_the_race(_session, row, *_args):
        raise EditConflict(row)

    monkeypatch.setattr(services, service, lose_the_race)
    response = manager.submit(url, {"direction": "up", "status": "draft"}, page="/packages/RRP")
    assert response.status_code == 302
    assert "Someone else changed this package at the same moment" in page(manager, "/packages/RRP")
