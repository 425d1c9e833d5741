"""SPC on spread itself: the coverage report draws each ambition's monthly reach and depth as XmR
charts (direction increase, no target) and says in words what their variation icons mean."""

from __future__ import annotations

from datetime import date, timedelta

from tests.helpers import page_text, rows_of
from tracker.calendar import PROGRAMME_START
from tracker.core.coverage import SeriesPoint
from tracker.core.spc import spc
from tracker.core.spc_icons import VARIATION
from tracker.models import Stage
from tracker.reports import service
from tracker.reports.spread_spc import spread_charts


def _point(month: date, reach: float, depth: float) -> SeriesPoint:
    end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return SeriesPoint(f"{month:%Y-%m}", end, 10, round(reach * 10), reach, depth)


def test_spread_that_steps_up_is_special_cause_improvement_and_flat_spread_is_common_cause():
    months = [date(2022 + (k // 12), k % 12 + 1, 1) for k in range(20)]
    reach = [0.10, 0.12] * 6 + [0.40, 0.42] * 4  # a step up in the last 8 months
    depth = [0.05, 0.06] * 10
    reached, deep = spread_charts([_point(m, r, d) for m, r, d in zip(months, reach, depth, strict=True)])
    assert reached.result.variation_icon == "improvement_high"
    assert reached.words == VARIATION["improvement_high"].meaning.rstrip(".")
    assert reached.result.assurance_icon is None  # spread has no target here
    assert [p.point_type for p in reached.result.points[-8:]] == ["special_cause_improvement"] * 8
    assert deep.result.variation_icon == "common_cause"
    assert reached.drawing.x_ticks[0].label == "Jan 2022"
    assert spread_charts([]) == []


def test_the_coverage_report_shows_reach_and_depth_as_spc_charts(demo_history, signed_in):
    day = date(2024, 3, 31)
    ambition = service.ambition_named(demo_history, "RP")
    report = service.build_report(demo_history, ambition, None, day, Stage.IMPLEMENTING)
    markup = signed_in("trust").get(f"/coverage?ambition=RP&as_of={day}").get_data(as_text=True)
    section = markup[markup.index('id="spread-spc"') :]
    assert 'id="spread-spc-chart-reach"' in section and 'id="spread-spc-chart-depth"' in section
    months = (day.year - PROGRAMME_START.year) * 12 + day.month - PROGRAMME_START.month + 1
    for key in ("reach", "depth"):
        svg = section[section.index(f'id="spread-spc-chart-{key}"') :]
        assert svg[: svg.index("</svg>")].count("data-kind=") == months  # a point for every month
    expected = {
        key: spc([round(getattr(p, key) * 100, 10) for p in report.series], improvement="increase")
        for key in ("reach", "depth")
    }
    rows = rows_of(section)
    assert [row[0] for row in rows] == ["Reach", "Depth"]
    for row, key in zip(rows, ("reach", "depth"), strict=True):
        assert row[1] == f"{getattr(report.series[-1], key) * 100:.2f}%"
        assert row[2] == VARIATION[expected[key].variation_icon].meaning.rstrip(".")
    assert "More spread is better; there is no target" in page_text(section)


def test_a_report_of_its_first_months_says_its_limits_are_trial_limits(seeded, signed_in):
    client = signed_in("trust")
    early = page_text(client.get("/coverage?ambition=RP&as_of=2021-06-30").get_data(as_text=True))
    assert "Fewer than 12 months so far: the limits are trial limits" in early
    later = page_text(client.get("/coverage?ambition=RP&as_of=2023-06-30").get_data(as_text=True))
    assert "trial limits" not in later and "Has spread stepped up?" in later
