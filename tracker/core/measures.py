"""Monthly measure values into the series an SPC chart draws: plain data in, plain data out.

A value is a month's numerator and, for a rate, denominator, recorded for an organisation as a whole
or for one of its wards. The rules, each in one place:
- An organisation's month is its whole-organisation value when one is recorded, else the sum of its
  wards' values that month (a trust that records per ward need not also record the total).
- A network's or the collaborative's month sums numerators and denominators over its organisations'
  months, so a rate is pooled (total incidents over total bed days), never an average of rates.
- The plotted value is numerator × scale / denominator for a rate, the numerator for a count; a rate's
  month without a denominator is missing.
- A series runs month by month from its first month with a value to its last (or over the months
  asked for); a month with no value is a gap, which the SPC core never bridges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import NamedTuple


# Named tuples, not dataclasses: a matrix of charts makes one of each per stored value, and these are
# made several times faster (tracker.measures.summary, bench/measures_summary.py).
class Recorded(NamedTuple):
    """One stored value: for organisation_id as a whole when ward_id is None, else for that ward."""

    organisation_id: int
    ward_id: int | None
    month: date
    numerator: float
    denominator: float | None


class Month(NamedTuple):
    """A month's totals."""

    numerator: float
    denominator: float | None


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def months_from(start: date, end: date) -> list[date]:
    """The first days of the months from start's to end's, both included."""
    return list(_months(first_of_month(start), first_of_month(end)))


@lru_cache(maxsize=1024)
def _months(start: date, end: date) -> tuple[date, ...]:
    # Kept: a matrix of charts asks for the same spans again and again.
    months, month = [], start
    while month <= end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return tuple(months)


def _add(a: Month | None, b: Month) -> Month:
    if a is None:
        return b
    denominator = None if a.denominator is None or b.denominator is None else a.denominator + b.denominator
    return Month(a.numerator + b.numerator, denominator)


_month = tuple.__new__  # a named tuple's own __new__ is a Python function: one Month is made per value


def organisation_months(values: Iterable[Recorded]) -> dict[int, dict[date, Month]]:
    """Each organisation's months: its whole-organisation value, or else the sum of its wards'."""
    whole: dict[int, dict[date, Month]] = defaultdict(dict)
    wards: dict[int, dict[date, Month | None]] = defaultdict(dict)
    for organisation_id, ward_id, day, numerator, denominator in values:  # a Recorded is a tuple: unpacked at C speed
        month = _month(Month, (numerator, denominator))
        if ward_id is None:
            whole[organisation_id][day] = month
        else:
            wards[organisation_id][day] = _add(wards[organisation_id].get(day), month)
    result: dict[int, dict[date, Month]] = {}
    for organisation_id in whole.keys() | wards.keys():
        months = {m: t for m, t in wards.get(organisation_id, {}).items() if t is not None}
        months.update(whole.get(organisation_id, {}))
        result[organisation_id] = months
    return result


def pooled(organisations: Iterable[dict[date, Month]]) -> dict[date, Month]:
    """Several organisations' months summed month by month (a network, the collaborative)."""
    total: dict[date, Month] = {}
    for months in organisations:
        for month, value in months.items():
            total[month] = _add(total.get(month), value)
    return total


def plotted(value: Month | None, scale: int, is_rate: bool) -> float | None:
    """The value drawn for a month: a rate per scale, or the count; None when it cannot be."""
    return values_of([value], scale, is_rate)[0]


def values_of(totals: Iterable[Month | None], scale: int, is_rate: bool) -> list[float | None]:
    """The values drawn for months' totals, the rule in one place: a count is its numerator; a rate is
    numerator × scale / denominator, and missing without a denominator. Written as one comprehension,
    as a matrix of charts draws tens of thousands of months."""
    if not is_rate:
        return [None if t is None else t[0] for t in totals]
    return [None if t is None or not t[1] else t[0] * scale / t[1] for t in totals]


def series(
    months: dict[date, Month], scale: int, is_rate: bool, span: tuple[date, date] | None = None
) -> tuple[list[date], list[float | None]]:
    """The months of a chart and the value of each (None for a gap): over span when given, else from
    the first month with a value to the last. Empty when there is nothing to draw."""
    if span is None:
        if not months:
            return [], []
        span = (min(months), max(months))
    dates = months_from(*span)
    return dates, values_of(map(months.get, dates), scale, is_rate)
