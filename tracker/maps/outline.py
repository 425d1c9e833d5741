"""The outline of the south of England that the spread map is drawn on.

The GeoJSON ships with the package (tracker/data/south_england_outline.geojson, from ONS boundaries
under the Open Government Licence v3; tracker/data/south_england_outline.SOURCE.md says how it was
made). Wherever the outline is drawn, ATTRIBUTION must be shown with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

OUTLINE_FILE = Path(__file__).resolve().parent.parent / "data" / "south_england_outline.geojson"

ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2022 and 2023."
)

Ring = tuple[tuple[float, float], ...]  # (lon, lat) pairs, closed or not
Polygon = tuple[Ring, ...]  # the exterior ring, then any holes


@dataclass(frozen=True)
class OutlineFeature:
    kind: str  # land, nhs_region or icb
    name: str
    polygons: tuple[Polygon, ...]


@dataclass(frozen=True)
class Outline:
    west: float
    south: float
    east: float
    north: float
    features: tuple[OutlineFeature, ...]
    attribution: str = ATTRIBUTION


def _polygons(geometry: dict) -> tuple[Polygon, ...]:
    kind = geometry.get("type")
    if kind == "Polygon":
        shapes = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        shapes = geometry["coordinates"]
    else:
        return ()  # points and lines have no place in an outline
    return tuple(tuple(tuple((float(lon), float(lat)) for lon, lat, *_ in ring) for ring in shape) for shape in shapes)


def parse_outline(data: dict) -> Outline:
    """An Outline from a GeoJSON FeatureCollection of Polygons and MultiPolygons.

    The box is the collection's bbox member when it has one, else the extent of its coordinates.
    """
    features = tuple(
        OutlineFeature(
            kind=str((f.get("properties") or {}).get("kind", "")),
            name=str((f.get("properties") or {}).get("name", "")),
            polygons=_polygons(f.get("geometry") or {}),
        )
        for f in data.get("features", [])
    )
    bbox = data.get("bbox")
    if bbox and len(bbox) == 4:
        west, south, east, north = (float(v) for v in bbox)
    else:
        points = [p for f in features for polygon in f.polygons for ring in polygon for p in ring]
        if not points:
            raise ValueError("The outline has no polygons")
        west, east = min(p[0] for p in points), max(p[0] for p in points)
        south, north = min(p[1] for p in points), max(p[1] for p in points)
    if not (west < east and south < north):
        raise ValueError("The outline's box is empty")
    return Outline(west, south, east, north, features, str(data.get("attribution") or ATTRIBUTION))


@cache
def load_outline() -> Outline:
    """The shipped outline, read once per process."""
    with OUTLINE_FILE.open(encoding="utf-8") as f:
        return parse_outline(json.load(f))
