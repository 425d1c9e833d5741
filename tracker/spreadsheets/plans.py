"""What every import's plan shares: its digest, and taking it up inside the import's transaction.

A plan is what checking a file found: .rows to write and .problems. The digest names exactly what
would be written (the preview's ticket carries it); the import checks the file again under its
write lock and goes ahead only if the file still has no problems and the plan is the one confirmed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy.orm import Session

from ..db import lock_for_writing
from .csvfile import FileRefused, PlanChanged

Plan = TypeVar("Plan")


def digest(rows: Iterable[tuple[int, str]]) -> str:
    """The SHA-256 of each row's line number and what it will do (its identity)."""
    text = "\n".join(f"{line}:{identity}" for line, identity in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def plan_to_carry_out(session: Session, lock: str, check: Callable[[], Plan], expected_digest: str | None) -> Plan:
    """The plan of check(), taken under the lock named lock, for the caller to write and commit.

    Rolls back and raises FileRefused if the file has problems, and PlanChanged if expected_digest
    (the plan a person confirmed) no longer describes what would be written.
    """
    lock_for_writing(session, lock)  # two confirms of one file must not both write
    plan = check()
    if plan.problems:
        session.rollback()
        raise FileRefused(plan)
    if expected_digest is not None and plan.digest() != expected_digest:
        session.rollback()
        raise PlanChanged(plan)
    return plan
