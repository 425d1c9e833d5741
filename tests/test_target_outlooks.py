"""Targets set in the app count on the dashboard, the coverage report and the forecast: each is judged in
what it counts (reach or ward coverage) against its own value, and a network's own target shows when that
network is chosen."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import add_events
from tests.helpers import forget_pages, page_text, pct, region
from tracker.catalogue.services import TargetDetails, create_target
from tracker.forecast import service as forecast
from tracker.forecast.targets import goal_reach
from tracker.models import Ambition, Network, TargetMeasure
from tracker.reports.service import AmbitionInfo, NetworkInfo, TargetInfo

TODAY = date(2026, 6, 30)
OPEN_ODS = ["RNU", "RWX", "RW1", "R1F", "RDY", "RX2", "RXX", "RXY", "RVN", "RTQ", "RJ8", "RWV", "RH5"]


def section(markup: str, code: str) -> str:
    start = markup.index(f'id="ambition-{code}"')
    return markup[start : markup.index("</section>", start)]


def target(session, code: str, label: str, day: date, value: float, measure="reach", network: str | None = None):
    """A target as a manager adds it, through the service."""
    ambition = session.scalar(select(Ambition).where(Ambition.code == code))
    network_id = session.scalar(select(Network.id).where(Network.code == network)) if network else None
    create_target(session, ambition, TargetDetails(label, f"{label} in words", day, measure, value, network_id))
    session.rollback()


@pytest.fixture
def trends(seeded, monkeypatch):
    """Today is 30 June 2026. RP: one more organisation implements RP-01 each month from July 2025 (12 of 13
    by June 2026). SS: flat since 2023, with wards: 5 of 12 wards in scope use its ideas (41.7%)."""
    for where in ("tracker.main.routes.today", "tracker.reports.forms.today", "tracker.page_cache.today"):
        monkeypatch.setattr(where, lambda: TODAY)
    climb = [
        (ods, "RP-01", "implementing", date(2025 + (6 + i) // 12, (6 + i) % 12 + 1, 15))
        for i, ods in enumerate(OPEN_ODS[:12])
    ]
    flat = [
        ("RNU", "SS-01", "implementing", date(2023, 5, 2), 3, 8),
        ("RX2", "SS-02", "spreading", date(2023, 6, 9), 2, 4),
        ("RJ8", "SS-01", "sustained", date(2023, 7, 20)),
    ]
    add_events(seeded, climb + flat)
    return seeded


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_target_is_judged_against_its_own_value(trends, signed_in):
    # The line through 1..12 of 13 reaches about 97% by mid-July: short of every organisation, past 90%.
    target(trends, "RP", "Stretch", date(2026, 7, 15), 100)
    target(trends, "RP", "Board", date(2026, 7, 16), 90)
    text = page_text(section(home(signed_in("trust")), "RP"))
    assert "Stretch target, 15 July 2026: Not on course: projected reach" in text and "short of 100.0%" in text
    assert "Board target, 16 July 2026: On course: projected reach" in text and "aiming at 90.0%" in text


def test_a_ward_coverage_target_is_judged_on_ward_coverage(trends, signed_in):
    target(trends, "SS", "Wards 40", date(2026, 12, 31), 40, measure="ward_coverage")
    target(trends, "SS", "Wards 50", date(2026, 12, 30), 50, measure="ward_coverage")
    target(trends, "SS", "Wards 2024", date(2024, 3, 31), 50, measure="ward_coverage")
    text = page_text(section(home(signed_in("faculty")), "SS"))
    wards = pct(5 / 12)
    assert f"Wards 40 target, 31 December 2026: On course: projected ward coverage {wards}" in text
    assert (
        f"Wards 50 target, 30 December 2026: Not on course: projected ward coverage {wards} by 30 December 2026, "
        "short of 50.0%" in text
    )
    assert f"Wards 2024 target, 31 March 2024: Target date passed (ward coverage on that date: {wards})" in text


def test_a_ward_coverage_target_without_ward_figures_says_there_is_not_enough_data(trends, signed_in):
    target(trends, "RP", "RP wards", date(2026, 12, 31), 30, measure="ward_coverage")
    text = page_text(section(home(signed_in("manager")), "RP"))
    assert "RP wards target, 31 December 2026: Not enough data to project ward coverage to 31 December 2026" in text


def test_a_networks_own_target_shows_only_when_that_network_is_chosen(trends, signed_in, app):
    target(trends, "RP", "Oxford 2026", date(2026, 12, 31), 50, network="OXF")
    client = signed_in("trust")
    assert "Oxford 2026" not in page_text(home(client))
    everywhere = page_text(region(client.get("/coverage?ambition=RP").get_data(as_text=True), "targets"))
    assert "Oxford 2026" not in everywhere
    oxford = client.get("/coverage?ambition=RP&network=OXF").get_data(as_text=True)
    said = page_text(region(oxford, "targets"))
    assert (
        "Oxford 2026 (Health Innovation Oxford and Thames Valley only), by 31 December 2026: Oxford 2026 in words "
        "On course: projected reach 100.0% by 31 December 2026, aiming at 50.0%" in said
    )
    other = trends.scalar(select(Network.code).where(Network.code != "OXF"))
    trends.rollback()
    assert "Oxford 2026" not in page_text(client.get(f"/coverage?ambition=RP&network={other}").get_data(as_text=True))
    # The forecast of Oxford's reach asks for it; the programme's forecast does not.
    assert 'data-target="Oxford 2026"' in client.get("/forecast?ambition=RP&network=OXF").get_data(as_text=True)
    assert 'data-target="Oxford 2026"' not in client.get("/forecast?ambition=RP").get_data(as_text=True)
    # The ambition's page lists it with its network, for everyone.
    assert "Oxford 2026" in page_text(client.get("/ambitions/RP").get_data(as_text=True))


def test_the_coverage_report_gives_the_verdict_the_dashboard_gives(trends, signed_in, app):
    target(trends, "RP", "Board", date(2026, 12, 31), 60)
    client = signed_in("manager")
    card = page_text(section(home(client), "RP"))
    report = page_text(region(client.get(f"/coverage?ambition=RP&as_of={TODAY}").get_data(as_text=True), "targets"))
    verdict = "On course: projected reach 100.0% by 31 December 2026, aiming at 60.0%"
    assert verdict in card and verdict in report


def test_a_new_target_changes_the_kept_dashboard_at_once(trends, signed_in, app):
    client = signed_in("trust")
    assert "Soon target" not in page_text(home(client))  # the page is now kept under the data version
    target(trends, "RP", "Soon", date(2026, 12, 31), 50)
    assert "Soon target, 31 December 2026: On course" in page_text(home(client))
    forget_pages(app)


def test_the_forecast_asks_for_a_targets_own_value_and_leaves_ward_coverage_to_the_report(trends, signed_in):
    target(trends, "RP", "Board", date(2027, 3, 31), 40)
    target(trends, "RP", "Wards", date(2027, 3, 31), 40, measure="ward_coverage")
    markup = signed_in("trust").get("/forecast?ambition=RP").get_data(as_text=True)
    rows = region(markup, "targets")
    assert 'data-target="Board"' in rows and 'data-target="Wards"' not in rows
    assert "Targets of ward coverage (Wards) are not forecast here" in page_text(markup)


def test_which_targets_a_scope_sees_and_the_reach_each_asks_for():
    programme = TargetInfo("All", "at least 80% of trusts", date(2027, 1, 1))
    own = TargetInfo("Own", "every trust", date(2027, 1, 1), TargetMeasure.REACH, 40.0, network_id=7)
    wards = TargetInfo("Wards", "wards", date(2027, 1, 1), TargetMeasure.WARD_COVERAGE, 60.0)
    ambition = AmbitionInfo(1, "RP", "Reduce", "", (programme, own, wards))
    assert [t.label for t in ambition.within(None).targets] == ["All", "Wards"]
    assert [t.label for t in ambition.within(NetworkInfo(7, "OXF", "Oxford")).targets] == ["All", "Own", "Wards"]
    assert [t.label for t in ambition.within(NetworkInfo(8, "KSS", "Kent")).targets] == ["All", "Wards"]
    assert [t.label for t in ambition.reach_only().targets] == ["All", "Own"]
    assert (goal_reach(programme), goal_reach(own)) == (0.8, 0.4)
    # The forecast's horizon runs to the latest reach target only.
    assert forecast.default_horizon(ambition.within(None), 0) == forecast.default_horizon(
        AmbitionInfo(1, "RP", "Reduce", "", (programme,)), 0
    )


def test_a_ward_coverage_target_costs_a_fixed_number_of_statements(trends, signed_in, statement_counter, app):
    client = signed_in("manager")
    forget_pages(app)
    with statement_counter() as without:
        home(client)
    target(trends, "SS", "Wards", date(2026, 12, 31), 50, measure="ward_coverage")
    forget_pages(app)
    with statement_counter() as first:
        home(client)
    add_events(trends, [(ods, "SS-03", "implementing", date(2025, 11, 3), 1, 6) for ods in OPEN_ODS])
    forget_pages(app)
    with statement_counter() as later:
        home(client)
    # Ward coverage at the window's month ends (the last is the day's own figures): a pair each.
    assert len(first) == len(later) <= len(without) + 2 * 11, (len(without), len(first))
