"""The spread map's timeline as one answer (tracker.maps.timeline): read in four statements whatever
the size of the data or the number of months, drawn once. No Flask here.

Each organisation's stage month by month is kept per state of the data: after new events, only the
organisations they name are read again (tracker.models.versions.incremental). The organisations of
the timeline are those open in some month of it; they are drawn as the page's
day's network would be with all of them in it (tracker.maps.drawing), so that each keeps its place
while the months play. The learning links laid out by are the page's day's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from ..cache import MetricsCache
from ..models.versions import Pairs, incremental
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
    ranks = _ranks(session, view.scope.idea_ids, ids, days, cache)
    opened = timeline.open_days(openings, days)
    states = timeline.states(openings, ranks, opened, view.threshold)
    links = timeline.link_months(queries.links_between(session, days[0], days[-1]), opened, days)
    drawn = _drawn(view, [record for _id, record, _opened, _closed in rows], layout, cache)
    page_day = {node.ods: (present.percent(node.exposure), bool(node.frontier)) for node in view.organisations}
    return timeline.timeline_json(months, drawn, view.network_names, openings, states, links, page_day)


def _ranks(
    session: Session, idea_ids: Sequence[int], ids: Sequence[int], days: Sequence[date], cache: MetricsCache | None
) -> np.ndarray:
    """timeline.month_ranks of the organisations (ids) from the spells of the ideas; with a cache, kept per
    state of the data and, after new events, brought up to date by reading the spells of the organisations
    they name only (their rows are worked out again, the others kept)."""

    def afresh() -> np.ndarray:
        return _frozen(timeline.month_ranks(ids, queries.spells_of(session, idea_ids, days[-1]), days))

    if cache is None or not cache.size:
        return afresh()
    row_of = {id_: row for row, id_ in enumerate(ids)}
    ideas = set(idea_ids)

    def again(kept: np.ndarray, pairs: Pairs) -> np.ndarray:
        touched = sorted({organisation for organisation, idea in pairs if idea in ideas and organisation in row_of})
        if not touched:
            return kept
        spells = queries.spells_of(session, idea_ids, days[-1], touched)
        updated = kept.copy()
        updated[[row_of[organisation] for organisation in touched]] = timeline.month_ranks(touched, spells, days)
        return _frozen(updated)

    return incremental(session, cache, ("timeline ranks", tuple(idea_ids), tuple(ids), tuple(days)), afresh, again)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False  # kept in a cache shared by requests: never changed in place
    return array


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
