"""Adoption events and current records as tables, which tracker.tabular writes as CSV and XLSX
(no Flask, no queries here: tracker.spreadsheets.export_queries reads the rows).

Each row is a plain database row with the labels the queries give it, not an ORM object, so a
download of a million events streams in chunks instead of loading the ledger into one worker.

Column headings match the import's where they mean the same thing. Flags are written yes/no and
times in UTC (the headings say so), as these files always have been.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..tabular import DAY, MOMENT, TEXT, WHOLE, Column


@dataclass(frozen=True)
class Field:
    """A column of the file and the value a row gives it."""

    column: Column
    value: Callable[[Any], Any]


def _field(heading: str, value: Callable[[Any], Any], width: int = 14, kind: str = TEXT) -> Field:
    return Field(Column(heading, kind, width), value)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


_SHARED = (
    _field("organisation_name", lambda r: r.organisation_name, 45),
    _field("ods_code", lambda r: r.ods_code, 10),
    _field("network_code", lambda r: r.network_code or "", 13),
    _field("network_name", lambda r: r.network_name or "", 35),
    _field("ambition_code", lambda r: r.ambition_code, 14),
    _field("package_code", lambda r: r.package_code, 14),
    _field("intervention_code", lambda r: r.intervention_code, 17),
    _field("intervention_title", lambda r: r.intervention_title, 45),
    _field("stage", lambda r: r.stage.value, 14),
    _field("effective_date", lambda r: r.effective_date, 14, DAY),
    _field("wards_using", lambda r: r.wards_using, 12, WHOLE),
    _field("wards_in_scope", lambda r: r.wards_in_scope, 14, WHOLE),
    _field("note", lambda r: r.note, 50),
    _field("evidence_url", lambda r: r.evidence_url, 40),
    _field("discontinued_reason", lambda r: r.discontinued_reason.value if r.discontinued_reason else "", 20),
)

EVENT_FIELDS = (
    *_SHARED,
    _field("corrects_event_id", lambda r: r.corrects_event_id, 17, WHOLE),
    _field("logged_by", lambda r: r.logged_by or "", 30),
    _field("logged_at_utc", lambda r: r.logged_at, 20, MOMENT),
    _field("channel", lambda r: r.channel, 10),
    _field("event_id", lambda r: r.event_id, 10, WHOLE),
    _field("demo", lambda r: _yes_no(r.is_demo), 7),
    # An event that another corrects counts for no date (tracker.core.ledger): say which one does.
    _field("corrected_by_event_id", lambda r: r.corrected_by, 21, WHOLE),
)

RECORD_FIELDS = (
    *_SHARED,
    _field("current_event_id", lambda r: r.event_id, 16, WHOLE),
    _field("last_logged_by", lambda r: r.last_logged_by or "", 30),
    _field("last_logged_at_utc", lambda r: r.last_logged_at, 20, MOMENT),
    _field("demo", lambda r: _yes_no(r.is_demo), 7),
)

EVENT_COLUMNS = tuple(f.column for f in EVENT_FIELDS)
RECORD_COLUMNS = tuple(f.column for f in RECORD_FIELDS)


def table(fields: Iterable[Field], rows: Iterable[Any]) -> Iterator[list[Any]]:
    """Each row's values (dates, numbers and text as they are), field by field; lazily, as rows come."""
    fields = tuple(fields)
    for row in rows:
        yield [field.value(row) for field in fields]
