"""The home page of each role (issue 14, "My work"): trust staff and faculty see their own work first and the
programme's dashboard after it; managers and administrators keep the dashboard. What a person sees
depends on their organisation or networks, never on who else looked first (the page is kept rendered);
the page runs a fixed number of statements whatever the data."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import add_events, at, log
from tests.helpers import forget_pages, page_text, region, rows_of
from tracker.main import my_work
from tracker.models import ChangeIdea, Network, Organisation, User

DASHBOARD_H1 = "<h1>Mental Health Safety Improvement Programme</h1>"

DAY = date(2025, 6, 30)


@pytest.fixture
def on_day(monkeypatch):
    def fix(day: date) -> None:
        monkeypatch.setattr("tracker.main.routes.today", lambda: day)
        monkeypatch.setattr("tracker.page_cache.today", lambda: day)

    return fix


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def h1s(markup: str) -> list[str]:
    return [page_text(h) for h in re.findall(r"<h1[^>]*>(.*?)</h1>", markup, re.S)]


@pytest.fixture
def history(seeded, on_day):
    """Today is DAY. RNU: RP-01 implementing (its last update 120 days ago), SS-01 testing (today). RWX:
    RP-01 spreading 10 days ago. RX2 (KSS): RP-01 testing 3 days ago."""
    on_day(DAY)
    old = DAY - timedelta(days=120)
    log(seeded, [("RNU", "RP-01", "implementing", old)], logged_at=at(old))
    log(seeded, [("RNU", "SS-01", "testing", DAY), ("RWX", "RP-01", "spreading", DAY - timedelta(days=10))])
    log(seeded, [("RX2", "RP-01", "testing", DAY - timedelta(days=3))])
    return seeded


def test_trust_staff_see_their_trusts_records_and_peers_first_then_the_dashboard(history, signed_in):
    markup = home(signed_in("trust"))
    assert h1s(markup) == ["My work"]
    assert "Oxford Health NHS Foundation Trust" in page_text(markup[: markup.index("<h1")])
    records = region(markup, "my-records")
    titles = dict(history.execute(select(ChangeIdea.code, ChangeIdea.title)).all())
    assert rows_of(records) == [
        [
            f"Change idea RP-01 {titles['RP-01']} at Oxford Health NHS Foundation Trust",
            "Stage Implementing",
            "Last event 2 March 2025",
        ],
        [
            f"Change idea SS-01 {titles['SS-01']} at Oxford Health NHS Foundation Trust",
            "Stage Testing",
            "Last event 30 June 2025",
        ],
    ]
    assert 'href="/organisations/RNU/adoption/RP-01"' in records and 'href="/organisations/RNU/adoption"' in records
    peers = rows_of(region(markup, "peers"))
    assert [row[1:] for row in peers] == [
        ["Considering 0", "Testing 1", "Implementing 0", "Spreading 1", "Sustained 0", "Discontinued 0"],
        ["Considering 0", "Testing 0", "Implementing 0", "Spreading 0", "Sustained 0", "Discontinued 0"],
    ]
    assert 'href="/ideas/RP-01"' in region(markup, "peers")
    changes = rows_of(region(markup, "peer-changes"))
    assert [row[:2] for row in changes] == [
        ["Date 27 June 2025", "Organisation Sussex Partnership NHS Foundation Trust"],
        ["Date 20 June 2025", "Organisation Berkshire Healthcare NHS Foundation Trust"],
    ]
    assert 'href="/organisations/RX2/adoption/RP-01"' in region(markup, "peer-changes")
    # The programme's dashboard follows, every ambition's card under one heading.
    programme = markup.index('id="programme"')
    assert markup.index('id="my-records"') < markup.index('id="peer-changes"') < programme
    assert programme < markup.index('id="ambition-RP"') and DASHBOARD_H1 not in markup


def test_a_trust_with_no_records_is_told_so(seeded, signed_in):
    text = page_text(home(signed_in("trust")))
    assert "Your trust has no adoption records yet." in text
    assert "No other organisation has logged anything yet" in text
    assert "Reduce restrictive practice" in text


def test_faculty_see_their_trusts_stale_records_and_recent_changes(history, signed_in):
    markup = home(signed_in("faculty"))
    assert h1s(markup) == ["My work"]
    oxf, wsx = (history.scalar(select(Network.name).filter_by(code=code)) for code in ("OXF", "WSX"))
    assert rows_of(region(markup, "my-trusts")) == [  # open today, by name: not Solent (closed), not Sussex (KSS)
        [
            "Organisation Berkshire Healthcare NHS Foundation Trust",
            f"Network {oxf}",
            "Records 1",
            "Not updated for 90 days 0",
        ],
        [
            "Organisation Dorset HealthCare University NHS Foundation Trust",
            f"Network {wsx}",
            "Records 0",
            "Not updated for 90 days 0",
        ],
        [
            "Organisation Hampshire and Isle of Wight Healthcare NHS Foundation Trust (formerly Southern Health NHS Foundation Trust)",
            f"Network {wsx}",
            "Records 0",
            "Not updated for 90 days 0",
        ],
        ["Organisation Isle of Wight NHS Trust", f"Network {wsx}", "Records 0", "Not updated for 90 days 0"],
        ["Organisation Oxford Health NHS Foundation Trust", f"Network {oxf}", "Records 2", "Not updated for 90 days 1"],
    ]
    assert 'href="/organisations/RNU/adoption"' in region(markup, "my-trusts")
    stale = region(markup, "stale")
    assert "1 record at the trusts you support has not been confirmed for 90 days or more" in page_text(stale)
    assert rows_of(stale) == [
        [
            "Organisation Oxford Health NHS Foundation Trust",
            "Change idea RP-01 "
            + history.scalar(select(ChangeIdea.title).filter_by(code="RP-01"))
            + " at Oxford Health NHS Foundation Trust",
            "Stage Implementing",
            "Last confirmed 2 March 2025 (120 days ago) Log an update of RP-01 at Oxford Health NHS Foundation Trust",
        ]
    ]
    assert (
        'href="/organisations/RNU/adoption/RP-01"' in stale and 'href="/organisations/RNU/adoption/RP-01/log"' in stale
    )
    recent = region(markup, "recent")
    assert "2 changes took effect from 1 June 2025 to 30 June 2025" in page_text(recent)
    assert [row[:2] for row in rows_of(recent)] == [  # not RNU's RP-01 (120 days ago), not Sussex (KSS)
        ["Date 30 June 2025", "Organisation Oxford Health NHS Foundation Trust"],
        ["Date 20 June 2025", "Organisation Berkshire Healthcare NHS Foundation Trust"],
    ]
    assert 'id="more-changes"' not in markup
    assert markup.index('id="recent"') < markup.index('id="programme"') < markup.index('id="ambition-RP"')


def test_many_recent_changes_end_with_a_link_to_the_organisation_pages(seeded, signed_in, on_day):
    on_day(DAY)
    extra = 4
    client = signed_in("faculty")
    seeded.commit()
    add_events(
        seeded, [("RWX", "RP-01", "testing", DAY - timedelta(days=i)) for i in range(my_work.RECENT_SHOWN + extra)]
    )
    markup = home(client)
    recent = region(markup, "recent")
    assert len(rows_of(recent)) == my_work.RECENT_SHOWN
    assert f"the newest {my_work.RECENT_SHOWN} are below" in page_text(recent)
    more = re.search(r'<p id="more-changes">(.*?)</p>', markup, re.S).group(1)
    assert page_text(more).startswith(f"{extra} more: see the organisations in ")
    assert 'href="/organisations?network=OXF"' in more and 'href="/organisations?network=WSX"' in more


def test_faculty_without_networks_are_told_how_to_get_them(seeded, signed_in):
    client = signed_in("faculty")
    seeded.commit()
    faculty = seeded.scalar(select(User).filter_by(email="faculty@demo.invalid"))
    faculty.networks = []
    seeded.commit()
    markup = home(client)
    assert "You are not assigned to a network yet" in page_text(markup) and h1s(markup) == ["My work"]
    assert 'id="ambition-RP"' in markup


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_administrators_keep_the_dashboard(history, signed_in, role):
    markup = home(signed_in(role))
    assert h1s(markup) == ["Mental Health Safety Improvement Programme"]
    assert "My work" not in page_text(markup) and 'id="my-records"' not in markup and 'id="my-trusts"' not in markup


def test_each_trust_sees_its_own_work_though_the_page_is_kept(history, signed_in):
    """Kept per organisation: the same account moved to another trust sees that trust's records at once."""
    client = signed_in("trust")
    assert "Oxford Health" in page_text(region(home(client), "my-records"))
    history.commit()  # a request wrote (the sign-in): end this session's read before writing
    user = history.scalar(select(User).filter_by(email="trust@demo.invalid"))
    user.organisation_id = history.scalar(select(Organisation.id).filter_by(ods_code="RX2"))
    history.commit()
    markup = home(client)
    assert "Sussex Partnership" in markup[: markup.index("<h1")]
    assert 'href="/organisations/RX2/adoption/RP-01"' in region(markup, "my-records")
    # ... and a write shows at once.
    log(history, [("RX2", "RP-01", "implementing", DAY)])
    assert "Stage Implementing" in page_text(region(home(client), "my-records"))


def test_faculty_see_the_trusts_of_their_own_networks(history, signed_in):
    client = signed_in("faculty")
    assert "Oxford Health" in page_text(region(home(client), "my-trusts"))
    history.commit()
    faculty = history.scalar(select(User).filter_by(email="faculty@demo.invalid"))
    faculty.networks = list(history.scalars(select(Network).filter_by(code="KSS")))
    history.commit()
    trusts = page_text(region(home(client), "my-trusts"))
    assert "Sussex Partnership" in trusts and "Oxford Health" not in trusts


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_statement_count_does_not_grow_with_the_data(app, history, signed_in, statement_counter, role):
    client = signed_in(role)
    home(client)
    forget_pages(app)  # counted: the page computed, not kept
    with statement_counter() as before:
        home(client)
    rows = []
    for ods in ("RNU", "RWX", "RW1", "RDY", "RX2", "RJ8"):
        for code in ("RP-01", "RP-02", "SS-03", "SSH-04"):
            rows += [
                (ods, code, "considering", DAY - timedelta(days=40)),
                (ods, code, "testing", DAY - timedelta(days=5)),
            ]
    history.commit()
    add_events(history, rows)
    forget_pages(app)
    with statement_counter() as after:
        text = page_text(home(client))
    assert "Testing" in text
    assert len(after) == len(before)
    # The dashboard's (at most 26: test_dashboard) and my_work's own: four for a trust, six for faculty.
    assert len(before) <= 26 + {"trust": 4, "faculty": 6}[role], before
