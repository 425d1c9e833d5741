"""Records of one change idea counted by network and stage: the summary a long "who uses it" list starts with.

Pure: takes the counts the page read (tracker.adoption.queries.adopter_counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.stages import Stage


@dataclass
class NetworkStages:
    network: object | None  # the Network, or None for organisations in no network
    counts: dict[Stage, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def by_network(counts: list[tuple[object | None, Stage, int]]) -> list[NetworkStages]:
    """One row per network with records (by name; organisations in no network last), counting each stage,
    from (network or None, stage, how many) as tracker.adoption.queries.adopter_counts reads them."""
    rows: dict[int | None, NetworkStages] = {}
    for network, stage, count in counts:
        row = rows.setdefault(network.id if network else None, NetworkStages(network))
        row.counts[stage] = row.counts.get(stage, 0) + count
    return sorted(rows.values(), key=lambda row: (row.network is None, row.network.name if row.network else ""))
