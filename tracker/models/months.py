"""A date column's month as one whole number in SQL, as tracker.core.coverage.month_index counts months:
year × 12 + month − 1. The monthly series (tracker.reports.steps) and the spread map's timeline
(tracker.maps.queries) step by it."""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class MonthIndex(FunctionElement):
    """A date's month as one number: year × 12 + month − 1 (NULL for NULL)."""

    type = Integer()
    name = "month_index"
    inherit_cache = True


@compiles(MonthIndex)
def _month_index(element, compiler, **kw):
    # Whole numbers (EXTRACT gives numeric on PostgreSQL): read through the DBAPI's cursor, they stay ints.
    day = compiler.process(element.clauses, **kw)
    return f"(CAST(EXTRACT(YEAR FROM {day}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {day}) AS INTEGER) - 1)"


@compiles(MonthIndex, "sqlite")
def _month_index_sqlite(element, compiler, **kw):
    # SQLite keeps dates as ISO text: cutting it is cheaper than strftime() parsing it.
    day = compiler.process(element.clauses, **kw)
    return f"(CAST(substr({day}, 1, 4) AS INTEGER) * 12 + CAST(substr({day}, 6, 2) AS INTEGER) - 1)"


def month_index(column) -> MonthIndex:
    return MonthIndex(column)
