"""The forecast's fan chart (tracker.core.fan_drawing): plain data in, shapes and words out; and its SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from tracker.core.fan_drawing import fan_chart, month_of
from tracker.core.forecast import MonthBand, TargetChance

START = date(2021, 4, 1)  # month 0
OBSERVED = [0.0, 0.1, 0.2, 0.25, 0.3]  # months 0-4: Apr to Aug 2021
BANDS = [  # months 5-8: Sep to Dec 2021 (median, low, high)
    MonthBand(5, 0.35, 0.30, 0.40, 0.35),
    MonthBand(6, 0.40, 0.32, 0.48, 0.40),
    MonthBand(7, 0.45, 0.34, 0.56, 0.45),
    MonthBand(8, 0.50, 0.36, 0.64, 0.50),
]
# The default frame: plot from x 56 to 736 and y 344 (0%) up to 24 (100%). Months 0-8: 85 apart.


def x(month: int) -> float:
    return 56 + 85 * month


def y(share: float) -> float:
    return 344 - 320 * share


def flat(shapes) -> list:
    """Nested tuples and lists of numbers (and words) as one flat list, for pytest.approx."""
    out = []
    for item in shapes:
        out += flat(item) if isinstance(item, tuple | list) else [item]
    return out


def close(shapes):
    return pytest.approx(flat(shapes))


def points(*pairs) -> list:
    return [(x(m), y(v)) for m, v in pairs]


def test_known_points_sit_where_the_scale_puts_them():
    chart = fan_chart(START, OBSERVED, BANDS)
    assert (chart.left, chart.right, chart.top, chart.bottom) == (56, 736, 24, 344)
    assert flat(chart.observed) == close(points(*enumerate(OBSERVED)))
    assert chart.observed[0] == (56, 344) and chart.observed[-1] == pytest.approx((396, 248))
    assert chart.today == pytest.approx(396)  # the last observed month
    assert flat(chart.median) == close(points((4, 0.3), (5, 0.35), (6, 0.4), (7, 0.45), (8, 0.5)))
    assert chart.median_path == "M396.0 248.0 L481.0 232.0 L566.0 216.0 L651.0 200.0 L736.0 184.0"
    assert chart.observed_path.startswith("M56.0 344.0 L141.0 312.0")


def test_the_band_runs_along_its_upper_edge_then_back_along_its_lower_from_the_last_observed_point():
    chart = fan_chart(START, OBSERVED, BANDS)
    assert flat(chart.band) == close(
        points(
            (4, 0.3),  # the fan opens out of the observed line
            (5, 0.40),
            (6, 0.48),
            (7, 0.56),
            (8, 0.64),
            (8, 0.36),
            (7, 0.34),
            (6, 0.32),
            (5, 0.30),
        )
    )
    assert chart.band_points.split()[:2] == ["396.0,248.0", "481.0,216.0"]
    assert chart.band_points.split()[-1] == "481.0,248.0"


def test_a_forecast_that_does_not_follow_on_from_the_observations_is_not_joined_to_them():
    chart = fan_chart(START, OBSERVED[:3], BANDS)  # observed to month 2, forecast from month 5
    assert chart.band[0] == pytest.approx((x(5), y(0.40))) and len(chart.band) == 8
    assert chart.median[0] == pytest.approx((x(5), y(0.35)))


def test_values_outside_0_to_100_percent_are_clamped_to_the_axes():
    bands = [MonthBand(2, 1.2, -0.1, 1.5, 1.0)]
    chart = fan_chart(START, [-0.2, 0.5], bands)  # months 0-2: 340 apart
    assert chart.observed[0] == (56, 344)
    assert flat(chart.band) == close(((396, 184), (736, 24), (736, 344)))
    assert chart.median[-1] == pytest.approx((736, 24))
    assert "Observed: 50% in May 2021 (today). Forecast: median 100% in Jun 2021, 80% band 0% to 100%." in (
        chart.description
    )


def test_axes_run_from_0_to_100_percent_with_month_labels():
    chart = fan_chart(START, OBSERVED, BANDS)
    assert flat((t.position, t.label) for t in chart.y_ticks) == close(
        [(344, "0%"), (280, "20%"), (216, "40%"), (152, "60%"), (88, "80%"), (24, "100%")]
    )
    assert [t.label for t in chart.x_ticks] == ["Apr 2021", "Jun 2021", "Aug 2021", "Oct 2021", "Dec 2021"]
    assert [t.position for t in chart.x_ticks] == pytest.approx([x(0), x(2), x(4), x(6), x(8)])
    # Eight years (Apr 2021 to Mar 2029): a label each January.
    long = fan_chart(START, [0.1] * 60, [MonthBand(m, 0.2, 0.1, 0.3, 0.2) for m in range(60, 96)])
    assert [t.label for t in long.x_ticks] == [f"Jan {year}" for year in range(2022, 2030)]
    assert month_of(START, 9) == date(2022, 1, 1) and month_of(START, -4) == date(2020, 12, 1)


def test_targets_are_marked_and_labelled_and_those_beyond_the_chart_are_listed():
    targets = [
        TargetChance(8, 0.6, 0.72, None),
        TargetChance(2, 0.2, None, None),  # in the observed months: no forecast for it
        TargetChance(20, 0.9, None, None),  # beyond the chart
        TargetChance(6, 0.4, 0.9, 6),
    ]
    chart = fan_chart(START, OBSERVED, BANDS, targets)
    assert flat((m.x, m.y, m.label) for m in chart.targets) == close(
        [
            (x(2), y(0.2), "Target 20% by Jun 2021"),
            (x(6), y(0.4), "Target 40% by Oct 2021: 90% chance"),
            (x(8), y(0.6), "Target 60% by Dec 2021: 72% chance"),
        ]
    )
    first, middle, last = chart.targets
    assert (first.anchor, first.label_x, first.label_y) == ("start", pytest.approx(x(2) + 10), pytest.approx(270))
    assert (last.anchor, last.label_x) == ("end", pytest.approx(x(8) - 10))  # kept inside the right edge
    assert middle.anchor == "end"  # 34 characters would run past the edge
    assert last.path == "M736.0 146.0L742.0 152.0L736.0 158.0L730.0 152.0Z"
    assert chart.targets_outside == ["Target 90% by Dec 2022 (no forecast for that month)."]
    assert chart.description == (
        "Reach by month, Apr 2021 to Dec 2021. Observed: 30% in Aug 2021 (today). "
        "Forecast: median 50% in Dec 2021, 80% band 36% to 64%. "
        "Target 20% by Jun 2021 (no forecast for that month). "
        "Target 40% by Oct 2021: 90% chance; the median reaches it in Oct 2021. "
        "Target 60% by Dec 2021: 72% chance; the median does not reach it within the forecast. "
        "Target 90% by Dec 2022 (no forecast for that month)."
    )


def test_an_empty_forecast_draws_the_observed_line_alone_and_says_so():
    chart = fan_chart(START, OBSERVED, [], [TargetChance(8, 0.6, None, None)])
    assert chart.band == () and chart.median == () and chart.band_points == "" and chart.median_path == ""
    assert flat(chart.observed) == close([(56 + 170 * m, y(v)) for m, v in enumerate(OBSERVED)])
    assert chart.today == pytest.approx(736)
    assert chart.targets == [] and chart.targets_outside == ["Target 60% by Dec 2021 (no forecast for that month)."]
    assert chart.description.startswith(
        "Reach by month, Apr 2021 to Aug 2021. Observed: 30% in Aug 2021 (today). No forecast."
    )


def test_nothing_at_all_draws_the_axes_alone():
    chart = fan_chart(START, [], [])
    assert chart.observed == () and chart.band == () and chart.today is None and chart.x_ticks == []
    assert len(chart.y_ticks) == 6 and chart.description == "No reach to show."
    single = fan_chart(START, [0.4], [])
    assert flat(single.observed) == close([(396, y(0.4))])  # one month: in the middle


SVG = "{http://www.w3.org/2000/svg}"


def test_the_macro_draws_the_chart_as_scalable_svg_without_inline_styles(app):
    chart = fan_chart(START, OBSERVED, BANDS, [TargetChance(8, 0.6, 0.72, None)])
    template = app.jinja_env.from_string(
        '{% from "_macros/fan.html" import fan_svg, fan_legend %}{{ fan_svg(d, "fan", "Reach: RP & <all>") }}'
        "{{ fan_legend(d) }}"
    )
    html = template.render(d=chart)
    assert "style=" not in html and "<script" not in html
    svg = ET.fromstring(html[: html.index("</svg>") + 6])
    assert svg.get("viewBox") == "0 0 760 400" and svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "fan-title fan-desc"
    assert svg.find(f"{SVG}title").text == "Reach: RP & <all>"  # escaped, then read back
    assert svg.find(f"{SVG}desc").text == chart.description
    assert svg.find(f"{SVG}polygon[@class='app-fan__band']").get("points") == chart.band_points
    assert svg.find(f"{SVG}path[@class='app-fan__median']").get("d") == chart.median_path
    assert svg.find(f"{SVG}path[@class='app-fan__observed']").get("d") == chart.observed_path
    today = svg.find(f"{SVG}g[@class='app-fan__today']")
    assert today.find(f"{SVG}text").text == "Today" and float(today.find(f"{SVG}line").get("x1")) == pytest.approx(396)
    target = svg.find(f"{SVG}g[@class='app-fan__target']")
    assert target.find(f"{SVG}text").text == "Target 60% by Dec 2021: 72% chance"
    assert "80% band: shaded" in html and "Target: diamond" in html
    empty = app.jinja_env.from_string('{% from "_macros/fan.html" import fan_svg %}{{ fan_svg(d, "f", "t") }}')
    drawn = empty.render(d=fan_chart(START, OBSERVED, []))
    assert "app-fan__band" not in drawn and "app-fan__median" not in drawn and "app-fan__observed" in drawn
