"""The data the page hands to static/map.js, as JSON: the one place a SpreadMap becomes JSON.

A frame is the map as of one day: each organisation placed (x, y in the drawing's units) with its
colours, label and group, each learning link with its colour, width and line, and the tables' rows,
worded. The page carries the frame of its own day and the timeline's months; map.js asks
maps.spread_map_month for the frame of another month. map.js computes no position and words
nothing of its own: it draws, animates and answers the pointer and the keyboard.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from ..calendar import people_date
from .drawing import Drawing
from .present import MapView, Month


def frame_json(as_of: date, view: MapView, drawn: Drawing) -> dict:
    """The frame of the day: the drawing (tracker.maps.service.SpreadMap.drawing) and the tables' rows."""
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
    }


def months_json(months: list[Month]) -> list[dict]:
    return [asdict(month) for month in months]
