"""The monthly panel read from the database (tracker.forecast.queries.panel_for): who was open when,
who first reached the threshold when, and the learning links, in a fixed number of statements."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.factories import add_events, add_organisation
from tracker.core.stages import Stage
from tracker.forecast.queries import month_of, panel_for
from tracker.models import Ambition, LearningLink, LinkKind, LinkStatus, Network, Organisation
from tracker.reports.service import scope

AS_OF = date(2024, 12, 15)


def _scope(session, network: str | None = None):
    ambition = session.scalar(select(Ambition).filter_by(code="RP"))
    return scope(session, ambition, session.scalar(select(Network).filter_by(code=network)) if network else None)


def _link(session, a: str, b: str, weight: int, status: LinkStatus = LinkStatus.CONFIRMED) -> None:
    first, second = sorted(
        (session.scalar(select(Organisation).filter_by(ods_code=ods)) for ods in (a, b)), key=lambda o: o.id
    )
    session.add(LearningLink(source=first, target=second, kind=LinkKind.OTHER, weight=weight, status=status))
    session.commit()


def test_months_count_from_the_programmes_first_month():
    assert month_of(date(2021, 4, 1)) == 0
    assert month_of(date(2021, 4, 30)) == 0
    assert month_of(date(2022, 3, 31)) == 11
    assert month_of(AS_OF) == 44


def test_each_organisation_adopts_in_its_first_month_at_the_threshold(seeded):
    add_events(
        seeded,
        [
            ("RNU", "RP-03", "considering", date(2021, 6, 10)),  # below the threshold: not adopting
            ("RNU", "RP-01", "implementing", date(2022, 5, 3)),
            ("RNU", "RP-02", "implementing", date(2023, 1, 9)),  # a later idea does not move it
            ("RXY", "RP-01", "testing", date(2021, 9, 1)),
            ("RXY", "RP-01", "implementing", date(2021, 9, 1)),  # replaced on its own date: counts as this
            ("RWX", "RP-02", "implementing", date(2025, 2, 1)),  # after as_of
            ("RH5", "RP-01", "considering", date(2023, 3, 1)),
        ],
    )
    panel = panel_for(seeded, _scope(seeded), Stage.IMPLEMENTING, AS_OF)
    assert panel.months == 45
    assert dict(panel.adopted) == {"RNU": month_of(date(2022, 5, 3)), "RXY": 5}
    at_testing = panel_for(seeded, _scope(seeded), Stage.TESTING, AS_OF)
    assert at_testing.adopted["RXY"] == 5 and "RH5" not in at_testing.adopted


def test_open_months_follow_the_organisations_dates(seeded):
    add_organisation(seeded, "RZZ", "OXF", opened_on=date(2023, 7, 20))
    seeded.commit()
    panel = panel_for(seeded, _scope(seeded), Stage.IMPLEMENTING, AS_OF)
    assert "RZZ" in panel.organisations and panel.open_from["RZZ"] == month_of(date(2023, 7, 20))
    # Solent closed on 1 October 2024: no day of October open, so closed from October.
    assert panel.closed_from["R1C"] == month_of(date(2024, 10, 1))
    assert panel.is_open("R1C", month_of(date(2024, 9, 30))) and not panel.is_open("R1C", month_of(date(2024, 10, 1)))
    before = panel_for(seeded, _scope(seeded), Stage.IMPLEMENTING, date(2023, 6, 30))
    assert "RZZ" not in before.organisations  # not yet open on as_of
    assert "R1C" not in before.closed_from  # closing after as_of is not known to the panel


def test_a_network_panel_holds_its_organisations_and_their_confirmed_links_only(seeded):
    _link(seeded, "RNU", "RXY", 4)  # OXF and KSS
    _link(seeded, "RNU", "RWX", 2)
    _link(seeded, "RNU", "RH5", 5, LinkStatus.PROPOSED)
    everyone = panel_for(seeded, _scope(seeded), Stage.IMPLEMENTING, AS_OF)
    confirmed = {(a, b): w for a, b, w in everyone.links}
    assert confirmed[("RNU", "RXY")] == 4.0
    assert ("RH5", "RNU") not in confirmed and ("RNU", "RH5") not in confirmed
    oxford = panel_for(seeded, _scope(seeded, "OXF"), Stage.IMPLEMENTING, AS_OF)
    oxford_members = set(seeded.scalars(select(Organisation.ods_code).join(Network).where(Network.code == "OXF")))
    assert set(oxford.organisations) == oxford_members
    assert all(a in oxford_members and b in oxford_members for a, b, _ in oxford.links)


def test_the_panel_takes_three_statements_whatever_the_history(seeded, statement_counter):
    add_events(seeded, [("RNU", "RP-01", "implementing", date(2022, 5, 3))])
    everyone = _scope(seeded)
    with statement_counter() as few:
        panel_for(seeded, everyone, Stage.IMPLEMENTING, AS_OF)
    add_events(seeded, [(ods, "RP-02", "implementing", date(2023, 1, 9)) for ods in ("RXY", "RWX", "RH5", "RTQ")])
    with statement_counter() as many:
        panel_for(seeded, everyone, Stage.IMPLEMENTING, AS_OF)
    assert len(few) == len(many) == 3
