"""The numbers and dates the databases can hold, and the inputs held to them.

An id or number beyond a 32-bit integer cannot be bound on every database (SQLite overflows at 64
bits, PostgreSQL's integer columns at 32): such input names nothing, so it is a 404 in a URL and a
field error in a form, never a database error. Likewise a date whose next day does not exist
(9999-12-31) cannot bound a range "up to and including" it.
"""

from __future__ import annotations

from datetime import date, timedelta

from werkzeug.routing import IntegerConverter

LARGEST_INT = 2**31 - 1  # PostgreSQL's integer; ids and counts beyond it name nothing we hold


class DatabaseIntConverter(IntegerConverter):
    """The `int` URL converter, bounded to what an integer column holds: larger ids are 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_INT, signed=False):  # noqa: A002 - Werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def database_int(value) -> int:
    """The value as an integer a column can hold; ValueError for anything else (a form field error)."""
    number = int(value)
    if not -LARGEST_INT <= number <= LARGEST_INT:
        raise ValueError(f"{value!r} is out of range")
    return number


def day_after(day: date) -> date | None:
    """The next day, or None when there is none (the range then has no upper end)."""
    return day + timedelta(days=1) if day < date.max else None
