"""A feed's page as CSV or JSON text, written piece by piece (a few hundred rows to a chunk).

Rows are tuples in the feed's column order (tracker.feeds.dictionary), holding what the database
gives: text, numbers, dates, aware datetimes, flags, enums, None. Dates become YYYY-MM-DD, moments
UTC ISO 8601 to the second, enums their stored values. CSV: UTF-8 without a byte order mark (Power
Query and pandas read it as it is), a header row of the column names, CRLF line ends, an empty cell
for null, true/false for flags, and formula-like text quoted (tracker.tabular.neutralise). JSON:
{"feed": name, "columns": [names], "rows": [{column: value}, …], "next": URL or null[, "total": n]}.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from ..tabular import TEXT, csv_text
from .dictionary import Feed

ROWS_PER_CHUNK = 500  # a few tens of kilobytes per write: few writes, little held in memory
MIMETYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def plain(value: Any) -> Any:
    """A value as JSON holds it: None, bool, int, float or str."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_cell(value: Any) -> str:
    return csv_text(TEXT, plain(value))


def _batches(rows: Iterable[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == ROWS_PER_CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def csv_chunks(feed: Feed, rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(feed.column_names)
    yield buffer.getvalue()
    for batch in _batches(rows):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([csv_cell(v) for v in row] for row in batch)
        yield buffer.getvalue()


def json_chunks(
    feed: Feed, rows: Iterable[Sequence[Any]], next_url: str | None = None, total: int | None = None
) -> Iterator[str]:
    names = feed.column_names
    yield f'{{"feed": {json.dumps(feed.name)}, "columns": {json.dumps(list(names))}, "rows": ['
    first = True
    for batch in _batches(rows):
        text = ",\n".join(
            json.dumps(dict(zip(names, map(plain, row), strict=True)), ensure_ascii=False) for row in batch
        )
        yield ("\n" if first else ",\n") + text
        first = False
    counted = "" if total is None else f', "total": {total}'
    yield f'\n], "next": {json.dumps(next_url)}{counted}}}\n'


def chunks(
    fmt: str, feed: Feed, rows: Iterable[Sequence[Any]], next_url: str | None = None, total: int | None = None
) -> Iterator[str]:
    """The page as text; a CSV page is plain (header and rows): its next page is named in a header."""
    return csv_chunks(feed, rows) if fmt == "csv" else json_chunks(feed, rows, next_url, total)
