"""The synthetic adoption ledger: events made pair by pair, and the rows derived from them.

The current records and spells are not worked out here: each pair's events go through
tracker.core.ledger.derive, as the service's do (see tracker.core.ledger for who keeps which fact).
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Iterator
from datetime import timedelta
from itertools import accumulate
from typing import TYPE_CHECKING

from ..adoption.rules import EventInput, fingerprint
from ..core import ledger
from .spec import (
    BACKDATED_SHARE,
    DAYS,
    DISCONTINUED,
    DISCONTINUED_CHANCE,
    EPOCH,
    EVENTS_PER_PAIR,
    PROGRAMME_START,
    REASONS,
    STAGE_NOTES,
    STAGES,
    SynthSpec,
    stream,
)

if TYPE_CHECKING:  # for the annotation only: the ledger needs no reference rows to run
    from .reference import Reference


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
        rng = stream(spec, "events")
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
