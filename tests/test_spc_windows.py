"""The SPC core's run-counting helpers against the plain window-by-window definitions their docstrings
give: they count runs in one pass (for the summary matrix's speed), and must flag exactly what the
windows do, ties, gaps and points on the mean included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.core import spc

RUN = spc.RUN
values = st.lists(st.one_of(st.none(), st.integers(0, 4).map(float)), max_size=40)  # ties and gaps aplenty
sides = st.lists(st.sampled_from([None, -1, 0, 1]), max_size=40)
flags = st.lists(st.booleans(), max_size=40)


def sign(x: float) -> int:
    return (x > 0) - (x < 0)


@settings(max_examples=400, derandomize=True)
@given(flags, st.integers(1, 8))
def test_runs_flag_every_index_of_a_window_ending_at_a_flag(marks, length):
    expected = [any(marks[i : i + length]) for i in range(len(marks))]
    assert spc._runs(marks, length) == expected


@settings(max_examples=400, derandomize=True)
@given(values)
def test_trend_ends_are_the_ends_of_seven_strictly_rising_or_falling_points(xs):
    expected = []
    for end in range(len(xs)):
        window = xs[end - RUN + 1 : end + 1] if end >= RUN - 1 else []
        steps = (
            {sign(b - a) for a, b in zip(window, window[1:], strict=False)} if window and None not in window else set()
        )
        expected.append(steps.pop() if steps in ({1}, {-1}) else 0)
    assert spc._trend_ends(xs) == expected


@settings(max_examples=400, derandomize=True)
@given(sides)
def test_side_ends_are_the_ends_of_seven_points_on_one_side_of_the_mean(ss):
    expected = [
        end >= RUN - 1 and ss[end] not in (None, 0) and all(s == ss[end] for s in ss[end - RUN + 1 : end])
        for end in range(len(ss))
    ]
    assert spc._side_ends(ss) == expected


@settings(max_examples=400, derandomize=True)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from([None, -1, 0, 1])), max_size=40))
def test_two_in_three_flags_the_close_points_of_windows_on_one_side(pairs):
    close, ss = [c for c, _ in pairs], [s for _, s in pairs]
    expected = [False] * len(pairs)
    for start in range(len(pairs) - 2):
        window = range(start, start + 3)
        if sum(close[i] for i in window) >= 2 and {ss[i] for i in window} in ({1}, {-1}):
            for i in window:
                expected[i] = expected[i] or close[i]
    assert spc._two_in_three(close, ss) == expected
