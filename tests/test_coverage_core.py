"""The coverage core (tracker.reports): the arithmetic on plain data, and the SQL behind it.

Expected values are worked by hand; the API's own tests (test_coverage_api) cover the definitions
case by case and against a plain recomputation.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import add_draft_package, add_events
from tracker.core import coverage as cov
from tracker.models import Ambition, Network, Stage
from tracker.reports import queries, service

IMPLEMENTING = Stage.IMPLEMENTING


# --- the calendar of the series ------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, label, last_day",
    [
        (date(2021, 4, 1), "2021-04", date(2021, 4, 30)),
        (date(2024, 2, 10), "2024-02", date(2024, 2, 29)),
        (date(2023, 2, 28), "2023-02", date(2023, 2, 28)),
        (date(2022, 12, 31), "2022-12", date(2022, 12, 31)),
        (date(2023, 1, 1), "2023-01", date(2023, 1, 31)),
        (date(1, 1, 1), "0001-01", date(1, 1, 31)),
        (date(9999, 12, 31), "9999-12", date(9999, 12, 31)),  # no 1 January 10000 to step back from
    ],
)
def test_months(day, label, last_day):
    index = cov.month_index(day)
    assert (cov.month_label(index), cov.month_end(index)) == (label, last_day)
    assert cov.month_index(cov.month_end(index)) == index


# --- the arithmetic, on plain data ---------------------------------------------------------------

A = cov.Organisation(1, "AAA", "Alpha", "N1")
B = cov.Organisation(2, "BBB", "Bravo", "N1")
C = cov.Organisation(3, "CCC", "Charlie", "N2")
D = cov.Organisation(4, "DDD", "Delta", None)
IDEAS = [cov.Idea(10, "X-1", "One"), cov.Idea(11, "X-2", "Two"), cov.Idea(12, "X-3", "Three")]


def test_coverage_by_hand():
    states = [
        cov.OrganisationState(1, adopted=2, wards_using=3, wards_in_scope=4),
        cov.OrganisationState(2, adopted=0, wards_using=1, wards_in_scope=6),  # events, none adopted
        cov.OrganisationState(4, adopted=3),
    ]
    figures = cov.figures_from([A, B, C, D], IDEAS, states, {10: 2, 12: 1})
    assert (figures.organisations_total, figures.organisations_reached, figures.reach) == (4, 2, 2 / 4)
    assert figures.depth == pytest.approx((2 / 3 + 0 + 0 + 3 / 3) / 4, rel=1e-15)
    assert figures.ward_coverage == 4 / 10
    assert figures.by_network == [
        cov.NetworkFigures("N1", 2, 1, 1 / 2, pytest.approx((2 / 3) / 2, rel=1e-15)),
        cov.NetworkFigures("N2", 1, 0, 0.0, 0.0),
        cov.NetworkFigures(None, 1, 1, 1.0, 1.0),  # no network: last
    ]
    assert [(i.idea.code, i.adopters, i.share) for i in figures.by_idea] == [
        ("X-1", 2, 0.5),
        ("X-2", 0, 0.0),
        ("X-3", 1, 0.25),
    ]
    assert (figures.reached, figures.not_reached) == ([A, D], [B, C])


def test_coverage_of_nothing_is_zeros_not_errors():
    empty = cov.figures_from([], IDEAS, [], {})
    assert (empty.reach, empty.depth, empty.ward_coverage, empty.by_network) == (0.0, 0.0, None, [])
    assert [i.share for i in empty.by_idea] == [0.0, 0.0, 0.0]
    no_ideas = cov.figures_from([A, B], [], [], {})
    assert (no_ideas.reach, no_ideas.depth, no_ideas.by_idea, no_ideas.not_reached) == (0.0, 0.0, [], [A, B])


def test_ward_coverage_needs_wards_in_scope():
    assert cov.figures_from([A], IDEAS, [cov.OrganisationState(1, 1, 0, 0)], {10: 1}).ward_coverage is None


def test_series_from_deltas_by_hand():
    """Months Jan–Apr 2022 (index j…j+3), two ideas.

    Organisations: 1 and 2 open throughout, 3 opens in February and closes in April.
    Organisation 1 adopts one idea in December 2021 (before the series) and a second in February,
    drops the first in March; organisation 3 adopts one idea in February, ended by its closure.
    """
    j = cov.month_index(date(2022, 1, 1))
    points = cov.series(
        range(j, j + 4),
        2,
        open_deltas=[(j, 2), (j + 1, 1), (j + 3, -1)],
        pair_deltas=[(j - 1, 1), (j + 1, 1), (j + 2, -1), (j + 1, 1), (j + 3, -1)],
        reach_deltas=[(1, j - 1, 1), (1, j + 1, 1), (1, j + 2, -1), (3, j + 1, 1), (3, j + 3, -1)],
    )
    assert [(p.month, p.month_end, p.organisations_total, p.organisations_reached) for p in points] == [
        ("2022-01", date(2022, 1, 31), 2, 1),
        ("2022-02", date(2022, 2, 28), 3, 2),
        ("2022-03", date(2022, 3, 31), 3, 2),
        ("2022-04", date(2022, 4, 30), 2, 1),
    ]
    assert [p.reach for p in points] == [1 / 2, 2 / 3, 2 / 3, 1 / 2]
    assert [p.depth for p in points] == [1 / 4, 3 / 6, 2 / 6, 1 / 4]


def test_median_days():
    assert cov.median_days([(1, 10), (1, 30), (2, 5), (1, 20), (2, 8)]) == {1: 20.0, 2: 6.5}


# --- the SQL, on the reference data --------------------------------------------------------------


def rp_scope(session, network: str | None = None) -> queries.Scope:
    ambition = session.scalar(select(Ambition).filter_by(code="RP"))
    chosen = session.scalar(select(Network).filter_by(code=network)) if network else None
    return service.scope(session, ambition, chosen)


def test_the_scope_is_the_published_ideas_in_catalogue_order(seeded):
    add_draft_package(seeded)
    scope = rp_scope(seeded)
    assert [i.code for i in scope.ideas] == ["RP-01", "RP-02", "RP-03", "RP-04"]
    assert scope.network is None and len(scope.idea_ids) == 4


def test_point_coverage_with_medians(seeded):
    add_events(
        seeded,
        [
            ("RNU", "RP-01", "considering", date(2022, 1, 1)),
            ("RNU", "RP-01", "implementing", date(2022, 3, 2)),  # 60 days
            ("RWX", "RP-01", "considering", date(2022, 1, 10)),
            ("RWX", "RP-01", "spreading", date(2022, 1, 20)),  # 10 days
            ("RWX", "RP-02", "implementing", date(2022, 2, 1)),  # never considered: no duration
            ("RW1", "RP-01", "testing", date(2022, 2, 1), 1, 2),
        ],
    )
    figures = queries.coverage_on(seeded, rp_scope(seeded), date(2022, 12, 31), IMPLEMENTING, with_medians=True)
    assert [(i.idea.code, i.adopters, i.median_days_to_implementing) for i in figures.by_idea] == [
        ("RP-01", 2, 35.0),
        ("RP-02", 1, None),
        ("RP-03", 0, None),
        ("RP-04", 0, None),
    ]
    assert (figures.organisations_reached, figures.ward_coverage) == (2, 0 / 2)  # RW1's testing: in scope only
    assert figures.depth == (2 / 4 + 1 / 4) / 14
    oxford = queries.coverage_on(seeded, rp_scope(seeded, "OXF"), date(2022, 12, 31), Stage.TESTING)
    assert (oxford.organisations_total, oxford.reach, oxford.ward_coverage) == (2, 1.0, None)


def test_the_series_ends_as_of_its_end_day(seeded):
    """A series ending on 10 June reports June as of 10 June, so an event of 20 June does not count."""
    add_events(
        seeded,
        [("RNU", "RP-01", "implementing", date(2022, 6, 20)), ("RWX", "RP-01", "implementing", date(2022, 5, 2))],
    )
    scope = rp_scope(seeded)
    points = service.series(seeded, scope, date(2022, 5, 1), date(2022, 6, 10), IMPLEMENTING)
    assert [(p.month, p.month_end, p.organisations_reached) for p in points] == [
        ("2022-05", date(2022, 5, 31), 1),
        ("2022-06", date(2022, 6, 10), 1),
    ]
    assert points[-1].reach == queries.coverage_on(seeded, scope, date(2022, 6, 10), IMPLEMENTING).reach
    points = service.series(seeded, scope, date(2022, 5, 1), date(2022, 6, 30), IMPLEMENTING)
    assert [(p.month_end, p.organisations_reached) for p in points] == [(date(2022, 5, 31), 1), (date(2022, 6, 30), 2)]


def test_the_series_counts_a_closure_from_its_month(seeded):
    add_events(seeded, [("R1C", "RP-01", "sustained", date(2023, 5, 1))])
    points = service.series(seeded, rp_scope(seeded, "WSX"), date(2024, 9, 1), date(2024, 10, 31), IMPLEMENTING)
    assert [(p.organisations_total, p.organisations_reached, p.depth) for p in points] == [(4, 1, 1 / 16), (3, 0, 0.0)]


def test_the_series_equals_point_coverage_on_the_demo_history(demo_history):
    """The demo history (every ambition, network and stage, to June 2025) by two routes."""
    reached = 0
    for code in ("RP", "SSH", "SS"):
        ambition = demo_history.scalar(select(Ambition).filter_by(code=code))
        for network in (None, demo_history.scalar(select(Network).filter_by(code="WSX"))):
            scope = service.scope(demo_history, ambition, network)
            for stage in (Stage.TESTING, Stage.IMPLEMENTING, Stage.SUSTAINED):
                points = service.series(demo_history, scope, date(2021, 1, 1), date(2025, 6, 30), stage)
                assert len(points) == 54
                reached += sum(p.organisations_reached for p in points)
                for point in points[::5] + points[-1:]:
                    figures = queries.coverage_on(demo_history, scope, point.month_end, stage)
                    assert (point.organisations_total, point.organisations_reached) == (
                        figures.organisations_total,
                        figures.organisations_reached,
                    ), (code, network, stage, point.month)
                    assert point.reach == pytest.approx(figures.reach, rel=1e-12)
                    assert point.depth == pytest.approx(figures.depth, rel=1e-12, abs=1e-15)
    assert reached > 0  # the history is not empty


def test_series_agrees_with_point_coverage_after_an_organisations_dates_are_edited(seeded):
    """Events logged, then the organisation's opening moved later and its closure earlier."""
    from datetime import date as day

    from sqlalchemy import select as sql_select

    from tracker.adoption.rules import EventInput
    from tracker.adoption.services import append_event
    from tracker.models import Ambition, ChangeIdea, Organisation
    from tracker.reports import queries as q
    from tracker.reports import service

    organisation = seeded.scalar(sql_select(Organisation).filter_by(ods_code="RNU"))
    other = seeded.scalar(sql_select(Organisation).filter_by(ods_code="RWX"))
    for ods_org, code, stage, when in (
        (organisation, "RP-01", "implementing", day(2021, 6, 10)),
        (organisation, "RP-01", "testing", day(2022, 2, 10)),
        (organisation, "RP-02", "implementing", day(2022, 8, 10)),
        (organisation, "RP-03", "sustained", day(2023, 9, 10)),
        (other, "RP-01", "implementing", day(2022, 1, 5)),
    ):
        append_event(
            seeded, None, ods_org, seeded.scalar(sql_select(ChangeIdea).filter_by(code=code)), EventInput(stage, when)
        )
    organisation.opened_on = day(2022, 1, 1)  # after its first event
    organisation.closed_on = day(2023, 3, 1)  # before its last
    seeded.commit()
    scope = service.scope(seeded, seeded.scalar(sql_select(Ambition).filter_by(code="RP")), None)
    points = service.series(seeded, scope, day(2021, 4, 1), day(2024, 6, 30), Stage.IMPLEMENTING)
    for point in points:
        figures = q.coverage_on(seeded, scope, point.month_end, Stage.IMPLEMENTING)
        assert (point.organisations_total, point.organisations_reached) == (
            figures.organisations_total,
            figures.organisations_reached,
        ), point
        assert abs(point.depth - figures.depth) < 1e-12, point
