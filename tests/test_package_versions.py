"""Publishing a change package makes an immutable, dated version; earlier versions stay readable and say
what changed; a retired idea keeps its code and its adoption records (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.helpers import ON_POSTGRES, FormClient, page_text
from tracker.audit import queries as audit_queries
from tracker.audit.sentences import sentence
from tracker.catalogue import services
from tracker.catalogue.services import DriverDetails, IdeaDetails
from tracker.editing import InvalidInput
from tracker.models import AuditEvent, ChangeIdea, ChangePackage, PackageVersion


def _package(session, code="RRP") -> ChangePackage:
    return session.scalar(select(ChangePackage).where(ChangePackage.code == code))


def _versions(session, code="RRP") -> list[int]:
    package = _package(session, code)
    numbers = list(
        session.scalars(
            select(PackageVersion.number).where(PackageVersion.package_id == package.id).order_by(PackageVersion.number)
        )
    )
    session.rollback()
    return numbers


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return page_text(response.get_data(as_text=True))


def _change_the_package(session) -> None:
    """A driver added, an idea reworded and placed under it, an idea added: through the services."""
    package = _package(session)
    driver = services.create_driver(session, package, DriverDetails("Calm wards at night"))
    idea = session.scalar(select(ChangeIdea).where(ChangeIdea.code == "RP-01"))
    services.update_idea(
        session,
        idea,
        IdeaDetails("RP-01", "Reworded first idea", idea.description, driver.id, idea.source_url, idea.provenance_note),
        idea.row_version,
    )
    services.create_idea(session, _package(session), IdeaDetails("RP-99", "Sensory rooms", driver_id=driver.id))
    session.rollback()


def test_the_seed_gives_each_published_package_a_first_version(seeded, session):
    published = session.scalars(select(ChangePackage.code).where(ChangePackage.is_published)).all()
    session.rollback()
    assert published
    for code in published:
        assert _versions(session, code) == [1]


def test_publishing_makes_a_version_that_lists_what_changed(seeded, session, signed_in):
    _change_the_package(session)
    manager = signed_in("manager")
    before = _text(manager, "/packages/RRP/versions")
    assert "Publishing now would make version 2" in before and "Change ideas added (1) RP-99 Sensory rooms" in before
    response = manager.submit("/packages/RRP/versions", {}, page="/packages/RRP/versions")
    assert response.status_code == 302 and response.headers["Location"].endswith("/packages/RRP/versions/2")
    assert _versions(session) == [1, 2]
    shown = _text(manager, "/packages/RRP/versions/2")
    assert "What changed since version 1" in shown
    assert "Change ideas added (1) RP-99 Sensory rooms" in shown
    assert "Drivers added (1) Calm wards at night" in shown
    assert "title from “" in shown and "” to “Reworded first idea”" in shown
    assert "RP-01 Reworded first idea: from not placed to “Calm wards at night”" in shown
    assert "Published by Demo Project Manager" in shown
    # Publishing again with nothing changed makes no version 3.
    again = manager.submit("/packages/RRP/versions", {}, page="/packages/RRP/versions")
    assert again.status_code == 302 and _versions(session) == [1, 2]
    assert "Nothing has changed since the last version" in _text(manager, "/packages/RRP/versions")


def test_earlier_versions_stay_as_they_were(seeded, session, signed_in):
    trust = signed_in("trust")
    first = _text(trust, "/packages/RRP/versions/1")
    _change_the_package(session)
    services.publish_version(session, _package(session), None)
    session.rollback()
    old = _text(trust, "/packages/RRP/versions/1")
    assert "Reworded first idea" not in old and "This is an earlier version. The latest is version 2" in old
    # The diagram and the ideas of version 1 read as they did before version 2 was published.
    assert old.split("What changed")[1] == first.split("What changed")[1]
    assert "Reworded first idea" in _text(trust, "/packages/RRP/versions/2")
    listing = _text(trust, "/packages/RRP/versions")
    assert "Version 2" in listing and "Version 1" in listing and "First version" in listing
    assert "Publish version" not in listing  # readers do not publish
    assert trust.get("/packages/RRP/versions/3").status_code == 404


def test_retiring_an_idea_keeps_its_code_and_records(demo_history, session, signed_in):
    code = session.scalar(
        select(ChangeIdea.code)
        .join(ChangeIdea.package)
        .where(ChangePackage.code == "RRP")
        .where(ChangeIdea.code == "RP-01")
    )
    session.rollback()
    manager = signed_in("manager")
    adopters_before = _text(manager, f"/ideas/{code}").split("Where it comes from")[1]
    assert manager.submit(f"/ideas/{code}/retire", {"retired": "yes"}, page=f"/ideas/{code}").status_code == 302
    assert "the package's next published version leaves it out" in _text(manager, f"/ideas/{code}")
    package_page = _text(manager, "/packages/RRP")
    assert "Retired change ideas" in package_page
    manager.submit("/packages/RRP/versions", {}, page="/packages/RRP/versions")
    shown = _text(manager, f"/ideas/{code}")
    assert "This change idea is retired from RRP: version 2 of the package left it out" in shown
    assert shown.split("Where it comes from")[1] == adopters_before.replace(
        "Retire from the package", "Bring back into the package"
    )
    assert f"Change ideas retired (1) {code}" in _text(manager, "/packages/RRP/versions/2")
    assert manager.submit(f"/ideas/{code}/retire", {"retired": "maybe"}, page=f"/ideas/{code}").status_code == 400


def test_returning_to_draft_and_publishing_again_makes_a_version_only_if_changed(seeded, session, signed_in):
    manager = signed_in("manager")
    manager.submit("/packages/RRP/status", {"status": "draft"}, page="/packages/RRP")
    manager.submit("/packages/RRP/status", {"status": "published"}, page="/packages/RRP")
    assert _versions(session) == [1]
    manager.submit("/packages/RRP/status", {"status": "draft"}, page="/packages/RRP")
    _change_the_package(session)
    manager.submit("/packages/RRP/status", {"status": "published"}, page="/packages/RRP")
    assert _versions(session) == [1, 2]


def test_a_draft_package_has_no_new_versions(seeded, app, session, signed_in):
    manager = signed_in("manager")
    manager.submit("/packages/RRP/status", {"status": "draft"}, page="/packages/RRP")
    response = manager.submit("/packages/RRP/versions", {}, page="/packages/RRP/versions")
    assert response.status_code == 302 and _versions(session) == [1]
    assert "Publish the package first" in _text(manager, "/packages/RRP/versions")
    trust = FormClient(app.test_client())
    trust.sign_in_as("trust")
    assert trust.get("/packages/RRP/versions/1").status_code == 404  # a draft's versions are hidden


def test_each_publish_is_audited_in_words(seeded, session, signed_in):
    _change_the_package(session)
    manager = signed_in("manager")
    manager.submit("/packages/RRP/versions", {}, page="/packages/RRP/versions")
    manager.submit("/ideas/RP-02/retire", {"retired": "yes"}, page="/ideas/RP-02")
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity.in_(["package_versions", "change_ideas"]))
        .order_by(AuditEvent.id.desc())
        .limit(2)
    ).all()
    names = audit_queries.names_for(session, events)
    said = [sentence(event, names) for event in events]
    session.rollback()
    assert said[0].endswith("retired change idea RP-02 from its package")
    assert said[1].endswith("published version 2 of change package RRP")


@pytest.mark.parametrize(
    "statement", ["UPDATE package_versions SET number = number + 10", "DELETE FROM package_versions"]
)
def test_the_database_refuses_to_change_a_version(seeded, app, statement):
    from tracker import db as tracker_db

    engine = tracker_db.get_engine(app)
    with engine.connect() as conn:
        with pytest.raises(DBAPIError) as raised:
            conn.execute(text(statement))
        conn.rollback()
        assert "package_versions rows are append-only" in str(raised.value.orig)
        assert conn.scalar(select(func.count()).select_from(PackageVersion)) > 0


@pytest.mark.parametrize("url", ["/packages/RRP/versions", "/packages/RRP/versions/1", "/ideas/RP-02"])
def test_the_version_pages_statement_count_does_not_grow_with_versions(
    seeded, session, signed_in, statement_counter, url
):
    manager = signed_in("manager")
    manager.submit("/ideas/RP-02/retire", {"retired": "yes"}, page="/ideas/RP-02")

    def count() -> int:
        with statement_counter() as statements:
            assert manager.get(url).status_code == 200
        return len(statements)

    few = count()
    for number in range(4):  # more versions, each with a driver more
        services.create_driver(session, _package(session), DriverDetails(f"Driver {number}"))
        services.publish_version(session, _package(session), None)
        session.rollback()
    assert count() == few <= 8


def test_two_editors_publishing_at_once_make_one_version(seeded, app, session):
    """The version number another editor took between our count and our commit: refused in words, nothing written."""
    from tracker.catalogue.services.packages import VERSION_TAKEN, _add_version
    from tracker.db import write_session
    from tracker.editing import commit_edit

    if not ON_POSTGRES:
        pytest.skip("SQLite's writing sessions begin IMMEDIATE: two publishes queue, they cannot interleave")

    services.create_driver(session, _package(session), DriverDetails("Calm wards at night"))
    session.rollback()
    with write_session(app) as late, write_session(app) as quick:
        counted = _add_version(late, _package(late), None)  # version 2 worked out, not yet committed
        assert counted.number == 2
        assert services.publish_version(quick, _package(quick), None).number == 2  # the other editor commits first
        with pytest.raises(InvalidInput) as refused:
            commit_edit(late, None, on_integrity=lambda: InvalidInput({"version": VERSION_TAKEN}))
        assert refused.value.errors == {"version": VERSION_TAKEN}
    assert _versions(session) == [1, 2]
