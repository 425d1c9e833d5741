"""Coverage arithmetic, exactly as DOMAIN.md defines it. Plain data in, plain data out.

For ambition A with change ideas I(A), the organisations O open on day d (optionally of one
network), and adopted(o, i, d) = the state of o and i on d (tracker.core.ledger: corrected
events count for no date) is at or above the threshold stage (discontinued never counts):
- reach = share of O adopting at least one idea of I(A);
- depth = mean over O of the share of I(A) each has adopted;
- per idea = share of O adopting it;
- ward coverage = wards using / wards in scope, summed over the latest events where both are known:
  wards in scope from each of them, wards using only from those at or above the threshold
  (discontinued uses none).
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median


@dataclass(frozen=True)
class Organisation:
    id: int
    ods: str
    name: str
    network: str | None


@dataclass(frozen=True)
class Idea:
    id: int
    code: str
    title: str


@dataclass(frozen=True)
class OrganisationState:
    """One organisation's latest events, aggregated: how many ideas adopted, and its wards (using
    counted only from the adopted ones, in scope from all; see the module's docstring)."""

    organisation_id: int
    adopted: int
    wards_using: int = 0
    wards_in_scope: int = 0


@dataclass(frozen=True)
class NetworkFigures:
    network: str | None
    organisations_total: int
    organisations_reached: int
    reach: float
    depth: float


@dataclass(frozen=True)
class IdeaFigures:
    idea: Idea
    adopters: int
    share: float
    median_days_to_implementing: float | None = None


@dataclass(frozen=True)
class Coverage:
    organisations_total: int
    organisations_reached: int
    reach: float
    depth: float
    ward_coverage: float | None
    by_network: list[NetworkFigures]
    by_idea: list[IdeaFigures]
    reached: list[Organisation]
    not_reached: list[Organisation]
    adopted_counts: dict[int, int] = field(default_factory=dict)


def ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _reach_and_depth(
    organisations: Sequence[Organisation], adopted: dict[int, int], ideas_total: int
) -> tuple[int, float, float]:
    reached = sum(1 for o in organisations if adopted.get(o.id, 0) > 0)
    depth = ratio(sum(ratio(adopted.get(o.id, 0), ideas_total) for o in organisations), len(organisations))
    return reached, ratio(reached, len(organisations)), depth


def figures_from(
    organisations: Sequence[Organisation],
    ideas: Sequence[Idea],
    states: Iterable[OrganisationState],
    adopters_by_idea: dict[int, int],
    medians: dict[int, float | None] | None = None,
) -> Coverage:
    """The figures for the open organisations, from their aggregated latest events."""
    states = list(states)
    adopted = {s.organisation_id: s.adopted for s in states}
    using = sum(s.wards_using for s in states)
    in_scope = sum(s.wards_in_scope for s in states)
    reached_count, reach, depth = _reach_and_depth(organisations, adopted, len(ideas))
    networks: dict[str | None, list[Organisation]] = defaultdict(list)
    for o in organisations:
        networks[o.network].append(o)
    by_network = []
    for network in sorted(networks, key=lambda n: (n is None, n or "")):
        members = networks[network]
        n_reached, n_reach, n_depth = _reach_and_depth(members, adopted, len(ideas))
        by_network.append(NetworkFigures(network, len(members), n_reached, n_reach, n_depth))
    medians = medians or {}
    by_idea = [
        IdeaFigures(
            i,
            adopters_by_idea.get(i.id, 0),
            ratio(adopters_by_idea.get(i.id, 0), len(organisations)),
            medians.get(i.id),
        )
        for i in ideas
    ]
    return Coverage(
        organisations_total=len(organisations),
        organisations_reached=reached_count,
        reach=reach,
        depth=depth,
        ward_coverage=ratio(using, in_scope) if in_scope else None,
        by_network=by_network,
        by_idea=by_idea,
        reached=[o for o in organisations if adopted.get(o.id, 0) > 0],
        not_reached=[o for o in organisations if adopted.get(o.id, 0) == 0],
        adopted_counts=adopted,
    )


def median_days(durations: Iterable[tuple[int, int]]) -> dict[int, float | None]:
    """Median of (idea id, days) pairs per idea."""
    by_idea: dict[int, list[int]] = defaultdict(list)
    for idea_id, days in durations:
        by_idea[idea_id].append(days)
    return {idea_id: float(median(days)) for idea_id, days in by_idea.items()}


# The monthly series ---------------------------------------------------------------------------


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_end(index: int) -> date:
    # The month's own length, not "the 1st of the next month - 1": after December 9999 there is none.
    year, month = divmod(index, 12)
    return date(year, month + 1, monthrange(year, month + 1)[1])


def month_label(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


@dataclass(frozen=True)
class SeriesPoint:
    month: str
    month_end: date
    organisations_total: int
    organisations_reached: int
    reach: float
    depth: float


def with_point(points: Sequence[SeriesPoint], figures: Coverage, day: date) -> list[SeriesPoint]:
    """The monthly series with its last point replaced by the figures as of the day itself.

    The monthly values are as of each month's last day; a series that ends earlier in its last
    month ends with the figures as of its end.
    """
    point = SeriesPoint(
        month=month_label(month_index(day)),
        month_end=day,
        organisations_total=figures.organisations_total,
        organisations_reached=figures.organisations_reached,
        reach=figures.reach,
        depth=figures.depth,
    )
    points = list(points)
    if points and points[-1].month == point.month:
        points[-1] = point
    else:
        points.append(point)
    return points


def series(
    months: range,
    ideas_total: int,
    open_deltas: Iterable[tuple[int, int]],
    pair_deltas: Iterable[tuple[int, int]],
    reach_deltas: Iterable[tuple[int, int, int]],
) -> list[SeriesPoint]:
    """Monthly reach and depth from difference arrays, each value as of the month's last day.

    open_deltas: (month index, +n/-n) organisations opening (counted from their first month end)
    and closing; pair_deltas: (month index, +n/-n) adopted organisation × idea pairs starting and
    ending; reach_deltas: (organisation id, month index, +n/-n) the same per organisation, so an
    organisation counts as reached while its own running total is above zero.
    """
    start = months.start

    def running(deltas: Iterable[tuple[int, int]]) -> list[int]:
        before, steps = 0, defaultdict(int)
        for index, delta in deltas:
            if index <= start:
                before += delta
            else:
                steps[index] += delta
        values, value = [], before
        for index in months:
            if index > start:
                value += steps.get(index, 0)
            values.append(value)
        return values

    open_counts = running(open_deltas)
    adopted_pairs = running(pair_deltas)
    per_organisation: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for organisation_id, index, delta in reach_deltas:
        per_organisation[organisation_id].append((index, delta))
    reached_deltas: list[tuple[int, int]] = []
    for deltas in per_organisation.values():
        value, was_reached = 0, False
        for index, delta in sorted(deltas):
            value += delta
            if (value > 0) != was_reached:
                was_reached = value > 0
                reached_deltas.append((index, 1 if was_reached else -1))
    reached_counts = running(reached_deltas)
    points = []
    for position, index in enumerate(months):
        total = open_counts[position]
        points.append(
            SeriesPoint(
                month=month_label(index),
                month_end=month_end(index),
                organisations_total=total,
                organisations_reached=reached_counts[position],
                reach=ratio(reached_counts[position], total),
                depth=ratio(adopted_pairs[position], total * ideas_total),
            )
        )
    return points
