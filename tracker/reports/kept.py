"""The coverage figures and monthly series kept per state of the data, and brought up to date after a
new adoption event from the pairs it names alone.

An organisation × idea's new event can move only that organisation's figures (its ideas adopted, its
wards, its reach month by month) and that idea's (its adopters, its median days). So when only
events were appended since a result was kept (tracker.models.versions.incremental), its
organisations and ideas are counted again by the same queries (tracker.reports.queries) restricted
to them, and the rest is kept: a fixed number of statements, reading a few thousand rows instead of
the ambition's whole record. Any other write (an organisation, an idea, a target...) or a bulk
import computes afresh. Events for ideas outside the ambition change nothing and read nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from sqlalchemy.orm import Session

from ..cache import MetricsCache
from ..core import coverage as cov
from ..core.stages import Stage
from ..models.versions import Pairs, incremental
from . import queries


def _scope_key(scope: queries.Scope) -> tuple:
    return (scope.ambition.id, scope.network.id if scope.network else None, tuple(scope.idea_ids))


def _touched(scope: queries.Scope, pairs: Pairs) -> tuple[frozenset[int], frozenset[int]]:
    """The organisations and ideas of the pairs that count in the scope."""
    ideas = set(scope.idea_ids)
    counted = [(o, i) for o, i in pairs if i in ideas]
    return frozenset(o for o, _ in counted), frozenset(i for _, i in counted)


# The figures as of a day --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Counts:
    """The figures and what they were made from, each part replaceable per organisation or idea."""

    organisations: tuple[cov.Organisation, ...]
    states: Mapping[int, cov.OrganisationState]  # per organisation with a counted pair
    adopters: Mapping[int, int]  # per idea adopted by any
    days: Mapping[int, tuple[int, ...]] | None  # per idea, days to implementing (None: no medians)
    figures: cov.Coverage


def _counts(scope, organisations, states, adopters, days) -> _Counts:
    medians = None if days is None else {i: cov.median_days((i, d) for d in ds)[i] for i, ds in days.items() if ds}
    figures = cov.figures_from(organisations, scope.ideas, states.values(), adopters, medians)
    return _Counts(organisations, MappingProxyType(states), MappingProxyType(adopters), days, figures)


def _by_idea(rows: list[tuple[int, int]]) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = {}
    for idea, days in rows:
        found.setdefault(idea, []).append(days)
    return {idea: tuple(days) for idea, days in found.items()}


def _count_afresh(session: Session, scope, day: date, threshold: Stage, with_medians: bool) -> _Counts:
    organisations = tuple(queries.open_organisations(session, scope.network, day))
    states, adopters = queries.adoption_counts(session, scope, day, threshold)
    days = _by_idea(queries.days_to_implementing(session, scope, day)) if with_medians else None
    return _counts(scope, organisations, {s.organisation_id: s for s in states}, adopters, days)


def _count_again(session: Session, scope, day: date, threshold: Stage, kept: _Counts, pairs: Pairs) -> _Counts:
    """kept with the organisations and ideas of the pairs counted again: two statements at most."""
    organisations, ideas = _touched(scope, pairs)
    if not ideas:
        return kept
    found, found_adopters = queries.adoption_counts(session, scope, day, threshold, touched=(organisations, ideas))
    states = {o: s for o, s in kept.states.items() if o not in organisations}
    states.update((s.organisation_id, s) for s in found if s.organisation_id in organisations)
    adopters = {i: n for i, n in kept.adopters.items() if i not in ideas}
    adopters.update((i, n) for i, n in found_adopters.items() if i in ideas)
    days = None
    if kept.days is not None:
        days = {i: d for i, d in kept.days.items() if i not in ideas}
        days.update(_by_idea(queries.days_to_implementing(session, scope, day, ideas=ideas)))
    return _counts(scope, kept.organisations, states, adopters, days)


def coverage_on(
    session: Session,
    scope: queries.Scope,
    day: date,
    threshold: Stage,
    with_medians: bool = False,
    cache: MetricsCache | None = None,
) -> cov.Coverage:
    """The figures as of a day (queries.coverage_on's); with a cache, kept per state of the data and
    brought up to date after new events."""
    if cache is None or not cache.size:
        return queries.coverage_on(session, scope, day, threshold, with_medians)
    key = ("coverage", _scope_key(scope), day, threshold.value, with_medians)
    counts = incremental(
        session,
        cache,
        key,
        lambda: _count_afresh(session, scope, day, threshold, with_medians),
        lambda kept, pairs: _count_again(session, scope, day, threshold, kept, pairs),
    )
    return counts.figures


# The monthly series -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Steps:
    """A series and its steps: the organisations' openings and each organisation's adopted pairs."""

    opening: tuple[tuple[int, int], ...]
    reaching: Mapping[int, list[tuple[int, int, int]]]
    points: tuple[cov.SeriesPoint, ...]


def _steps(scope, months: range, opening, reaching: dict) -> _Steps:
    points = tuple(queries.points_from(scope, months, list(opening), reaching))
    return _Steps(tuple(opening), MappingProxyType(reaching), points)


def series(
    session: Session,
    scope: queries.Scope,
    start: date,
    end: date,
    threshold: Stage,
    cache: MetricsCache | None = None,
    end_figures: cov.Coverage | None = None,
) -> list[cov.SeriesPoint]:
    """queries.series; with a cache, kept per state of the data and brought up to date after new events
    (the steps of the organisations the events name read again)."""
    if cache is None or not cache.size:
        return queries.series(session, scope, start, end, threshold, end_figures)
    months = queries.series_months(start, end)

    def afresh() -> _Steps:
        opening = queries.open_deltas(session, scope, months)
        return _steps(scope, months, opening, queries.reach_deltas(session, scope, months, threshold))

    def again(kept: _Steps, pairs: Pairs) -> _Steps:
        organisations, _ideas = _touched(scope, pairs)
        if not organisations:
            return kept
        reaching = {o: steps for o, steps in kept.reaching.items() if o not in organisations}
        reaching.update(queries.reach_deltas(session, scope, months, threshold, organisations))
        return _steps(scope, months, kept.opening, reaching)

    key = ("series", _scope_key(scope), start, end, threshold.value)
    points = incremental(session, cache, key, afresh, again).points
    if end_figures is None:
        if end == cov.month_end(cov.month_index(end)):
            return list(points)
        end_figures = coverage_on(session, scope, end, threshold, cache=cache)
    return cov.with_point(points, end_figures, end)
