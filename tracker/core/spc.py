"""XmR statistical process control the "Making Data Count" way, as NHSRplotthedots 0.2.2 computes it.

Plain data in and out (values by index, no dates, no Flask, no database). Written from what the NHS-R
reference implementation does (`ptd_spc_standard`, `ptd_calculate_point_type`, `ptd_add_short_group_warnings`,
`ptd_calculate_assurance_type`, the icon code in `geom_ptd_icon`); each choice below says what it does and
whether we follow it.

Limits (per group, see rebasing):
- mean = mean of the group's values (missing ones left out); moving ranges |x[i] - x[i-1]| between
  neighbours in the group, undefined when either is missing (a gap is not bridged) and for the first point;
  mean moving range (AMR) = their mean.
- Screening (reference default on, so ours too; NHS England's Excel tool has it off, so `screen_outliers=False`
  gives that): moving ranges not strictly below 3.267 × AMR are dropped and the AMR is taken again.
- Process limits mean ± 2.66 × AMR; the two-sigma band mean ± (2 × 2.66 / 3) × AMR.
- Fix after N (`fix_after`, at least 12 as the reference requires): only the first N points of each group
  feed the mean and the moving ranges; later points are judged against those limits.
- A limit that cannot be computed (no moving range at all: a single point, all values missing, or a constant
  series with screening on, where every moving range 0 is not below 3.267 × 0) is None. So a constant series
  screened has no limits; unscreened its limits equal its mean. The mean is None only with no value at all.
- Means are taken as R takes them (an accurate sum over n, refined once by the mean residual), so limits
  agree with the reference's to the last bit or so; the constants are R's (2.66, 2 × (2.66 / 3), 3.267).

Rules (within a group; a point beyond a limit is strictly above the upper or below the lower one):
1. a point beyond a process limit;
2. 7 or more points in a row each strictly higher (or lower) than the one before; a tie or a missing value
   breaks the run (where the reference would stop with an R error on a gap inside an otherwise monotone
   window we treat the window as no trend, which is what it yields for every gap it does not fail on);
3. 2 of 3 consecutive points strictly beyond the two-sigma band but within the process limits (a point
   beyond a process limit does not count), all three points on the same side of the mean; only the close
   points themselves are flagged;
4. 7 or more points in a row on the same side of the mean; a point exactly on the mean breaks the run.
Every point of a qualifying run is flagged. Priority for the rule reported (the reference's labels):
beyond a limit ("Above UCL"/"Below LCL"), then trend ("7 Point Trend (Increasing|Decreasing)", a point on
two trends takes the direction towards the next point, so a tie between two rising runs reads "Decreasing"
as in the reference), then "2 in 3 Above|Below CL", then "7 Points Above|Below CL". `rule` is None for
common cause. A missing value, or a comparison with a limit that is None, never satisfies a rule.

Point types: the rule's side (Above/Increasing high, Below/Decreasing low) read against the improvement
direction: `special_cause_improvement` or `special_cause_concern` for increase/decrease, and
`special_cause_neutral_high`/`_low` for neutral; otherwise `common_cause`.

Rebasing (`rebase_at`, indices where a new group starts; index 0 changes nothing; the reference takes dates
and ignores one not in the data, we refuse an index outside the series): each group has its own limits and
rules, and each point carries its group's number and whether that group is short. A group of fewer than 12 points gets a short-group warning (the reference's message).
(Its 0.2.2 tests pin the threshold 12; one development version reads a default of 13 from an R option,
which we do not follow.)

Icons (from the last point of the series, that is of the last group):
- variation: its point type: `common_cause`, `neutral_high`/`neutral_low`, improvement →
  `improvement_high` (increase) / `improvement_low` (decrease), concern → `concern_low` (increase) /
  `concern_high` (decrease); None for an empty series.
- assurance, only with a target and a direction other than neutral, against the last point's limits: target
  strictly above the upper limit → `fail` if increase is better else `pass`; strictly below the lower limit
  → `pass` if increase else `fail`; otherwise (on a limit, between them, or limits None) `inconsistent`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NamedTuple

LIMIT = 2.66
CLOSE = 2 * (LIMIT / 3)  # the two-sigma band, computed as the reference does
SCREEN = 3.267
RUN = 7
SHORT_GROUP = 12
MIN_FIX_AFTER = 12
DIRECTIONS = {"increase": 1, "neutral": 0, "decrease": -1}
SHORT_GROUP_WARNING = (
    "Some groups have 'n < 12' observations. These have trial limits, which will be revised with each "
    "additional observation until 'n = fix_after_n_points' has been reached."
)


class SpcPoint(NamedTuple):  # not a dataclass: made several times faster, and a matrix of charts makes many
    value: float | None
    mean: float | None
    lpl: float | None
    upl: float | None
    two_sigma_lower: float | None
    two_sigma_upper: float | None
    special_cause: bool
    point_type: str
    rule: str | None
    group: int = 0
    short_group: bool = False


@dataclass(frozen=True)
class SpcResult:
    points: tuple[SpcPoint, ...]
    variation_icon: str | None
    assurance_icon: str | None
    warnings: tuple[str, ...]


def _mean(xs: Sequence[float]) -> float | None:
    """The mean as R takes it: an accurate sum divided by n, then one refinement by the mean residual."""
    if not xs:
        return None
    s = math.fsum(xs) / len(xs)
    return s + math.fsum([x - s for x in xs]) / len(xs)


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


@dataclass(frozen=True)
class Limits:
    mean: float | None
    amr: float | None

    def at(self, k: float) -> tuple[float | None, float | None]:
        if self.mean is None or self.amr is None:
            return None, None
        return self.mean - k * self.amr, self.mean + k * self.amr


def limits(values: Sequence[float | None], *, screen_outliers: bool = True) -> Limits:
    """Mean and mean moving range of one group's values (already cut to the first N when fixed)."""
    present = [v for v in values if v is not None]
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False) if a is not None and b is not None]
    amr = _mean(ranges)
    if screen_outliers and amr is not None:
        amr = _mean([r for r in ranges if r < SCREEN * amr])
    return Limits(_mean(present), amr)


def _runs(flags: Sequence[bool], length: int) -> list[bool]:
    """Each index that lies in some window of `length` consecutive indices whose last index is flagged."""
    part, left = [False] * len(flags), 0
    if not any(flags):
        return part
    for i in range(len(flags) - 1, -1, -1):  # from the end: a flagged index covers itself and length - 1 before it
        if flags[i]:
            left = length
        if left:
            part[i] = True
            left -= 1
    return part


def _trend_ends(values: Sequence[float | None]) -> list[int]:
    """+1/-1 at the last point of 7 in a row each higher/lower than the one before, else 0."""
    ends = [0] * len(values)
    run = last = 0  # how many steps in a row, ending here, go the same way (last) up or down
    for i in range(1, len(values)):
        a, b = values[i - 1], values[i]
        step = 0 if a is None or b is None else (b > a) - (b < a)  # a tie or a gap breaks the run
        run = 0 if not step else run + 1 if step == last else 1
        last = step
        if run >= RUN - 1:
            ends[i] = step
    return ends


def _side_ends(sides: Sequence[int | None]) -> list[bool]:
    """At the last point of 7 in a row on the same side of the mean (a point on it has side 0)."""
    ends, run, last = [], 0, None
    for side in sides:
        run = 0 if not side else run + 1 if side == last else 1
        last = side
        ends.append(run >= RUN)
    return ends


def _two_in_three(close: Sequence[bool], sides: Sequence[int | None]) -> list[bool]:
    """Close points in some 3 consecutive points, all on one side of the mean, with at least 2 close."""
    part = [False] * len(close)
    if sum(close) < 2:
        return part
    for start in range(len(close) - 2):
        side = sides[start]
        same_side = side in (1, -1) and side == sides[start + 1] == sides[start + 2]
        if same_side and close[start] + close[start + 1] + close[start + 2] >= 2:
            for i in range(start, start + 3):
                part[i] = part[i] or close[i]
    return part


def _label(high: bool, up: str, down: str) -> str:
    return up if high else down


def rules(values: Sequence[float | None], group: Limits) -> list[str | None]:
    """The rule each point of one group shows, by the reference's priority; None for common cause."""
    lpl, upl = group.at(LIMIT)
    nlpl, nupl = group.at(CLOSE)
    mean = group.mean
    sides = [None if v is None or mean is None else (v > mean) - (v < mean) for v in values]
    outside = [v is not None and upl is not None and (v > upl or v < lpl) for v in values]
    close = [
        v is not None and nupl is not None and not out and (v < nlpl or v > nupl)
        for v, out in zip(values, outside, strict=True)
    ]
    trend = _runs([end != 0 for end in _trend_ends(values)], RUN)
    two = _two_in_three(close, sides)
    side_run = _runs(_side_ends(sides), RUN)
    n = len(values)
    found: list[str | None] = []
    for i in range(n):
        if outside[i]:
            found.append(_label(sides[i] == 1, "Above UCL", "Below LCL"))
        elif trend[i]:
            # towards the next point when that is in a trend too, else from the previous one
            a, b = (i, i + 1) if i + 1 < n and trend[i + 1] else (i - 1, i)
            rising = a >= 0 and _sign(values[b] - values[a]) == 1
            found.append(f"7 Point Trend ({_label(rising, 'In', 'De')}creasing)")
        elif two[i]:
            found.append(f"2 in 3 {_label(sides[i] > 0, 'Above', 'Below')} CL")
        elif side_run[i]:
            found.append(f"7 Points {_label(sides[i] > 0, 'Above', 'Below')} CL")
        else:
            found.append(None)
    return found


def point_type(rule: str | None, direction: int) -> str:
    if rule is None:
        return "common_cause"
    high = 1 if ("Above" in rule or "Increasing" in rule) else -1
    if direction == 0:
        return "special_cause_neutral_high" if high > 0 else "special_cause_neutral_low"
    return "special_cause_improvement" if high * direction > 0 else "special_cause_concern"


def variation_icon(last_type: str, improvement: str) -> str:
    if last_type == "special_cause_improvement":
        return "improvement_high" if improvement == "increase" else "improvement_low"
    if last_type == "special_cause_concern":
        return "concern_low" if improvement == "increase" else "concern_high"
    return last_type.removeprefix("special_cause_")


def assurance_icon(last: SpcPoint, improvement: str, target: float | None) -> str | None:
    if target is None or improvement == "neutral":
        return None
    increasing = improvement == "increase"
    if last.upl is not None and target > last.upl:
        return "fail" if increasing else "pass"
    if last.lpl is not None and target < last.lpl:
        return "pass" if increasing else "fail"
    return "inconsistent"


def _groups(n: int, rebase_at: Collection[int]) -> list[range]:
    for i in rebase_at:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
            raise ValueError(f"rebase index {i!r} is not a point of the series")
    if not n:
        return []
    starts = sorted({0, *rebase_at})
    return [range(a, b) for a, b in zip(starts, [*starts[1:], n], strict=True)]


_FLOAT_OR_GAP = {float, type(None)}
# A named tuple's own __new__ is a Python function; a matrix of charts makes tens of thousands of points.
_point = tuple.__new__


def _check(values: Sequence[float | None], improvement: str, fix_after: int | None) -> list[float | None]:
    if improvement not in DIRECTIONS:
        raise ValueError(f"improvement must be one of {', '.join(DIRECTIONS)}")
    if fix_after is not None and (isinstance(fix_after, bool) or not isinstance(fix_after, int)):
        raise ValueError("fix_after must be a whole number")
    if fix_after is not None and fix_after < MIN_FIX_AFTER:
        raise ValueError(f"fix_after must be at least {MIN_FIX_AFTER}")
    # The common case at C speed: floats and gaps only, and a finite sum (so no inf or nan among them).
    if set(map(type, values)) <= _FLOAT_OR_GAP and math.isfinite(sum(filter(None, values))):
        return list(values)
    cleaned = []
    for v in values:
        if v is None:
            cleaned.append(None)
            continue
        if type(v) not in (float, int) and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise ValueError(f"value {v!r} is not a finite number")
        v = float(v)
        if not math.isfinite(v):
            raise ValueError(f"value {v!r} is not a finite number")
        cleaned.append(v)
    return cleaned


def spc(
    values: Sequence[float | None],
    *,
    improvement: str = "neutral",
    target: float | None = None,
    fix_after: int | None = None,
    rebase_at: Collection[int] = (),
    screen_outliers: bool = True,
) -> SpcResult:
    """The XmR chart of the values in order: one point each, the icons and any warnings."""
    values = _check(values, improvement, fix_after)
    direction = DIRECTIONS[improvement]
    points: list[SpcPoint] = []
    short = False
    for number, span in enumerate(_groups(len(values), rebase_at)):
        group_values = values[span.start : span.stop]
        basis = group_values[:fix_after] if fix_after is not None else group_values
        group = limits(basis, screen_outliers=screen_outliers)
        lpl, upl = group.at(LIMIT)
        nlpl, nupl = group.at(CLOSE)
        is_short = len(span) < SHORT_GROUP
        short = short or is_short
        for value, rule in zip(group_values, rules(group_values, group), strict=True):
            kind = "common_cause" if rule is None else point_type(rule, direction)
            points.append(
                _point(
                    SpcPoint, (value, group.mean, lpl, upl, nlpl, nupl, rule is not None, kind, rule, number, is_short)
                )
            )
    last = points[-1] if points else None
    return SpcResult(
        points=tuple(points),
        variation_icon=None if last is None else variation_icon(last.point_type, improvement),
        assurance_icon=None if last is None else assurance_icon(last, improvement, target),
        warnings=(SHORT_GROUP_WARNING,) if short else (),
    )
