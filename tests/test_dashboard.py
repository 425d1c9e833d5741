"""The dashboard (the home page): each ambition's coverage today, its change since last quarter, a
trend line and its dated targets with whether coverage is on course; and the pure trend arithmetic.

Figures are checked against tracker.reports.queries.coverage_on for the same day and threshold. The
on-course wording is checked on small hand-built histories whose trend is known.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import add_events
from tests.helpers import figure, forget_pages, page_text, pct
from tracker.calendar import PROGRAMME_START
from tracker.core import charts, trend
from tracker.core.stages import DEFAULT_THRESHOLD
from tracker.main.dashboard import previous_quarter_end
from tracker.models import (
    Ambition,
    AmbitionTarget,
    ChangeIdea,
    ChangePackage,
    Network,
    Organisation,
    OrganisationKind,
    PackageStatus,
    Stage,
)
from tracker.reports import queries, service

IMPLEMENTING = Stage.IMPLEMENTING
ROLES = ("trust", "faculty", "manager", "admin")
# Open all through 2025–26: every reference organisation but Solent (R1C), which closed on 1 October 2024.
OPEN_ODS = ["RNU", "RWX", "RW1", "R1F", "RDY", "RX2", "RXX", "RXY", "RVN", "RTQ", "RJ8", "RWV", "RH5"]


# --- helpers ------------------------------------------------------------------------------------


def section(markup: str, code: str) -> str:
    """One ambition's card on the dashboard."""
    start = markup.index(f'id="ambition-{code}"')
    return markup[start : markup.index("</section>", start)]


def add_target(session, code: str, label: str, day: date | None) -> None:
    ambition = session.scalar(select(Ambition).where(Ambition.code == code))
    ambition.targets.append(
        AmbitionTarget(label=label, text=f"{label} test target", target_date=day, position=len(ambition.targets))
    )
    session.commit()


def point(session, code: str, day: date, network=None):
    ambition = session.scalar(select(Ambition).where(Ambition.code == code))
    return queries.coverage_on(session, service.scope(session, ambition, network), day, IMPLEMENTING)


@pytest.fixture
def on_day(monkeypatch):
    """Make "today" a given day for the dashboard and the report's form."""

    def fix(day: date) -> None:
        monkeypatch.setattr("tracker.main.routes.today", lambda: day)
        monkeypatch.setattr("tracker.reports.forms.today", lambda: day)
        monkeypatch.setattr("tracker.page_cache.today", lambda: day)  # a kept page is kept for its day

    return fix


def dashboard(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the trend, pure ----------------------------------------------------------------------------


def monthly(values, first=date(2024, 7, 31)):
    """(month end, value) points, one a month from `first`."""
    points = []
    year, month = first.year, first.month
    for value in values:
        end = date(year + (month // 12), month % 12 + 1, 1).toordinal() - 1
        points.append((date.fromordinal(end), value))
        year, month = year + (month // 12), month % 12 + 1
    return points


def test_a_straight_line_is_found_exactly_and_projected():
    start = date(2024, 1, 1)
    points = [(date.fromordinal(start.toordinal() + 30 * i), 0.10 + 0.02 * i) for i in range(12)]
    line = trend.fit(points)
    assert line.slope_per_day == pytest.approx(0.02 / 30)
    target = date.fromordinal(start.toordinal() + 30 * 15)
    assert trend.project(points, target) == pytest.approx(0.10 + 0.02 * 15)


def test_the_projection_is_the_least_squares_line_of_the_last_twelve_points():
    noisy = [0.9, 0.0, 0.7] + [0.20, 0.22, 0.21, 0.25, 0.27, 0.26, 0.30, 0.31, 0.33, 0.32, 0.35, 0.37]
    points = monthly(noisy, first=date(2024, 4, 30))
    last12 = points[-12:]
    xs = [d.toordinal() for d, _ in last12]
    slope, intercept = statistics.linear_regression(xs, [v for _, v in last12])
    target = date(2026, 3, 31)
    assert trend.project(points, target) == pytest.approx(intercept + slope * target.toordinal())
    # The three wild early points are outside the window: they change nothing.
    assert trend.project(points, target) == pytest.approx(trend.project(last12, target))


@pytest.mark.parametrize(
    ("values", "expected"),
    [([0.5 + 0.05 * i for i in range(12)], 1.0), ([0.5 - 0.05 * i for i in range(12)], 0.0)],
    ids=["rising past 100%", "falling below 0%"],
)
def test_projections_are_clamped_to_between_0_and_100_percent(values, expected):
    assert trend.project(monthly(values), date(2030, 1, 1)) == expected


@pytest.mark.parametrize(
    "points", [[], [(date(2025, 1, 31), 0.4)], [(date(2025, 1, 31), 0.4), (date(2025, 1, 31), 0.5)]]
)
def test_fewer_than_two_dates_is_not_enough_data(points):
    assert trend.fit(points) is None
    assert trend.project(points, date(2026, 1, 1)) is None
    outlook = trend.outlook(points, date(2026, 1, 1), date(2025, 2, 1))
    assert outlook.status is trend.Status.NOT_ENOUGH_DATA and outlook.value is None


def test_outlook_on_course_not_on_course_and_passed():
    rising = monthly([i / 12 for i in range(12)])  # reaches 11/12 by June 2025
    today = rising[-1][0]
    assert trend.outlook(rising, date(2025, 12, 31), today).status is trend.Status.ON_COURSE
    assert trend.outlook(rising, date(2025, 7, 1), today).status is trend.Status.NOT_ON_COURSE
    assert trend.outlook(rising, date(2025, 7, 1), today, goal=0.9).status is trend.Status.ON_COURSE
    passed = trend.outlook(rising, date(2024, 9, 30), today, reach_on_date=0.25)
    assert passed.status is trend.Status.PASSED and passed.value == 0.25
    flat = monthly([0.4] * 12)
    outlook = trend.outlook(flat, date(2027, 1, 1), flat[-1][0])
    assert outlook.status is trend.Status.NOT_ON_COURSE and outlook.value == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 26), date(2026, 9, 30)),
        (date(2026, 1, 1), date(2025, 12, 31)),
        (date(2026, 3, 31), date(2025, 12, 31)),
        (date(2026, 4, 1), date(2026, 3, 31)),
        (date(2025, 6, 30), date(2025, 3, 31)),
    ],
)
def test_previous_quarter_end(day, expected):
    assert previous_quarter_end(day) == expected


def test_sparkline_geometry():
    assert charts.sparkline([0.5]) is None
    spark = charts.sparkline([0.0, 0.5, 1.0], width=104, height=24, pad=2)
    assert spark.path == "M2.0 22.0 L52.0 12.0 L102.0 2.0"
    assert (spark.last_x, spark.last_y) == (102.0, 2.0)


# --- the dashboard ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_dashboard(signed_in, role):
    text = page_text(dashboard(signed_in(role)))
    for title in ("Reduce restrictive practice", "Reduce suicide and deliberate self-harm", "Improve sexual safety"):
        assert title in text


def test_anonymous_visitors_are_sent_to_sign_in(seeded, client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_figures_match_the_coverage_core_with_the_change_since_last_quarter(demo_history, signed_in, on_day):
    day = date(2025, 6, 30)
    on_day(day)
    markup = dashboard(signed_in("trust"))
    text = page_text(markup)
    assert "Changes are since 31 March 2025, the last day of the previous quarter" in text
    for code in ("RP", "SSH", "SS"):
        card = section(markup, code)
        now, before = point(demo_history, code, day), point(demo_history, code, date(2025, 3, 31))
        assert figure(card, "reach") == pct(now.reach)
        assert figure(card, "depth") == pct(now.depth)
        assert figure(card, "ward-coverage") == (
            pct(now.ward_coverage) if now.ward_coverage is not None else "Not known"
        )
        card_text = page_text(card)
        assert (
            f"{now.organisations_reached} of {now.organisations_total} organisations adopting at least one change idea"
            in card_text
        )
        for name in ("reach", "depth"):
            delta = round((getattr(now, name) - getattr(before, name)) * 100, 1)
            words = "No change" if delta == 0 else f"{'Up' if delta > 0 else 'Down'} {abs(delta):.1f} percentage points"
            assert f"{words} since 31 March 2025 ({pct(getattr(before, name))})" in card_text, (code, name)


def test_the_sparkline_shows_two_years_of_monthly_reach_with_the_numbers_as_text(demo_history, signed_in, on_day):
    on_day(date(2025, 6, 30))
    card = section(dashboard(signed_in("manager")), "RP")
    assert '<svg class="app-sparkline"' in card and 'role="img" aria-labelledby="spark-RP-title"' in card
    ambition = demo_history.scalar(select(Ambition).where(Ambition.code == "RP"))
    monthly_points = service.series(
        demo_history, service.scope(demo_history, ambition, None), date(2023, 7, 1), date(2025, 6, 30), IMPLEMENTING
    )
    assert len(monthly_points) == 24
    hidden = page_text(re.search(r'<p class="nhsuk-u-visually-hidden">Reach by month: (.*?)</p>', card).group(1))
    expected = "; ".join(f"{charts.period_label(p.month_end)} {pct(p.reach)}" for p in monthly_points) + "."
    assert hidden == expected
    title = page_text(re.search(r'<title id="spark-RP-title">(.*?)</title>', card).group(1))
    assert (
        title
        == f"Reach by month for Reduce restrictive practice: {pct(monthly_points[0].reach)} in July 2023, {pct(monthly_points[-1].reach)} on 30 June 2025"
    )


def test_passed_targets_give_the_reach_on_their_date(demo_history, signed_in, on_day):
    on_day(date(2025, 6, 30))
    add_target(demo_history, "RP", "Interim", date(2024, 2, 14))  # not a month end: counted for the day itself
    text = page_text(section(dashboard(signed_in("faculty")), "RP"))
    for label, day, shown in (
        ("Revised", date(2023, 9, 30), "30 September 2023"),
        ("Interim", date(2024, 2, 14), "14 February 2024"),
        ("Original", date(2024, 3, 31), "31 March 2024"),
    ):
        reach = point(demo_history, "RP", day).reach
        assert f"{label} target, {shown}: Target date passed (reach on that date: {pct(reach)})" in text
    # Oldest first, whatever order they were entered in.
    assert text.index("Revised target") < text.index("Interim target") < text.index("Original target")


def test_an_ambition_without_dated_targets_says_so(demo_history, signed_in):
    text = page_text(section(dashboard(signed_in("trust")), "SSH"))
    assert "No dated target has been published for this ambition." in text


@pytest.fixture
def known_trends(seeded, on_day):
    """Today is 30 June 2026. RP: one more organisation implements RP-01 each month from July 2025
    (a steady climb to 12 of 13). SS: the same three organisations since 2023 (flat at 3 of 13)."""
    on_day(date(2026, 6, 30))
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
    add_target(seeded, "RP", "Regional", date(2026, 12, 31))
    add_target(seeded, "RP", "Next month", date(2026, 7, 15))
    add_target(seeded, "SS", "Regional", date(2026, 12, 31))
    return seeded


def test_a_steep_climb_is_on_course_and_its_projection_is_clamped(known_trends, signed_in):
    text = page_text(section(dashboard(signed_in("manager")), "RP"))
    assert "Regional target, 31 December 2026: On course: projected reach 100.0% by 31 December 2026" in text


def test_the_projection_is_the_straight_line_through_the_last_twelve_months(known_trends, signed_in):
    text = page_text(section(dashboard(signed_in("manager")), "RP"))
    # Month ends July 2025 … June 2026 with 1 … 12 of the 13 open organisations reached.
    points = monthly([k / 13 for k in range(1, 13)], first=date(2025, 7, 31))
    slope, intercept = statistics.linear_regression([d.toordinal() for d, _ in points], [v for _, v in points])
    projected = intercept + slope * date(2026, 7, 15).toordinal()
    assert 0.9 < projected < 1
    assert (
        f"Next month target, 15 July 2026: Not on course: projected reach {pct(projected)} by 15 July 2026, short of 100.0%"
        in text
    )


def test_a_flat_line_is_not_on_course_and_passed_targets_use_their_own_day(known_trends, signed_in):
    markup = dashboard(signed_in("trust"))
    text = page_text(section(markup, "SS"))
    assert (
        "Regional target, 31 December 2026: Not on course: projected reach 23.1% by 31 December 2026, short of 100.0%"
        in text
    )
    # 31 March 2024: Solent was still open, so 3 of 14.
    assert "Original target, 31 March 2024: Target date passed (reach on that date: 21.4%)" in text
    card = section(markup, "SS")
    assert figure(card, "reach") == "23.1%"
    assert figure(card, "ward-coverage") == pct((3 + 2) / (8 + 4))  # RJ8's record gives no wards
    assert figure(section(markup, "SSH"), "ward-coverage") == "Not known"


def test_one_month_of_data_is_not_enough_to_project(seeded, signed_in, on_day):
    on_day(date(2021, 4, 20))
    add_events(seeded, [("RNU", "RP-01", "implementing", date(2021, 4, 12))])
    add_target(seeded, "RP", "Early", date(2022, 3, 31))
    text = page_text(section(dashboard(signed_in("trust")), "RP"))
    assert "Early target, 31 March 2022: Not enough data to project reach to 31 March 2022" in text
    assert "Not enough months yet to draw a trend." in text


def test_the_page_says_what_the_figures_mean(seeded, signed_in):
    text = page_text(dashboard(signed_in("trust")))
    assert (
        "The share of the organisations counted that are adopting at least one of the ambition’s change ideas." in text
    )
    assert "the share of the ambition’s change ideas each one is adopting" in text
    assert "Wards using the change ideas divided by wards in scope" in text
    assert "a straight line is fitted to reach over the last 12 months" in text
    assert "the last day of the previous calendar quarter" in text


def test_each_card_links_to_its_coverage_report(seeded, signed_in):
    markup = dashboard(signed_in("trust"))
    for code in ("RP", "SSH", "SS"):
        assert f'href="/coverage?ambition={code}"' in section(markup, code)


def test_statement_count_does_not_grow_with_the_data(app, demo_history, signed_in, statement_counter, on_day):
    on_day(date(2025, 6, 30))
    client = signed_in("manager")
    dashboard(client)
    forget_pages(app)  # counted: the dashboard computed, not the page kept
    with statement_counter() as before:
        dashboard(client)
    rows = []
    for ods in OPEN_ODS:
        for code in ("RP-01", "RP-02", "SS-03", "SSH-04", "SSH-09"):
            rows += [
                (ods, code, "considering", date(2024, 1, 3)),
                (ods, code, "testing", date(2024, 5, 6), 1, 9),
                (ods, code, "implementing", date(2024, 11, 7), 2, 9),
            ]
    add_events(demo_history, rows)
    forget_pages(app)
    with statement_counter() as after:
        dashboard(client)
    assert len(after) == len(before)
    # Three ambitions, each: its counted ideas, the open organisations, adoption per organisation
    # and per idea, and the monthly series (two); plus the signed-in user and the catalogue.
    assert len(before) <= 26, before


# --- the dashboard, the coverage report and the coverage API agree ------------------------------
# Each reads the rules from their one home: the threshold stage (core.stages), the organisations
# open on a day (Organisation.is_open_on), the ideas an ambition counts (catalogue.queries.
# counted_ideas, in catalogue order) and the programme's start (calendar).


def three_views(client, code: str, day: date) -> tuple[str, str, dict]:
    """The ambition's dashboard card (today is the day), its coverage report and the API's answer,
    all left at their default threshold."""
    card = section(dashboard(client), code)
    report = client.get(f"/coverage?ambition={code}&as_of={day}")
    assert report.status_code == 200
    api = client.get(f"/api/v1/coverage?ambition={code}&as_of={day}")
    assert api.status_code == 200
    return card, report.get_data(as_text=True), api.get_json()


def assert_agree(card: str, report: str, api: dict) -> None:
    for name, key in (("reach", "reach"), ("depth", "depth"), ("ward-coverage", "ward_coverage")):
        shown = pct(api[key]) if api[key] is not None else "Not known"
        assert figure(card, name) == figure(report, name) == shown, name
    reached, total = api["organisations_reached"], api["organisations_total"]
    assert f"{reached} of {total} organisations adopting at least one change idea" in page_text(card)
    assert figure(report, "reached") == f"{reached} of {total}"


def idea_codes(report: str) -> list[str]:
    return re.findall(r'href="/ideas/([^"]+)"', report[report.index('id="interventions"') :])


def test_the_three_agree_on_every_ambition_at_the_default_threshold(demo_history, signed_in, on_day):
    day = date(2025, 6, 30)
    on_day(day)
    client = signed_in("manager")
    for code in ("RP", "SSH", "SS"):
        card, report, api = three_views(client, code, day)
        assert_agree(card, report, api)
        assert api["min_stage"] == DEFAULT_THRESHOLD.value
        explicit = client.get(f"/api/v1/coverage?ambition={code}&as_of={day}&min_stage={DEFAULT_THRESHOLD.value}")
        assert explicit.get_json() == api
        assert f"counting organisations at {DEFAULT_THRESHOLD.value} or further along" in page_text(report)
    assert f"treat a change idea as adopted from {DEFAULT_THRESHOLD.value} onwards" in page_text(dashboard(client))


def test_an_organisation_opened_after_the_day_is_counted_by_none_of_the_three(seeded, signed_in, on_day):
    kss = seeded.scalar(select(Network).where(Network.code == "KSS"))
    newcomer = Organisation(
        ods_code="ZZ1",
        name="Newly opened trust",
        kind=OrganisationKind.MENTAL_HEALTH_TRUST,
        network=kss,
        opened_on=date(2025, 6, 1),
    )
    seeded.add(newcomer)
    seeded.commit()
    add_events(
        seeded,
        [("ZZ1", "RP-01", "implementing", date(2025, 6, 5)), ("RNU", "RP-02", "implementing", date(2024, 1, 10))],
    )
    newcomer.opened_on = date(2025, 7, 1)  # its opening date corrected after its first event
    seeded.commit()
    client = signed_in("trust")

    day = date(2025, 6, 30)
    on_day(day)
    organisations = list(seeded.scalars(select(Organisation)))
    assert sum(o.is_open_on(day) for o in organisations) == 13  # not ZZ1 yet; Solent closed in 2024
    card, report, api = three_views(client, "RP", day)
    assert_agree(card, report, api)
    assert (api["organisations_reached"], api["organisations_total"]) == (1, 13)
    assert "ZZ1" not in api["not_reached"] and "ZZ1" not in report

    day = date(2025, 7, 2)  # open now, and adopting since before it opened
    on_day(day)
    card, report, api = three_views(client, "RP", day)
    assert_agree(card, report, api)
    assert (api["organisations_reached"], api["organisations_total"]) == (2, 14)


def test_a_draft_packages_ideas_are_counted_by_none_of_the_three(seeded, signed_in, on_day):
    rp = seeded.scalar(select(Ambition).where(Ambition.code == "RP"))
    draft = ChangePackage(
        code="DRAFT", title="Draft package", publisher="Demo", status=PackageStatus.DRAFT, ambition=rp, position=99
    )
    seeded.add_all([draft, ChangeIdea(code="DR-01", title="Draft idea", package=draft, position=0)])
    seeded.commit()
    add_events(
        seeded,
        [("RH5", "DR-01", "sustained", date(2022, 1, 1), 5, 5), ("RNU", "RP-01", "implementing", date(2022, 1, 1))],
    )
    day = date(2025, 6, 30)
    on_day(day)
    card, report, api = three_views(signed_in("trust"), "RP", day)
    assert_agree(card, report, api)
    assert (api["organisations_reached"], api["organisations_total"]) == (1, 13)
    assert "RH5" in api["not_reached"]
    assert (
        [i["intervention"] for i in api["by_intervention"]]
        == idea_codes(report)
        == ["RP-01", "RP-02", "RP-03", "RP-04"]
    )
    assert "4 change ideas" in page_text(card)


def test_the_ideas_are_in_catalogue_order_on_the_report_and_the_api(seeded, signed_in, on_day):
    """Package position, package code, idea position, idea code: ties go by code, not by the order
    the rows were made in (before, the report and the API broke ties by id)."""
    rp = seeded.scalar(select(Ambition).where(Ambition.code == "RP"))
    package = ChangePackage(
        code="RP-ZZ", title="Later package", publisher="Demo", status=PackageStatus.PUBLISHED, ambition=rp, position=99
    )
    seeded.add(package)
    seeded.flush()
    seeded.add(ChangeIdea(code="RP-Z9", title="Made first", package=package, position=0))
    seeded.flush()
    seeded.add(ChangeIdea(code="RP-A1", title="Made second", package=package, position=0))
    seeded.commit()
    day = date(2025, 6, 30)
    on_day(day)
    card, report, api = three_views(signed_in("trust"), "RP", day)
    expected = ["RP-01", "RP-02", "RP-03", "RP-04", "RP-A1", "RP-Z9"]
    assert [i["intervention"] for i in api["by_intervention"]] == idea_codes(report) == expected
    assert "6 change ideas" in page_text(card)


def test_the_three_agree_month_by_month_from_the_programmes_start(demo_history, signed_in, on_day):
    day = date(2025, 6, 30)
    on_day(day)
    client = signed_in("faculty")
    api = client.get(f"/api/v1/coverage/series?ambition=SS&end={day}").get_json()["points"]
    response = client.get(f"/coverage/series.csv?ambition=SS&as_of={day}")
    report = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))[1:]
    assert api[0]["month"] == report[0][0] == f"{PROGRAMME_START:%Y-%m}"
    assert [(p["month"], f"{p['reach']:.4f}", f"{p['depth']:.4f}") for p in api] == [(r[0], r[4], r[5]) for r in report]
    card = section(dashboard(client), "SS")
    hidden = page_text(re.search(r'<p class="nhsuk-u-visually-hidden">Reach by month: (.*?)</p>', card).group(1))
    assert hidden.rstrip(".").split("; ") == [
        f"{charts.period_label(date.fromisoformat(r[1]))} {pct(p['reach'])}"
        for p, r in zip(api[-24:], report[-24:], strict=True)
    ]
