"""The spread map's timeline as one answer (tracker.maps.timeline): read in four statements whatever
the size of the data or the number of months, drawn once. No Flask here.

The organisations of the timeline are those open in some month of it; they are drawn as the page's
day's network would be with all of them in it (tracker.maps.drawing), so that each keeps its place
while the months play. The learning links laid out by are the page's day's.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..cache import MetricsCache
from . import drawing, present, queries, timeline
from .assemble import KIND_ORGANISATION, NetworkView, Node
from .outline import load_outline


def timeline_answer(session: Session, view: NetworkView, layout: str, cache: MetricsCache | None = None) -> dict:
    """The months from the programme's start to the map's day (the view's), every organisation's stage in each."""
    months = present.timeline(view.as_of)
    days = [date.fromisoformat(month.as_of) for month in months]
    rows = queries.organisations_between(session, days[0], days[-1])
    openings = [timeline.Opening(record.ods, record.name, opened, closed) for _id, record, opened, closed in rows]
    ids = [id_ for id_, _record, _opened, _closed in rows]
    ranks = timeline.month_ranks(ids, queries.spells_of(session, view.scope.idea_ids, days[-1]), days)
    opened = timeline.open_days(openings, days)
    states = timeline.states(openings, ranks, opened, view.threshold)
    links = timeline.link_months(queries.links_between(session, days[0], days[-1]), opened, days)
    drawn = _drawn(view, [record for _id, record, _opened, _closed in rows], layout, cache)
    page_day = {node.ods: (present.percent(node.exposure), bool(node.frontier)) for node in view.organisations}
    return timeline.timeline_json(months, drawn, view.network_names, openings, states, links, page_day)


def _drawn(view: NetworkView, records, layout: str, cache: MetricsCache | None) -> drawing.Drawing:
    """The page's day's network with every organisation of the timeline in it, drawn in the layout."""
    today_nodes = {node.ods: node for node in view.organisations}
    organisations = tuple(
        today_nodes.get(r.ods) or Node(r.ods, KIND_ORGANISATION, r.name, r.ods, r.network, r.lat, r.lon)
        for r in records
    )
    others = tuple(node for node in view.nodes if node.kind != KIND_ORGANISATION)
    union = NetworkView(view.scope, view.as_of, view.threshold, others + organisations, view.edges, view.insights)

    def draw() -> drawing.Drawing:
        return drawing.draw(union, load_outline(), layout)

    if cache is None or layout == drawing.GEOGRAPHIC:
        return draw()
    key = ("timeline drawing", layout, organisations, union.learning_links, tuple(union.network_names.items()))
    return cache.get_or_compute(key, draw)
