"""The rules that turn stored monthly values into a chart's series (tracker.core.measures)."""

from __future__ import annotations

from datetime import date

from tracker.core.measures import Month, Recorded, months_from, organisation_months, plotted, pooled, series

JAN, FEB, MAR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)


def test_months_run_from_the_first_month_to_the_last_across_a_new_year():
    assert months_from(date(2023, 11, 17), date(2024, 2, 3)) == [
        date(2023, 11, 1),
        date(2023, 12, 1),
        JAN,
        FEB,
    ]


def test_an_organisations_month_is_its_whole_value_else_the_sum_of_its_wards():
    months = organisation_months(
        [
            Recorded(1, 10, JAN, 3, 300),
            Recorded(1, 11, JAN, 2, 200),
            Recorded(1, None, FEB, 9, 1000),  # the whole-organisation value wins over the wards'
            Recorded(1, 10, FEB, 1, 100),
            Recorded(2, None, JAN, 4, 400),
        ]
    )
    assert months == {1: {JAN: Month(5, 500), FEB: Month(9, 1000)}, 2: {JAN: Month(4, 400)}}


def test_a_network_pools_numerators_and_denominators_not_rates():
    total = pooled([{JAN: Month(1, 100)}, {JAN: Month(9, 900), FEB: Month(2, 50)}])
    assert total == {JAN: Month(10, 1000), FEB: Month(2, 50)}
    # 10 per 1,000 bed days pooled; the average of the two rates would also be 10 here, but not in February.
    assert plotted(total[JAN], 1000, True) == 10.0
    assert plotted(total[FEB], 1000, True) == 40.0


def test_a_count_is_its_numerator_and_a_rate_without_a_denominator_is_missing():
    assert plotted(Month(7, None), 1, False) == 7
    assert plotted(Month(7, None), 1000, True) is None
    assert plotted(None, 1, False) is None
    assert pooled([{JAN: Month(1, None)}, {JAN: Month(2, 100)}]) == {JAN: Month(3, None)}


def test_a_series_has_a_gap_for_a_month_without_a_value():
    dates, values = series({JAN: Month(2, 1000), MAR: Month(3, 1500)}, 1000, True)
    assert dates == [JAN, FEB, MAR]
    assert values == [2.0, None, 2.0]
    assert series({}, 1, False) == ([], [])
    assert series({FEB: Month(4, None)}, 1, False, (JAN, FEB)) == ([JAN, FEB], [None, 4])


def test_a_series_draws_each_month_as_plotted_draws_it():
    months = {JAN: Month(2, 1000), FEB: Month(5, None), MAR: Month(0, 400)}
    for is_rate in (True, False):
        dates, values = series(months, 1000, is_rate)
        assert values == [plotted(months.get(m), 1000, is_rate) for m in dates]
    assert series(months, 1000, True)[1] == [2.0, None, 0.0]
    assert series(months, 1000, False)[1] == [2, 5, 0]
