"""Reminders on the pages: how long ago each record was last confirmed, the Needs an update page, following
change ideas and organisations, and the account page's email setting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import add_events
from tests.helpers import count_statements, page_text
from tracker.adoption.stale import ago, stale_records
from tracker.audit.queries import names_for
from tracker.audit.sentences import sentence
from tracker.calendar import people_date, today
from tracker.models import AuditEvent, ChangeIdea, Follow, Network, Organisation, User


@pytest.mark.parametrize(
    "then, said",
    [
        (date(2026, 7, 3), "today"),
        (date(2026, 7, 2), "yesterday"),
        (date(2026, 6, 25), "8 days ago"),
        (date(2026, 6, 5), "4 weeks ago"),
        (date(2026, 3, 3), "4 months ago"),
        (date(2026, 3, 4), "3 months ago"),
        (date(2024, 7, 4), "23 months ago"),
        (date(2024, 7, 3), "2 years ago"),
        (date(2021, 7, 3), "5 years ago"),
    ],
)
def test_how_long_ago_is_said_as_people_say_it(then, said):
    assert ago(then, date(2026, 7, 3)) == said


def _outside(session) -> Organisation:
    faculty = session.scalar(select(User).filter_by(email="faculty@demo.invalid"))
    return session.scalar(
        select(Organisation)
        .join(Network)
        .where(Network.id.not_in([n.id for n in faculty.networks]), Organisation.closed_on.is_(None))
        .order_by(Organisation.ods_code)
    )


@pytest.fixture
def records(seeded):
    """RNU (OXF, the faculty member's): RP-01 200 days old, RP-02 10 days, RP-03 discontinued 400 days ago;
    elsewhere RP-01 300 days old; RW1 (in the faculty member's networks or not) closed."""
    day = today()
    outside = _outside(seeded)
    add_events(
        seeded,
        [
            ("RNU", "RP-01", "implementing", day - timedelta(days=200)),
            ("RNU", "RP-02", "testing", day - timedelta(days=10)),
            ("RNU", "RP-03", "discontinued", day - timedelta(days=400)),
            (outside.ods_code, "RP-01", "testing", day - timedelta(days=300)),
        ],
    )
    return outside


def test_stale_records_are_oldest_first_in_the_networks_asked_for(app, records, seeded):
    day = today()
    faculty = seeded.scalar(select(User).filter_by(email="faculty@demo.invalid"))
    with count_statements(app) as statements:
        everywhere = stale_records(seeded, day, 90)
    assert len(statements) == 1
    assert [(r.organisation.ods_code, r.idea.code, r.days) for r in everywhere] == [
        (records.ods_code, "RP-01", 300),
        ("RNU", "RP-01", 200),
    ]  # RP-02 is recent; RP-03 is discontinued
    mine = stale_records(seeded, day, 90, [n.id for n in faculty.networks])
    assert [(r.organisation.ods_code, r.idea.code) for r in mine] == [("RNU", "RP-01")]
    assert stale_records(seeded, day, 90, []) == []
    assert [r.idea.code for r in stale_records(seeded, day, 5, [n.id for n in faculty.networks])] == ["RP-01", "RP-02"]
    # A closed organisation's records need nothing more.
    records.closed_on = day - timedelta(days=1)
    seeded.commit()
    assert [r.organisation.ods_code for r in stale_records(seeded, day, 90)] == ["RNU"]


def test_a_record_says_how_long_ago_it_was_last_confirmed(client, records, seeded):
    client.sign_in_as("trust")
    confirmed = today() - timedelta(days=200)
    page = page_text(client.get("/organisations/RNU/adoption/RP-01").get_data(as_text=True))
    assert f"Last confirmed 6 months ago, on {people_date(confirmed)} Needs an update" in page
    fresh = page_text(client.get("/organisations/RNU/adoption/RP-02").get_data(as_text=True))
    assert "Last confirmed 10 days ago" in fresh and "Needs an update" not in fresh.split("Last update")[0]
    matrix = page_text(client.get("/organisations/RNU/adoption").get_data(as_text=True))
    assert f"Last confirmed 6 months ago, on {people_date(confirmed)} Needs an update" in matrix
    assert "Last confirmed 10 days ago" in matrix


def test_the_needs_an_update_page_lists_faculty_their_networks_and_managers_every_record(client, app, records):
    client.sign_in_as("faculty")
    with count_statements(app) as statements:
        response = client.get("/needs-an-update")
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    page = page_text(markup)
    assert "1 record needs an update" in page
    assert "RP-01" in page and records.ods_code not in page
    assert 'href="/organisations/RNU/adoption/RP-01/log"' in markup
    # The user, their networks, the count per network and the page of records: not one per row.
    assert len(statements) <= 4, statements
    client.post("/sign-out", data={"csrf_token": client.csrf_token("/needs-an-update")})

    client.sign_in_as("manager")
    page = page_text(client.get("/needs-an-update").get_data(as_text=True))
    assert "2 records need an update" in page and "in every network" in page
    assert page.index(records.name) < page.index("RNU")  # oldest first


def test_a_faculty_member_without_networks_is_told_why_the_list_is_empty(client, records, seeded):
    faculty = seeded.scalar(select(User).filter_by(email="faculty@demo.invalid"))
    faculty.networks = []
    seeded.commit()
    client.sign_in_as("faculty")
    page = page_text(client.get("/needs-an-update").get_data(as_text=True))
    assert "You have no networks yet" in page


def _audit_sentences(session, entity: str) -> list[str]:
    session.rollback()  # a fresh read, after the requests' writes
    rows = list(session.scalars(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)))
    names = names_for(session, rows)
    return [sentence(row, names) for row in rows]


def test_following_a_change_idea_from_its_page_and_stopping_on_the_account_page(client, seeded):
    client.sign_in_as("trust")
    page = page_text(client.get("/ideas/RP-01").get_data(as_text=True))
    assert "Follow RP-01" in page and "Stop following" not in page
    response = client.submit("/ideas/RP-01/follow", {"action": "follow", "next": "/ideas/RP-01"}, page="/ideas/RP-01")
    assert response.status_code == 302 and response.headers["Location"] == "/ideas/RP-01"
    page = page_text(client.get("/ideas/RP-01").get_data(as_text=True))
    assert "You follow RP-01" in page and "Stop following RP-01" in page
    account = page_text(client.get("/account").get_data(as_text=True))
    assert "What you follow RP-01" in account
    assert _audit_sentences(seeded, "follows") == ["Trust user followed change idea RP-01"]

    response = client.submit("/ideas/RP-01/follow", {"action": "unfollow", "next": "/account"}, page="/account")
    assert response.headers["Location"] == "/account"
    assert "Nothing yet" in page_text(client.get("/account").get_data(as_text=True))
    seeded.rollback()
    assert seeded.scalar(select(Follow)) is None
    assert _audit_sentences(seeded, "follows")[-1] == "Trust user stopped following change idea RP-01"


def test_following_an_organisation(client, seeded):
    client.sign_in_as("faculty")
    assert "Follow Oxford" in page_text(client.get("/organisations/RNU").get_data(as_text=True))
    client.submit("/organisations/RNU/follow", {"action": "follow"}, page="/organisations/RNU")
    page = page_text(client.get("/organisations/RNU", follow_redirects=True).get_data(as_text=True))
    assert "Stop following" in page
    follow = seeded.scalar(select(Follow))
    assert follow.organisation.ods_code == "RNU" and follow.change_idea_id is None
    # Following twice keeps one follow.
    client.submit("/organisations/RNU/follow", {"action": "follow"}, page="/organisations/RNU")
    seeded.rollback()  # a fresh read, after the requests' writes
    assert len(seeded.scalars(select(Follow)).all()) == 1


def test_a_follow_without_its_csrf_token_or_a_clear_action_changes_nothing(client, seeded):
    client.sign_in_as("trust")
    assert client.post("/ideas/RP-01/follow", data={"action": "follow"}).status_code == 400
    response = client.submit("/ideas/RP-01/follow", {"action": "maybe"}, page="/ideas/RP-01")
    page = page_text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Nothing was changed: say whether to follow or stop following." in page
    # Another site's address is not followed back to.
    response = client.submit(
        "/ideas/RP-01/follow", {"action": "follow", "next": "//evil.example/"}, page="/ideas/RP-01"
    )
    assert response.headers["Location"] == "/ideas/RP-01"
    assert client.submit("/ideas/NOPE-9/follow", {"action": "follow"}, page="/account").status_code == 404
    seeded.rollback()  # a fresh read, after the requests' writes
    assert [f.change_idea.code for f in seeded.scalars(select(Follow))] == ["RP-01"]


def test_the_account_page_turns_the_weekly_digest_off_and_on(client, seeded):
    client.sign_in_as("faculty")
    page = page_text(client.get("/account").get_data(as_text=True))
    assert "Do you want the weekly email digest?" in page
    bad = client.submit("/account", {"email_reminders": "sometimes"})
    assert bad.status_code == 200 and "There is a problem" in page_text(bad.get_data(as_text=True))
    faculty = seeded.scalar(select(User).filter_by(email="faculty@demo.invalid"))
    assert faculty.email_reminders is True
    client.submit("/account", {"email_reminders": "off"})
    seeded.rollback()  # a fresh read, after the requests' writes
    assert faculty.email_reminders is False
    assert _audit_sentences(seeded, "users")[-1] == (
        "Faculty member turned the weekly email digest off for faculty@demo.invalid"
    )
    client.submit("/account", {"email_reminders": "on"})
    seeded.rollback()  # a fresh read, after the requests' writes
    assert faculty.email_reminders is True


def test_draft_ideas_cannot_be_followed_by_those_who_cannot_see_them(client, seeded):
    from tracker.models import ChangePackage, PackageStatus

    idea = seeded.scalar(select(ChangeIdea).filter_by(code="RP-01"))
    package = seeded.get(ChangePackage, idea.package_id)
    package.status = PackageStatus.DRAFT
    seeded.commit()
    client.sign_in_as("trust")
    assert client.submit("/ideas/RP-01/follow", {"action": "follow"}, page="/account").status_code == 404
