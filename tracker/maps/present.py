"""The spread map in words: its tables' rows, its insights and its timeline, worded for people.
Pure: a NetworkView in, rows out. The page renders them a page at a time (tracker.maps.tables), and
static/map.js shows the stage of the rows shown in the month its timeline shows (tracker.maps.timeline).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..calendar import PROGRAMME_START, people_date, people_month
from ..core.coverage import month_end, month_index
from ..core.graph import CATEGORY_LABELS
from .assemble import CATEGORY_ORDER, PROPOSED, NetworkView, Node, betweenness_note
from .styles import link_style, stage_key, stage_style

NO_NETWORK = "No network"


def category_label(category: str | None) -> str:
    if not category:
        return "Not known"
    return CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())


def percent(value: float | None) -> str:
    """0.5 → '50%'; None → 'Not known'."""
    if value is None:
        return "Not known"
    return f"{round(value * 100):d}%"


def node_summary(node: Node, network_names: Mapping[str, str]) -> str:
    """One line about an organisation: name, ODS code, network, stage, adoption and exposure."""
    network_text = f", {network_names.get(node.network, node.network)}" if node.network else ""
    adopted = "adopted" if node.adopted else "not adopted"
    return (
        f"{node.name} ({node.ods}){network_text}: {stage_style(node.stage).label}, {adopted}; "
        f"exposure {percent(node.exposure)}"
    )


@dataclass(frozen=True)
class OrganisationRow:
    ods: str
    name: str
    network: str  # the network's name
    stage: str  # a key of styles.STAGE_STYLES
    stage_label: str
    stage_tag: str
    adopted: bool
    exposure: str
    frontier: bool
    community: str
    category: str


@dataclass(frozen=True)
class LinkRow:
    source: str
    source_name: str
    target: str
    target_name: str
    kind: str
    kind_label: str
    weight: int | None
    proposed: bool


@dataclass(frozen=True)
class Named:
    ods: str
    name: str
    detail: str = ""


@dataclass(frozen=True)
class CommunityRow:
    number: int
    members: list[Named]
    reached: int
    total: int
    coverage: str


@dataclass(frozen=True)
class Insights:
    frontier: list[Named]
    brokers: list[Named]
    brokers_note: str  # how betweenness was found: exact, or estimated and how closely
    communities: list[CommunityRow]  # of two organisations or more
    alone: int  # organisations that are a community of their own (the organisations table numbers them)
    isolated: list[Named]
    attributable: list[Named]
    categories: list[tuple[str, list[Named]]]

    @property
    def has_categories(self) -> bool:
        return any(members for _label, members in self.categories)


@dataclass(frozen=True)
class MapView:
    organisations: list[OrganisationRow]
    links: list[LinkRow]
    insights: Insights
    network_names: dict[str, str]

    @property
    def adopted(self) -> int:
        return sum(1 for row in self.organisations if row.adopted)


def organisation_rows(view: NetworkView) -> list[OrganisationRow]:
    """One row per organisation, by name."""
    networks = view.network_names
    rows = []
    for node in view.organisations:
        style = stage_style(node.stage)
        rows.append(
            OrganisationRow(
                ods=node.ods or node.id,
                name=node.name,
                network=networks.get(node.network, node.network) if node.network else NO_NETWORK,
                stage=stage_key(node.stage),
                stage_label=style.label,
                stage_tag=style.tag,
                adopted=bool(node.adopted),
                exposure=percent(node.exposure),
                frontier=bool(node.frontier),
                community=str(node.community) if node.community is not None else "None",
                category=category_label(node.adopter_category),
            )
        )
    return sorted(rows, key=lambda r: (r.name.lower(), r.ods))


def link_rows(view: NetworkView) -> list[LinkRow]:
    """Learning links (membership is shown by the network column), by the names they join."""
    names = {node.id: node.name for node in view.nodes}
    rows = [
        LinkRow(
            source=edge.source,
            source_name=names.get(edge.source, edge.source),
            target=edge.target,
            target_name=names.get(edge.target, edge.target),
            kind=edge.kind,
            kind_label=link_style(edge.kind).label,
            weight=edge.weight,
            proposed=edge.status == PROPOSED,
        )
        for edge in view.learning_links
    ]
    return sorted(rows, key=lambda r: (r.source_name.lower(), r.target_name.lower(), r.kind))


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def insights(view: NetworkView) -> Insights:
    """The view's insights with names, ordered and worded for the page."""
    found = view.insights
    names = {node.id: node.name for node in view.nodes}

    def named(ods: str, detail: str = "") -> Named:
        return Named(ods, names.get(ods, ods), detail)

    def by_name(items) -> list[Named]:
        return sorted(items, key=lambda n: n.name.lower())

    def after(ods_codes) -> str:
        return _join([names.get(o, o) for o in ods_codes])

    categories = found.adopter_categories
    return Insights(
        frontier=[
            Named(r.ods, r.name, percent(r.value)) for r in sorted(found.frontier, key=lambda r: (-r.value, r.name))
        ],
        brokers=[
            Named(r.ods, r.name, f"{r.value:.2f}" if r.error is None else f"{r.value:.3f} (±{r.error:.3f})")
            for r in sorted(found.brokers, key=lambda r: (-r.value, r.name))
        ],
        brokers_note=betweenness_note(found.betweenness_method, len(view.organisations)),
        communities=[
            CommunityRow(c.number, by_name(named(o) for o in c.organisations), c.reached, c.total, percent(c.coverage))
            for c in sorted(found.communities, key=lambda c: c.number)
            if c.total > 1
        ],
        alone=sum(1 for c in found.communities if c.total <= 1),
        isolated=by_name(named(o) for o in found.isolated),
        attributable=[
            named(a.ods, f"adopted on {people_date(a.adopted_on)}, after {after(a.after)}") for a in found.attributable
        ],
        categories=[
            (category_label(c), by_name(named(o) for o in categories[c])) for c in CATEGORY_ORDER if c in categories
        ],
    )


def map_view(view: NetworkView) -> MapView:
    return MapView(
        organisations=organisation_rows(view),
        links=link_rows(view),
        insights=insights(view),
        network_names=view.network_names,
    )


@dataclass(frozen=True)
class Month:
    """A step of the timeline: the day it shows (the month's last, or the day chosen) and its name."""

    as_of: str  # ISO
    label: str


def timeline(day) -> list[Month]:
    """The months from the programme's start to the day's, each as of its last day but the day's own."""
    first, last = min(month_index(PROGRAMME_START), month_index(day)), month_index(day)
    months = [Month(month_end(index).isoformat(), people_month(month_end(index))) for index in range(first, last)]
    return [*months, Month(day.isoformat(), people_month(day))]
