"""Records of one change idea counted by network and stage: the summary a long "who uses it" list starts with.

Pure: takes the records the page loaded (each with its organisation and network).
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


def by_network(records: list) -> list[NetworkStages]:
    """One row per network with records (by name; organisations in no network last), counting each stage."""
    rows: dict[int | None, NetworkStages] = {}
    for record in records:
        network = record.organisation.network
        row = rows.setdefault(network.id if network else None, NetworkStages(network))
        row.counts[record.stage] = row.counts.get(record.stage, 0) + 1
    return sorted(rows.values(), key=lambda row: (row.network is None, row.network.name if row.network else ""))


def in_network(records: list, code: str) -> list:
    """The records of organisations in the network with this code, in the order given."""
    return [r for r in records if r.organisation.network is not None and r.organisation.network.code == code]
