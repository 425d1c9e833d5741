"""The data the page hands to static/map.js, as JSON: the one place a SpreadMap becomes JSON.

A frame is the map as of one day: each organisation placed (x, y in the drawing's units) with its
colours, label and group, each learning link with its colour, width and line, and the tables' rows,
worded. The page carries the frame of its own day and the timeline's months; map.js asks
maps.spread_map_month for the frame of another month. map.js computes no position and words
nothing of its own: it draws, animates and answers the pointer and the keyboard.

Whom to engage next (tracker.maps.engage) is as of the page's day only: the page's frame lists the
organisations to highlight ("engage": id, ODS code and rank, in rank order); a month's frame lists
none, and map.js highlights the page's picks again whenever it draws the page's own day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date

from ..calendar import people_date
from .drawing import Drawing
from .present import MapView, Month


def frame_json(as_of: date, view: MapView, drawn: Drawing, engaged: Mapping[str, int] | None = None) -> dict:
    """The frame of the day: the drawing (tracker.maps.service.SpreadMap.drawing), the tables' rows and
    the organisations to highlight as whom to engage next (`engaged`: ODS code → rank)."""
    engaged = engaged or {}
    picks = sorted((m for m in drawn.marks if m.ods in engaged), key=lambda m: engaged[m.ods])
    return {
        "as_of": as_of.isoformat(),
        "date": people_date(as_of),
        "layout": drawn.layout,
        "width": drawn.width,
        "height": drawn.height,
        "adopted": view.adopted,
        "groups": [asdict(group) for group in drawn.groups],
        "marks": [asdict(mark) for mark in drawn.marks],
        "lines": [asdict(line) for line in drawn.lines],
        "organisations": [asdict(row) for row in view.organisations],
        "links": [asdict(row) for row in view.links],
        "engage": [{"id": m.id, "ods": m.ods, "rank": engaged[m.ods]} for m in picks],
    }


def months_json(months: list[Month]) -> list[dict]:
    return [asdict(month) for month in months]
