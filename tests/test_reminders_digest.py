"""The weekly digest (`flask reminders send`), through a real SMTP server on loopback (tests/smtp_server.py):
who gets what, the links in it, the opt-out, once per week, the dry run, and bad settings sending nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import add_events
from tests.helpers import FormClient
from tracker.calendar import today
from tracker.models import ChangeIdea, DigestSent, Follow, Network, Organisation, Role, User
from tracker.models.accounts import NO_PASSWORD
from tracker.reminders.digest import iso_week

SITE = "https://tracker.example.nhs.uk"


def _outside(session) -> Organisation:
    """An open organisation in a network the demo faculty member does not support."""
    faculty = session.scalar(select(User).filter_by(email="faculty@demo.invalid"))
    mine = {n.id for n in faculty.networks}
    return session.scalar(
        select(Organisation)
        .join(Network)
        .where(Network.id.not_in(mine), Organisation.closed_on.is_(None))
        .order_by(Organisation.ods_code)
    )


@pytest.fixture
def week(seeded):
    """RNU (the faculty member's network): RP-01 not confirmed for 200 days, RP-02 confirmed 10 days ago;
    an organisation elsewhere with RP-01 not confirmed for 300 days, followed by the demo trust user."""
    day = today()
    outside = _outside(seeded)
    add_events(
        seeded,
        [
            ("RNU", "RP-01", "implementing", day - timedelta(days=200)),
            ("RNU", "RP-02", "testing", day - timedelta(days=10)),
            (outside.ods_code, "RP-01", "testing", day - timedelta(days=300)),
        ],
    )
    trust = seeded.scalar(select(User).filter_by(email="trust@demo.invalid"))
    seeded.add(Follow(user_id=trust.id, organisation_id=outside.id))
    seeded.commit()
    return outside


def _send(app, *args):
    return app.test_cli_runner().invoke(args=["reminders", "send", *args])


def _sent_rows(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(DigestSent))


def test_each_faculty_member_and_follower_gets_their_digest_once_a_week(make_app, week, seeded, smtp_server):
    app = make_app(**smtp_server.config())
    result = _send(app)
    assert result.exit_code == 0, result.output
    assert f"Sent 2 digests for week {iso_week(today())}" in result.output

    [faculty] = smtp_server.to("faculty@demo.invalid")
    assert faculty.recipients == ["faculty@demo.invalid"]
    assert faculty.sender == "tracker@example.nhs.uk"
    assert faculty.message["Subject"] == "Spread Tracker: 1 record to update, 2 changes this week"
    text = faculty.part("plain")
    assert "RECORDS THAT NEED AN UPDATE (1)" in text
    assert "RP-01" in text and "last confirmed 6 months ago" in text
    assert f"Log an update: {SITE}/organisations/RNU/adoption/RP-01/log" in text
    assert "CHANGES IN YOUR NETWORKS THIS WEEK (2)" in text
    assert week.ods_code not in text  # not in their networks, not followed
    html = faculty.part("html")
    assert f'href="{SITE}/organisations/RNU/adoption/RP-01/log"' in html
    assert f'href="{SITE}/account"' in html and "<img" not in html  # the opt-out link; nothing that tracks

    [trust] = smtp_server.to("trust@demo.invalid")
    text = trust.part("plain")
    assert "ON WHAT YOU FOLLOW THIS WEEK (1)" in text and f"({week.ods_code}), RP-01" in text
    assert "RECORDS THAT NEED AN UPDATE" not in text  # trust staff look after no network
    assert f"You follow: {week.name}." in text
    # Managers and administrators follow nothing here: no digest.
    assert not smtp_server.to("manager@demo.invalid") and not smtp_server.to("admin@demo.invalid")
    assert _sent_rows(seeded) == 2

    again = _send(app)
    assert again.exit_code == 0, again.output
    assert "Sent 0 digests" in again.output and "2 already sent this week" in again.output
    assert len(smtp_server.messages) == 2
    assert _sent_rows(seeded) == 2


def test_someone_who_turned_email_off_gets_nothing(make_app, week, seeded, smtp_server):
    app = make_app(**smtp_server.config())
    client = FormClient(app.test_client())
    client.sign_in_as("faculty")
    page = client.submit("/account", {"email_reminders": "off"}, follow_redirects=True).get_data(as_text=True)
    assert "You will not get the weekly email digest." in page

    result = _send(app)
    assert result.exit_code == 0, result.output
    assert not smtp_server.to("faculty@demo.invalid")
    assert [m.recipients for m in smtp_server.messages] == [["trust@demo.invalid"]]


def test_a_dry_run_says_what_would_be_sent_and_sends_and_records_nothing(make_app, week, seeded, smtp_server):
    app = make_app()  # no mail settings: a dry run needs none
    result = _send(app, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would send to faculty@demo.invalid: Spread Tracker: 1 record to update" in result.output
    assert "Would send to trust@demo.invalid" in result.output
    assert "Would send 2 digests" in result.output
    assert smtp_server.messages == []
    assert _sent_rows(seeded) == 0


@pytest.mark.parametrize(
    "settings, says",
    [
        ({"SMTP_HOST": None}, "SMTP_HOST is not set"),
        ({"MAIL_FROM": "not an address"}, "MAIL_FROM must be one email address"),
        ({"SITE_URL": "tracker.example.nhs.uk"}, "SITE_URL must be an http or https address"),
        ({"SMTP_PASSWORD": None}, "SMTP_USERNAME and SMTP_PASSWORD go together"),
        ({"SMTP_PASSWORD": "wrong"}, "refused or did not answer"),
    ],
)
def test_bad_mail_settings_send_nothing_and_say_why(make_app, week, seeded, smtp_server, settings, says):
    app = make_app(**smtp_server.config(**settings))
    result = _send(app)
    assert result.exit_code == 1
    assert says in result.output
    assert smtp_server.messages == []
    assert _sent_rows(seeded) == 0


def test_a_recipient_the_mail_server_refuses_is_tried_again_next_run(make_app, week, seeded, smtp_server):
    rnu = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    refused = User(
        email="refuse.me@demo.invalid", name="", password_hash=NO_PASSWORD, role=Role.FACULTY, networks=[rnu.network]
    )
    seeded.add(refused)
    seeded.commit()
    app = make_app(**smtp_server.config())
    result = _send(app)
    assert result.exit_code == 1
    assert "Not sent to refuse.me@demo.invalid" in result.output
    assert "Sent 2 digests" in result.output and "1 refused by the mail server" in result.output
    seeded.expire_all()
    assert seeded.scalar(select(func.count()).select_from(DigestSent).where(DigestSent.user_id == refused.id)) == 0


def test_news_on_a_followed_change_idea(make_app, seeded, smtp_server):
    """A manager follows RP-03: this week's entries on it anywhere come in their digest, nothing else."""
    manager = seeded.scalar(select(User).filter_by(email="manager@demo.invalid"))
    idea = seeded.scalar(select(ChangeIdea).filter_by(code="RP-03"))
    seeded.add(Follow(user_id=manager.id, change_idea_id=idea.id))
    seeded.commit()
    add_events(seeded, [("RNU", "RP-03", "considering", today()), ("RNU", "RP-01", "testing", today())])
    app = make_app(**smtp_server.config())
    assert _send(app).exit_code == 0
    [mail] = smtp_server.to("manager@demo.invalid")
    text = mail.part("plain")
    assert "ON WHAT YOU FOLLOW THIS WEEK (1)" in text and "RP-03" in text and "RP-01" not in text
