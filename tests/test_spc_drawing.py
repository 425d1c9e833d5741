"""The SPC chart's geometry and words (tracker.core.spc_drawing): plain data in, shapes out."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.core.measures import months_from
from tracker.core.spc import spc
from tracker.core.spc_drawing import month_label, nice_step, rule_words, spc_chart, value_scale

MONTHS = months_from(date(2021, 4, 1), date(2022, 3, 1))  # 12 months


def test_months_are_written_as_people_write_them_and_ticks_thin_out_over_years():
    assert month_label(date(2021, 4, 1)) == "Apr 2021"
    values = [float(i % 3) for i in range(12)]
    chart = spc_chart(MONTHS, spc(values))
    assert [t.label for t in chart.x_ticks] == [month_label(m) for m in MONTHS[::2]]
    long = months_from(date(2021, 4, 1), date(2025, 3, 1))  # 48 months: every half year, from January or July
    ticks = spc_chart(long, spc([1.0, 2.0] * 24)).x_ticks
    assert [t.label for t in ticks][:3] == ["Jul 2021", "Jan 2022", "Jul 2022"]


@pytest.mark.parametrize(
    "numbers, expected",
    [([0.3, 9.7], (0, 10, 2)), ([12.5, 12.5], (11.5, 13.5, 0.5)), ([], (0, 1, 0.2))],
)
def test_the_value_scale_has_round_bounds_covering_every_number(numbers, expected):
    assert value_scale(numbers) == pytest.approx(expected)
    assert nice_step(7) == 2


def test_a_gap_breaks_the_line_and_a_rebase_breaks_the_limits():
    values = [5.0, 6.0, None, 5.0, 7.0, 6.0, 2.0, 3.0, 2.0, 3.0, 2.0, 3.0]
    result = spc(values, improvement="decrease", rebase_at=[6])
    chart = spc_chart(MONTHS, result, rebases=[(6, "Huddles")], target=4.0)
    assert chart.line.count("M") == 2  # the line starts again after the gap
    assert len(chart.points) == 11  # no point for the missing month
    assert len(chart.means) == 2 and len(chart.limits) == 4 and len(chart.two_sigma) == 4
    first, second = chart.means
    assert first.x2 < chart.rebases[0].x < second.x1  # the break falls between the groups' months
    assert chart.rebases[0].text == "Limits worked out afresh from Oct 2021: Huddles"
    assert chart.target is not None and chart.bottom >= chart.target.y1 >= chart.top
    for segment in chart.means + chart.limits + chart.two_sigma:
        assert chart.top <= segment.y1 <= chart.bottom


def test_points_carry_their_kind_shape_and_what_hovering_says():
    values = [10.0, 12.0, 11.0, 9.0, 12.0, 10.0, 11.0, 9.0, 2.0]  # the last below the lower limit, 2.9
    chart = spc_chart(MONTHS[:9], spc(values, improvement="decrease"))
    assert [p.kind for p in chart.points] == ["common"] * 8 + ["improvement"]
    assert [p.shape for p in chart.points][-2:] == ["circle", "square"]
    assert chart.points[-1].title == "Dec 2021: 2.00, special cause improvement (a point below the lower process limit)"
    assert chart.variation.letter == "L" and chart.variation.kind == "improvement"
    assert chart.assurance is None
    assert rule_words("7 Point Trend (Increasing)") == "7 points in a row, each higher than the last"


def test_events_of_one_month_share_a_numbered_mark():
    chart = spc_chart(
        MONTHS, spc([1.0, 2.0] * 6), events=[(3, "RP-01 testing"), (3, "RP-02 testing"), (8, "RP-01 implementing")]
    )
    assert [(m.label, m.text) for m in chart.events] == [
        ("1", "Jul 2021: RP-01 testing; RP-02 testing"),
        ("2", "Dec 2021: RP-01 implementing"),
    ]


def test_a_single_point_is_drawn_in_the_middle_without_limits():
    chart = spc_chart(MONTHS[:1], spc([3.0]))
    assert chart.points[0].x == chart.middle_x
    assert chart.limits == [] and len(chart.means) == 1
