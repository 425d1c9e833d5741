"""What a pair's events say, under the one rule for corrections (pure: no Flask, no database).

DOMAIN.md, "Product decision — corrections": an event that another names in corrects_event_id is
void and counts for no date; every other event counts from its own effective date. Among the
counting events of an organisation × idea, the state on a day is the one with the latest effective
date on or before it, and on the same date the one logged last (the higher id). So an event that a
later-logged event of the same date replaced never is the state on any day.

derive() is the only place that applies the rule.

Derived state, one owner each (the single statement of who keeps what; other places point here).
The events are the only facts people log; everything below is derived, kept in one place, stored,
and read as stored: no reader works it out again.

- Current record (adoptions: current event, stage, effective date, stage_since, ward numbers) and
  first days (first_considered_on, first_implemented_on): Python, derive() here, written by
  tracker.adoption.services.append_events in the transaction that appends the events (every form,
  API call, import and the demo seed goes through it). Python because the rule needs the pair's
  whole history in (date, id) order with its corrections; as a pure function it is one copy,
  tested on plain data, where SQL would need it twice (SQLite and PostgreSQL), tested only through a database.
- Spells (adoption_spells, one per counting event, with its since): Python, derive() here, written
  by append_events, which rewrites all of a pair's spells whenever its events change. Python
  because a correction voids an earlier event and a later-logged entry of the same date replaces
  one: both change spells other than the new event's, which a trigger on the new row cannot see
  (the spells trigger that tried was dropped by migration a7ec705d3787).
- Last logged (adoptions.last_logged_at and _by): not the rule's; the append sets it from the
  newest event it writes.
- Data version (data_version, tracker.models.versions): database triggers, in both dialects
  (migrations cdd80aab7e3c and 7586db402436), on every write to the tables computed reports read.
  Triggers because it is not a rule but a name for a state of the data, and then no write path can
  forget it: ORM, Core bulk inserts, raw SQL and TRUNCATE alike. No Python code sets it.
- The ledger and the audit log being append-only is also the database's (triggers refuse UPDATE
  and DELETE), for the same reason.

The synthetic loader (tracker.synth) writes the same rows in bulk, without the ORM: it gives each
pair's events to derive() and stores what it returns (tracker.synth.ledger), taking last logged from
its newest event; its inserts fire the data-version triggers like any write. It derives nothing of
its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from ..calendar import people_date
from .stages import Stage


@dataclass(frozen=True)
class LedgerEvent:
    """The parts of one event the figures depend on."""

    id: int
    stage: Stage
    effective_date: date
    wards_using: int | None = None
    wards_in_scope: int | None = None
    corrects: int | None = None


@dataclass(frozen=True)
class Spell:
    """A counting event's spell: from its date until the pair's next counting event's (None: still).

    since: the day its stage was reached in its run, the first of the consecutive spells that held
    a day (in (effective date, id) order) at that stage. An update that keeps the stage (new ward
    numbers, a note) does not move it, and nor does an entry replaced on its own date: it was never
    the state. A spell that held no day has its own date (nothing reads it).
    """

    event: LedgerEvent
    starts: date
    ends: date | None
    since: date

    @property
    def held(self) -> bool:
        """Whether the event was the state on any day (not replaced on its own date)."""
        return self.ends is None or self.ends > self.starts


@dataclass(frozen=True)
class PairState:
    spells: tuple[Spell, ...]  # the counting events in (effective date, id) order
    current: LedgerEvent
    since: date  # the day the current stage was reached in its current run (the last spell's since)
    first_considered_on: date | None  # the first day the state was considering
    first_implemented_on: date | None  # the first day the state was implementing or beyond


def corrected_ids(events: Iterable[LedgerEvent]) -> set[int]:
    """The ids of the void events: those another event corrects."""
    return {e.corrects for e in events if e.corrects is not None}


def derive(events: Iterable[LedgerEvent]) -> PairState:
    """The spells, current state and first days of one pair's events (at least one)."""
    events = list(events)
    void = corrected_ids(events)
    counting = sorted((e for e in events if e.id not in void), key=lambda e: (e.effective_date, e.id))
    # Corrections form chains whose last link always counts: a pair with events has a state.
    following = [e.effective_date for e in counting[1:]] + [None]
    made: list[Spell] = []
    last_held: Spell | None = None
    for e, ends in zip(counting, following, strict=True):
        spell = Spell(e, e.effective_date, ends, e.effective_date)
        if spell.held and last_held is not None and last_held.event.stage is e.stage:
            spell = replace(spell, since=last_held.since)
        made.append(spell)
        last_held = spell if spell.held else last_held
    spells = tuple(made)
    held = [s for s in spells if s.held]
    return PairState(
        spells=spells,
        current=counting[-1],
        since=spells[-1].since,
        first_considered_on=min((s.starts for s in held if s.event.stage is Stage.CONSIDERING), default=None),
        first_implemented_on=min((s.starts for s in held if s.event.stage.at_least(Stage.IMPLEMENTING)), default=None),
    )


def correction_problem(events: Iterable[LedgerEvent], corrects: int) -> str | None:
    """Why a new event may not correct the event `corrects` of a pair whose events are given; None if it may.

    Only an event of the same pair that no other event corrects yet can be corrected: correcting a
    corrected one would leave two corrections of it, so the person is sent to the latest correction.
    """
    by_id = {e.id: e for e in events}
    if corrects not in by_id:
        return "Choose an earlier event of this organisation and change idea"
    corrected_by = {e.corrects: e for e in by_id.values() if e.corrects is not None}
    if corrects not in corrected_by:
        return None
    latest = corrected_by[corrects]
    while latest.id in corrected_by:
        latest = corrected_by[latest.id]
    return (
        f"Entry {corrects} has already been corrected: correct the latest correction instead, "
        f"entry {latest.id} ({latest.stage.label.lower()} from {people_date(latest.effective_date)})"
    )
