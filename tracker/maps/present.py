"""The spread map's tables and insights, from the network payload (pure: dicts in, rows out).

The payload is what GET /api/v1/network answers (tracker.maps.payload). static/map.js builds
the same organisation rows when the timeline moves: keep the columns in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ..calendar import people_date
from ..core.graph import CATEGORY_LABELS
from . import svg

CATEGORY_ORDER = ("early_adopter", "early_majority", "late_majority", "laggard", "not_yet")


def category_label(category: str | None) -> str:
    if not category:
        return "Not known"
    return CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())


def yes_no(value: bool | None) -> str:
    return "Yes" if value else "No"


@dataclass(frozen=True)
class OrganisationRow:
    ods: str
    name: str
    network: str  # the network's name
    stage: str  # a key of svg.STAGE_STYLES
    stage_label: str
    stage_tag: str
    adopted: bool
    exposure: str
    frontier: bool
    community: str
    category: str
    summary: str  # one line for the detail panel


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
    communities: list[CommunityRow]
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


def _names(payload: Mapping) -> dict[str, str]:
    return {str(n["id"]): str(n.get("name") or n["id"]) for n in payload.get("nodes", [])}


def organisation_rows(payload: Mapping) -> list[OrganisationRow]:
    """One row per organisation node, by name."""
    networks = svg.network_names(payload.get("nodes", []))
    rows = []
    for node in svg.organisations(payload.get("nodes", [])):
        key = svg.stage_key(node.get("stage"))
        style = svg.STAGE_STYLES[key]
        network = node.get("network")
        community = node.get("community")
        rows.append(
            OrganisationRow(
                ods=str(node.get("ods") or node["id"]),
                name=str(node.get("name") or ""),
                network=networks.get(network, network) if network else "No network",
                stage=key,
                stage_label=style.label,
                stage_tag=style.tag,
                adopted=bool(node.get("adopted")),
                exposure=svg.percent(node.get("exposure")),
                frontier=bool(node.get("frontier")),
                community=str(community) if community is not None else "None",
                category=category_label(node.get("adopter_category")),
                summary=svg.node_summary(node, networks),
            )
        )
    return sorted(rows, key=lambda r: (r.name.lower(), r.ods))


def link_rows(payload: Mapping) -> list[LinkRow]:
    """Learning links (membership is shown by the network column), by the names they join."""
    names = _names(payload)
    rows = []
    for edge in payload.get("edges", []):
        kind = str(edge.get("kind"))
        if kind == "membership":
            continue
        source, target = str(edge.get("source")), str(edge.get("target"))
        rows.append(
            LinkRow(
                source=source,
                source_name=names.get(source, source),
                target=target,
                target_name=names.get(target, target),
                kind=kind,
                kind_label=svg.link_style(kind).label,
                weight=edge.get("weight"),
                proposed=edge.get("status") == "proposed",
            )
        )
    return sorted(rows, key=lambda r: (r.source_name.lower(), r.target_name.lower(), r.kind))


def _day(value) -> str:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return people_date(day)


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def insights(payload: Mapping) -> Insights:
    """The payload's insights with names, ordered and worded for the page."""
    found = payload.get("insights") or {}
    names = _names(payload)

    def named(ods, detail: str = "") -> Named:
        return Named(str(ods), names.get(str(ods), str(ods)), detail)

    frontier = sorted(found.get("frontier", []), key=lambda f: (-(f.get("exposure") or 0), str(f.get("name"))))
    brokers = sorted(found.get("brokers", []), key=lambda b: (-(b.get("betweenness") or 0), str(b.get("name"))))
    categories = found.get("adopter_categories") or {}
    ordered = [c for c in CATEGORY_ORDER if c in categories] + sorted(c for c in categories if c not in CATEGORY_ORDER)
    return Insights(
        frontier=[
            Named(
                str(f["ods"]), str(f.get("name") or names.get(str(f["ods"]), f["ods"])), svg.percent(f.get("exposure"))
            )
            for f in frontier
        ],
        brokers=[
            Named(
                str(b["ods"]),
                str(b.get("name") or names.get(str(b["ods"]), b["ods"])),
                f"{b.get('betweenness') or 0:.2f}",
            )
            for b in brokers
        ],
        communities=[
            CommunityRow(
                number=int(c.get("community", 0)),
                members=sorted((named(o) for o in c.get("organisations", [])), key=lambda n: n.name.lower()),
                reached=int(c.get("reached", 0)),
                total=int(c.get("total", len(c.get("organisations", [])))),
                coverage=svg.percent(c.get("coverage")),
            )
            for c in sorted(found.get("communities", []), key=lambda c: c.get("community", 0))
        ],
        isolated=sorted((named(o) for o in found.get("isolated", [])), key=lambda n: n.name.lower()),
        attributable=[
            named(
                a["ods"],
                f"adopted on {_day(a.get('adopted_on'))}, after {_join([names.get(str(o), str(o)) for o in a.get('after', [])])}",
            )
            for a in found.get("attributable", [])
        ],
        categories=[
            (category_label(c), sorted((named(o) for o in categories[c]), key=lambda n: n.name.lower()))
            for c in ordered
        ],
    )


def map_view(payload: Mapping) -> MapView:
    return MapView(
        organisations=organisation_rows(payload),
        links=link_rows(payload),
        insights=insights(payload),
        network_names=svg.network_names(payload.get("nodes", [])),
    )
