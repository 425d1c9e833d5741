"""Kept coverage figures and monthly steps, and how the counts of a few organisations and ideas
replace theirs (pure: no SQL, no Flask).

An organisation × idea's new event can move only that organisation's figures (its ideas adopted, its
wards, its reach month by month) and that idea's (its adopters, its median days). So when only
events were appended since a result was kept (tracker.models.versions.incremental), the queries
(tracker.reports.queries, tracker.reports.steps) count those organisations and ideas again, and
the functions here put those counts in place of the kept ones and work the figures out again from
the whole: the same figures a full computation gives, from a few thousand rows read instead of the
ambition's whole record.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ..core import coverage as cov
from .scope import Scope

# (organisation id, change idea id), as tracker.models.versions.Pairs
Pairs = frozenset[tuple[int, int]]


def scope_key(scope: Scope) -> tuple:
    return (scope.ambition.id, scope.network.id if scope.network else None, tuple(scope.idea_ids))


def touched(scope: Scope, pairs: Pairs) -> tuple[frozenset[int], frozenset[int]]:
    """The organisations and ideas of the pairs that count in the scope (none: nothing to count again)."""
    ideas = set(scope.idea_ids)
    counted = [(o, i) for o, i in pairs if i in ideas]
    return frozenset(o for o, _ in counted), frozenset(i for _, i in counted)


# The figures as of a day --------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """The figures and what they were worked out from, each part replaceable per organisation or idea."""

    organisations: tuple[cov.Organisation, ...]
    states: Mapping[int, cov.OrganisationState]  # per organisation with a counted pair
    adopters: Mapping[int, int]  # per idea adopted by any
    days: Mapping[int, tuple[int, ...]] | None  # per idea, days to implementing (None: no medians)
    figures: cov.Coverage


def _by_idea(rows: Iterable[tuple[int, int]]) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = {}
    for idea, days in rows:
        found.setdefault(idea, []).append(days)
    return {idea: tuple(days) for idea, days in found.items()}


def _counts(scope: Scope, organisations, states: dict, adopters: dict, days: dict | None) -> Counts:
    medians = None
    if days is not None:
        medians = cov.median_days((idea, d) for idea, each in days.items() for d in each)
    figures = cov.figures_from(organisations, scope.ideas, states.values(), adopters, medians)
    return Counts(tuple(organisations), MappingProxyType(states), MappingProxyType(adopters), days, figures)


def counted(
    scope: Scope,
    organisations: Sequence[cov.Organisation],
    states: Iterable[cov.OrganisationState],
    adopters: dict[int, int],
    days: Iterable[tuple[int, int]] | None,
) -> Counts:
    """The figures from a full count (queries.adoption_counts and, for medians, days_to_implementing)."""
    by_idea = None if days is None else MappingProxyType(_by_idea(days))
    return _counts(scope, organisations, {s.organisation_id: s for s in states}, dict(adopters), by_idea)


def recounted(
    scope: Scope,
    kept: Counts,
    organisations: frozenset[int],
    ideas: frozenset[int],
    states: Iterable[cov.OrganisationState],
    adopters: dict[int, int],
    days: Iterable[tuple[int, int]] | None,
) -> Counts:
    """kept with the counts of these organisations and ideas in place of theirs (the count of every pair
    of theirs: organisations and ideas beyond them in it are not whole, and are left out)."""
    new_states = {o: s for o, s in kept.states.items() if o not in organisations}
    new_states.update((s.organisation_id, s) for s in states if s.organisation_id in organisations)
    new_adopters = {i: n for i, n in kept.adopters.items() if i not in ideas}
    new_adopters.update((i, n) for i, n in adopters.items() if i in ideas)
    new_days = None
    if kept.days is not None and days is not None:
        new_days = {i: d for i, d in kept.days.items() if i not in ideas}
        new_days.update(_by_idea((i, d) for i, d in days if i in ideas))
        new_days = MappingProxyType(new_days)
    return _counts(scope, kept.organisations, new_states, new_adopters, new_days)


# The monthly series -------------------------------------------------------------------------------

Step = tuple[int, int, int]  # (organisation id, month index, +n/-n adopted pairs)


@dataclass(frozen=True)
class Steps:
    """A monthly series and its steps: the organisations opening and closing, each organisation's pairs
    (as month, delta, month, delta... in a machine-integer array: at ten times national a series has
    some 40,000 steps, kept in a third of a megabyte rather than several as tuples)."""

    opening: tuple[tuple[int, int], ...]
    reaching: Mapping[int, array]
    points: tuple[cov.SeriesPoint, ...]


def _grouped(steps: Iterable[Step]) -> dict[int, array]:
    found: dict[int, array] = {}
    for organisation, month, delta in steps:
        each = found.get(organisation)
        if each is None:
            each = found[organisation] = array("l")
        each.append(month)
        each.append(delta)
    return found


def stepped(scope: Scope, months: range, opening: Iterable[tuple[int, int]], steps: Iterable[Step]) -> Steps:
    """The series from every step (tracker.reports.steps reads them)."""
    return _steps(scope, months, tuple(opening), _grouped(steps))


def restepped(scope: Scope, months: range, kept: Steps, organisations: frozenset[int], steps: Iterable[Step]) -> Steps:
    """kept with these organisations' steps (all of theirs) in place of theirs."""
    reaching = {o: each for o, each in kept.reaching.items() if o not in organisations}
    reaching.update(_grouped(steps))
    return _steps(scope, months, kept.opening, reaching)


def _steps(scope: Scope, months: range, opening: tuple, reaching: dict[int, array]) -> Steps:
    every = [(o, each[n], each[n + 1]) for o, each in reaching.items() for n in range(0, len(each), 2)]
    pairs = [(month, delta) for _organisation, month, delta in every]
    points = tuple(cov.series(months, len(scope.ideas), opening, pairs, every))
    return Steps(opening, MappingProxyType(reaching), points)
