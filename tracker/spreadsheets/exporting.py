"""Adoption events and current records as tables, which tracker.tabular writes as CSV and XLSX
(no Flask, no queries here).

Column headings match the import's where they mean the same thing. Flags are written yes/no and
times in UTC (the headings say so), as these files always have been.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..models import Adoption, AdoptionEvent, ChangeIdea, Organisation
from ..tabular import DAY, MOMENT, TEXT, WHOLE, Column


@dataclass(frozen=True)
class Line:
    """What one spreadsheet row describes: an organisation, a change idea and an event."""

    organisation: Organisation
    idea: ChangeIdea
    event: AdoptionEvent
    record: Adoption | None = None


@dataclass(frozen=True)
class Field:
    """A column of the file and the value a line gives it."""

    column: Column
    value: Callable[[Line], Any]


def _field(heading: str, value: Callable[[Line], Any], width: int = 14, kind: str = TEXT) -> Field:
    return Field(Column(heading, kind, width), value)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


_SHARED = (
    _field("organisation_name", lambda r: r.organisation.name, 45),
    _field("ods_code", lambda r: r.organisation.ods_code, 10),
    _field("network_code", lambda r: r.organisation.network.code if r.organisation.network else "", 13),
    _field("network_name", lambda r: r.organisation.network.name if r.organisation.network else "", 35),
    _field("ambition_code", lambda r: r.idea.package.ambition.code, 14),
    _field("package_code", lambda r: r.idea.package.code, 14),
    _field("intervention_code", lambda r: r.idea.code, 17),
    _field("intervention_title", lambda r: r.idea.title, 45),
    _field("stage", lambda r: r.event.stage.value, 14),
    _field("effective_date", lambda r: r.event.effective_date, 14, DAY),
    _field("wards_using", lambda r: r.event.wards_using, 12, WHOLE),
    _field("wards_in_scope", lambda r: r.event.wards_in_scope, 14, WHOLE),
    _field("note", lambda r: r.event.note, 50),
    _field("evidence_url", lambda r: r.event.evidence_url, 40),
    _field(
        "discontinued_reason", lambda r: r.event.discontinued_reason.value if r.event.discontinued_reason else "", 20
    ),
)

EVENT_FIELDS = (
    *_SHARED,
    _field("corrects_event_id", lambda r: r.event.corrects_event_id, 17, WHOLE),
    _field("logged_by", lambda r: r.event.logged_by.email if r.event.logged_by else "", 30),
    _field("logged_at_utc", lambda r: r.event.logged_at, 20, MOMENT),
    _field("channel", lambda r: r.event.channel, 10),
    _field("event_id", lambda r: r.event.id, 10, WHOLE),
    _field("demo", lambda r: _yes_no(r.event.is_demo), 7),
    # An event that another corrects counts for no date (tracker.core.ledger): say which one does.
    _field("corrected_by_event_id", lambda r: r.event.corrections[-1].id if r.event.corrections else None, 21, WHOLE),
)

RECORD_FIELDS = (
    *_SHARED,
    _field("current_event_id", lambda r: r.event.id, 16, WHOLE),
    _field("last_logged_by", lambda r: r.record.last_logged_by.email if r.record.last_logged_by else "", 30),
    _field("last_logged_at_utc", lambda r: r.record.last_logged_at, 20, MOMENT),
    _field("demo", lambda r: _yes_no(r.event.is_demo), 7),
)

EVENT_COLUMNS = tuple(f.column for f in EVENT_FIELDS)
RECORD_COLUMNS = tuple(f.column for f in RECORD_FIELDS)


def event_lines(events: Iterable[AdoptionEvent]) -> Iterator[Line]:
    for event in events:
        yield Line(event.organisation, event.change_idea, event)


def record_lines(records: Iterable[Adoption]) -> Iterator[Line]:
    for record in records:
        yield Line(record.organisation, record.change_idea, record.current_event, record)


def table(fields: Iterable[Field], lines: Iterable[Line]) -> Iterator[list[Any]]:
    """Each line's values (dates, numbers and text as they are), field by field."""
    fields = tuple(fields)
    for line in lines:
        yield [field.value(line) for field in fields]
