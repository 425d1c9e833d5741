"""Which months a ward can have values for: plain dates in, plain dates out.

A value is a month's (its first day). A ward has a month when it was open on at least one day of it
(Ward.is_open_on, the organisations' rule): from the month it opened, up to but not including the
month it closed when it closed on the first, otherwise including that month.
"""

from __future__ import annotations

from datetime import date


def first_month(opened_on: date | None) -> date | None:
    """The first month the ward has (None: no bound)."""
    return opened_on.replace(day=1) if opened_on is not None else None


def has_month(opened_on: date | None, closed_on: date | None, month: date) -> bool:
    """Whether the ward was open on some day of the month that starts on `month`."""
    start = first_month(opened_on)
    return (start is None or month >= start) and (closed_on is None or month < closed_on)
