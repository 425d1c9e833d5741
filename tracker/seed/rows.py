"""Idempotent rows: find a row by its natural key or make it, set what differs, and count what changed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session


class SeedError(ValueError):
    """The reference data cannot be loaded as it is; nothing was written."""


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        if not kinds:
            return "nothing to change"
        return ", ".join(f"{k}: {self.created[k]} created, {self.updated[k]} updated" for k in kinds)


def sync(report: SeedReport, kind: str, obj, values: dict[str, Any], created: bool) -> None:
    """Set the values that differ, counting the row as created or updated."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if created:
        report.created[kind] += 1
    elif changed:
        report.updated[kind] += 1


def get_or_new(session: Session, model, **key):
    """The row with this natural key, or a new one added to the session; and whether it is new."""
    obj = session.scalar(select(model).filter_by(**key))
    if obj is None:
        obj = model(**key)
        session.add(obj)
        return obj, True
    return obj, False


def sync_coded(session: Session, report: SeedReport, kind: str, model, row: dict, fields: tuple[str, ...]):
    """The row with row's code, made or with these fields brought up to row's values; and whether it is new."""
    obj, created = get_or_new(session, model, code=row["code"])
    sync(report, kind, obj, {k: row[k] for k in fields}, created)
    return obj, created


def child_or_new(existing: dict, key: str, children: list, model, **new) -> tuple[Any, bool]:
    """The child row with this key among a parent's existing children (by key), or a new model(**new)
    appended to children; and whether it is new."""
    obj = existing.get(key)
    if obj is None:
        obj = model(**new)
        children.append(obj)
        return obj, True
    return obj, False
