"""Whom to engage next, as the spread map shows it: the recommendation (tracker.forecast.service.engage)
worded for the page and keyed for the drawings. Pure: an Engagement and the map's NetworkView in,
rows out.

Gains are shares of the ambition's organisations (0 to 1); the page shows them in percentage points.
The picks are ranked in the order the greedy search chose them (1 first); the SVG and the live map
number them so, and the table lists them so. Alternatives carry no rank: they are not drawn. The
search names as a pick's near-equivalents any candidate whose interval overlaps, later picks too;
the page lists only those that are not picks themselves (a pick is no alternative to another).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..calendar import people_month
from ..core.engage import signed_points as points
from ..forecast.service import Engagement, Suggestion
from .assemble import NetworkView
from .present import NO_NETWORK


@dataclass(frozen=True)
class EngageRow:
    ods: str
    name: str
    network: str  # the network's name
    gain: str  # percentage points, signed, one decimal: "+4.2"
    low: str  # the 95% interval's ends, the same way
    high: str
    reasons: tuple[str, ...]
    rank: int | None = None  # a pick's place in the order chosen; None for an alternative
    instead_of: str | None = None  # an alternative: the pick's ODS code and name it could replace
    instead_of_name: str | None = None


@dataclass(frozen=True)
class Highlight:
    k: int
    message: str  # why nobody is highlighted (too little data, nobody left to engage), else ""
    month: str | None  # the month whose reach is raised, as people write it ("March 2027")
    target: str | None  # the dated target's label, None when no target lies ahead
    candidates: int
    picks: tuple[EngageRow, ...] = ()
    alternatives: tuple[EngageRow, ...] = ()

    @property
    def ranks(self) -> dict[str, int]:
        """ODS code → rank, for the drawings."""
        return {row.ods: row.rank for row in self.picks if row.rank is not None}


def month_name(month: str | None) -> str | None:
    """'2027-03' → 'March 2027'."""
    if not month:
        return None
    year, number = month.split("-")
    return people_month(date(int(year), int(number), 1))


def highlight(engagement: Engagement, view: NetworkView) -> Highlight:
    """The engagement's picks and alternatives with names and networks from the map's view."""
    nodes = {node.ods or node.id: node for node in view.organisations}

    def name(ods: str) -> str:
        node = nodes.get(ods)
        return node.name if node else ods

    def row(s: Suggestion, rank: int | None = None) -> EngageRow:
        node = nodes.get(s.ods)
        network = view.network_names.get(node.network, node.network) if node and node.network else NO_NETWORK
        return EngageRow(
            ods=s.ods,
            name=name(s.ods),
            network=network,
            gain=points(s.gain),
            low=points(s.low),
            high=points(s.high),
            reasons=s.reasons,
            rank=rank,
            instead_of=s.instead_of,
            instead_of_name=name(s.instead_of) if s.instead_of else None,
        )

    picked = {s.ods for s in engagement.organisations}
    return Highlight(
        k=engagement.k,
        message=engagement.message,
        month=month_name(engagement.month),
        target=engagement.target,
        candidates=engagement.candidates,
        picks=tuple(row(s, rank) for rank, s in enumerate(engagement.organisations, start=1)),
        alternatives=tuple(row(s) for s in engagement.alternatives if s.ods not in picked),
    )
