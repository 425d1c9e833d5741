"""The home page's "My work" (issue 14): trust staff see their trust's records and what other trusts do
with the same ideas; faculty see the trusts they support, records not updated for 90 days and recent
changes; managers and administrators keep the dashboard. Checked through the real database (the query
functions of tracker.main.my_work, then the page), with a fixed number of statements whatever the data.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import add_draft_package, at, log
from tracker.adoption import stale
from tracker.main import my_work
from tracker.models import ChangeIdea, Network, Organisation, Stage

DAY = date(2025, 6, 30)


def network_ids(session, *codes) -> list[int]:
    return list(session.scalars(select(Network.id).where(Network.code.in_(codes))))


def organisation_id(session, ods: str) -> int:
    return session.scalar(select(Organisation.id).filter_by(ods_code=ods))


# --- not updated for 90 days, pure ----------------------------------------------------------------


def test_a_record_waits_for_an_update_from_the_ninetieth_day_after_it_was_last_confirmed():
    """One rule for My work, the Needs an update page and the digest (tracker.adoption.stale)."""
    confirmed = date(2025, 3, 30)
    assert confirmed < stale.stale_before(confirmed + timedelta(days=90), 90)
    assert not confirmed < stale.stale_before(confirmed + timedelta(days=89), 90)
    assert confirmed < stale.stale_before(confirmed + timedelta(days=5), 5)
    assert not confirmed < stale.stale_before(confirmed + timedelta(days=4), 5)


def test_only_trust_staff_and_faculty_have_my_work():
    assert [r.value for r in my_work.ROLES_WITH_MY_WORK] and my_work.has_my_work(my_work.Role.TRUST)
    assert my_work.has_my_work(my_work.Role.FACULTY)
    assert not my_work.has_my_work(my_work.Role.MANAGER) and not my_work.has_my_work(my_work.Role.ADMIN)
    assert not my_work.has_my_work(None)


# --- a trust's own records and its peers ----------------------------------------------------------


@pytest.fixture
def peers(seeded):
    """RNU uses RP-01 (implementing) and SS-01 (testing). Others: RP-01 at RWX (spreading), RX2
    (implementing, after considering), RH5 (implementing, then a correction back to testing), Solent
    (R1C, closed in 2024: not a peer now); SS-01 at RJ8 (discontinued); RP-02 at RWX (not RNU's idea)."""
    log(seeded, [("RNU", "RP-01", "testing", date(2024, 1, 5)), ("RNU", "RP-01", "implementing", date(2024, 9, 2))])
    log(seeded, [("RNU", "SS-01", "testing", date(2025, 2, 3))])
    log(seeded, [("RWX", "RP-01", "spreading", date(2025, 5, 1)), ("RX2", "RP-01", "considering", date(2024, 2, 1))])
    log(seeded, [("RX2", "RP-01", "implementing", date(2025, 6, 10)), ("R1C", "RP-01", "sustained", date(2024, 3, 1))])
    (wrong,) = log(seeded, [("RH5", "RP-01", "implementing", date(2025, 6, 20))])
    log(seeded, [("RH5", "RP-01", "testing", date(2025, 6, 20))], corrects=wrong)  # the implementing never was
    log(seeded, [("RJ8", "SS-01", "discontinued", date(2025, 4, 4)), ("RWX", "RP-02", "testing", date(2025, 6, 29))])
    return seeded


def test_a_trusts_records_in_catalogue_order_with_stage_and_last_event(peers):
    work = my_work.trust_work(peers, organisation_id(peers, "RNU"), DAY)
    assert work.organisation == my_work.Place("RNU", "Oxford Health NHS Foundation Trust")
    assert work.network == peers.scalar(select(Network.name).filter_by(code="OXF"))
    assert [(r.idea.code, r.stage, r.last_event) for r in work.records] == [
        ("RP-01", Stage.IMPLEMENTING, date(2024, 9, 2)),
        ("SS-01", Stage.TESTING, date(2025, 2, 3)),
    ]


def test_peers_are_counted_by_stage_without_the_trust_itself_or_closed_organisations(peers):
    work = my_work.trust_work(peers, organisation_id(peers, "RNU"), DAY)
    counts = {p.idea.code: dict(zip(my_work.STAGES, p.counts, strict=True)) for p in work.peers}
    assert counts["RP-01"] == {
        Stage.CONSIDERING: 0,
        Stage.TESTING: 1,  # RH5, corrected back to testing
        Stage.IMPLEMENTING: 1,  # RX2
        Stage.SPREADING: 1,  # RWX
        Stage.SUSTAINED: 0,  # Solent closed in 2024
        Stage.DISCONTINUED: 0,
    }
    assert counts["SS-01"][Stage.DISCONTINUED] == 1 and sum(counts["SS-01"].values()) == 1
    assert "RP-02" not in counts  # RNU does not use it


def test_recent_peer_changes_are_newest_first_without_void_events_or_other_ideas(peers):
    work = my_work.trust_work(peers, organisation_id(peers, "RNU"), DAY)
    assert [(c.day, c.organisation.ods, c.idea.code, c.stage) for c in work.peer_changes] == [
        (date(2025, 6, 20), "RH5", "RP-01", Stage.TESTING),  # the correction; the event it voids is no change
        (date(2025, 6, 10), "RX2", "RP-01", Stage.IMPLEMENTING),
        (date(2025, 5, 1), "RWX", "RP-01", Stage.SPREADING),
        (date(2025, 4, 4), "RJ8", "SS-01", Stage.DISCONTINUED),
        (date(2024, 2, 1), "RX2", "RP-01", Stage.CONSIDERING),
    ]


def test_peer_changes_are_capped_and_drafts_left_out(seeded):
    log(seeded, [("RNU", "RP-01", "testing", date(2024, 1, 5))])
    log(seeded, [("RWX", "RP-01", "testing", date(2024, 1, 1) + timedelta(days=i)) for i in range(14)])
    package = add_draft_package(seeded)
    draft_idea = package.ideas[0].code
    log(seeded, [("RNU", draft_idea, "testing", date(2024, 1, 5))])
    work = my_work.trust_work(seeded, organisation_id(seeded, "RNU"), DAY)
    assert len(work.peer_changes) == my_work.PEER_CHANGES_SHOWN
    assert work.peer_changes[0].day == date(2024, 1, 14)
    assert [r.idea.code for r in work.records] == ["RP-01"]
    with_drafts = my_work.trust_work(seeded, organisation_id(seeded, "RNU"), DAY, include_drafts=True)
    assert sorted(r.idea.code for r in with_drafts.records) == sorted(["RP-01", draft_idea])


# --- faculty: the trusts they support ------------------------------------------------------------


@pytest.fixture
def supported(seeded):
    """Faculty of OXF and WSX. Last updates relative to DAY: RNU RP-01 120 days before (stale), RNU
    RP-02 90 days before (stale, just), RWX RP-01 89 days before (not), RW1 SS-01 discontinued 200 days
    before (never due), RDY RP-03 400 days before (the longest waiting). RX2 (KSS) is no one's here."""
    for ods, code, stage, days in (
        ("RNU", "RP-01", "implementing", 120),
        ("RNU", "RP-02", "testing", 90),
        ("RWX", "RP-01", "testing", 89),
        ("RW1", "SS-01", "discontinued", 200),
        ("RDY", "RP-03", "considering", 400),
        ("RX2", "RP-01", "considering", 300),
    ):
        logged = DAY - timedelta(days=days)
        log(seeded, [(ods, code, stage, logged)], logged_at=at(logged))
    return seeded


def test_faculty_see_the_open_trusts_of_their_networks_with_records_and_stale_counts(supported):
    work = my_work.faculty_work(supported, network_ids(supported, "OXF", "WSX"), DAY)
    assert [n.code for n in work.networks] == [
        code
        for _, code in sorted(
            supported.execute(select(Network.name, Network.code).where(Network.code.in_(["OXF", "WSX"])))
        )
    ]
    trusts = {t.organisation.ods: (t.records, t.stale) for t in work.trusts}
    assert trusts == {"RNU": (2, 2), "RWX": (1, 0), "RW1": (1, 0), "R1F": (0, 0), "RDY": (1, 1)}  # not Solent
    assert [t.organisation.name for t in work.trusts] == sorted(t.organisation.name for t in work.trusts)


def test_records_not_updated_for_90_days_longest_waiting_first(supported):
    work = my_work.faculty_work(supported, network_ids(supported, "OXF", "WSX"), DAY)
    assert [(r.organisation.ods, r.idea.code, r.days_since_update) for r in work.stale] == [
        ("RDY", "RP-03", 400),
        ("RNU", "RP-01", 120),
        ("RNU", "RP-02", 90),
    ]
    assert work.stale_total == 3
    assert work.stale[0].last_event == DAY - timedelta(days=400)
    shorter = my_work.faculty_work(supported, network_ids(supported, "OXF", "WSX"), DAY, stale_after=60)
    assert [r.idea.code for r in shorter.stale] == ["RP-03", "RP-01", "RP-02", "RP-01"]


def test_the_stale_list_is_capped_and_counted_in_full(seeded):
    logged = DAY - timedelta(days=200)
    ideas = list(seeded.scalars(select(ChangeIdea.code).order_by(ChangeIdea.code)))
    log(seeded, [(ods, code, "testing", logged) for ods in ("RNU", "RWX") for code in ideas], logged_at=at(logged))
    work = my_work.faculty_work(seeded, network_ids(seeded, "OXF"), DAY)
    assert 2 * len(ideas) > my_work.STALE_SHOWN
    assert len(work.stale) == my_work.STALE_SHOWN and work.stale_total == 2 * len(ideas)


def test_recent_changes_are_the_last_30_days_in_their_networks_newest_first(seeded):
    log(
        seeded,
        [
            ("RNU", "RP-01", "testing", DAY - timedelta(days=30)),  # a day too early
            ("RNU", "RP-01", "implementing", DAY - timedelta(days=29)),
            ("RDY", "SS-02", "considering", DAY),
            ("RX2", "RP-01", "testing", DAY - timedelta(days=3)),  # another network
        ],
    )
    work = my_work.faculty_work(seeded, network_ids(seeded, "OXF", "WSX"), DAY)
    assert [(c.day, c.organisation.ods, c.idea.code, c.stage) for c in work.changes] == [
        (DAY, "RDY", "SS-02", Stage.CONSIDERING),
        (DAY - timedelta(days=29), "RNU", "RP-01", Stage.IMPLEMENTING),
    ]
    assert work.changes_total == 2 and work.recent_from == DAY - timedelta(days=29)


def test_recent_changes_are_capped_and_counted_in_full(seeded):
    rows = [("RWX", "RP-01", "testing", DAY - timedelta(days=i)) for i in range(my_work.RECENT_SHOWN + 4)]
    log(seeded, rows)
    work = my_work.faculty_work(seeded, network_ids(seeded, "OXF"), DAY)
    assert len(work.changes) == my_work.RECENT_SHOWN and work.changes_total == my_work.RECENT_SHOWN + 4
    assert work.changes[0].day == DAY


def test_no_networks_means_no_trusts(seeded):
    work = my_work.faculty_work(seeded, [], DAY)
    assert work.networks == [] and work.trusts == [] and work.stale == [] and work.changes_total == 0


def test_my_work_waits_on_the_same_records_as_the_needs_an_update_page(supported):
    ids = network_ids(supported, "OXF", "WSX")
    work = my_work.faculty_work(supported, ids, DAY)
    waiting = stale.stale_records(supported, DAY, my_work.STALE_AFTER_DAYS, ids)
    assert [(r.organisation.ods, r.idea.code) for r in work.stale] == [
        (r.organisation.ods_code, r.idea.code) for r in waiting
    ]
    assert work.stale_total == len(waiting)
