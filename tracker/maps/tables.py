"""The spread map's tables at any size: a summary per network first, then the organisations and the
learning links a page at a time (or one network's). Pure: the page's rows (tracker.maps.present) in,
what one page shows out.

A collaborative of up to PAGE_SIZE organisations (the south of England has 14) sees its whole tables
on the first page, as before; a national one sees the summaries and pages through the rest, or asks
for one network's organisations (`network=CODE`). Every row is on exactly one page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .present import NO_NETWORK, LinkRow, MapView, Named, OrganisationRow, percent

T = TypeVar("T")

PAGE_SIZE = 100  # rows of the organisations' and the links' tables on one page
LIST_SIZE = 25  # names an insight lists before it says how many more there are


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a table's rows."""

    rows: tuple[T, ...]
    number: int  # from 1
    pages: int  # at least 1
    total: int  # rows on every page

    @property
    def first(self) -> int:
        """The place of the page's first row among all of them, from 1 (0 when there is none)."""
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def page_of(rows: Sequence[T], number: int, size: int = PAGE_SIZE) -> Paged[T]:
    """The rows of page `number` (beyond the last page: the last page)."""
    pages = max(1, -(-len(rows) // size))
    number = min(max(number, 1), pages)
    return Paged(tuple(rows[(number - 1) * size : number * size]), number, pages, len(rows))


@dataclass(frozen=True)
class NetworkSummary:
    code: str  # "" for organisations in no network
    name: str
    organisations: int
    adopted: int
    links: int  # learning links with at least one end among its organisations

    @property
    def coverage(self) -> str:
        return percent(self.adopted / self.organisations) if self.organisations else "Not known"


def network_summaries(view: MapView, codes: dict[str, str]) -> list[NetworkSummary]:
    """One summary per network with open organisations, by name, then "No network" if any.

    codes: each organisation's network code by ODS code ("" for none)."""
    organisations: Counter[str] = Counter()
    adopted: Counter[str] = Counter()
    for row in view.organisations:
        organisations[codes[row.ods]] += 1
        adopted[codes[row.ods]] += row.adopted
    links: Counter[str] = Counter()
    for link in view.links:
        for code in {codes.get(link.source, ""), codes.get(link.target, "")}:
            links[code] += 1
    names = {code: view.network_names.get(code, code) if code else NO_NETWORK for code in organisations}
    order = sorted(organisations, key=lambda code: (code == "", names[code].lower(), code))
    return [NetworkSummary(code, names[code], organisations[code], adopted[code], links[code]) for code in order]


@dataclass(frozen=True)
class KindSummary:
    label: str
    confirmed: int
    proposed: int


def kind_summaries(links: Sequence[LinkRow]) -> list[KindSummary]:
    """How many links of each kind, confirmed and proposed, by kind's label."""
    confirmed: Counter[str] = Counter()
    proposed: Counter[str] = Counter()
    for link in links:
        (proposed if link.proposed else confirmed)[link.kind_label] += 1
    labels = sorted(set(confirmed) | set(proposed))
    return [KindSummary(label, confirmed[label], proposed[label]) for label in labels]


def in_network(
    view: MapView, codes: dict[str, str], network: str | None
) -> tuple[list[OrganisationRow], list[LinkRow]]:
    """The organisations of one network and the links that touch them; every one for None."""
    if network is None:
        return view.organisations, view.links
    rows = [row for row in view.organisations if codes[row.ods] == network]
    links = [link for link in view.links if network in (codes.get(link.source), codes.get(link.target))]
    return rows, links


@dataclass(frozen=True)
class Shortened:
    """The first LIST_SIZE names of a list, and how many it leaves out."""

    items: tuple[Named, ...]
    more: int


def shortened(items: Sequence[Named], size: int = LIST_SIZE) -> Shortened:
    return Shortened(tuple(items[:size]), max(0, len(items) - size))


@dataclass(frozen=True)
class Tables:
    """What the page's tables and insights show for one page of them."""

    networks: list[NetworkSummary]
    network: NetworkSummary | None  # the network chosen, None for every organisation
    organisations: Paged[OrganisationRow]
    kinds: list[KindSummary]
    links: Paged[LinkRow]
    frontier: Shortened
    isolated: Shortened
    attributable: Shortened
    categories: list[tuple[str, Shortened]]
    communities: list  # the largest communities first, each with its members shortened
    more_communities: int


def tables(view: MapView, codes: dict[str, str], network: str | None, number: int, links_number: int) -> Tables:
    """The page's tables: `network` chosen (a code, or None), on page `number` of organisations and
    `links_number` of links. codes: each organisation's network code by ODS code ("" for none)."""
    summaries = network_summaries(view, codes)
    rows, links = in_network(view, codes, network)
    found = view.insights
    biggest = sorted(found.communities, key=lambda c: (-c.total, c.number))
    return Tables(
        networks=summaries,
        network=next((s for s in summaries if s.code == network), None) if network is not None else None,
        organisations=page_of(rows, number),
        kinds=kind_summaries(links),
        links=page_of(links, links_number),
        frontier=shortened(found.frontier),
        isolated=shortened(found.isolated),
        attributable=shortened(found.attributable),
        categories=[(label, shortened(members)) for label, members in found.categories],
        communities=[(c, shortened(c.members, LIST_SIZE)) for c in biggest[:LIST_SIZE]],
        more_communities=max(0, len(biggest) - LIST_SIZE),
    )
