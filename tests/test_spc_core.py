"""The SPC core against hand-worked XmR charts and NHSRplotthedots 0.2.2's own published tests.

Every expected number is written out. "By hand" means derived in the comment beside it (mean, moving ranges,
mean moving range AMR, limits mean ± 2.66 × AMR, two-sigma band mean ± 1.7733… × AMR); "reference" names the
testthat file of nhs-r-community/NHSRplotthedots the case comes from.
"""

from __future__ import annotations

import pytest

from tracker.core import spc as core
from tracker.core.spc import SHORT_GROUP_WARNING, spc


def near(x):
    return pytest.approx(x, rel=1e-12, abs=1e-12)


def rules(result):
    return [p.rule for p in result.points]


def types(result):
    return [p.point_type for p in result.points]


# 7 above the mean at indices 4..10. By hand: sum 0 so mean 0; moving ranges 1,1,1,2,1,1,1,1,1,1,2,1,1 sum 15
# over 13 so AMR 15/13 (all below 3.267 × 15/13 ≈ 3.77, none screened); UPL 2.66 × 15/13 = 3.0692307…,
# two sigma 1.7733… × 15/13 = 2.0461538…, so no value (at most 2) is close to a limit or beyond one.
SEVEN_ABOVE = [-2, -1, -2, -1, 1, 2, 1, 2, 1, 2, 1, -1, -2, -1]


def test_limits_by_hand():
    result = spc(SEVEN_ABOVE, improvement="increase")
    first = result.points[0]
    assert first.mean == 0
    assert first.upl == near(3.0692307692307692) and first.lpl == near(-3.0692307692307692)
    assert first.two_sigma_upper == near(2.0461538461538462) and first.two_sigma_lower == near(-2.0461538461538462)
    assert {(p.mean, p.lpl, p.upl) for p in result.points} == {(first.mean, first.lpl, first.upl)}


def test_seven_in_a_row_on_one_side_flags_all_seven():
    result = spc(SEVEN_ABOVE, improvement="increase")
    assert rules(result) == [None] * 4 + ["7 Points Above CL"] * 7 + [None] * 3
    assert types(result)[4:11] == ["special_cause_improvement"] * 7
    assert [p.special_cause for p in result.points] == [False] * 4 + [True] * 7 + [False] * 3
    assert types(spc(SEVEN_ABOVE, improvement="decrease"))[4] == "special_cause_concern"
    assert types(spc(SEVEN_ABOVE, improvement="neutral"))[4] == "special_cause_neutral_high"
    below = spc([-v for v in SEVEN_ABOVE], improvement="increase")
    assert rules(below)[4:11] == ["7 Points Below CL"] * 7
    assert types(below)[4] == "special_cause_concern"
    assert types(spc([-v for v in SEVEN_ABOVE]))[4] == "special_cause_neutral_low"


def test_six_in_a_row_on_one_side_is_common_cause():
    # By hand: sum -1 over 15, mean -1/15; moving ranges 1,1,1,2,1,1,1,1,1,3,1,1,0,2 = 17/14; UPL -1/15 + 2.66 ×
    # 17/14 = 3.1633333…; two sigma upper 2.0866666… > 2. Indices 4..9 are six above, then the run ends.
    values = [-2, -1, -2, -1, 1, 2, 1, 2, 1, 2, -1, -2, -1, -1, 1]
    result = spc(values, improvement="increase")
    assert result.points[0].mean == near(-1 / 15)
    assert result.points[0].upl == near(3.1633333333333336)
    assert result.points[0].two_sigma_upper == near(2.086666666666667)
    assert rules(result) == [None] * 15


def test_a_point_on_the_mean_breaks_the_run():
    # By hand: SEVEN_ABOVE with indices 10 and 11 set to 0: sum still 0, mean 0, moving ranges still sum 15
    # over 13. Index 10 sits on the mean (side 0), so the run above is indices 4..9, six points.
    values = [-2, -1, -2, -1, 1, 2, 1, 2, 1, 2, 0, 0, -2, -1]
    result = spc(values, improvement="increase")
    assert result.points[0].mean == 0 and result.points[0].upl == near(3.0692307692307692)
    assert rules(result) == [None] * 14


# Trends. By hand for TREND: mean 52/14 = 3.7142857…; moving ranges 8,8,8,7,1,1,1,1,1,1,7,8,8 = 60/13;
# LPL 3.7142857 - 2.66 × 60/13 = -8.5626373…, UPL 15.9912087…, two sigma -4.4703296…, 11.8989010…: no value
# is close to a limit. Sides: 4, 5, 6, 7 above the mean (indices 7..10) are only four in a row.
TREND = [0, 8, 0, 8, 1, 2, 3, 4, 5, 6, 7, 0, 8, 0]


def test_seven_rising_points_are_a_trend():
    result = spc(TREND, improvement="increase")
    assert result.points[0].mean == near(52 / 14)
    assert result.points[0].lpl == near(-8.56263736263736) and result.points[0].upl == near(15.991208791208791)
    assert rules(result) == [None] * 4 + ["7 Point Trend (Increasing)"] * 7 + [None] * 3
    assert types(result)[4:11] == ["special_cause_improvement"] * 7
    assert types(spc(TREND, improvement="decrease"))[4:11] == ["special_cause_concern"] * 7


def test_six_rising_points_are_not_a_trend():
    assert rules(spc([0, 8, 0, 8, 1, 2, 3, 4, 5, 6, 0, 8, 0, 8])) == [None] * 14


def test_a_tie_breaks_a_trend():
    # 1, 2, 3, 3, 4, 5, 6: seven points but the repeated 3 is not higher than the one before.
    assert rules(spc([0, 8, 0, 8, 1, 2, 3, 3, 4, 5, 6, 0, 8, 0])) == [None] * 14


def test_a_falling_trend_longer_than_seven_flags_every_point():
    # 8, 7, …, 1, 0 at indices 3..11: nine points each lower than the last.
    result = spc([0, 8, 0, 8, 7, 6, 5, 4, 3, 2, 1, 0, 8, 0], improvement="increase")
    assert rules(result) == [None] * 3 + ["7 Point Trend (Decreasing)"] * 9 + [None] * 2
    assert types(result)[3] == "special_cause_concern"
    assert types(spc([0, 8, 0, 8, 7, 6, 5, 4, 3, 2, 1, 0, 8, 0]))[3] == "special_cause_neutral_low"


def test_a_missing_value_breaks_a_trend():
    assert rules(spc([0, 8, 0, 8, 1, 2, 3, None, 5, 6, 7, 0, 8, 0])) == [None] * 14


def test_two_of_three_close_to_a_limit_on_the_same_side():
    # By hand: mean (0 + 5.5 + 5.5 + 1 - 1) / 16 = 0.6875; moving ranges eleven 2s, 6.5, 0, 4.5, 2 = 35/15 = 7/3
    # (3.267 × 7/3 = 7.623: none screened); two sigma upper 0.6875 + 1.7733… × 7/3 = 4.8252777…, UPL
    # 6.8941666…: both 5.5s are between, and with the 1 after them all three are above the mean.
    values = [1, -1] * 6 + [5.5, 5.5, 1, -1]
    result = spc(values, improvement="increase")
    assert result.points[0].mean == 0.6875
    assert result.points[0].two_sigma_upper == near(4.825277777777778)
    assert result.points[0].upl == near(6.894166666666667)
    assert rules(result) == [None] * 12 + ["2 in 3 Above CL"] * 2 + [None] * 2
    assert types(result)[12] == "special_cause_improvement"


def test_two_close_points_on_opposite_sides_are_common_cause():
    # Reference (test-ptd_spc_standard.R, "only reports special cause for 2of3 … same side of the mean"):
    # 1, -1 alternating, the last two 5.5 and -5.5: both common cause. By hand: mean 0; moving ranges thirteen
    # 2s, 6.5, 11; AMR 43.5/15 = 2.9, 11 ≥ 3.267 × 2.9 is screened, AMR 32.5/14; two sigma ±4.1166666…,
    # limits ±6.175: both points are close, on opposite sides.
    result = spc([1, -1] * 7 + [5.5, -5.5])
    assert result.points[0].upl == near(6.175) and result.points[0].two_sigma_upper == near(4.116666666666667)
    assert types(result)[-2:] == ["common_cause", "common_cause"]


def test_two_in_three_needs_all_three_on_one_side_as_the_reference_does():
    # Reference (test-ptd_calculate_point_type.R, ptd_two_in_three): closeness vectors with the sides of the mean.
    assert core._two_in_three([True, False, True], [1, 1, 1]) == [True, False, True]
    assert core._two_in_three([True, False, True], [1, -1, 1]) == [False] * 3
    assert core._two_in_three([False, True, True], [1, -1, 1]) == [False] * 3
    assert (
        core._two_in_three([False, False, True, False, True, False, False], [1] * 7)
        == [False] * 2
        + [
            True,
            False,
            True,
        ]
        + [False] * 2
    )
    assert core._two_in_three([True, False, False, True], [1] * 4) == [False] * 4
    assert core._two_in_three([True, False, False, True, True], [1] * 5) == [False] * 3 + [True, True]


def test_the_reference_run_helpers():
    # Reference (test-ptd_calculate_point_type.R): ptd_seven_point_trend and ptd_seven_point_one_side_mean.
    assert core._trend_ends([1, 2, 3, 4, 5, 6]) == [0] * 6
    assert core._trend_ends([1, 2, 3, 3, 4, 5, 6]) == [0] * 7
    assert core._trend_ends([1, 2, 3, 4, 5, 6, 7]) == [0] * 6 + [1]
    assert core._trend_ends([2, 1, 2, 3, 4, 5, 6, 7, 3]) == [0] * 7 + [1, 0]
    assert core._trend_ends([7, 6, 5, 4, 3, 2, 1]) == [0] * 6 + [-1]
    assert core._trend_ends([2, 7, 6, 5, 4, 3, 2, 1, 3]) == [0] * 7 + [-1, 0]
    assert core._side_ends([1] * 6) == [False] * 6
    assert core._side_ends([1] * 6 + [-1]) == [False] * 7
    assert core._side_ends([1] * 8 + [-1]) == [False] * 6 + [True, True, False]
    assert core._side_ends([-1] * 8 + [1]) == [False] * 6 + [True, True, False]
    # ptd_part_of_seven_trend: a flagged end marks it and the six before it.
    assert core._runs([False] * 6 + [True, False], 7) == [True] * 7 + [False]
    assert core._runs([False] * 7 + [True, False], 7) == [False] + [True] * 7 + [False]


# Beyond a limit and screening. By hand: mean 23/12 = 1.9166…; 0s below and 2s above alternate, so no run;
# moving ranges nine 2s, 1, 11: AMR 30/11 = 2.7272…; screened: 11 ≥ 3.267 × 30/11 = 8.91, so AMR 19/10 = 1.9,
# limits 23/12 ± 2.66 × 1.9 = -3.1373333…, 6.9706666…, two sigma -1.4526666…, 5.2859999… (0 and 2 not close).
# Unscreened: limits 23/12 ± 2.66 × 30/11 = -5.3378787…, 9.1712121…; 12 is above either UCL.
SPIKE = [0, 2] * 5 + [1, 12]


def test_a_point_beyond_a_limit_with_screening_on():
    result = spc(SPIKE, improvement="increase")
    assert result.points[0].mean == near(23 / 12)
    assert result.points[0].lpl == near(-3.1373333333333333) and result.points[0].upl == near(6.970666666666667)
    assert result.points[0].two_sigma_lower == near(-1.4526666666666666)
    assert result.points[0].two_sigma_upper == near(5.286)
    assert rules(result) == [None] * 11 + ["Above UCL"]
    assert result.variation_icon == "improvement_high"


def test_screening_off_keeps_the_large_moving_range():
    result = spc(SPIKE, improvement="increase", screen_outliers=False)
    assert result.points[0].lpl == near(-5.337878787878788) and result.points[0].upl == near(9.171212121212122)
    assert rules(result)[-1] == "Above UCL"


def test_the_variation_icon_reads_the_last_point_by_direction():
    low = [-v for v in SPIKE]
    assert spc(SPIKE, improvement="decrease").variation_icon == "concern_high"
    assert spc(SPIKE).variation_icon == "neutral_high"
    assert spc(low, improvement="increase").variation_icon == "concern_low"
    assert spc(low, improvement="decrease").variation_icon == "improvement_low"
    assert spc(low).variation_icon == "neutral_low"
    assert spc(SEVEN_ABOVE, improvement="increase").variation_icon == "common_cause"
    assert spc([]).variation_icon is None and spc([]).points == ()


# Assurance. By hand: 1, -1 × 6: mean 0, AMR 2, limits ±5.32 exactly (2.66 × 2 is exact in binary).
STEADY = [1, -1] * 6


def test_assurance_from_the_target_against_the_limits():
    assert spc(STEADY, improvement="increase", target=5.32).points[0].upl == 5.32
    assert spc(STEADY, improvement="increase", target=5.32).assurance_icon == "inconsistent"  # on the limit
    assert spc(STEADY, improvement="increase", target=-5.32).assurance_icon == "inconsistent"
    assert spc(STEADY, improvement="increase", target=5.33).assurance_icon == "fail"
    assert spc(STEADY, improvement="decrease", target=5.33).assurance_icon == "pass"
    assert spc(STEADY, improvement="increase", target=-5.33).assurance_icon == "pass"
    assert spc(STEADY, improvement="decrease", target=-5.33).assurance_icon == "fail"
    assert spc(STEADY, improvement="increase", target=0).assurance_icon == "inconsistent"
    assert spc(STEADY, improvement="neutral", target=9).assurance_icon is None
    assert spc(STEADY, improvement="increase").assurance_icon is None


def test_a_constant_series_has_no_limits_when_screened():
    # By hand: moving ranges all 0, AMR 0; screening keeps only ranges below 3.267 × 0, i.e. none, so no AMR.
    result = spc([5] * 12, improvement="increase", target=6)
    assert {(p.mean, p.lpl, p.upl, p.two_sigma_lower, p.two_sigma_upper) for p in result.points} == {
        (5, None, None, None, None)
    }
    assert set(types(result)) == {"common_cause"}
    assert result.variation_icon == "common_cause" and result.assurance_icon == "inconsistent"


def test_a_constant_series_unscreened_has_limits_on_its_mean():
    result = spc([5] * 12, improvement="increase", target=6, screen_outliers=False)
    assert {(p.lpl, p.upl, p.two_sigma_lower, p.two_sigma_upper) for p in result.points} == {(5, 5, 5, 5)}
    assert set(types(result)) == {"common_cause"}  # every point is on the mean: no side, no run
    assert result.assurance_icon == "fail"


def test_missing_values_are_left_out_and_break_moving_ranges():
    # By hand: present values sum 1 over 11, mean 1/11; moving ranges 2, 2, then none either side of the gap
    # (1 → 1 across it would have been 0), then seven 2s: AMR 2. The missing point keeps its group's limits.
    values = [1, -1, 1, None, 1, -1, 1, -1, 1, -1, 1, -1]
    result = spc(values, improvement="increase")
    gap = result.points[3]
    assert gap.value is None and gap.mean == near(1 / 11) and gap.upl == near(1 / 11 + 5.32)
    assert gap.point_type == "common_cause" and not gap.special_cause
    assert set(types(result)) == {"common_cause"}
    nothing = spc([None, None, None])
    assert {(p.mean, p.lpl, p.upl) for p in nothing.points} == {(None, None, None)}
    assert nothing.variation_icon == "common_cause"


def test_a_single_point_has_a_mean_but_no_limits():
    (point,) = spc([3.5]).points
    assert (point.mean, point.lpl, point.upl, point.point_type) == (3.5, None, None, "common_cause")


def test_a_rebase_mid_run_splits_the_run_and_the_limits():
    # By hand: SEVEN_ABOVE rebased at index 7. Group 0 = -2,-1,-2,-1,1,2,1: mean -2/7, moving ranges 1,1,1,2,1,1
    # = 7/6, limits -2/7 ± 2.66 × 7/6. Group 1 = 2,1,2,1,-1,-2,-1: mean 2/7, AMR 7/6. The seven above the old
    # mean now fall into two groups, three and four: no run. Both groups are short (7 < 12).
    result = spc(SEVEN_ABOVE, improvement="increase", rebase_at=[7])
    first, second = result.points[0], result.points[7]
    assert first.mean == near(-2 / 7) and first.upl == near(-2 / 7 + 2.66 * 7 / 6)
    assert second.mean == near(2 / 7) and second.lpl == near(2 / 7 - 2.66 * 7 / 6)
    assert [p.group for p in result.points] == [0] * 7 + [1] * 7
    assert rules(result) == [None] * 14
    assert result.warnings == (SHORT_GROUP_WARNING,)
    assert all(p.short_group for p in result.points)


def test_short_group_warnings_at_the_boundary():
    # Reference (test-ptd_add_short_group_warnings.R): 11 points warn, 12 do not.
    assert spc(STEADY[:11]).warnings == (SHORT_GROUP_WARNING,)
    assert spc(STEADY).warnings == ()
    assert not any(p.short_group for p in spc(STEADY).points)
    # a rebase at index 0 starts no new group
    assert spc(STEADY, rebase_at=[0]).warnings == ()
    rebased = spc(STEADY * 2 + [1, -1, 1], rebase_at=[24])
    assert [p.short_group for p in rebased.points] == [False] * 24 + [True] * 3


def test_fix_after_n_points_takes_limits_from_the_first_n():
    # By hand: the first 12 (1, -1 × 6) give mean 0, AMR 2, limits ±5.32; 10 is then above the UCL. Unfixed,
    # the mean is 10/14 and the moving ranges include 11 and 10.
    values = STEADY + [10, 0]
    fixed = spc(values, improvement="increase", fix_after=12)
    assert {(p.mean, p.lpl, p.upl) for p in fixed.points} == {(0, -5.32, 5.32)}
    assert rules(fixed)[-2:] == ["Above UCL", None]
    unfixed = spc(values, improvement="increase")
    assert unfixed.points[0].mean == near(10 / 14)


def test_fix_after_applies_within_each_group():
    # By hand: group 1 = 0, 10, 0, 10 … (12 points, AMR 10, mean 5) then 100: limits 5 ± 26.6, 100 beyond.
    values = STEADY + [0, 10] * 6 + [100]
    result = spc(values, improvement="increase", fix_after=12, rebase_at=[12])
    assert result.points[12].mean == 5 and result.points[12].upl == near(31.6)
    assert result.points[-1].rule == "Above UCL"


def test_the_reference_snapshot_of_twenty_normal_values():
    # Reference (_snaps/ptd_spc_standard.md and _snaps/ptd_spc.md): rnorm(20) after set.seed(123), printed to three figures:
    # mean 0.142, LPL -3.01, UPL 3.29. The values are R's, as printed to eight places.
    values = [
        -0.56047565,
        -0.23017749,
        1.55870831,
        0.07050839,
        0.12928774,
        1.71506499,
        0.46091621,
        -1.26506123,
        -0.68685285,
        -0.44566197,
        1.22408180,
        0.35981383,
        0.40077145,
        0.11068272,
        -0.55584113,
        1.78691314,
        0.49785048,
        -1.96661716,
        0.70135590,
        -0.47279168,
    ]
    result = spc(values, improvement="increase", target=0.5)
    point = result.points[0]
    assert round(point.mean, 3) == 0.142
    assert round(point.lpl, 2) == -3.01 and round(point.upl, 2) == 3.29
    # _snaps/ptd_spc.md: all 20 common cause; the two facets of ten (here two groups) 0.0746, -2.60, 2.75 and
    # 0.209, -3.28, 3.70, again all common cause.
    assert set(types(result)) == {"common_cause"} and result.variation_icon == "common_cause"
    assert result.assurance_icon == "inconsistent"
    halves = spc(values, improvement="increase", rebase_at=[10])
    first, second = halves.points[0], halves.points[10]
    assert (round(first.mean, 4), round(first.lpl, 2), round(first.upl, 2)) == (0.0746, -2.60, 2.75)
    assert (round(second.mean, 3), round(second.lpl, 2), round(second.upl, 2)) == (0.209, -3.28, 3.70)
    assert set(types(halves)) == {"common_cause"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"improvement": "up"}, "improvement"),
        ({"fix_after": 11}, "at least 12"),
        ({"fix_after": 12.5}, "whole number"),
        ({"rebase_at": [12]}, "rebase"),
        ({"rebase_at": [-1]}, "rebase"),
    ],
)
def test_bad_options_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        spc(STEADY, **kwargs)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "1", True])
def test_bad_values_are_refused(value):
    with pytest.raises(ValueError, match="finite number"):
        spc([1, value, 2])


def test_rule_priority_and_the_direction_of_a_point_between_two_trends():
    # By hand: 1..7 then 7..13: mean 98/14 = 7; moving ranges six 1s, 0, six 1s = 12/13 (none screened);
    # limits 7 ± 2.66 × 12/13 = 4.5446153…, 9.4553846…; two sigma 5.3630769…, 8.6369230…
    # 1-4 are below the LCL and 10-13 above the UCL: beyond a limit outranks the two rising trends they are
    # part of. 5 and 9 are close to a limit, but a trend outranks 2 in 3. The reference reads a trend
    # point's direction towards the next point when that is in a trend too: the first 7 is followed by the
    # tie 7 → 7, so it reads "Decreasing" (a concern when increase is better), as NHSRplotthedots 0.2.2 does.
    values = [1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13]
    result = spc(values, improvement="increase")
    assert result.points[0].mean == 7
    assert result.points[0].lpl == near(4.544615384615385) and result.points[0].upl == near(9.455384615384615)
    up, down = "7 Point Trend (Increasing)", "7 Point Trend (Decreasing)"
    assert rules(result) == ["Below LCL"] * 4 + [up, up, down, up, up, up] + ["Above UCL"] * 4
    assert (
        types(result)
        == ["special_cause_concern"] * 4
        + ["special_cause_improvement"] * 2
        + ["special_cause_concern"]
        + ["special_cause_improvement"] * 7
    )
    assert result.variation_icon == "improvement_high"


def _last(lpl, upl):
    return core.SpcPoint(0.0, (lpl + upl) / 2, lpl, upl, None, None, False, "common_cause", None)


def test_assurance_matches_the_reference_cases():
    # Reference (test-ptd_calculate_assurance_type.R): target 4 against limits (1, 3), (5, 7), (1, 5).
    cases = [_last(1, 3), _last(5, 7), _last(1, 5)]
    assert [core.assurance_icon(p, "increase", 4) for p in cases] == ["fail", "pass", "inconsistent"]
    assert [core.assurance_icon(p, "decrease", 4) for p in cases] == ["pass", "fail", "inconsistent"]
    assert [core.assurance_icon(p, "neutral", 4) for p in cases] == [None] * 3


def test_assurance_reads_the_last_groups_limits():
    # By hand: group 0 is STEADY (limits ±5.32); group 1 is 20, 22 × 6: mean 21, AMR 2, limits 15.68, 26.32.
    # Target 10 is inside group 0's limits but below group 1's: a pass when increase is better.
    result = spc(STEADY + [20, 22] * 6, improvement="increase", target=10, rebase_at=[12])
    assert result.points[-1].lpl == near(15.68) and result.points[-1].upl == near(26.32)
    assert result.assurance_icon == "pass"
    assert spc(STEADY + [20, 22] * 6, improvement="increase", target=10, rebase_at=[12]).warnings == ()


def test_two_in_three_outranks_a_run_on_one_side():
    # By hand: sum 0, mean 0; moving ranges 2,2,2,2,1,1,0,2,1,1,2,2,2 = 20/13 (none screened); limits
    # ±2.66 × 20/13 = ±4.0923076…, two sigma ±1.7733… × 20/13 = ±2.7282051…: the 3s and -3s are close.
    # -3, -1, -3 at 0..2 are all below with two close: 2 in 3 on the close ones. Indices 4..10 are seven above,
    # but the two 3s at 6 and 7 report 2 in 3, which comes first. The -3 at 12 has no close partner.
    values = [-3, -1, -3, -1, 1, 2, 3, 3, 1, 2, 1, -1, -3, -1]
    result = spc(values, improvement="increase")
    assert result.points[0].mean == 0 and result.points[0].upl == near(4.092307692307693)
    assert result.points[0].two_sigma_lower == near(-2.7282051282051283)
    above, below, run = "2 in 3 Above CL", "2 in 3 Below CL", "7 Points Above CL"
    assert rules(result) == [below, None, below, None, run, run, above, above, run, run, run, None, None, None]
    assert types(result)[:3] == ["special_cause_concern", "common_cause", "special_cause_concern"]
