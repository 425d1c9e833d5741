"""The monthly history that spread over the network is fitted on and forecast from: plain data.

Months are counted from 0, the programme's first month (tracker.calendar.PROGRAMME_START), to
`months - 1`, the last month observed. An organisation adopts in the first month it reaches the
threshold stage in any counted change idea of the ambition (the coverage report's reach), and stays
an adopter after that: spread is the first adoption, so a later step back does not undo it. An
organisation is at risk in a month when it is open that month and has not adopted before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Panel:
    months: int  # months observed: 0 .. months - 1
    organisations: tuple[str, ...]  # ODS codes, sorted
    adopted: Mapping[str, int] = field(default_factory=dict)  # ODS -> the month it first adopted (-1: before 0)
    open_from: Mapping[str, int] = field(default_factory=dict)  # ODS -> its first month open (absent: from 0)
    closed_from: Mapping[str, int] = field(default_factory=dict)  # ODS -> its first month closed (absent: open)
    links: tuple[tuple[str, str, float], ...] = ()  # undirected learning links (a, b, strength > 0)

    @cached_property
    def content_key(self) -> tuple:
        """Everything the panel holds, hashable: what a fit or a forecast of it is kept by. Worked out once
        per panel (a kept panel is looked up by it several times a request)."""
        return (
            self.months,
            self.organisations,
            tuple(sorted(self.adopted.items())),
            tuple(sorted(self.open_from.items())),
            tuple(sorted(self.closed_from.items())),
            self.links,
        )

    def is_open(self, ods: str, month: int) -> bool:
        return self.open_from.get(ods, 0) <= month < self.closed_from.get(ods, month + 1)

    def at_risk(self, month: int) -> list[str]:
        """The organisations that could adopt in this month: open, and not adopted before it."""
        return [ods for ods in self.organisations if self.is_open(ods, month) and self.adopted.get(ods, month) >= month]

    def adopters_before(self, month: int) -> set[str]:
        return {ods for ods, first in self.adopted.items() if first < month}
