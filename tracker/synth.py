"""Synthetic national-scale data for benchmarks: a pure generator and a bulk loader.

`flask --app tracker synth --organisations 250 --interventions 150 --events 1000000 --seed 1` fills an
empty database with a made-up catalogue (three ambitions, their packages, drivers and change ideas),
fifteen networks, the organisations and an adoption ledger with its current records. Everything is
labelled: names and titles start with "Synthetic", every row with an is_demo flag has it set, and
events arrive by the channel "synth". The loader refuses a database that holds anything already, so
synthetic rows never sit beside real ones.

The generator (make_reference, Ledger) is plain Python over plain values: the same spec (seed
included) always gives the same rows. Events are made organisation-and-idea pair by pair, then
numbered in the order they were logged, so ids rise with logged_at as in the real ledger, and a
backdated event (logged long after its effective date) gets a higher id than later-dated ones.

The loader writes with Core executemany inserts in chunks, not through the ORM: a million ORM objects
would take many minutes and gigabytes. So the audit trail, which hooks ORM flushes, records none of
it. That is intended: this is benchmark data, not anybody's work.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate, islice

from sqlalchemy import Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from .adoption.rules import EventInput, fingerprint
from .core import ledger
from .db import lock_for_writing
from .models import (
    Adoption,
    AdoptionEvent,
    AdoptionSpell,
    Ambition,
    AuditEvent,
    Base,
    ChangeIdea,
    ChangePackage,
    DataVersion,
    DiscontinuedReason,
    Driver,
    Membership,
    Network,
    Organisation,
    OrganisationKind,
    PackageStatus,
    SignInAttempts,
    Stage,
)

PROGRAMME_START = date(2021, 4, 1)
PROGRAMME_END = date(2026, 6, 30)
# Closures fall late enough that a closed organisation still has a year of history.
CLOSURES_FROM = date(2022, 4, 1)
CLOSED_SHARE = 0.03
BACKDATED_SHARE = 0.05
DISCONTINUED_CHANCE = 0.03
EVENTS_PER_PAIR = 3  # the mean when there are enough pairs; more events make longer histories

AMBITIONS = (
    ("RP", "Reduce restrictive practice"),
    ("SSH", "Reduce suicide and deliberate self-harm"),
    ("SS", "Improve sexual safety"),
)
NETWORK_LETTERS = "ABCDEFGHIJKLMNO"
PRIMARY_DRIVERS = 2  # per package, each with SECONDARY_DRIVERS secondary drivers under it
SECONDARY_DRIVERS = 2
KINDS = (
    OrganisationKind.MENTAL_HEALTH_TRUST,
    OrganisationKind.MIXED_TRUST,
    OrganisationKind.ACUTE_TRUST,
    OrganisationKind.OTHER_PROVIDER,
)
KIND_WEIGHTS = (85, 8, 5, 2)
KIND_NAMES = {
    OrganisationKind.MENTAL_HEALTH_TRUST: "Mental Health NHS Trust",
    OrganisationKind.MIXED_TRUST: "Health and Care NHS Trust",
    OrganisationKind.ACUTE_TRUST: "Hospitals NHS Trust",
    OrganisationKind.OTHER_PROVIDER: "Care Provider",
}

# The code formats the app enforces allow these many: ODS "Z" + 4 digits, idea codes XX-001 … XX-999.
MAX_ORGANISATIONS = 9_999
MAX_INTERVENTIONS = 999 * len(AMBITIONS)
MAX_EVENTS = 10_000_000  # about 60 bytes each while they are generated

NOTE = "Synthetic benchmark data."
STAGES = (Stage.CONSIDERING, Stage.TESTING, Stage.IMPLEMENTING, Stage.SPREADING, Stage.SUSTAINED, Stage.DISCONTINUED)
DISCONTINUED = 5  # index in STAGES; the others' index is their ladder rank - 1
REASONS = tuple(DiscontinuedReason)
STAGE_NOTES = {
    Stage.CONSIDERING: "Synthetic: team forming.",
    Stage.TESTING: "Synthetic: PDSA tests.",
    Stage.IMPLEMENTING: "Synthetic: in routine use.",
    Stage.SPREADING: "Synthetic: spreading to more wards.",
    Stage.SUSTAINED: "Synthetic: re-checked, still in use.",
    Stage.DISCONTINUED: "Synthetic: stopped.",
}
EPOCH = datetime(PROGRAMME_START.year, PROGRAMME_START.month, PROGRAMME_START.day, tzinfo=UTC)
DAYS = (PROGRAMME_END - PROGRAMME_START).days
# Tables that may hold rows when synth runs: they describe no organisation, idea or person.
# The counter is made by the migration itself.
MAY_HOLD_ROWS = frozenset({AuditEvent.__tablename__, SignInAttempts.__tablename__, DataVersion.__tablename__})


@dataclass(frozen=True)
class SynthSpec:
    organisations: int
    interventions: int
    events: int
    seed: int = 1


def spec_problems(spec: SynthSpec) -> list[str]:
    """What is wrong with the spec (empty when it can be generated)."""
    problems = []
    if not 1 <= spec.organisations <= MAX_ORGANISATIONS:
        problems.append(f"--organisations must be from 1 to {MAX_ORGANISATIONS:,} (got {spec.organisations:,})")
    if not 0 <= spec.interventions <= MAX_INTERVENTIONS:
        problems.append(f"--interventions must be from 0 to {MAX_INTERVENTIONS:,} (got {spec.interventions:,})")
    if not 0 <= spec.events <= MAX_EVENTS:
        problems.append(f"--events must be from 0 to {MAX_EVENTS:,} (got {spec.events:,})")
    if spec.events > 0 and spec.interventions == 0:
        problems.append("--events needs at least one intervention (--interventions) to adopt")
    return problems


@dataclass
class Reference:
    """The catalogue, networks and organisations, as rows (dicts keyed by column name, ids given)."""

    ambitions: list[dict] = field(default_factory=list)
    packages: list[dict] = field(default_factory=list)
    drivers: list[dict] = field(default_factory=list)
    ideas: list[dict] = field(default_factory=list)
    networks: list[dict] = field(default_factory=list)
    organisations: list[dict] = field(default_factory=list)


def _rng(spec: SynthSpec, part: str) -> random.Random:
    # One stream per part, seeded by a string (hashed with SHA-512: the same on every run and
    # machine), so a change to one part leaves the others' rows as they were.
    return random.Random(f"synth:{spec.seed}:{part}")


def make_reference(spec: SynthSpec) -> Reference:
    """The reference rows for the spec: the same spec, the same rows."""
    ref = Reference()
    for position, (code, title) in enumerate(AMBITIONS, start=1):
        ref.ambitions.append(
            {
                "id": position,
                "code": code,
                "title": f"Synthetic: {title}",
                "summary": NOTE,
                "baseline_note": "",
                "source_url": "",
                "position": position,
            }
        )
        ref.packages.append(
            {
                "id": position,
                "ambition_id": position,
                "code": f"SYN{code}",
                "title": f"Synthetic change package: {title}",
                "publisher": "Synthetic data",
                "version": "synthetic",
                "status": PackageStatus.PUBLISHED.value,
                "source_url": "",
                "summary": NOTE,
                "provenance_note": "Made up by `flask synth` for benchmarks: not a real change package.",
                "position": position,
                "is_demo": True,
                "row_version": 1,
            }
        )
    # Primary drivers first, so each secondary driver's parent is inserted before it.
    secondaries: dict[int, list[int]] = {}
    for package in ref.packages:
        for p in range(1, PRIMARY_DRIVERS + 1):
            ref.drivers.append(
                {
                    "id": len(ref.drivers) + 1,
                    "package_id": package["id"],
                    "parent_id": None,
                    "title": f"Synthetic primary driver {package['id']}.{p}",
                    "description": NOTE,
                    "position": p,
                    "row_version": 1,
                }
            )
    for primary in list(ref.drivers):
        for s in range(1, SECONDARY_DRIVERS + 1):
            driver_id = len(ref.drivers) + 1
            ref.drivers.append(
                {
                    "id": driver_id,
                    "package_id": primary["package_id"],
                    "parent_id": primary["id"],
                    "title": f"Synthetic secondary driver {primary['package_id']}.{primary['position']}.{s}",
                    "description": NOTE,
                    "position": s,
                    "row_version": 1,
                }
            )
            secondaries.setdefault(primary["package_id"], []).append(driver_id)
    for j in range(spec.interventions):
        package_id = j % len(AMBITIONS) + 1
        number = j // len(AMBITIONS) + 1
        code = f"{AMBITIONS[package_id - 1][0]}-{number:03d}"
        drivers = secondaries[package_id]
        ref.ideas.append(
            {
                "id": j + 1,
                "code": code,
                "package_id": package_id,
                "driver_id": drivers[(number - 1) % len(drivers)],
                "title": f"Synthetic change idea {code}",
                "description": NOTE,
                "source_url": "",
                "provenance_note": NOTE,
                "position": number,
                "is_demo": True,
                "row_version": 1,
            }
        )
    for k, letter in enumerate(NETWORK_LETTERS, start=1):
        ref.networks.append(
            {
                "id": k,
                "code": f"SYN{letter}",
                "name": f"Synthetic network {letter}",
                "former_name": "",
                "region": f"Synthetic region {letter}",
                "website": "",
                "source_url": "",
                "row_version": 1,
            }
        )
    ref.organisations = _organisations(spec, len(ref.networks))
    return ref


def _organisations(spec: SynthSpec, networks: int) -> list[dict]:
    rng = _rng(spec, "organisations")
    rows = []
    for k in range(1, spec.organisations + 1):
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        rows.append(
            {
                "id": k,
                "ods_code": f"Z{k:04d}",
                "name": f"Synthetic {KIND_NAMES[kind]} {k:04d}",
                "kind": kind.value,
                "network_id": rng.randint(1, networks),
                "town": f"Synthetic town {k:04d}",
                "latitude": round(rng.uniform(50.0, 55.0), 5),
                "longitude": round(rng.uniform(-5.5, 1.7), 5),
                "opened_on": None,
                "closed_on": None,
                "successor_id": None,
                "membership": Membership.MEMBER.value,
                "notes": NOTE,
                "source_url": "",
                "is_demo": True,
                "row_version": 1,
            }
        )
    closing = min(round(spec.organisations * CLOSED_SHARE), spec.organisations - 1)
    closed = set(rng.sample(range(spec.organisations), closing))
    open_ids = [row["id"] for i, row in enumerate(rows) if i not in closed]
    closure_days = (PROGRAMME_END - CLOSURES_FROM).days
    for i in sorted(closed):
        rows[i]["closed_on"] = CLOSURES_FROM + timedelta(days=rng.randint(0, closure_days))
        rows[i]["successor_id"] = rng.choice(open_ids)
    return rows


class Ledger:
    """The synthetic adoption events and current records, held compactly (about 60 bytes an event).

    Events are made pair by pair (the pair's stages in effective-date order, up the ladder), then
    numbered by logged_at: event_rows() gives them in id order, adoption_rows() the current record
    of each pair and spell_rows() its spells, both as tracker.core.ledger works them out.
    """

    def __init__(self, spec: SynthSpec, reference: Reference):
        self.organisations = reference.organisations
        self.ideas = reference.ideas
        self._pair_of = array("i")
        self._stage_of = array("b")
        self._reason_of = array("b")
        self._day_of = array("h")  # effective date, days after PROGRAMME_START
        self._using_of = array("h")  # -1 for none
        self._scope_of = array("h")
        self._index_bits = max(1, spec.events.bit_length())
        # Each event's key: logged_at (seconds after EPOCH) above its index in the arrays. Sorted,
        # they are the events in logged order (ties in the order made), which is id order.
        self._keys: list[int] = []
        if spec.events:
            self._generate(spec)
        self._keys.sort()

    def __len__(self) -> int:
        return len(self._keys)

    def _generate(self, spec: SynthSpec) -> None:
        rng = _rng(spec, "events")
        n_ideas = len(self.ideas)
        engagement = [rng.uniform(0.1, 1.0) for _ in self.organisations]
        popularity = [rng.uniform(0.1, 1.0) for _ in self.ideas]
        pair_count = len(self.organisations) * n_ideas
        active = min(pair_count, math.ceil(spec.events / EVENTS_PER_PAIR))
        pairs = sorted(rng.sample(range(pair_count), active))
        # Every active pair has one event; the rest go to engaged organisations and popular ideas.
        counts = array("i", [1]) * active
        weights = list(accumulate(engagement[p // n_ideas] * popularity[p % n_ideas] for p in pairs))
        left = spec.events - active
        while left:
            batch = min(left, 100_000)
            for slot in rng.choices(range(active), cum_weights=weights, k=batch):
                counts[slot] += 1
            left -= batch
        for pair, count in zip(pairs, counts, strict=True):
            self._pair_history(rng, pair, count)

    def _pair_history(self, rng: random.Random, pair: int, count: int) -> None:
        organisation = self.organisations[pair // len(self.ideas)]
        closed_on = organisation["closed_on"]
        last = DAYS if closed_on is None else min(DAYS, (closed_on - PROGRAMME_START).days - 1)
        first = rng.randint(0, last * 2 // 3)
        # One event a day while the days last; a very long history shares days.
        if count <= last - first + 1:
            days = sorted(rng.sample(range(first, last + 1), count))
        else:
            days = sorted(rng.randint(first, last) for _ in range(count))
        in_scope = rng.randint(4, 30)
        rank = using = 0  # rank 0: not started, or stopped (the next event starts again)
        for step, day in enumerate(days):
            reason = -1
            if rank == 0:
                rank = 1
                stage = 0
            elif rng.random() < DISCONTINUED_CHANCE:
                stage = DISCONTINUED
                reason = rng.randrange(len(REASONS))
            else:
                # Climb sooner when few events are left: short histories mostly climb each time.
                climb = min(0.9, max(0.25, 1.5 * (5 - rank) / (count - step)))
                if rank < 5 and rng.random() < climb:
                    rank += 1
                stage = rank - 1
            if stage == 0:
                wards_using = wards_in_scope = -1
            elif stage == DISCONTINUED:
                wards_using, wards_in_scope = 0, in_scope
                rank = using = 0
            else:
                grow = (0, 1, rng.randint(0, 2), rng.randint(1, 4), rng.randint(0, 2))[stage]
                using = min(in_scope, max(using + grow, 1))
                wards_using, wards_in_scope = using, in_scope
            delay = rng.randint(30, 240) if rng.random() < BACKDATED_SHARE else rng.randint(0, 14)
            logged = min(day + delay, DAYS) * 86_400 + rng.randint(8 * 3600, 18 * 3600)
            self._keys.append(logged << self._index_bits | len(self._pair_of))
            self._pair_of.append(pair)
            self._stage_of.append(stage)
            self._reason_of.append(reason)
            self._day_of.append(day)
            self._using_of.append(wards_using)
            self._scope_of.append(wards_in_scope)

    def _in_id_order(self) -> Iterator[tuple[int, int, int]]:
        """(id, index in the arrays, logged_at in seconds after EPOCH) for each event, by id."""
        bits, mask = self._index_bits, (1 << self._index_bits) - 1
        for event_id, key in enumerate(self._keys, start=1):
            yield event_id, key & mask, key >> bits

    def event_rows(self) -> Iterator[dict]:
        """The adoption_events rows, in id order."""
        n_ideas = len(self.ideas)
        dates = [PROGRAMME_START + timedelta(days=d) for d in range(DAYS + 1)]
        for event_id, i, logged in self._in_id_order():
            pair = self._pair_of[i]
            organisation, idea = self.organisations[pair // n_ideas], self.ideas[pair % n_ideas]
            stage = STAGES[self._stage_of[i]]
            using, scope, reason = self._using_of[i], self._scope_of[i], self._reason_of[i]
            data = EventInput(
                stage=stage.value,
                effective_date=dates[self._day_of[i]],
                wards_using=None if using < 0 else using,
                wards_in_scope=None if scope < 0 else scope,
                note=STAGE_NOTES[stage],
                discontinued_reason=None if reason < 0 else REASONS[reason].value,
            )
            yield {
                "id": event_id,
                "organisation_id": organisation["id"],
                "change_idea_id": idea["id"],
                "stage": data.stage,
                "effective_date": data.effective_date,
                "wards_using": data.wards_using,
                "wards_in_scope": data.wards_in_scope,
                "note": data.note,
                "evidence_url": "",
                "discontinued_reason": data.discontinued_reason,
                "corrects_event_id": None,
                "logged_by_id": None,
                "logged_at": EPOCH + timedelta(seconds=logged),
                "channel": "synth",
                "fingerprint": fingerprint(organisation["ods_code"], idea["code"], data),
                "is_demo": True,
            }

    def _states(self) -> Iterator[tuple[int, int, ledger.PairState]]:
        """(pair, last logged_at in seconds after EPOCH, derived state) for each pair, by pair.

        The same derivation as the service's (tracker.core.ledger), over each pair's events:
        they sit side by side in the arrays, as they were made pair by pair.
        """
        ids = array("i", [0]) * len(self._keys)
        last_logged: dict[int, int] = {}
        for event_id, i, logged in self._in_id_order():
            ids[i] = event_id
            last_logged[self._pair_of[i]] = logged  # ids rise with logged_at
        dates = [PROGRAMME_START + timedelta(days=d) for d in range(DAYS + 1)]
        start = 0
        while start < len(ids):
            pair = self._pair_of[start]
            end = start
            while end < len(ids) and self._pair_of[end] == pair:
                end += 1
            events = [
                ledger.LedgerEvent(
                    ids[i],
                    STAGES[self._stage_of[i]],
                    dates[self._day_of[i]],
                    None if self._using_of[i] < 0 else self._using_of[i],
                    None if self._scope_of[i] < 0 else self._scope_of[i],
                )
                for i in range(start, end)
            ]
            yield pair, last_logged[pair], ledger.derive(events)
            start = end

    def _pair_ids(self, pair: int) -> tuple[int, int]:
        n_ideas = len(self.ideas)
        return self.organisations[pair // n_ideas]["id"], self.ideas[pair % n_ideas]["id"]

    def adoption_rows(self) -> list[dict]:
        """The adoptions rows: per pair, its state now and its first days."""
        rows = []
        for pair, last_logged, state in self._states():
            organisation_id, idea_id = self._pair_ids(pair)
            current = state.current
            rows.append(
                {
                    "id": len(rows) + 1,
                    "organisation_id": organisation_id,
                    "change_idea_id": idea_id,
                    "current_event_id": current.id,
                    "stage": current.stage.value,
                    "effective_date": current.effective_date,
                    "stage_since": state.since,
                    "wards_using": current.wards_using,
                    "wards_in_scope": current.wards_in_scope,
                    "last_logged_at": EPOCH + timedelta(seconds=last_logged),
                    "last_logged_by_id": None,
                    "first_considered_on": state.first_considered_on,
                    "first_implemented_on": state.first_implemented_on,
                    "row_version": 1,
                }
            )
        return rows

    def spell_rows(self) -> Iterator[dict]:
        """The adoption_spells rows, pair by pair."""
        for pair, _logged, state in self._states():
            organisation_id, idea_id = self._pair_ids(pair)
            for spell in state.spells:
                yield {
                    "event_id": spell.event.id,
                    "organisation_id": organisation_id,
                    "change_idea_id": idea_id,
                    "stage": spell.event.stage.value,
                    "starts": spell.starts,
                    "ends": spell.ends,
                    "since": spell.since,
                    "wards_using": spell.event.wards_using,
                    "wards_in_scope": spell.event.wards_in_scope,
                }


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
    lock_for_writing(session, "synth")
    occupied = occupied_tables(session)
    if occupied:
        session.rollback()
        raise NotEmpty(occupied)
    reference = make_reference(spec)
    ledger = Ledger(spec, reference)
    connection = session.connection()

    def insert(table: Table, rows: Iterable[dict]) -> None:
        for chunk in _chunks(rows, chunk_size):
            connection.execute(table.insert(), chunk)

    organisations = Organisation.__table__
    insert(Ambition.__table__, reference.ambitions)
    insert(ChangePackage.__table__, reference.packages)
    insert(Driver.__table__, reference.drivers)
    insert(ChangeIdea.__table__, reference.ideas)
    insert(Network.__table__, reference.networks)
    # Successors are set afterwards: a successor may come later in the insert than its predecessor.
    insert(organisations, ({**row, "successor_id": None} for row in reference.organisations))
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
    written = 0
    for chunk in _chunks(ledger.event_rows(), chunk_size):
        connection.execute(AdoptionEvent.__table__.insert(), chunk)
        written += len(chunk)
        if progress:
            progress(written, len(ledger))
    insert(AdoptionSpell.__table__, ledger.spell_rows())
    adoptions = ledger.adoption_rows()
    insert(Adoption.__table__, adoptions)
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
            "adoption events": len(ledger),
            "current records": len(adoptions),
        },
        closed_organisations=sum(1 for row in reference.organisations if row["closed_on"] is not None),
    )


SEQUENCED = (Ambition, ChangePackage, Driver, ChangeIdea, Network, Organisation, AdoptionEvent, Adoption)


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
