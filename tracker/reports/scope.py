"""What a coverage report covers (plain data, no SQL): the ideas an ambition's coverage counts and,
optionally, one network. tracker.reports.service.scope finds them; the queries count within them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..core import coverage as cov


class Identified(Protocol):
    """An ambition or network, as a row or as plain data: the queries need its id (and the callers its code)."""

    id: int
    code: str


@dataclass(frozen=True)
class Scope:
    """What a report covers: the ideas an ambition's coverage counts (reports.service.scope finds
    them) and, optionally, one network."""

    ambition: Identified
    ideas: list[cov.Idea]
    network: Identified | None

    @property
    def idea_ids(self) -> list[int]:
        return [i.id for i in self.ideas]
