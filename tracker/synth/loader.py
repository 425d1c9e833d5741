"""Write a synthetic data set into an empty database, in bulk.

Core executemany inserts in chunks, not the ORM: a million ORM objects would take many minutes and
gigabytes. So the audit trail, which hooks ORM flushes, records none of it. That is intended: this
is benchmark data, not anybody's work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from ..db import lock_for_writing
from ..models import (
    Adoption,
    AdoptionEvent,
    AdoptionSpell,
    Ambition,
    AuditEvent,
    Base,
    ChangeIdea,
    ChangePackage,
    DataVersion,
    Driver,
    LearningLink,
    Network,
    Organisation,
    SignInAttempts,
)
from .ledger import Ledger
from .reference import Reference, make_reference
from .spec import SynthSpec, spec_problems

if TYPE_CHECKING:  # for the annotation only: the hazard model's imports are not the loader's
    from .hazard import HazardHistory

# Tables that may hold rows when synth runs: they describe no organisation, idea or person.
# The counter is made by the migration itself.
MAY_HOLD_ROWS = frozenset({AuditEvent.__tablename__, SignInAttempts.__tablename__, DataVersion.__tablename__})


class NotEmpty(Exception):
    """The database holds rows already: synthetic data goes only into an empty one."""

    def __init__(self, occupied: dict[str, int]):
        self.occupied = occupied
        listed = ", ".join(f"{table}: {count:,}" for table, count in occupied.items())
        super().__init__(
            f"The database is not empty ({listed}). Synthetic data is for benchmarks and never mixed "
            "with other data: point DATABASE_URL at a new database, run `flask --app tracker db upgrade`, "
            "then synth."
        )


@dataclass
class LoadReport:
    counts: dict[str, int]
    closed_organisations: int

    def summary(self) -> str:
        c = self.counts
        return (
            f"{c['ambitions']} ambitions, {c['packages']} packages, {c['drivers']} drivers, "
            f"{c['change ideas']:,} change ideas, {c['networks']} networks, "
            f"{c['organisations']:,} organisations ({self.closed_organisations} closed), "
            f"{c['adoption events']:,} adoption events, {c['current records']:,} current records"
            + (f", {c['learning links']:,} learning links" if c.get("learning links") else "")
        )


def occupied_tables(session: Session) -> dict[str, int]:
    """The tables (other than the audit log, sign-in throttling and the data version) that hold rows, with their counts."""
    counts = {}
    for table in Base.metadata.sorted_tables:
        if table.name in MAY_HOLD_ROWS:
            continue
        count = session.scalar(select(func.count()).select_from(table))
        if count:
            counts[table.name] = count
    return counts


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def load(
    session: Session,
    spec: SynthSpec,
    *,
    chunk_size: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Generate the data set and write it to an empty database in one transaction; commits.

    Raises ValueError for a bad spec and NotEmpty when the database holds anything already.
    progress(events written, events in all) is called after each chunk of events.
    """
    problems = spec_problems(spec)
    if problems:
        raise ValueError("; ".join(problems))
    _refuse_unless_empty(session)
    reference = make_reference(spec)
    return _write(session, reference, Ledger(spec, reference), [], chunk_size, progress)


def load_hazard(
    session: Session,
    history: HazardHistory,
    *,
    chunk_size: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Write a history drawn from the hazard model (tracker.synth.hazard.make_history), with its learning
    links, to an empty database in one transaction; commits. Raises NotEmpty as load does."""
    _refuse_unless_empty(session)
    return _write(session, history.reference, history.ledger, history.links, chunk_size, progress)


def _write(
    session: Session,
    reference: Reference,
    ledger: Ledger,
    links: list[dict],
    chunk_size: int,
    progress: Callable[[int, int], None] | None,
) -> LoadReport:
    connection = session.connection()
    _write_reference(connection, reference, chunk_size)
    _insert(connection, LearningLink.__table__, links, chunk_size)
    adoptions = _write_ledger(connection, ledger, chunk_size, progress)
    _advance_sequences(session)
    session.commit()
    return LoadReport(
        counts={
            "ambitions": len(reference.ambitions),
            "packages": len(reference.packages),
            "drivers": len(reference.drivers),
            "change ideas": len(reference.ideas),
            "networks": len(reference.networks),
            "organisations": len(reference.organisations),
            "learning links": len(links),
            "adoption events": len(ledger),
            "current records": adoptions,
        },
        closed_organisations=sum(1 for row in reference.organisations if row["closed_on"] is not None),
    )


def _refuse_unless_empty(session: Session) -> None:
    """Take the write lock, then raise NotEmpty (rolling back) if any table holds rows."""
    lock_for_writing(session, "synth")
    occupied = occupied_tables(session)
    if occupied:
        session.rollback()
        raise NotEmpty(occupied)


def _insert(connection: Connection, table: Table, rows: Iterable[dict], chunk_size: int) -> None:
    for chunk in _chunks(rows, chunk_size):
        connection.execute(table.insert(), chunk)


def _write_reference(connection: Connection, reference: Reference, chunk_size: int) -> None:
    """The catalogue, networks and organisations, parents before children."""
    organisations = Organisation.__table__
    _insert(connection, Ambition.__table__, reference.ambitions, chunk_size)
    _insert(connection, ChangePackage.__table__, reference.packages, chunk_size)
    _insert(connection, Driver.__table__, reference.drivers, chunk_size)
    _insert(connection, ChangeIdea.__table__, reference.ideas, chunk_size)
    _insert(connection, Network.__table__, reference.networks, chunk_size)
    # Successors are set afterwards: a successor may come later in the insert than its predecessor.
    _insert(connection, organisations, ({**row, "successor_id": None} for row in reference.organisations), chunk_size)
    successors = [
        {"b_id": row["id"], "b_successor": row["successor_id"]}
        for row in reference.organisations
        if row["successor_id"] is not None
    ]
    if successors:
        connection.execute(
            update(organisations)
            .where(organisations.c.id == bindparam("b_id"))
            .values(successor_id=bindparam("b_successor")),
            successors,
        )


def _write_ledger(
    connection: Connection, ledger: Ledger, chunk_size: int, progress: Callable[[int, int], None] | None
) -> int:
    """The events (reporting progress), their spells and the current records; returns how many records."""
    written = 0
    for chunk in _chunks(ledger.event_rows(), chunk_size):
        connection.execute(AdoptionEvent.__table__.insert(), chunk)
        written += len(chunk)
        if progress:
            progress(written, len(ledger))
    _insert(connection, AdoptionSpell.__table__, ledger.spell_rows(), chunk_size)
    adoptions = ledger.adoption_rows()
    _insert(connection, Adoption.__table__, adoptions, chunk_size)
    return len(adoptions)


SEQUENCED = (Ambition, ChangePackage, Driver, ChangeIdea, Network, Organisation, LearningLink, AdoptionEvent, Adoption)


def _advance_sequences(session: Session) -> None:
    """On PostgreSQL, move each id sequence past the ids given here, so later inserts do not collide."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite takes the next rowid after the largest
    for model in SEQUENCED:
        table = model.__tablename__
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        )
