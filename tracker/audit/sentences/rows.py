"""What the sentences are made from (an audit row and the names its ids stand for) and what they make."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class AuditRow(Protocol):
    id: int
    at: datetime
    action: str
    entity: str
    entity_key: str
    actor_id: int | None
    actor_email: str
    actor_role: str
    remote_addr: str
    path: str
    before: dict | None
    after: dict | None
    detail: str


@dataclass(frozen=True)
class Names:
    """What the ids in a page of audit rows stand for (a missing id is shown as its number)."""

    organisations: Mapping[int, str] = field(default_factory=dict)  # id → ODS code
    ideas: Mapping[int, str] = field(default_factory=dict)  # id → code
    idea_titles: Mapping[str, str] = field(default_factory=dict)  # code → title
    users: Mapping[int, tuple[str, str]] = field(default_factory=dict)  # id → (email, name)
    adoptions: Mapping[int, str] = field(default_factory=dict)  # id → "RNU × RP-01"
    drivers: Mapping[int, str] = field(default_factory=dict)  # id → title
    links: Mapping[int, str] = field(default_factory=dict)  # id → "RNU and RXX"
    packages: Mapping[int, str] = field(default_factory=dict)  # id → code
    networks: Mapping[int, str] = field(default_factory=dict)  # id → code
    ambitions: Mapping[int, str] = field(default_factory=dict)  # id → code
    targets: Mapping[int, tuple[str, str]] = field(default_factory=dict)  # id → (label, its ambition's code)
    lead_records: Mapping[int, str] = field(default_factory=dict)  # adoption_leads id → "RNU × RP-01"
    # "GET /admin/audit" → ("audit.events", {}): the page a refused request asked for.
    requests: Mapping[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the entry made or removed the thing, so there is no "before" (or "after")
    after: str | None


@dataclass(frozen=True)
class Entry:
    id: int
    when: str
    who: str
    sentence: str
    changes: list[Change]
    note: str  # what the row says in its own words, when the sentence does not already
    request: str
    remote_addr: str
