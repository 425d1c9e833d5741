"""A change package's published versions over the JSON API (issue 14): the same versions and changes as
the pages, a version's snapshot as stored, and drafts hidden as the package itself is."""

from __future__ import annotations

from sqlalchemy import select

from tests.helpers import FormClient, auth
from tracker.catalogue import services
from tracker.catalogue.services import DriverDetails, IdeaDetails
from tracker.models import ChangeIdea, ChangePackage, User


def _json(client, url: str, token: str) -> dict:
    response = client.get(url, headers=auth(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _publish_a_change(session) -> None:
    """Version 2 of RRP: a driver added, with a new idea under it."""
    package = session.scalar(select(ChangePackage).where(ChangePackage.code == "RRP"))
    driver = services.create_driver(session, package, DriverDetails("Calm wards at night"))
    services.create_idea(session, package, IdeaDetails("RP-99", "Sensory rooms", driver_id=driver.id))
    manager = session.scalar(select(User).where(User.email == "manager@demo.invalid"))
    services.publish_version(session, package, manager)
    session.commit()


def test_the_versions_newest_first_with_what_each_changed(seeded, session, client, token):
    _publish_a_change(session)
    body = _json(client, "/api/v1/packages/RRP/versions", token["trust"])
    assert body["package"] == "RRP"
    assert [v["number"] for v in body["versions"]] == [2, 1]
    latest, first = body["versions"]
    assert latest["published_by"] == "Demo Project Manager" and latest["published_at"]
    assert latest["changes"]["ideas_added"] == [["RP-99", "Sensory rooms"]]
    assert latest["changes"]["drivers_added"] == ["Calm wards at night"]
    assert latest["changes"]["count"] == 2 and first["changes"]["first"] is True


def test_one_version_is_its_snapshot_as_stored(seeded, session, client, token):
    _publish_a_change(session)
    first = _json(client, "/api/v1/packages/rrp/versions/1", token["faculty"])
    second = _json(client, "/api/v1/packages/RRP/versions/2", token["faculty"])
    codes = lambda version: {idea["code"] for idea in version["snapshot"]["ideas"]}  # noqa: E731
    assert "RP-99" in codes(second) and "RP-99" not in codes(first)
    assert codes(first) < codes(second)
    title = session.scalar(select(ChangePackage.title).where(ChangePackage.code == "RRP"))
    assert second["snapshot"]["title"] == title and second["number"] == 2
    # The idea's later wording is not in version 2: a version says what it said on the day.
    idea = session.scalar(select(ChangeIdea).where(ChangeIdea.code == "RP-99"))
    idea.title = "Reworded since"
    session.commit()
    again = _json(client, "/api/v1/packages/RRP/versions/2", token["faculty"])
    assert [i["title"] for i in again["snapshot"]["ideas"] if i["code"] == "RP-99"] == ["Sensory rooms"]


def test_a_version_or_package_that_does_not_exist_is_404(seeded, client, token):
    for url in ("/api/v1/packages/RRP/versions/0", "/api/v1/packages/RRP/versions/2", "/api/v1/packages/NOPE/versions"):
        response = client.get(url, headers=auth(token["manager"]))
        assert response.status_code == 404, url
        assert response.get_json()["error"]["message"]


def test_a_draft_packages_versions_are_hidden_as_the_package_is(seeded, app, client, token):
    manager = FormClient(app.test_client())
    manager.sign_in_as("manager")
    manager.submit("/packages/RRP/status", {"status": "draft"}, page="/packages/RRP")
    assert client.get("/api/v1/packages/RRP/versions", headers=auth(token["trust"])).status_code == 404
    assert client.get("/api/v1/packages/RRP/versions/1", headers=auth(token["faculty"])).status_code == 404
    body = _json(client, "/api/v1/packages/RRP/versions", token["manager"])
    assert [v["number"] for v in body["versions"]] == [1]
