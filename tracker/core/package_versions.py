"""A change package's published versions: the snapshot a version stores, and what changed between two.

Pure: plain objects (anything with the attributes below) or the stored JSON in, plain data out. No
Flask, no database. A snapshot is what the package said when it was published: its title and aim, its
drivers (each with a stable key, the driver's id, so a renamed driver is known as the same one) and its
ideas with their codes (stable for ever: adoption records follow them from version to version) and
places in the tree. Retired ideas are not in it: a retired idea is one the next version leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SHAPE = 1  # the snapshot's layout, stored in it, should it ever need to change


def snapshot(package: Any, drivers: list[Any], ideas: list[Any]) -> dict[str, Any]:
    """What a version stores: the package (code, title, aim, ambition), its drivers in tree order and
    its ideas (not retired ones) in the order the diagram shows them."""
    primaries = sorted((d for d in drivers if d.parent_id is None), key=lambda d: (d.position, d.id))
    ordered = []
    for primary in primaries:
        ordered.append(primary)
        ordered.extend(sorted((d for d in drivers if d.parent_id == primary.id), key=lambda d: (d.position, d.id)))
    placed = {d.id for d in ordered}
    kept = [i for i in ideas if not i.retired]
    kept.sort(key=lambda i: (i.driver_id is None or i.driver_id not in placed, i.position, i.code))
    return {
        "shape": SHAPE,
        "code": package.code,
        "title": package.title,
        "aim": package.summary or "",  # the package's summary is its diagram's aim
        "ambition": {"code": package.ambition.code, "title": package.ambition.title},
        "drivers": [
            {"key": d.id, "parent": d.parent_id, "title": d.title, "description": d.description or ""} for d in ordered
        ],
        "ideas": [
            {
                "code": i.code,
                "title": i.title,
                "description": i.description or "",
                "driver": i.driver_id if i.driver_id in placed else None,
            }
            for i in kept
        ],
    }


@dataclass(frozen=True)
class Moved:
    code: str
    title: str
    before: str | None  # the driver's title, None for not yet placed
    after: str | None


@dataclass(frozen=True)
class Reworded:
    code: str
    title_before: str
    title_after: str
    description_changed: bool


@dataclass(frozen=True)
class Renamed:
    before: str
    after: str


@dataclass
class Changes:
    """What a version changed since the one before (all empty for a first version)."""

    first: bool = False
    title: Renamed | None = None
    aim: Renamed | None = None  # the aim reworded
    ideas_added: list[tuple[str, str]] = field(default_factory=list)  # (code, title)
    ideas_retired: list[tuple[str, str]] = field(default_factory=list)
    ideas_reworded: list[Reworded] = field(default_factory=list)
    ideas_moved: list[Moved] = field(default_factory=list)
    drivers_added: list[str] = field(default_factory=list)
    drivers_removed: list[str] = field(default_factory=list)
    drivers_renamed: list[Renamed] = field(default_factory=list)

    @property
    def count(self) -> int:
        lists = (
            self.ideas_added,
            self.ideas_retired,
            self.ideas_reworded,
            self.ideas_moved,
            self.drivers_added,
            self.drivers_removed,
            self.drivers_renamed,
        )
        return sum(len(items) for items in lists) + (self.title is not None) + (self.aim is not None)


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> Changes:
    """What changed from the snapshot before (None: there was no version before) to the one after."""
    if before is None:
        return Changes(first=True)
    out = Changes()
    if before["title"] != after["title"]:
        out.title = Renamed(before["title"], after["title"])
    if before["aim"] != after["aim"]:
        out.aim = Renamed(before["aim"], after["aim"])
    old_drivers = {d["key"]: d for d in before["drivers"]}
    new_drivers = {d["key"]: d for d in after["drivers"]}
    out.drivers_added = [d["title"] for key, d in new_drivers.items() if key not in old_drivers]
    out.drivers_removed = [d["title"] for key, d in old_drivers.items() if key not in new_drivers]
    out.drivers_renamed = [
        Renamed(old_drivers[key]["title"], d["title"])
        for key, d in new_drivers.items()
        if key in old_drivers and old_drivers[key]["title"] != d["title"]
    ]
    old_ideas = {i["code"]: i for i in before["ideas"]}
    new_ideas = {i["code"]: i for i in after["ideas"]}
    out.ideas_added = [(code, i["title"]) for code, i in new_ideas.items() if code not in old_ideas]
    out.ideas_retired = [(code, i["title"]) for code, i in old_ideas.items() if code not in new_ideas]
    for code, new in new_ideas.items():
        old = old_ideas.get(code)
        if old is None:
            continue
        if old["title"] != new["title"] or old["description"] != new["description"]:
            out.ideas_reworded.append(
                Reworded(code, old["title"], new["title"], old["description"] != new["description"])
            )
        if old["driver"] != new["driver"]:
            was = old_drivers.get(old["driver"]) if old["driver"] is not None else None
            now = new_drivers.get(new["driver"]) if new["driver"] is not None else None
            out.ideas_moved.append(
                Moved(code, new["title"], was["title"] if was else None, now["title"] if now else None)
            )
    return out


@dataclass(frozen=True)
class Branch:
    """A driver of a stored version, with its secondary drivers and its ideas, for the version's page."""

    title: str
    description: str
    ideas: list[dict[str, Any]]
    children: list[Branch]


def tree(stored: dict[str, Any]) -> tuple[list[Branch], list[dict[str, Any]]]:
    """A stored snapshot as its driver diagram: the primary drivers (each with its secondary drivers and
    ideas) and the ideas not placed under a driver."""
    ideas_under: dict[int | None, list[dict[str, Any]]] = {}
    for idea in stored["ideas"]:
        ideas_under.setdefault(idea["driver"], []).append(idea)

    def branch(driver: dict[str, Any]) -> Branch:
        children = [branch(d) for d in stored["drivers"] if d["parent"] == driver["key"]]
        return Branch(driver["title"], driver["description"], ideas_under.get(driver["key"], []), children)

    return [branch(d) for d in stored["drivers"] if d["parent"] is None], ideas_under.get(None, [])


def retired_in(snapshots: list[tuple[int, dict[str, Any]]], code: str) -> int | None:
    """The number of the version that retired the idea (left it out after one that had it), None if the
    latest version has it or none ever did. snapshots: (number, snapshot), oldest first."""
    had, retired = False, None
    for number, stored in snapshots:
        present = any(idea["code"] == code for idea in stored["ideas"])
        if present:
            retired = None
        elif had:
            retired = retired or number
        had = had or present
    return retired
